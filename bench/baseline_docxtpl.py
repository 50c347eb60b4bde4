"""The way offices script documents today, for comparison with `vanban build`:
a docxtpl (Jinja-in-Word) template filled per commune, then every DOCX converted
to PDF by one LibreOffice process (warm after its first file)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from docx import Document


def _template(sample: Path, target: Path) -> Path:
    """Our own DOCX for one commune, its commune-specific lines made placeholders,
    so both pipelines produce the same document."""
    doc = Document(str(sample))
    header = doc.tables[0]
    agency = [p for p in header.cell(0, 0).paragraphs if p.text.strip()]
    _set(agency[-1], "{{ ten_hoa }}")
    date = [p for p in header.cell(1, 1).paragraphs if p.text.strip()][0]
    _set(date, "{{ dia_danh }}, ngày      tháng      năm 2023")
    subject = [p for p in doc.paragraphs if p.text.strip()][1]
    _set(subject, "{{ trich_yeu }}")
    doc.save(str(target))
    return target


def _set(paragraph, text: str) -> None:
    runs = paragraph.runs
    runs[0].text = text
    for run in runs[1:]:
        run.text = ""


def measure(sample: Path, rows: list[dict], work: Path) -> float:
    """Documents per second of docxtpl + one warm LibreOffice, DOCX + PDF."""
    from docxtpl import DocxTemplate

    work.mkdir(parents=True, exist_ok=True)
    template = _template(sample, work / "mau.docx")
    start = time.perf_counter()
    files = []
    for row in rows:
        doc = DocxTemplate(str(template))
        own = row["co_quan.ten"].split("|")[-1]
        doc.render({"ten_hoa": own.upper(), "dia_danh": row["co_quan.dia_danh"],
                    "trich_yeu": row["trich_yeu"]})
        path = work / f"{row['ma']}.docx"
        doc.save(str(path))
        files.append(str(path))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work),
                    *files], check=True, capture_output=True)
    return len(rows) / (time.perf_counter() - start)
