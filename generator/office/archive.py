"""The archive of signed documents: kept, hashed, never overwritten.

``add`` stores a signed file (a digitally signed PDF or a scan) for a numbered,
registered document, plus an archival PDF/A-3 copy of the generated document that
carries the source YAML and the DOCX as attachments. Files are written in full to
``.part`` names first, recorded in the register, then renamed and made read-only.
Every writer holds the register lock (register.locked) for its whole run, so
``recover`` — run under that lock — only ever sees staging files whose writer is
gone (a killed process releases an OS lock): it finishes or discards them, and the
register and the folder always agree. ``list`` only reads.

A digital signature is judged strictly (pyHanko): the signed bytes must be intact
and cover the whole file, the signer's certificate valid at signing time, and its
chain must lead to one of the trust roots the office configured (a folder of CA
certificates, e.g. the Government CA roots). Anything less is recorded with its
own status and a Vietnamese explanation, never as ``hop-le``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import tempfile
import unicodedata
from contextlib import contextmanager
from pathlib import Path

from .. import faults
from . import frozen, register
from ..errors import display_path
from ..errors import VanbanError
from ..model import KIND_NAMES, Document

MAGIC = {b"%PDF-": "pdf", b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg",
         b"II*\x00": "tif", b"MM\x00*": "tif"}


class ArchiveError(VanbanError):
    """A refusal, with a Vietnamese message; nothing has been changed."""


sha256 = frozen.sha256  # one way of hashing a stored or issued file


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


TRUST_DIR = "chung-thu-goc"  # the workspace's folder of trusted CA certificates

STATUSES = {
    "hop-le": "chữ ký số hợp lệ: tệp nguyên vẹn, chứng thư số còn hiệu lực lúc ký và dẫn "
              "tới chứng thư gốc tin cậy",
    "het-han": "chứng thư số của người ký đã hết hạn trước thời điểm ký; chữ ký không có "
               "giá trị, hãy đề nghị ký lại bằng chứng thư còn hạn",
    "chua-hieu-luc": "chứng thư số của người ký chưa có hiệu lực ở thời điểm ký; chữ ký "
                     "không có giá trị, hãy kiểm tra đồng hồ máy ký và ký lại",
    "khong-tin-cay": "chứng thư số không dẫn tới chứng thư gốc nào trong thư mục chứng thư "
                     "gốc tin cậy của cơ quan; chưa xác nhận được người ký",
    "khong-co": "không có chữ ký số (bản quét hoặc PDF chưa ký)",
}


def trust_roots(folder: Path | None) -> list:
    """The CA certificates (PEM or DER; .pem .crt .cer .der) in ``folder``."""
    from asn1crypto import pem, x509

    roots: list = []
    if folder is None or not Path(folder).is_dir():
        return roots
    for path in sorted(Path(folder).iterdir()):
        if path.suffix.lower() not in (".pem", ".crt", ".cer", ".der") or not path.is_file():
            continue
        data = path.read_bytes()
        try:
            blobs = [der for _, _, der in pem.unarmor(data, multiple=True)] \
                if pem.detect(data) else [data]
            roots += [x509.Certificate.load(der) for der in blobs]
            for cert in roots[-len(blobs):]:
                _ = cert.native  # parse now: a broken file is named here, not later
        except Exception:  # noqa: BLE001 - any unreadable certificate is a refusal
            raise ArchiveError(f"{display_path(path)}: không đọc được chứng thư số gốc "
                               "(cần tệp PEM hoặc DER); hãy xóa hoặc thay tệp này") from None
    return roots


def _validity(cert, moment: dt.datetime) -> str | None:
    validity = cert["tbs_certificate"]["validity"]
    if moment < validity["not_before"].native:
        return "chua-hieu-luc"
    if moment > validity["not_after"].native:
        return "het-han"
    return None


def signature(path: Path, roots_folder: Path | None = None) -> dict:
    """Validate the digital signatures of a PDF with pyHanko.

    No signature: a scan, recorded as unsigned. Any signature whose signed bytes
    changed, whose cryptography fails, or which does not cover the whole file
    (something was added after signing): refused. Otherwise the status of the
    last signature, judged at its signing time against the configured roots."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = trust_roots(roots_folder)
    with open(path, "rb") as handle, _quiet("pyhanko", "pyhanko_certvalidator"):
        try:
            signatures = PdfFileReader(handle, strict=False).embedded_signatures
        except Exception as exc:  # noqa: BLE001 - any parse failure is a refusal
            raise ArchiveError(f"{display_path(path)}: không đọc được tệp PDF ({exc})") from None
        if not signatures:
            return {"chu_ky": "khong-co", "giai_thich": STATUSES["khong-co"]}
        info: dict = {}
        now = dt.datetime.now(dt.timezone.utc)
        for embedded in signatures:
            # The time the signature states (/M or its signing-time attribute) is
            # the signer's own claim: judged there, and, unless a trusted timestamp
            # fixes the time, also now (a backdated claim cannot revive an
            # expired certificate).
            claimed = embedded.self_reported_timestamp or now
            context = ValidationContext(trust_roots=roots, allow_fetching=False,
                                        moment=claimed, revocation_mode="soft-fail")
            try:
                status = validate_pdf_signature(embedded, context)
            except Exception as exc:  # noqa: BLE001 - a signature pyHanko cannot read
                raise ArchiveError(f"{display_path(path)}: không kiểm tra được chữ ký số "
                                   f"({exc.__class__.__name__}); hãy lấy lại bản ký gốc") from None
            whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
            if not (status.intact and status.valid and whole):
                raise ArchiveError(
                    f"{display_path(path)}: chữ ký số không còn nguyên vẹn: tệp đã bị sửa "
                    "sau khi ký. Không lưu tệp này; hãy lấy lại bản ký gốc")
            stamp_ = status.timestamp_validity
            stamped = stamp_ is not None and stamp_.valid and stamp_.intact and stamp_.trusted
            moments = [stamp_.timestamp] if stamped and stamp_ is not None else [claimed, now]
            moment = moments[0]
            cert = status.signing_cert
            verdict = next(filter(None, (_validity(cert, m) for m in moments)), None) or \
                ("hop-le" if status.trusted and roots else "khong-tin-cay")
            explain = STATUSES[verdict]
            validity = cert["tbs_certificate"]["validity"]
            if verdict in ("het-han", "chua-hieu-luc"):
                explain += (f" (chứng thư có hiệu lực từ {validity['not_before'].native:%d/%m/%Y}"
                            f" đến {validity['not_after'].native:%d/%m/%Y}; thời điểm ký ghi "
                            f"trong tệp {moment:%d/%m/%Y %H:%M}"
                            + ("" if stamped else f", kiểm tra cả lúc lưu {now:%d/%m/%Y}")
                            + ")")
            if verdict == "khong-tin-cay" and not roots:
                explain += (f"; chưa có chứng thư gốc nào: hãy đặt chứng thư gốc của cơ quan "
                            f"(ví dụ của Cục Chứng thực số Chính phủ) vào thư mục {TRUST_DIR}/ "
                            "hoặc chỉ ra bằng --tin-cay")
            current = {"chu_ky": verdict, "giai_thich": explain,
                       "nguoi_ky_so": cert.subject.human_friendly,
                       "thoi_diem_ky": moment.isoformat(),
                       "tin_cay": int(verdict == "hop-le")}
            if not info or info["chu_ky"] == "hop-le":
                info = current  # the first problem found is the one recorded
        return info


def registered(db, doc: Document, root: Path):
    """The register line of a numbered document of this workspace; ArchiveError
    when the number is not in the book, belongs to another file, is voided, or the
    source changed since numbering (the archival copy is made from the source)."""
    label = f"{doc.so:02d}/{doc.ky_hieu}"
    assert doc.so is not None and doc.ngay is not None  # a numbered document
    row = register.find(db, doc.co_quan.ten_day_du, doc.series, doc.ngay.year, doc.so)
    if row is None:
        raise ArchiveError(f"{display_path(doc.path)}: số {label} không có trong sổ đăng ký "
                           "văn bản đi")
    relative = str(Path(doc.path).resolve().relative_to(Path(root).resolve()))
    if row["nguon"] != relative:
        raise ArchiveError(f"{display_path(doc.path)}: số {label} trong sổ thuộc văn bản "
                           f"{row['nguon']}, không phải tệp này")
    if row["huy"]:
        raise ArchiveError(f"{display_path(doc.path)}: số {label} đã bị hủy "
                           f"({row['ly_do_huy']}); không lưu trữ văn bản mang số đã hủy")
    if row["noi_dung_sha256"] and not frozen.unchanged(row, doc, root):
        raise ArchiveError(f"{display_path(doc.path)}: nội dung tệp đã đổi sau khi cấp số "
                           f"{label}; bản lưu trữ phải đúng văn bản đã ký. Hãy trả lại nội "
                           "dung đã ký rồi lưu trữ")
    return row


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


def add(signed: Path, doc: Document, archive_dir: Path, out_dir: Path, root: Path,
        replace: bool = False, reason: str | None = None, attachment: bool = False,
        roots_folder: Path | None = None) -> list[tuple[Path, dict]]:
    """Store ``signed`` for ``doc`` (and, the first time, its PDF/A-3 copy).
    ``attachment``: one more file of the same document (a scan, an annex), kept
    beside the signed original. Returns [(stored file, signature info)]."""
    faults.point("archive-start")
    if doc.so is None or doc.ngay is None:
        raise ArchiveError(f"{display_path(doc.path)}: văn bản chưa có số và ngày; "
                           "hãy cấp số bằng lệnh vanban number trước khi lưu trữ")
    kind = file_kind(signed)
    if kind is None:
        raise ArchiveError(f"{display_path(signed)}: không phải tệp PDF hay ảnh quét "
                           "(PNG, JPEG, TIFF)")
    sig = signature(signed, roots_folder) if kind == "pdf" else \
        {"chu_ky": "khong-co", "giai_thich": STATUSES["khong-co"]}
    digest = sha256(signed)
    with register.locked(archive_dir):
        faults.point("archive-after-lock")
        _recover(archive_dir)
        faults.point("archive-after-recover")
        db = register.connect(archive_dir)
        try:
            return _add_locked(db, signed, kind, sig, digest, doc, archive_dir, out_dir, root,
                               replace, reason, attachment)
        finally:
            db.close()


def _add_locked(db, signed, kind, sig, digest, doc, archive_dir, out_dir, root, replace,
                reason, attachment):
    row = registered(db, doc, root)
    twin = db.execute("SELECT l.duong_dan, v.so, v.ky_hieu FROM luu_tru l JOIN van_ban_di v "
                      "ON v.id = l.van_ban_id WHERE l.sha256 = ?", (digest,)).fetchone()
    if twin is not None:
        raise ArchiveError(f"{display_path(signed)}: tệp này đã được lưu trữ "
                           f"({twin['duong_dan']}, văn bản số {twin['so']:02d}/"
                           f"{twin['ky_hieu']}); không lưu hai lần")
    role = "dinh-kem" if attachment else "ban-ky"
    current = db.execute("SELECT * FROM luu_tru WHERE van_ban_id = ? AND vai_tro = "
                         "'ban-ky' AND hieu_luc = 1", (row["id"],)).fetchone()
    if role == "ban-ky" and current is not None and not (replace and reason):
        raise ArchiveError(
            f"văn bản {row['so']:02d}/{row['ky_hieu']} đã có bản ký lưu trữ "
            f"({current['duong_dan']}); chỉ thay bằng --replace --reason \"lý do\", "
            "hoặc thêm tệp kèm theo bằng --dinh-kem")
    count = db.execute("SELECT COUNT(*) FROM luu_tru WHERE van_ban_id = ? AND vai_tro = ?",
                       (row["id"], role)).fetchone()[0]
    folder = folder_of(row)
    name = f"{row['so']:02d}-{row['ky_hieu']}-{role}"
    signed_rel = f"{folder}/{name}{'' if count == 0 else f'-{count + 1}'}.{kind}"
    staged = []
    try:
        staged.append((_stage(archive_dir, signed_rel, lambda p: shutil.copyfile(signed, p)),
                       role, sig))
        faults.point("archive-signed-staged")
        has_copy = db.execute("SELECT 1 FROM luu_tru WHERE van_ban_id = ? AND vai_tro = "
                              "'pdfa'", (row["id"],)).fetchone()
        if not has_copy:
            copy_rel = f"{folder}/{row['so']:02d}-{row['ky_hieu']}-pdfa.pdf"
            staged.append((_stage(archive_dir, copy_rel,
                                  lambda p: archival_copy(doc, p, out_dir)),
                           "pdfa", {"chu_ky": "khong-co", "giai_thich": "bản lưu trữ PDF/A-3 "
                                    "do vanban tạo, kèm tệp YAML và DOCX"}))
            faults.point("archive-copy-staged")
        if sha256(staged[0][0][0]) != digest:
            raise ArchiveError(f"{display_path(signed)}: tệp thay đổi trong lúc lưu; hãy chạy lại")
        with register.transaction(db):
            faults.point("archive-in-transaction")
            new_ids = []
            for (part, final), role_, info in staged:
                cursor = db.execute(
                    "INSERT INTO luu_tru (van_ban_id, vai_tro, duong_dan, sha256, kich_thuoc, "
                    "chu_ky, nguoi_ky_so, thoi_diem_ky, tin_cay, ly_do, them_luc, giai_thich) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (row["id"], role_, str(final.relative_to(archive_dir)), sha256(part),
                     part.stat().st_size, info["chu_ky"], info.get("nguoi_ky_so", ""),
                     info.get("thoi_diem_ky", ""), info.get("tin_cay", 0),
                     (reason or "") if role_ == "ban-ky" else "", register.now(),
                     info.get("giai_thich", "")))
                new_ids.append(cursor.lastrowid)
            if role == "ban-ky" and current is not None:
                db.execute("UPDATE luu_tru SET hieu_luc = 0 WHERE id = ?", (current["id"],))
                db.execute("UPDATE luu_tru SET thay_the_id = ? WHERE id = ?",
                           (current["id"], new_ids[0]))
                db.execute("UPDATE van_ban_di SET ghi_chu = ? WHERE id = ?",
                           (f"Thay bản ký ngày {dt.date.today():%d/%m/%Y}: {reason}", row["id"]))
            faults.point("archive-before-commit")
    except BaseException:
        for (part, _), _, _ in staged:
            part.unlink(missing_ok=True)
        raise
    faults.point("archive-after-commit")
    for i, ((part, final), _, _) in enumerate(staged):
        _settle(part, final)
        if i == 0:
            faults.point("archive-after-first-settle")
    faults.point("archive-after-settle")
    return [(final, info) for (_, final), _, info in staged]


def archival_copy(doc: Document, target: Path, out_dir: Path) -> None:
    """PDF/A-3b of the document, with the source YAML and the DOCX attached and the
    number, date, agency and subject in its metadata."""
    from weasyprint import Attachment

    from ..compose.builder import document_tree
    from ..render import renderer

    assert doc.ngay is not None  # numbered: add() checked
    tree = document_tree(doc)
    number = f"{doc.so:02d}/{doc.ky_hieu}"
    tree.meta.title = f"{KIND_NAMES[doc.loai]} số {number}"
    tree.meta.keywords = [number, doc.ngay.isoformat(), doc.co_quan.ten_day_du]
    # WeasyPrint writes custom keys from <meta name>, which HTML lower-cases:
    # name them in lower case so what is asked for is what is written.
    tree.meta.extra = {"sokyhieu": number, "ngayvanban": doc.ngay.isoformat(),
                       "coquan": doc.co_quan.ten_day_du, "trichyeu": doc.trich_yeu}
    with tempfile.TemporaryDirectory() as tmp:
        docx_path = Path(tmp) / f"{number.replace('/', '-')}.docx"
        renderer("docx")(tree, docx_path)
        attachments = [
            Attachment(string=doc.path.read_bytes(), name=doc.path.name,
                       description="Tệp nội dung nguồn (YAML)", relationship="Source"),
            Attachment(string=docx_path.read_bytes(), name=docx_path.name,
                       description="Bản DOCX của văn bản", relationship="Alternative"),
        ]
        renderer("pdf")(tree, target, pdf_variant="pdf/a-3b", attachments=attachments,
                        custom_metadata=True)


# -- consistency --------------------------------------------------------------------

def _recover(archive_dir: Path) -> None:
    """Finish or undo an interrupted ``add``. Only called under the register lock:
    whoever wrote a ``.part`` file is gone. A staged file whose entry was committed
    is moved into place; one without an entry is deleted."""
    db = register.connect(archive_dir, create=False)
    if db is None:
        return
    try:
        known = {r["duong_dan"]: r["sha256"] for r in db.execute(
            "SELECT duong_dan, sha256 FROM luu_tru")}
    finally:
        db.close()
    for part in archive_dir.rglob(".*.part"):
        if part.parent == archive_dir:
            continue  # a printed book being written (register export), not an archive file
        final = part.with_name(part.name[1:-len(".part")])
        relative = str(final.relative_to(archive_dir))
        if relative in known and not final.exists() and sha256(part) == known[relative]:
            _settle(part, final)
        else:
            part.unlink(missing_ok=True)
    for relative in known:  # killed between the rename and the chmod
        final = archive_dir / relative
        if final.is_file() and final.stat().st_mode & 0o222 and sha256(final) == known[relative]:
            os.chmod(final, 0o444)


def recover(archive_dir: Path) -> None:
    with register.locked(archive_dir):
        _recover(archive_dir)


def _own_file(relative: str) -> bool:
    """Files of the archive folder that are not archived documents: the register,
    its journal and locks, printed books (register export)."""
    name = relative.split("/")[-1]
    top = "/" not in relative
    return (relative.startswith(".locks/") or name == register.LOCK_NAME
            or (top and name.startswith(register.DB_NAME))
            or (top and name.lstrip(".").startswith("so-dang-ky-van-ban-di-")))


def verify(archive_dir: Path) -> tuple[int, list[tuple[str, str]]]:
    """Re-hash every archived file; report missing, altered and unknown files.
    Returns (files checked, [(path, problem)])."""
    if not register.path_of(archive_dir).exists():
        return 0, []
    with register.locked(archive_dir):
        _recover(archive_dir)
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
        known = {row["duong_dan"] for row in rows}
        for path in sorted(archive_dir.rglob("*")):
            relative = path.relative_to(archive_dir).as_posix()
            if path.is_file() and relative not in known and not _own_file(relative):
                problems.append((relative, "tệp lạ: không có trong sổ lưu trữ (được thêm bằng "
                                           "tay?); hãy chuyển ra ngoài thư mục lưu trữ hoặc "
                                           "lưu đúng cách bằng vanban archive add"))
    return len(rows), problems


def folded(text: str) -> str:
    """For search: lower case, no diacritics, đ as d (``Kế hoạch`` finds ``ke hoach``)."""
    text = unicodedata.normalize("NFD", str(text).lower().replace("đ", "d"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def listing(archive_dir: Path, year: int | None, kind: str | None, text: str | None):
    """Archived files, read only: never recovers, never waits, never deletes."""
    db = register.connect(archive_dir, create=False) \
        if register.path_of(archive_dir).exists() else None
    if db is None:
        return []
    try:
        sql = ("SELECT v.*, l.duong_dan, l.vai_tro, l.chu_ky, l.nguoi_ky_so, l.hieu_luc, "
               "l.giai_thich FROM luu_tru l JOIN van_ban_di v ON v.id = l.van_ban_id WHERE 1=1")
        args: list = []
        if year:
            sql += " AND v.nam = ?"
            args.append(year)
        if kind:
            sql += " AND v.loai = ?"
            args.append(kind)
        rows = db.execute(sql + " ORDER BY v.nam, v.so, l.id", args).fetchall()
    finally:
        db.close()
    if text:
        needle = folded(text.strip())
        rows = [r for r in rows if needle in folded(" ".join(
            [register.label(r), r["ten_loai_trich_yeu"], r["nguoi_ky"], r["duong_dan"]]))]
    return rows
