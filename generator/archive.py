"""The archive of signed documents: kept, hashed, never overwritten.

``add`` stores a signed file (a digitally signed PDF or a scan) for a numbered,
registered document, plus an archival PDF/A-3 copy of the generated document that
carries the source YAML and the DOCX as attachments. Files are written in full to
``.part`` names first, recorded in the register, then renamed and made read-only;
``recover`` (run before every archive command) finishes or discards what an
interrupted run left, so the register and the folder always agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from . import register
from .errors import display_path
from .model import KIND_NAMES, Document

MAGIC = {b"%PDF-": "pdf", b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg",
         b"II*\x00": "tif", b"MM\x00*": "tif"}


class ArchiveError(Exception):
    """A refusal, with a Vietnamese message; nothing has been changed."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_kind(path: Path) -> str | None:
    """``pdf``, ``png``, ``jpg``, ``tif`` by the file's first bytes, else None."""
    with open(path, "rb") as handle:
        head = handle.read(16)
    for magic, kind in MAGIC.items():
        if head.startswith(magic):
            return kind
    return None


@contextmanager
def _quiet(*names):
    """pyHanko logs a self-signed certificate as an error; the register records
    it as "not trusted" instead, so its log lines are not for the clerk."""
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


def signature(path: Path) -> dict:
    """Validate the digital signatures of a PDF with pyHanko.

    No signature: a scan, recorded as unsigned. Any signature whose signed bytes
    changed, whose cryptography fails, or which does not cover the whole file
    (something was added after signing): refused."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    with open(path, "rb") as handle, _quiet("pyhanko", "pyhanko_certvalidator"):
        try:
            signatures = PdfFileReader(handle, strict=False).embedded_signatures
        except Exception as exc:  # noqa: BLE001 - any parse failure is a refusal
            raise ArchiveError(f"{display_path(path)}: không đọc được tệp PDF ({exc})")
        if not signatures:
            return {"chu_ky": "khong-co"}
        info = {}
        for embedded in signatures:
            status = validate_pdf_signature(embedded, ValidationContext(allow_fetching=False))
            whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
            if not (status.intact and status.valid and whole):
                raise ArchiveError(
                    f"{display_path(path)}: chữ ký số không còn nguyên vẹn: tệp đã bị sửa "
                    "sau khi ký. Không lưu tệp này; hãy lấy lại bản ký gốc")
            info = {"chu_ky": "hop-le",
                    "nguoi_ky_so": status.signing_cert.subject.human_friendly,
                    "thoi_diem_ky": (status.signer_reported_dt.isoformat()
                                     if status.signer_reported_dt else ""),
                    "tin_cay": int(bool(status.trusted))}
        return info


def registered(db, doc: Document):
    """The register line of a numbered document, or None."""
    return db.execute("SELECT * FROM van_ban_di WHERE co_quan = ? AND chuoi = ? AND nam = ? "
                      "AND so = ?", (doc.co_quan.ten_day_du, doc.series, doc.ngay.year,
                                     doc.so)).fetchone()


def folder_of(row) -> str:
    return f"{row['nam']}/{row['so']:02d}-{row['ky_hieu']}"


# -- adding -------------------------------------------------------------------------

def _stage(archive_dir: Path, relative: str, fill) -> tuple[Path, Path]:
    """Write a new file completely under a ``.part`` name beside its final name."""
    final = archive_dir / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    part = final.with_name(f".{final.name}.part")
    fill(part)
    with open(part, "rb+") as handle:
        os.fsync(handle.fileno())
    return part, final


def _settle(part: Path, final: Path) -> None:
    os.replace(part, final)
    os.chmod(final, 0o444)  # read-only: the archive is never edited in place


def add(signed: Path, doc: Document, archive_dir: Path, out_dir: Path,
        replace: bool = False, reason: str | None = None) -> list[Path]:
    """Store ``signed`` for ``doc`` (and, the first time, its PDF/A-3 copy)."""
    recover(archive_dir)
    if doc.so is None or doc.ngay is None:
        raise ArchiveError(f"{display_path(doc.path)}: văn bản chưa có số và ngày; "
                           "hãy cấp số bằng lệnh vanban number trước khi lưu trữ")
    kind = file_kind(signed)
    if kind is None:
        raise ArchiveError(f"{display_path(signed)}: không phải tệp PDF hay ảnh quét "
                           "(PNG, JPEG, TIFF)")
    sig = signature(signed) if kind == "pdf" else {"chu_ky": "khong-co"}
    db = register.connect(archive_dir)
    try:
        row = registered(db, doc)
        if row is None:
            raise ArchiveError(f"{display_path(doc.path)}: số {doc.so:02d}/{doc.ky_hieu} "
                               "không có trong sổ đăng ký văn bản đi")
        current = db.execute("SELECT * FROM luu_tru WHERE van_ban_id = ? AND vai_tro = "
                             "'ban-ky' AND hieu_luc = 1", (row["id"],)).fetchone()
        if current is not None and not (replace and reason):
            raise ArchiveError(
                f"văn bản {row['so']:02d}/{row['ky_hieu']} đã có bản ký lưu trữ "
                f"({current['duong_dan']}); chỉ thay bằng --replace --reason \"lý do\"")
        count = db.execute("SELECT COUNT(*) FROM luu_tru WHERE van_ban_id = ? AND vai_tro = "
                           "'ban-ky'", (row["id"],)).fetchone()[0]
        folder = folder_of(row)
        name = f"{row['so']:02d}-{row['ky_hieu']}-ban-ky"
        signed_rel = f"{folder}/{name}{'' if count == 0 else f'-{count + 1}'}.{kind}"
        staged = [(_stage(archive_dir, signed_rel, lambda p: shutil.copyfile(signed, p)),
                   "ban-ky", sig)]
        has_copy = db.execute("SELECT 1 FROM luu_tru WHERE van_ban_id = ? AND vai_tro = "
                              "'pdfa'", (row["id"],)).fetchone()
        if not has_copy:
            copy_rel = f"{folder}/{row['so']:02d}-{row['ky_hieu']}-pdfa.pdf"
            staged.append((_stage(archive_dir, copy_rel,
                                  lambda p: archival_copy(doc, p, out_dir)),
                           "pdfa", {"chu_ky": "khong-co"}))
        db.execute("BEGIN IMMEDIATE")
        try:
            new_ids = []
            for (part, final), role, info in staged:
                cursor = db.execute(
                    "INSERT INTO luu_tru (van_ban_id, vai_tro, duong_dan, sha256, kich_thuoc, "
                    "chu_ky, nguoi_ky_so, thoi_diem_ky, tin_cay, ly_do, them_luc) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row["id"], role, str(final.relative_to(archive_dir)), sha256(part),
                     part.stat().st_size, info["chu_ky"], info.get("nguoi_ky_so", ""),
                     info.get("thoi_diem_ky", ""), info.get("tin_cay", 0),
                     (reason or "") if role == "ban-ky" else "", register.now()))
                new_ids.append(cursor.lastrowid)
            if current is not None:
                db.execute("UPDATE luu_tru SET hieu_luc = 0 WHERE id = ?", (current["id"],))
                db.execute("UPDATE luu_tru SET thay_the_id = ? WHERE id = ?",
                           (current["id"], new_ids[0]))
                db.execute("UPDATE van_ban_di SET ghi_chu = ? WHERE id = ?",
                           (f"Thay bản ký ngày {dt.date.today():%d/%m/%Y}: {reason}", row["id"]))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            for (part, _), _, _ in staged:
                part.unlink(missing_ok=True)
            raise
        for (part, final), _, _ in staged:
            _settle(part, final)
        return [final for (_, final), _, _ in staged]
    finally:
        db.close()


def archival_copy(doc: Document, target: Path, out_dir: Path) -> None:
    """PDF/A-3b of the document, with the source YAML and the DOCX attached and the
    number, date, agency and subject in its metadata."""
    from weasyprint import Attachment

    from .compose import build
    from .render_docx import render_docx
    from .render_pdf import render_pdf

    tree = build(doc)
    number = f"{doc.so:02d}/{doc.ky_hieu}"
    tree.meta.title = f"{KIND_NAMES[doc.loai]} số {number}"
    tree.meta.keywords = [number, doc.ngay.isoformat(), doc.co_quan.ten_day_du]
    # WeasyPrint writes custom keys from <meta name>, which HTML lower-cases:
    # name them in lower case so what is asked for is what is written.
    tree.meta.extra = {"sokyhieu": number, "ngayvanban": doc.ngay.isoformat(),
                       "coquan": doc.co_quan.ten_day_du, "trichyeu": doc.trich_yeu}
    with tempfile.TemporaryDirectory() as tmp:
        docx_path = Path(tmp) / f"{number.replace('/', '-')}.docx"
        render_docx(tree, docx_path)
        attachments = [
            Attachment(string=doc.path.read_bytes(), name=doc.path.name,
                       description="Tệp nội dung nguồn (YAML)", relationship="Source"),
            Attachment(string=docx_path.read_bytes(), name=docx_path.name,
                       description="Bản DOCX của văn bản", relationship="Alternative"),
        ]
        render_pdf(tree, target, pdf_variant="pdf/a-3b", attachments=attachments,
                   custom_metadata=True)


# -- consistency --------------------------------------------------------------------

def recover(archive_dir: Path) -> None:
    """Finish or undo an interrupted ``add``: a ``.part`` file whose entry was
    committed is moved into place; one without an entry is deleted."""
    if not (archive_dir / register.DB_NAME).exists():
        return
    db = register.connect(archive_dir)
    try:
        known = {r["duong_dan"]: r["sha256"] for r in db.execute(
            "SELECT duong_dan, sha256 FROM luu_tru")}
    finally:
        db.close()
    for part in archive_dir.rglob(".*.part"):
        final = part.with_name(part.name[1:-len(".part")])
        relative = str(final.relative_to(archive_dir))
        if relative in known and not final.exists() and sha256(part) == known[relative]:
            _settle(part, final)
        elif not relative.startswith(register.DB_NAME):
            part.unlink(missing_ok=True)


def verify(archive_dir: Path) -> tuple[int, list[tuple[str, str]]]:
    """Re-hash every archived file; returns (files checked, [(path, problem)])."""
    recover(archive_dir)
    if not (archive_dir / register.DB_NAME).exists():
        return 0, []
    db = register.connect(archive_dir)
    try:
        rows = db.execute("SELECT duong_dan, sha256 FROM luu_tru ORDER BY id").fetchall()
    finally:
        db.close()
    problems = []
    for row in rows:
        path = archive_dir / row["duong_dan"]
        if not path.is_file():
            problems.append((row["duong_dan"], "mất tệp"))
        elif sha256(path) != row["sha256"]:
            problems.append((row["duong_dan"], "tệp đã bị thay đổi (mã băm SHA-256 khác)"))
    return len(rows), problems


def listing(archive_dir: Path, year: int | None, kind: str | None, text: str | None):
    recover(archive_dir)
    if not (archive_dir / register.DB_NAME).exists():
        return []
    db = register.connect(archive_dir)
    try:
        sql = ("SELECT v.*, l.duong_dan, l.vai_tro, l.chu_ky, l.nguoi_ky_so, l.hieu_luc "
               "FROM luu_tru l JOIN van_ban_di v ON v.id = l.van_ban_id WHERE 1=1")
        args: list = []
        if year:
            sql += " AND v.nam = ?"
            args.append(year)
        if kind:
            sql += " AND v.loai = ?"
            args.append(kind)
        if text:
            sql += " AND (v.ten_loai_trich_yeu LIKE ? OR v.ky_hieu LIKE ? OR v.nguoi_ky LIKE ?)"
            args += [f"%{text}%"] * 3
        return db.execute(sql + " ORDER BY v.nam, v.so, l.id", args).fetchall()
    finally:
        db.close()
