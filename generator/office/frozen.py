"""Issued documents are frozen.

Once ``vanban number`` has given a document its number and its DOCX and PDF have
been written, those files are the issued document (Nghị định 30: an issued
document never changes; a change is a new document). ``build``, ``render`` and a
template change leave them byte for byte as they are and say, per document, what
changed in its source since it was numbered. Unnumbered drafts are not concerned.

The register knows which outputs were issued (table ``ban_phat_hanh``); the
source's figures at numbering time are kept in the register row (``chi_tieu``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import register, stamp
from .. import workspace
from ..errors import ContentError, Problem, display_path
from ..vnformat import number as vn_number


def figures(doc) -> dict[str, str]:
    """The document's figures as the register keeps them: a plan's targets, a
    report's results (``None`` for "no data yet" is kept as ""), a decision's
    attached plan's targets."""
    if getattr(doc, "loai", None) == "quyet-dinh" and getattr(doc, "ke_hoach", None):
        return figures(doc.ke_hoach)
    if hasattr(doc, "ket_qua") and doc.ket_qua is not None and hasattr(doc, "ke_hoach"):
        return {r.target.ma: ("" if r.gia_tri is None else str(r.gia_tri))
                for r in doc.ket_qua}
    if hasattr(doc, "targets"):
        return {t.ma: str(t.gia_tri) for t in doc.targets()}
    return {}


def _vn(value: str) -> str:
    if value == "":
        return "(chưa có số liệu)"
    try:
        return vn_number(Decimal(value))
    except (InvalidOperation, ValueError):
        return value


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """``CT02: 8.650,5 → 8.700`` for each figure that differs, in Vietnamese notation."""
    out = []
    for code in list(before) + [c for c in after if c not in before]:
        old, new = before.get(code), after.get(code)
        if old is not None and new is not None and Decimal(old or 0) == Decimal(new or 0) \
                and (old == "") == (new == ""):
            continue
        out.append(f"{code}: {_vn(old) if old is not None else '(chưa có)'} → "
                   f"{_vn(new) if new is not None else '(bỏ)'}")
    return out


def attached_files(doc) -> list[Path]:
    """Files issued as part of the document: a decision's attached plan."""
    plan = getattr(doc, "ke_hoach", None) if getattr(doc, "loai", None) == "quyet-dinh" \
        else None
    return [Path(plan.path)] if plan is not None else []


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha256(path: Path) -> str | None:
    """None for a missing file: it differs from any recorded hash."""
    try:
        return sha256(path)
    except OSError:
        return None


def attached_hashes(doc, root: Path) -> dict[str, str | None]:
    """What the register keeps of the attached files when numbering (``kem_theo``)."""
    return {key_of(root, p): _sha256(p) for p in attached_files(doc)}


def changed_attached(row, doc, root: Path) -> list[str]:
    """The attached files that differ from those numbered, as the clerk names them.
    A row from before attached files were recorded (``kem_theo`` '') has none."""
    try:
        recorded = json.loads(row["kem_theo"] or "{}")
    except (IndexError, KeyError, ValueError):
        return []
    if not recorded:
        return []
    now = attached_hashes(doc, root)
    return [display_path(path_of_key(root, key)) for key in list(recorded) +
            [k for k in now if k not in recorded] if recorded.get(key) != now.get(key)]


def unchanged(row, doc, root: Path) -> bool:
    """The document is the one numbered: its own text apart from ``so``/``ngay``, and
    the files issued with it."""
    return (stamp.content_hash(Path(doc.path).read_bytes()) == row["noi_dung_sha256"]
            and not changed_attached(row, doc, root))


def _what_changed(row, doc, root: Path) -> str:
    """``kế hoạch kèm theo …kh.yaml đã đổi; CT01: 100 → 90``, or ''."""
    said = [f"kế hoạch kèm theo {name} đã đổi" for name in changed_attached(row, doc, root)]
    said += changes(json.loads(row["chi_tieu"] or "{}"), figures(doc))
    return "; ".join(said)


@dataclass
class Issued:
    row: sqlite3.Row
    outputs: dict[str, str]    # output key (see key_of) -> sha256 of the issued file
    db_path: Path
    root: Path


def key_of(root: Path, path: Path) -> str:
    """How the register names an output file: relative to the workspace (so a
    copied workspace keeps its meaning), absolute when outside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


def path_of_key(root: Path, key: str) -> Path:
    return Path(key) if Path(key).is_absolute() else Path(root) / key


def _open(root: Path) -> sqlite3.Connection | None:
    path = register.path_of(root / "archive")
    if not path.exists():
        return None
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    db.row_factory = sqlite3.Row
    return db


def issued(doc) -> Issued | None:
    """The register entry of a numbered document of this workspace, or None (a
    draft, a number written by hand, a voided entry)."""
    if getattr(doc, "so", None) is None or getattr(doc, "ngay", None) is None:
        return None
    try:
        root = workspace.root_of(Path(doc.path).parent)
        relative = str(Path(doc.path).resolve().relative_to(root))
    except (workspace.OutsideWorkspace, ValueError):
        return None
    db = _open(root)
    if db is None:
        return None
    try:
        try:
            row = db.execute(
                "SELECT * FROM van_ban_di WHERE nguon = ? AND so = ? AND nam = ? AND ngay = ? "
                "AND huy = 0 ORDER BY id DESC LIMIT 1",
                (relative, doc.so, doc.ngay.year, doc.ngay.isoformat())).fetchone()
        except sqlite3.OperationalError:
            return None  # a register from before voiding existed: nothing frozen yet
        if row is None:
            return None
        outputs = {r["duong_dan"]: r["sha256"] for r in db.execute(
            "SELECT duong_dan, sha256 FROM ban_phat_hanh WHERE van_ban_id = ?", (row["id"],))}
        return Issued(row, outputs, register.path_of(root / "archive"), root)
    finally:
        db.close()


def voided(root: Path, doc):
    """The voided register entry this document's ``so``/``ngay`` still carry, or None."""
    if getattr(doc, "so", None) is None or getattr(doc, "ngay", None) is None:
        return None
    db = _open(root)
    if db is None:
        return None
    try:
        relative = str(Path(doc.path).resolve().relative_to(Path(root).resolve()))
        return db.execute("SELECT * FROM van_ban_di WHERE nguon = ? AND so = ? AND nam = ? "
                          "AND huy = 1 ORDER BY id DESC LIMIT 1",
                          (relative, doc.so, doc.ngay.year)).fetchone()
    except (sqlite3.OperationalError, ValueError):
        return None
    finally:
        db.close()


def owner_of(root: Path, targets: list[Path], own_id: int | None = None):
    """The register row whose issued files include one of ``targets`` (other than
    row ``own_id``), or None: an issued file is never overwritten by another document."""
    db = _open(root)
    if db is None:
        return None
    try:
        wanted = [key_of(root, t) for t in targets]
        marks = ",".join("?" * len(wanted))
        return db.execute(
            "SELECT v.*, b.duong_dan AS tep FROM ban_phat_hanh b JOIN van_ban_di v "
            f"ON v.id = b.van_ban_id WHERE b.duong_dan IN ({marks}) AND v.id != ? "
            "AND v.huy = 0 LIMIT 1",
            (*wanted, -1 if own_id is None else own_id)).fetchone()
    except sqlite3.OperationalError:
        return None
    finally:
        db.close()


def taken_message(path: Path, owner) -> str:
    return (f"tệp kết quả {owner['tep']} là bản đã ban hành của văn bản số "
            f"{register.label(owner)} ngày {dt_vn(owner['ngay'])} ({owner['nguon']}) và không "
            "được ghi đè; hãy lưu văn bản này dưới tên khác (đổi tên tệp hoặc ghi ten_tep)")


def dt_vn(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}"


def guard(unit, doc, targets: list[Path]) -> tuple[list[Path], list[Problem]] | None:
    """Called before a document's outputs are written. None: write as usual.
    Otherwise the document is issued: nothing is written, and the result is the
    issued files and a message naming what changed in the source. ContentError
    when the outputs would overwrite another document's issued files."""
    try:
        root = workspace.root_of(Path(doc.path).parent)
    except workspace.OutsideWorkspace:
        return None
    if not register.path_of(root / "archive").exists():
        return None  # no register: nothing was ever issued here
    entry = issued(doc) if getattr(unit, "row", None) is None else None
    owner = owner_of(root, targets, entry.row["id"] if entry else None)
    if owner is not None:
        raise ContentError([Problem(display_path(doc.path), None, None,
                                    taken_message(Path(doc.path), owner))])
    if entry is None:
        void = voided(root, doc) if getattr(unit, "row", None) is None else None
        if void is not None:
            raise ContentError([Problem(
                display_path(doc.path), None, "so",
                f"số {register.label(void)} ngày {dt_vn(void['ngay'])} đã bị hủy "
                f"({void['ly_do_huy']}); văn bản mang số đã hủy không được dựng. Hãy xóa hai "
                "dòng so: và ngay: rồi cấp số mới (vanban number)")])
        return None  # a draft, a number written by hand
    label = register.label(entry.row)
    same = unchanged(entry.row, doc, entry.root)
    if not entry.outputs:
        if same:
            return None  # numbered, issued files not yet written (e.g. interrupted)
        return [], [Problem(display_path(doc.path), None, None,
                            f"văn bản đã cấp số {label} nhưng nguồn đã đổi trước khi dựng bản "
                            "chính thức: "
                            + (_what_changed(entry.row, doc, entry.root) or "ngoài các chỉ tiêu")
                            + ". Không dựng văn bản mang số này với nội dung khác; hãy trả lại "
                            "nội dung đã ký, hoặc hủy số (vanban register huy) và cấp số mới",
                            warning=True)]
    said = []
    if not same:
        diff = _what_changed(entry.row, doc, entry.root)
        said.append("nguồn đã đổi sau khi cấp số"
                    + (": " + diff if diff else " (ngoài các chỉ tiêu)"))
    else:
        said.append("nguồn không đổi từ khi cấp số; mẫu, phông chữ hay định dạng mới không "
                    "áp dụng cho văn bản đã ban hành")
    elsewhere = [t for t in targets if key_of(entry.root, t) not in entry.outputs]
    message = (f"văn bản số {label} ngày {doc.ngay:%d/%m/%Y} đã ban hành nên không dựng lại; "
               f"bản DOCX, PDF đã ban hành giữ nguyên. {said[0][0].upper()}{said[0][1:]}. "
               "Văn bản đã ban hành không được sửa: muốn thay đổi phải soạn và cấp số "
               "một văn bản mới")
    if elsewhere:
        message += ("; không ghi bản sao vào " + ", ".join(display_path(t) for t in elsewhere)
                    + " (hãy sao chép bản đã ban hành)")
    kept = [path_of_key(entry.root, k) for k in entry.outputs
            if Path(k).suffix in {t.suffix for t in targets}]
    lost = [p for p in kept if not p.is_file()]
    if lost:
        message += ("; bản đã ban hành bị mất: " + ", ".join(display_path(p) for p in lost)
                    + " (lấy lại bản đã lưu trữ: vanban archive list)")
    kept = [p for p in kept if p.is_file()]
    return kept, [Problem(display_path(doc.path), None, None, message, warning=True)]


def record(doc, outputs: list[Path]) -> None:
    """After the first successful render of a numbered document, its files are the
    issued ones: remember their hashes. Only for the very document that was numbered."""
    if getattr(doc, "so", None) is None:
        return
    entry = issued(doc)
    if entry is None or entry.outputs:
        return
    if not unchanged(entry.row, doc, entry.root):
        return
    from .. import faults

    faults.point("number-before-record")
    db = register.connect(entry.db_path.parent)
    try:
        with register.transaction(db):
            for output in outputs:
                db.execute("INSERT OR IGNORE INTO ban_phat_hanh (van_ban_id, duong_dan, sha256, "
                           "ghi_luc) VALUES (?, ?, ?, ?)",
                           (entry.row["id"], key_of(entry.root, output), sha256(output),
                            register.now()))
    finally:
        db.close()
