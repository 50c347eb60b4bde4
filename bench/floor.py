"""The WeasyPrint floor of a build: the time WeasyPrint alone needs to lay out and
write the very HTML vanban gives it, with as many warm worker processes as the
build had. vanban's overhead is its build time over this floor.

The HTML is made beforehand, untimed, by vanban's own stages (validate, compose,
``render.pdf.part_html``); each worker has imported WeasyPrint and parsed the
stylesheets before the clock starts, as a long-lived vanban worker has.
"""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def documents_html(paths: list[Path]) -> list[list[tuple[str, bool]]]:
    """For each document of ``paths`` (every row of a batch): its parts as
    (HTML, landscape), exactly as ``render_pdf`` lays them out."""
    from generator.compose.builder import document_tree
    from generator.content.batch import units_of
    from generator.content.validate import load_document
    from generator.render.pdf import part_html

    out = []
    for path in paths:
        for unit in units_of(path):
            tree = document_tree(load_document(unit.path, unit.row))
            out.append([(part_html(part, tree), part.landscape) for part in tree.parts])
    return out


def _warm() -> None:
    from generator.render.pdf import _stylesheets

    _stylesheets(False)
    _stylesheets(True)


def _write(job: tuple[list[tuple[str, bool]], str]) -> float:
    """Write one PDF; returns the CPU time it took in this worker."""
    from weasyprint import HTML

    from generator.render.pdf import _stylesheets

    cpu = time.process_time()
    parts, target = job
    documents = []
    for markup, landscape in parts:
        fonts, sheets = _stylesheets(landscape)
        documents.append(HTML(string=markup).render(stylesheets=sheets, font_config=fonts))
    pages = [page for document in documents for page in document.pages]
    documents[0].copy(pages).write_pdf(target)
    return time.process_time() - cpu


def seconds(docs: list[list[tuple[str, bool]]], workers: int,
            out_dir: Path) -> tuple[float, float]:
    """Wall time of WeasyPrint writing every document with ``workers`` processes,
    and the CPU time the documents took in them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(parts, str(out_dir / f"{i}.pdf")) for i, parts in enumerate(docs)]
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm) as pool:
        list(pool.map(_write, jobs[:workers]))  # every worker started and warm
        start = time.perf_counter()
        cpu = sum(pool.map(_write, jobs, chunksize=1))
        return time.perf_counter() - start, cpu
