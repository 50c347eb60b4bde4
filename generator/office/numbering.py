"""``vanban number``: give a signed document its number and date.

A number is a legal fact (Nghị định 30 Điều 15): one per document, never reused,
never changed. The order of the steps makes that hold whatever happens:

1. the document must pass ``check``, lie in the workspace's ``content/`` (one
   register per workspace) and allow a provably surgical edit of its YAML —
   otherwise nothing is taken;
2. under the register lock, one transaction decides: the very same document
   numbered by an interrupted run gets its number back; anything else gets the
   next number, or a refusal (date before the previous number's date);
3. only ``so:`` and ``ngay:`` are written into the YAML, every other byte kept;
4. the final DOCX and PDF are rendered; they are the issued document (frozen.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .. import atomic, faults, workspace
from ..content import attached, batch, source
from . import frozen, register, stamp
from ..errors import Collector, ContentError, Problem, display_path
from ..errors import VanbanError
from ..model import KIND_NAMES, Document
from ..content.validate import check_complete, load_document


class NumberingError(VanbanError):
    """A refusal with a Vietnamese message (already numbered, not checkable, …)."""


def workspace_root(path: Path) -> Path:
    """The workspace of a document to number or archive (workspace.document_root)."""
    try:
        return workspace.document_root(path)
    except workspace.OutsideWorkspace as exc:
        raise NumberingError(str(exc)) from None


def refuse_attached(path: Path) -> None:
    """A plan a decision attaches takes that decision's number: it is never numbered
    (nor its issued files written) alone."""
    by = attached.owner(path)
    if by is not None:
        raise NumberingError(f"{display_path(path)}: chưa cấp số: "
                             + attached.not_alone(path, by, "number"))


def inside(path: Path, root: Path) -> bool:
    path, root = Path(path).resolve(), Path(root).resolve()
    return path == root or root in path.parents


def entry_for(doc: Document, date: dt.date, path: Path, root: Path, raw: bytes) -> register.Entry:
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
        nguon=str(Path(path).resolve().relative_to(root.resolve())),
        nguon_sha256=hashlib.sha256(raw).hexdigest(),
        noi_dung_sha256=stamp.content_hash(raw),
        chi_tieu=frozen.figures(doc),
        kem_theo=frozen.attached_hashes(doc, root),
    )


@dataclass
class Numbered:
    so: int
    doc: Document
    notes: list[str] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)


class RenderFailed(Exception):
    """The number is taken and written; the issued files could not be rendered."""

    def __init__(self, numbered: Numbered, problems: list[Problem]):
        super().__init__("render failed")
        self.numbered, self.problems = numbered, problems


def document_lock(archive_dir: Path, path: Path):
    """Held from reading the file to writing its issued DOCX/PDF, so a second run on
    the same file waits and then finds it issued (not half-way)."""
    from filelock import FileLock

    folder = Path(archive_dir) / ".locks"
    folder.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:32]
    return FileLock(str(folder / f"{key}.lock"))


def check_date(doc: Document, date: dt.date, given: bool, path: Path) -> list[str]:
    """The document's year rules: a plan or report for year N is dated in N-1..N+1.
    Returns what is said to the clerk; raises on a date that cannot be right."""
    if doc.nam and date.year not in (doc.nam - 1, doc.nam, doc.nam + 1):
        raise NumberingError(
            f"{display_path(path)}: ngày {date:%d/%m/%Y} không hợp với năm của văn bản "
            f"(nam: {doc.nam}); văn bản năm {doc.nam} mang ngày trong các năm "
            f"{doc.nam - 1}–{doc.nam + 1}. Hãy kiểm tra --date")
    notes = []
    if not given:
        notes.append(f"không có --date: dùng ngày hôm nay, {date:%d/%m/%Y}")
    if date > dt.date.today():
        notes.append(f"cảnh báo: ngày {date:%d/%m/%Y} là ngày trong tương lai")
    return notes


def number(path: Path, date: dt.date | None, archive_dir: Path,
           outputs: list[Path] | tuple = ()) -> Numbered:
    """Number one document. ``date`` None: today, said to the clerk.
    Raises ContentError (the file does not pass ``check``) or NumberingError."""
    faults.point("number-start")
    path = Path(path)
    root = workspace_root(path)
    refuse_attached(path)
    doc = load_document(path)  # ContentError: nothing is numbered
    check_complete(doc)  # ContentError: "…" blanks left, nothing is numbered
    loaded = source.load(path, Collector(path))
    if loaded is not None and batch.spec_of(loaded.data) is not None:
        raise NumberingError(f"{display_path(path)}: tệp này sinh nhiều văn bản (cho_moi); "
                             "hãy cấp số cho từng văn bản riêng")
    given = date is not None
    date = date or dt.date.today()
    with register.locked(archive_dir):
        faults.point("number-after-lock")
        raw = path.read_bytes()  # read again under the lock: another run may have numbered it
        doc = load_document(path)
        if doc.so is not None:
            return _already_numbered(doc, path, raw, date if given else None)
        owner = frozen.owner_of(root, list(outputs))
        if outputs and owner is not None:
            raise NumberingError(f"{display_path(path)}: chưa cấp số: "
                                 + frozen.taken_message(path, owner))
        try:
            edit = stamp.plan(raw)
            stamp.apply(edit, 1, date)  # proven on a trial number before one is taken
        except stamp.UnsafeEdit as exc:
            raise NumberingError(f"{display_path(path)}: không ghi được so:/ngay: vào tệp mà "
                                 f"giữ nguyên phần còn lại ({exc}); chưa cấp số") from None
        db = register.connect(archive_dir)
        try:
            decision = register.take_number(db, entry_for(doc, date, path, root, raw), given,
                                            lambda: check_date(doc, date, given, path))
        except register.RegisterError as exc:
            raise NumberingError(str(exc)) from None
        finally:
            db.close()
        faults.point("number-after-commit")
        notes = decision.notes
        try:
            edited = stamp.apply(edit, decision.so, decision.ngay)
        except stamp.UnsafeEdit as exc:  # cannot happen after the trial; never silent
            raise NumberingError(f"{display_path(path)}: số {decision.so:02d}/{doc.ky_hieu} đã "
                                 f"ghi vào sổ nhưng không ghi được vào tệp ({exc}); hãy tự "
                                 f"thêm so: {decision.so} và ngay: {decision.ngay} ") from None
        with atomic.replacing(path, mode=path.stat().st_mode & 0o777) as tmp:
            tmp.write_bytes(edited)
            faults.point("number-yaml-staged")
        faults.point("number-after-yaml")
        db = register.connect(archive_dir)
        try:
            with register.transaction(db):
                db.execute("UPDATE van_ban_di SET nguon_sha256 = ? WHERE nguon = ? AND so = ? "
                           "AND nam = ?", (hashlib.sha256(edited).hexdigest(),
                                           str(path.resolve().relative_to(root)),
                                           decision.so, decision.ngay.year))
        finally:
            db.close()
    return Numbered(decision.so, load_document(path), notes)


def _already_numbered(doc: Document, path: Path, raw: bytes,
                      date: dt.date | None) -> Numbered:
    """A file with ``so:``: refused — unless it is the very document this register
    numbered and its issued files were never written (an interrupted run), in
    which case they are written now."""
    entry = frozen.issued(doc)
    if (entry is not None and not entry.outputs
            and entry.row["noi_dung_sha256"] == stamp.content_hash(raw)
            and not frozen.changed_attached(entry.row, doc, entry.root)):
        if date is not None and date != doc.ngay:
            raise NumberingError(f"{display_path(path)}: văn bản đã có số "
                                 f"{register.label(entry.row)} ngày {doc.ngay:%d/%m/%Y}; "
                                 f"--date {date.isoformat()} không đổi được ngày đã cấp")
        assert doc.so is not None  # the register row matched its number
        return Numbered(doc.so, doc, [f"văn bản đã có số {register.label(entry.row)} nhưng "
                                      "chưa dựng bản chính thức (lần chạy trước bị dừng); "
                                      "dựng bây giờ"])
    raise NumberingError(f"{display_path(path)}: văn bản đã có số {doc.so:02d}/"
                         f"{doc.ky_hieu}; văn bản đã cấp số không được cấp lại")


def archive_dir_for(root: Path, option: str | None) -> Path:
    """The archive folder: ``archive/`` in the workspace unless given; never outside."""
    folder = Path(option) if option else root / "archive"
    if Path(folder).resolve() != (Path(root) / "archive").resolve():
        raise NumberingError(f"{folder}: mỗi thư mục làm việc có một sổ đăng ký và một kho "
                             f"lưu trữ, ở {display_path(Path(root) / 'archive')}; không dùng "
                             "thư mục lưu trữ khác")
    return folder


__all__ = ["number", "NumberingError", "ContentError", "Problem", "archive_dir_for"]
