"""``vanban number``: give a signed document its number and date.

The number is taken from the register first (so it is never reused, whatever
happens next), then written into the YAML file as two lines, ``so:`` and ``ngay:``,
leaving every other line and comment as the clerk wrote it, then the final DOCX
and PDF are rendered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from . import atomic, batch, register, source, workspace
from .errors import Collector, ContentError, Problem, display_path
from .model import KIND_NAMES, Document
from .validate import check_complete, load_document


class NumberingError(Exception):
    """A refusal with a Vietnamese message (already numbered, not checkable, …)."""


def workspace_root(path: Path) -> Path:
    return workspace.content_root(Path(path)).parent


def inside(path: Path, root: Path) -> bool:
    path, root = Path(path).resolve(), Path(root).resolve()
    return path == root or root in path.parents


def entry_for(doc: Document, date: dt.date, source: Path, root: Path) -> register.Entry:
    recipients = [r for r in doc.noi_nhan if not r.lower().startswith("lưu")]
    kept = [r.split(":", 1)[1].strip() for r in doc.noi_nhan if r.lower().startswith("lưu")]
    return register.Entry(
        co_quan=doc.co_quan.ten_day_du,
        chuoi=doc.series,
        ngay=date, loai=doc.loai, ky_hieu=doc.ky_hieu,
        # "Kế hoạch triển khai …": the subject continues the kind's name.
        ten_loai_trich_yeu=f"{KIND_NAMES[doc.loai]} {doc.trich_yeu[:1].lower()}"
                           f"{doc.trich_yeu[1:]}",
        nguoi_ky=doc.nguoi_ky.ho_ten, noi_nhan="; ".join(recipients), luu="; ".join(kept),
        so_ban=len(doc.noi_nhan) + (len(getattr(doc, "kinh_gui", []) or [])),
        nguon=str(Path(source).resolve().relative_to(root.resolve())),
        nguon_sha256=hashlib.sha256(Path(source).read_bytes()).hexdigest(),
    )


_TOP = r"^{key}:[^\n]*$"


def write_number(path: Path, number: int, date: dt.date) -> None:
    """Put ``so:`` and ``ngay:`` into the file, changing no other line.
    Existing top-level ``so:``/``ngay:`` lines (e.g. ``so: null``) are replaced;
    otherwise both go right after ``nam:`` (or ``loai:``)."""
    text = Path(path).read_text(encoding="utf-8")
    lines = {"so": f"so: {number}", "ngay": f"ngay: {date.isoformat()}"}
    missing = []
    for key, line in lines.items():
        pattern = re.compile(_TOP.format(key=key), re.M)
        if pattern.search(text):
            text = pattern.sub(line, text, count=1)
        else:
            missing.append(line)
    if missing:
        anchor = re.search(_TOP.format(key="nam"), text, re.M) or \
            re.search(_TOP.format(key="loai"), text, re.M)
        at = anchor.end() if anchor else 0
        block = "\n".join(missing)
        text = text[:at] + ("\n" if at else "") + block + ("" if at else "\n") + text[at:]
    with atomic.replacing(Path(path), mode=Path(path).stat().st_mode & 0o777) as tmp:
        tmp.write_text(text, encoding="utf-8")


def number(path: Path, date: dt.date, archive_dir: Path) -> tuple[int, Document]:
    """Number one document; returns its number and the reloaded document.
    Raises ContentError (the file does not pass ``check``) or NumberingError."""
    path = Path(path)
    root = workspace_root(path)
    doc = load_document(path)  # ContentError: nothing is numbered
    check_complete(doc)  # ContentError: "…" blanks left, nothing is numbered
    if doc.so is not None:
        raise NumberingError(f"{display_path(path)}: văn bản đã có số {doc.so:02d}/"
                             f"{doc.ky_hieu}; văn bản đã cấp số không được cấp lại")
    if batch.spec_of(source.load(path, Collector(path)).data) is not None:
        raise NumberingError(f"{display_path(path)}: tệp này sinh nhiều văn bản (cho_moi); "
                             "hãy cấp số cho từng văn bản riêng")
    db = register.connect(archive_dir)
    try:
        entry = entry_for(doc, date, path, root)
        earlier = register.find_by_source(db, entry.nguon)
        if earlier is not None:
            # Taken by an earlier run that stopped before writing the file: the
            # number belongs to this document, so it is written now, not retaken.
            number_, date = earlier["so"], dt.date.fromisoformat(earlier["ngay"])
        else:
            number_ = register.allocate(db, entry)
        write_number(path, number_, date)
        db.execute("UPDATE van_ban_di SET nguon_sha256 = ? WHERE nguon = ? AND so = ?",
                   (hashlib.sha256(path.read_bytes()).hexdigest(), entry.nguon, number_))
    finally:
        db.close()
    return number_, load_document(path)


def archive_dir_for(root: Path, option: str | None) -> Path:
    """The archive folder: ``archive/`` in the workspace unless given; never outside."""
    folder = Path(option) if option else root / "archive"
    if not inside(folder, root):
        raise NumberingError(f"{folder}: thư mục lưu trữ phải nằm trong thư mục làm việc "
                             f"{display_path(root)}")
    return folder


__all__ = ["number", "NumberingError", "ContentError", "Problem", "archive_dir_for"]
