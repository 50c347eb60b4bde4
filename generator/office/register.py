"""The outgoing register (Sổ đăng ký văn bản đi, Nghị định 30 Điều 15–16, Phụ lục IV)
as an SQLite database in the workspace, and the numbers it hands out.

Numbers run per series (agency + year, and per document kind when the agency's
``so_theo_loai`` is true) from 01 on 1 January. The whole decision — is this the
very document an earlier, interrupted run numbered; is the date after the previous
number's; which number is next — runs inside one ``BEGIN IMMEDIATE`` transaction,
so concurrent processes get distinct consecutive numbers and one file gets one row.
A number is never given twice: a mistaken entry is voided (``huy``), never deleted,
and the next number is always above every number ever given in the series.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

from .. import atomic, faults

DB_NAME = "so-dang-ky.sqlite"
LOCK_NAME = ".so-dang-ky.lock"
LOCK_TIMEOUT = 600  # seconds: an archive add renders a PDF/A copy while holding it

# The ten columns of Phụ lục IV, in order: (column, heading).
COLUMNS = [
    ("so_ky_hieu", "Số, ký hiệu văn bản"),
    ("ngay", "Ngày tháng văn bản"),
    ("ten_loai_trich_yeu", "Tên loại và trích yếu nội dung văn bản"),
    ("nguoi_ky", "Người ký"),
    ("noi_nhan", "Nơi nhận văn bản"),
    ("luu", "Đơn vị, người nhận bản lưu"),
    ("so_ban", "Số lượng bản"),
    ("ngay_chuyen", "Ngày chuyển"),
    ("ky_nhan", "Ký nhận"),
    ("ghi_chu", "Ghi chú"),
]

SCHEMA = """
CREATE TABLE IF NOT EXISTS van_ban_di (
    id INTEGER PRIMARY KEY,
    co_quan TEXT NOT NULL,        -- the issuing agency, as in running text
    chuoi TEXT NOT NULL,          -- series: '' (all kinds) or a kind code ('KH')
    nam INTEGER NOT NULL,         -- year of the number (of the document's date)
    so INTEGER NOT NULL,
    ky_hieu TEXT NOT NULL,
    ngay TEXT NOT NULL,           -- ISO date of the document
    loai TEXT NOT NULL,           -- ke-hoach | bao-cao
    ten_loai_trich_yeu TEXT NOT NULL,
    nguoi_ky TEXT NOT NULL,
    noi_nhan TEXT NOT NULL,
    luu TEXT NOT NULL,
    so_ban INTEGER NOT NULL,
    ngay_chuyen TEXT NOT NULL DEFAULT '',
    ky_nhan TEXT NOT NULL DEFAULT '',
    ghi_chu TEXT NOT NULL DEFAULT '',
    nguon TEXT NOT NULL,          -- source YAML, relative to the workspace
    nguon_sha256 TEXT NOT NULL,   -- its hash once numbered
    ghi_luc TEXT NOT NULL,
    UNIQUE (co_quan, chuoi, nam, so)
);
CREATE TABLE IF NOT EXISTS ban_phat_hanh (  -- the issued DOCX/PDF, frozen once written
    id INTEGER PRIMARY KEY,
    van_ban_id INTEGER NOT NULL REFERENCES van_ban_di(id),
    duong_dan TEXT NOT NULL,      -- output file, relative to the workspace if inside
    sha256 TEXT NOT NULL,
    ghi_luc TEXT NOT NULL,
    UNIQUE (van_ban_id, duong_dan)
);
CREATE TABLE IF NOT EXISTS luu_tru (
    id INTEGER PRIMARY KEY,
    van_ban_id INTEGER NOT NULL REFERENCES van_ban_di(id),
    vai_tro TEXT NOT NULL,        -- ban-ky (signed original) | pdfa (archival copy) | dinh-kem
    duong_dan TEXT NOT NULL UNIQUE,  -- relative to the archive folder
    sha256 TEXT NOT NULL,
    kich_thuoc INTEGER NOT NULL,
    chu_ky TEXT NOT NULL,         -- archive.STATUSES: hop-le, het-han, khong-tin-cay, …
    nguoi_ky_so TEXT NOT NULL DEFAULT '',
    thoi_diem_ky TEXT NOT NULL DEFAULT '',
    tin_cay INTEGER NOT NULL DEFAULT 0,
    hieu_luc INTEGER NOT NULL DEFAULT 1,   -- 0 once replaced (kept, never deleted)
    thay_the_id INTEGER REFERENCES luu_tru(id),
    ly_do TEXT NOT NULL DEFAULT '',
    them_luc TEXT NOT NULL
);
"""


# Columns added after the first release: (name, declaration). Existing registers
# gain them on first use; old rows get the defaults.
ADDED_COLUMNS = {
    "van_ban_di": [
        ("noi_dung_sha256", "TEXT NOT NULL DEFAULT ''"),  # source apart from so/ngay
        ("chi_tieu", "TEXT NOT NULL DEFAULT '{}'"),       # targets when numbered (JSON)
        ("huy", "INTEGER NOT NULL DEFAULT 0"),            # 1: voided, number never reused
        ("ly_do_huy", "TEXT NOT NULL DEFAULT ''"),
        ("huy_luc", "TEXT NOT NULL DEFAULT ''"),
        # Files issued with the document (a decision's attached plan), JSON
        # {path: sha256} when numbered; '' in rows from before, which compare the
        # document's own file only.
        ("kem_theo", "TEXT NOT NULL DEFAULT ''"),
    ],
    "luu_tru": [("giai_thich", "TEXT NOT NULL DEFAULT ''")],  # the signature status, said
}


class RegisterError(Exception):
    """A refusal with a Vietnamese message; the register is unchanged."""


@dataclass
class Entry:
    co_quan: str
    chuoi: str
    ngay: dt.date
    loai: str
    ky_hieu: str
    ten_loai_trich_yeu: str
    nguoi_ky: str
    noi_nhan: str
    luu: str
    so_ban: int
    nguon: str
    nguon_sha256: str
    noi_dung_sha256: str = ""
    chi_tieu: dict = field(default_factory=dict)
    kem_theo: dict = field(default_factory=dict)


def path_of(archive_dir: Path) -> Path:
    return Path(archive_dir) / DB_NAME


@overload
def connect(archive_dir: Path) -> sqlite3.Connection: ...
@overload
def connect(archive_dir: Path, create: Literal[True]) -> sqlite3.Connection: ...
@overload
def connect(archive_dir: Path, create: bool) -> sqlite3.Connection | None: ...
def connect(archive_dir: Path, create: bool = True) -> sqlite3.Connection | None:
    """The register of ``archive_dir``. Without ``create`` a missing register is not
    made (None): reading commands never leave an empty register behind."""
    if not create and not path_of(archive_dir).exists():
        return None
    Path(archive_dir).mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path_of(archive_dir), timeout=60, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA busy_timeout=60000")
    db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
    db.execute("PRAGMA synchronous=FULL")
    if _needs_migration(db):
        # Only a new or older register is written to here: a reader (archive list)
        # must never wait for a writer's transaction.
        db.executescript(SCHEMA)  # IF NOT EXISTS: safe for concurrent first runs
        with transaction(db):  # two first runs must not both add a column
            for table, columns in ADDED_COLUMNS.items():
                have = {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}
                for name, declaration in columns:
                    if name not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")
    return db


def _needs_migration(db: sqlite3.Connection) -> bool:
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"van_ban_di", "luu_tru", "ban_phat_hanh"} <= tables:
        return True
    for table, columns in ADDED_COLUMNS.items():
        have = {r["name"] for r in db.execute(f"PRAGMA table_info({table})")}
        if any(name not in have for name, _ in columns):
            return True
    return False


@contextmanager
def locked(archive_dir: Path, timeout: float = LOCK_TIMEOUT):
    """One writer of the register and the archive folder at a time, across processes.
    The lock is the operating system's (filelock), so a killed holder releases it:
    whoever holds it may treat any staging file as abandoned."""
    from filelock import FileLock, Timeout

    Path(archive_dir).mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(Path(archive_dir) / LOCK_NAME))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise RegisterError(
            f"{archive_dir}: sổ đăng ký đang được một lệnh khác dùng (cấp số hoặc lưu trữ) "
            f"quá {int(timeout)} giây; hãy đợi lệnh đó xong rồi chạy lại") from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def transaction(db: sqlite3.Connection):
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def label(row) -> str:
    """``01/KH-UBND``, as the book prints a number."""
    return f"{row['so']:02d}/{row['ky_hieu']}"


def _vn(date_text: str) -> str:
    return dt.date.fromisoformat(date_text).strftime("%d/%m/%Y")


@dataclass
class Decision:
    so: int
    ngay: dt.date
    reused: bool = False       # the number an interrupted run took for this document
    notes: list[str] = field(default_factory=list)  # said to the clerk


def take_number(db: sqlite3.Connection, entry: Entry, date_given: bool,
                check_new=lambda: []) -> Decision:
    """The number of ``entry``'s document, decided and recorded in one transaction.

    The row of an earlier run is reused only for the very same document (same
    source apart from ``so``/``ngay``): the crash-recovery case. A different
    document at the same path gets a new number; the same document under another
    path, or a date before the previous number's, is refused."""
    with transaction(db):
        faults.point("number-in-transaction")
        same = db.execute(
            "SELECT * FROM van_ban_di WHERE nguon = ? AND noi_dung_sha256 = ? AND huy = 0 "
            "ORDER BY id DESC LIMIT 1", (entry.nguon, entry.noi_dung_sha256)).fetchone()
        if same is not None:
            recorded = dt.date.fromisoformat(same["ngay"])
            if date_given and recorded != entry.ngay:
                raise RegisterError(
                    f"{entry.nguon}: văn bản này đã được cấp số {label(same)} ngày "
                    f"{recorded:%d/%m/%Y} (lần chạy trước bị dừng giữa chừng); số và ngày đã "
                    f"cấp không đổi được. Chạy lại không có --date, hoặc với --date "
                    f"{recorded.isoformat()}")
            return Decision(same["so"], recorded, reused=True, notes=[
                f"số {label(same)} ngày {recorded:%d/%m/%Y} đã được cấp cho chính văn bản này "
                "ở lần chạy trước (bị dừng giữa chừng); ghi lại số đó, không cấp số mới"])
        copy = db.execute(
            "SELECT * FROM van_ban_di WHERE noi_dung_sha256 = ? AND noi_dung_sha256 != '' "
            "AND nguon != ? AND huy = 0 ORDER BY id DESC LIMIT 1",
            (entry.noi_dung_sha256, entry.nguon)).fetchone()
        if copy is not None:
            raise RegisterError(
                f"{entry.nguon}: nội dung giống hệt văn bản {copy['nguon']}, đã cấp số "
                f"{label(copy)} ngày {_vn(copy['ngay'])}; một văn bản chỉ có một số. Nếu đây "
                "là văn bản mới, hãy sửa nội dung cho khác; nếu số cũ cấp nhầm, hãy hủy số "
                f"đó (vanban register huy {label(copy)} --ly-do \"…\")")
        notes = list(check_new())  # the date rules of a new number (may refuse)
        other = db.execute("SELECT * FROM van_ban_di WHERE nguon = ? AND huy = 0 "
                           "ORDER BY id DESC LIMIT 1", (entry.nguon,)).fetchone()
        if other is not None:
            notes.append(f"đường dẫn {entry.nguon} trước đây là văn bản số {label(other)} "
                         f"ngày {_vn(other['ngay'])} với nội dung khác; số đó vẫn thuộc văn "
                         "bản cũ, văn bản này nhận số mới")
        year = entry.ngay.year
        previous = db.execute(
            "SELECT * FROM van_ban_di WHERE co_quan = ? AND chuoi = ? AND nam = ? "
            "ORDER BY so DESC LIMIT 1", (entry.co_quan, entry.chuoi, year)).fetchone()
        number = (previous["so"] if previous else 0) + 1
        if previous is not None and previous["ngay"] > entry.ngay.isoformat():
            raise RegisterError(
                f"{entry.nguon}: ngày {entry.ngay:%d/%m/%Y} sớm hơn ngày của số trước: "
                f"số {label(previous)} ngày {_vn(previous['ngay'])}. Số mới "
                f"{number:02d}/{entry.ky_hieu} phải mang ngày từ {_vn(previous['ngay'])} trở "
                "đi; hãy kiểm tra --date")
        db.execute(
            "INSERT INTO van_ban_di (co_quan, chuoi, nam, so, ky_hieu, ngay, loai, "
            "ten_loai_trich_yeu, nguoi_ky, noi_nhan, luu, so_ban, nguon, nguon_sha256, "
            "noi_dung_sha256, chi_tieu, kem_theo, ghi_luc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.co_quan, entry.chuoi, year, number, entry.ky_hieu, entry.ngay.isoformat(),
             entry.loai, entry.ten_loai_trich_yeu, entry.nguoi_ky, entry.noi_nhan, entry.luu,
             entry.so_ban, entry.nguon, entry.nguon_sha256, entry.noi_dung_sha256,
             json.dumps(entry.chi_tieu, ensure_ascii=False),
             json.dumps(entry.kem_theo, ensure_ascii=False), now()))
        faults.point("number-before-commit")
    return Decision(number, entry.ngay, notes=notes)


def find(db, co_quan: str, chuoi: str, nam: int, so: int):
    return db.execute("SELECT * FROM van_ban_di WHERE co_quan = ? AND chuoi = ? AND nam = ? "
                      "AND so = ?", (co_quan, chuoi, nam, so)).fetchone()


def void(db: sqlite3.Connection, number: str, reason: str, year: int | None = None) -> sqlite3.Row:
    """Mark the entry ``number`` (``01/KH-UBND``, or ``1`` when only one series has
    it) void with its reason and time. The row stays; the number is never given again."""
    so_text, _, ky_hieu = number.strip().partition("/")
    try:
        so = int(so_text)
    except ValueError:
        raise RegisterError(f"{number}: không phải số văn bản (ví dụ 01/KH-UBND)") from None
    sql = "SELECT * FROM van_ban_di WHERE so = ?"
    args: list[object] = [so]
    if ky_hieu:
        sql += " AND ky_hieu = ?"
        args.append(ky_hieu.strip())
    if year:
        sql += " AND nam = ?"
        args.append(year)
    with transaction(db):
        rows = db.execute(sql, args).fetchall()
        if not rows:
            raise RegisterError(f"{number}: không có số này trong sổ đăng ký văn bản đi"
                                + (f" năm {year}" if year else ""))
        if len(rows) > 1:
            found = ", ".join(f"{label(r)} năm {r['nam']}" for r in rows)
            raise RegisterError(f"{number}: có nhiều văn bản mang số này ({found}); hãy ghi "
                                "đủ số và ký hiệu, và --nam")
        row = rows[0]
        if row["huy"]:
            raise RegisterError(f"số {label(row)} năm {row['nam']} đã bị hủy ngày "
                                f"{row['huy_luc'][:10]}: {row['ly_do_huy']}")
        when = now()
        note = f"Đã hủy ngày {dt.date.fromisoformat(when[:10]):%d/%m/%Y}: {reason}"
        db.execute("UPDATE van_ban_di SET huy = 1, ly_do_huy = ?, huy_luc = ?, ghi_chu = "
                   "CASE WHEN ghi_chu = '' THEN ? ELSE ghi_chu || '; ' || ? END WHERE id = ?",
                   (reason, when, note, note, row["id"]))
        return db.execute("SELECT * FROM van_ban_di WHERE id = ?", (row["id"],)).fetchone()


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def year_entries(db, year: int, agency: str | None = None) -> list[sqlite3.Row]:
    sql = "SELECT * FROM van_ban_di WHERE nam = ?"
    args: list = [year]
    if agency:
        sql += " AND co_quan = ?"
        args.append(agency)
    return db.execute(sql + " ORDER BY co_quan, chuoi, so", args).fetchall()


def cells(row) -> list:
    """The ten columns of one register line, as printed; the copy count is a number.
    A voided entry stays in its place with the reason in "Ghi chú", as the book keeps it."""
    d = dt.date.fromisoformat(row["ngay"])
    return [label(row), d.strftime("%d/%m/%Y"), row["ten_loai_trich_yeu"], row["nguoi_ky"],
            row["noi_nhan"], row["luu"], row["so_ban"], row["ngay_chuyen"], row["ky_nhan"],
            row["ghi_chu"]]


FORMATS = ("xlsx", "csv", "docx", "pdf")

# A spreadsheet reads a cell starting with one of these as a formula (or, for tab
# and CR, may shift it): the usual neutralisation is a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# -- printing the book --------------------------------------------------------------

def export(db, year: int, fmt: str, target: Path, agency: str | None = None) -> int:
    """Write the year's book as ``csv``, ``xlsx``, ``docx`` or ``pdf``; returns its line
    count. Lines are in number order; every one of the ten columns is printed.
    Values are data: never a formula in XLSX, neutralised in CSV."""
    rows = year_entries(db, year, agency)
    lines = [cells(r) for r in rows]
    headings = [h for _, h in COLUMNS]
    agencies = sorted({r["co_quan"] for r in rows}) or ([agency] if agency else [])
    with atomic.replacing(target) as tmp:
        if fmt == "csv":
            with open(tmp, "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(headings)
                writer.writerows([[csv_safe(v) for v in line] for line in lines])
        elif fmt == "xlsx":
            _xlsx(tmp, year, agencies, headings, lines)
        else:
            _book(tmp, year, agencies, headings, rows, lines, fmt)
    return len(lines)


# Relative widths of the ten columns: the spreadsheet's widths (in characters),
# and the printed book's proportions before each column is raised to its longest
# word (table_layout.py), so ``01/KH-UBND`` is never split.
COLUMN_SHARES = (16, 12, 50, 24, 40, 18, 8, 12, 12, 24)


def _xlsx(path, year, agencies, headings, lines) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}"
    rows = [[", ".join(agencies)], [f"{COVER_TITLE} {year}"], [], headings,
            [f"({i})" for i in range(1, len(headings) + 1)], *lines]
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = value
            # openpyxl turns a str starting with "=" into a formula: text is
            # declared text, whatever it starts with; the copy count stays a number.
            if isinstance(value, str):
                cell.data_type = "s"
    bold = Font(name="Times New Roman", bold=True)
    for row in (1, 2, 4, 5):
        for cell in sheet[row]:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for letter, width in zip("ABCDEFGHIJ", COLUMN_SHARES):
        sheet.column_dimensions[letter].width = width
    book.save(path)


def _book(path, year, agencies, headings, rows, lines, fmt: str) -> None:
    """The book as a document (DOCX or PDF), from the ``so-dang-ky.j2`` template."""
    from ..compose.builder import template_tree
    from ..render import renderer

    numbers = [r["so"] for r in rows]
    dates = sorted(r["ngay"] for r in rows)
    context = dict(
        co_quan=agencies, nam=year, cot=headings, ty_le=COLUMN_SHARES,
        so_cot=[f"({i})" for i in range(1, len(headings) + 1)],
        dong=[[str(v) for v in line] for line in lines],
        tu_so=f"{min(numbers):02d}" if numbers else "", den_so=f"{max(numbers):02d}"
        if numbers else "",
        tu_ngay=dt.date.fromisoformat(dates[0]).strftime("%d/%m/%Y") if dates else "",
        den_ngay=dt.date.fromisoformat(dates[-1]).strftime("%d/%m/%Y") if dates else "",
    )
    renderer(fmt)(template_tree("so-dang-ky.j2", context, landscape=True), Path(path))


COVER_TITLE = "Sổ đăng ký văn bản đi năm"
