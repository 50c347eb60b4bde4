"""Writing a document's outputs safely: all formats or none, never half a file.

Each format is rendered to a temporary file in the destination folder, and only
when every format succeeded are they moved into place (atomic.py). A failure or an
interruption leaves the old files intact.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from pathlib import Path


from .. import atomic, faults, workspace
from ..office import frozen
from ..content import attached
from ..content.batch import Unit, units_of
from ..compose.builder import document_tree
from ..errors import ContentError, Problem, display_path
from ..fonts import missing_glyphs
from ..limits import MAX_NAME_CHARS
from ..content.validate import load_document
from ..render import FORMATS, renderer



@contextmanager
def _capture_weasyprint_warnings(sink: list[str]):
    """WeasyPrint reports missing fonts and glyphs through logging; keep them so
    the CLI shows them as warnings on the document instead of stray log lines."""
    logger = logging.getLogger("weasyprint")

    class Handler(logging.Handler):
        def emit(self, record):
            message = record.getMessage()
            # Which library subsets the embedded font is WeasyPrint's business:
            # fontTools does it when libharfbuzz-subset is absent, same result.
            if "HarfBuzz-Subset" not in message:
                sink.append(message)

    handler = Handler(logging.WARNING)
    logger.addHandler(handler)
    previous, logger.propagate = logger.propagate, False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def output_stem(unit: Unit, out_dir: Path, doc=None) -> Path:
    name = unit.name if unit.row is not None else (doc.ten_tep if doc else None)
    try:
        return workspace.output_stem(unit.path, out_dir, name, batch=unit.row is not None)
    except workspace.NameTooLong as exc:
        raise ContentError([Problem(display_path(unit.path), None, "ten_tep",
                                    f"tên tệp kết quả '{str(exc)[:40]}…' dài quá "
                                    f"{MAX_NAME_CHARS} ký tự")]) from None
    except workspace.UnsafeOutputPath as exc:
        raise ContentError([Problem(display_path(unit.path), None, "ten_tep",
                                    f"tên tệp kết quả '{exc}' ra ngoài thư mục kết quả")]) from None


def render_file(path: Path, out_dir: Path, formats=FORMATS) -> tuple[list[Path], list[Problem]]:
    """Render every document of one content file; raises ContentError on the first
    broken one (the CLI's ``render``; ``build`` goes unit by unit)."""
    outputs, warnings = [], []
    for unit in units_of(path):
        made, said, _ = render_unit(unit, out_dir, formats)
        outputs += made
        warnings += said
    return outputs, warnings


def render_unit(unit: Unit, out_dir: Path, formats=FORMATS):
    """Validate, compose and render one document; returns (outputs, warnings, doc).

    Raises ContentError, before anything is written, for any mistake in the input.
    """
    doc = load_document(unit.path, unit.row)
    if doc.loai == "ke-hoach" and unit.row is None:
        by = attached.owner(unit.path)
        if by is not None:  # part of a decision: rendered inside it only
            raise ContentError([Problem(display_path(unit.path), None, None,
                                        attached.not_alone(unit.path, by, "render"))])
    stem = output_stem(unit, out_dir, doc)
    issued = frozen.guard(unit, doc, [stem.with_name(f"{stem.name}.{fmt}") for fmt in formats])
    if issued is not None:  # an issued document's files are never rewritten
        return issued[0], list(doc.warnings) + issued[1], doc
    tree = document_tree(doc)
    warnings = list(doc.warnings)
    text = "".join(p.text for p in tree.paragraphs())
    for bold in (False, True):
        for italic in (False, True):
            missing = missing_glyphs(text, bold, italic)
            if missing:
                warnings.append(Problem(display_path(unit.path), None, None,
                                        "phông chữ không có ký tự: " + " ".join(sorted(missing)),
                                        warning=True))
    temps: dict[str, Path] = {}
    log: list[str] = []
    # "du-thao.1" + ".docx", not with_suffix (which would make "du-thao.docx").
    final = {fmt: stem.with_name(f"{stem.name}.{fmt}") for fmt in formats}
    try:
        with _capture_weasyprint_warnings(log):
            for fmt in formats:
                temps[fmt] = atomic.temp_beside(final[fmt])
                renderer(fmt)(tree, temps[fmt])
        faults.hold("rendered")
        # Only when every format rendered are they moved into place.
        outputs = []
        for fmt, tmp in temps.items():
            atomic.publish(tmp, final[fmt])
            outputs.append(final[fmt])
            faults.hold("published")
    finally:
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
    warnings += [Problem(display_path(unit.path), None, None, f"WeasyPrint: {m}", warning=True)
                 for m in log]
    frozen.record(doc, outputs)  # the first render of a numbered document is the issued one
    return outputs, warnings, doc
