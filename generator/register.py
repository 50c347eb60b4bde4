"""The outgoing register (Sổ đăng ký văn bản đi, Nghị định 30 Điều 15–16, Phụ lục IV)
as an SQLite database in the workspace, and the numbers it hands out.

Numbers run per series (agency + year, and per document kind when the agency's
``so_theo_loai`` is true) from 01 on 1 January. A number is taken inside one
``BEGIN IMMEDIATE`` transaction, so concurrent processes get distinct consecutive
numbers, and the UNIQUE constraint makes reuse impossible even after a crash.
"""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from . import atomic

DB_NAME = "so-dang-ky.sqlite"

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
CREATE TABLE IF NOT EXISTS luu_tru (
    id INTEGER PRIMARY KEY,
    van_ban_id INTEGER NOT NULL REFERENCES van_ban_di(id),
    vai_tro TEXT NOT NULL,        -- ban-ky (the signed original) | pdfa (archival copy)
    duong_dan TEXT NOT NULL UNIQUE,  -- relative to the archive folder
    sha256 TEXT NOT NULL,
    kich_thuoc INTEGER NOT NULL,
    chu_ky TEXT NOT NULL,         -- hop-le (valid digital signature) | khong-co (a scan)
    nguoi_ky_so TEXT NOT NULL DEFAULT '',
    thoi_diem_ky TEXT NOT NULL DEFAULT '',
    tin_cay INTEGER NOT NULL DEFAULT 0,
    hieu_luc INTEGER NOT NULL DEFAULT 1,   -- 0 once replaced (kept, never deleted)
    thay_the_id INTEGER REFERENCES luu_tru(id),
    ly_do TEXT NOT NULL DEFAULT '',
    them_luc TEXT NOT NULL
);
"""


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


def connect(archive_dir: Path) -> sqlite3.Connection:
    archive_dir.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(archive_dir / DB_NAME, timeout=60, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
    db.execute("PRAGMA synchronous=FULL")
    db.executescript(SCHEMA)
    return db


def find_by_source(db, nguon: str):
    return db.execute("SELECT * FROM van_ban_di WHERE nguon = ? ORDER BY id DESC LIMIT 1",
                      (nguon,)).fetchone()


def allocate(db: sqlite3.Connection, entry: Entry) -> int:
    """Take the next number of the entry's series and record the entry, atomically."""
    year = entry.ngay.year
    db.execute("BEGIN IMMEDIATE")
    try:
        row = db.execute("SELECT COALESCE(MAX(so), 0) + 1 FROM van_ban_di "
                         "WHERE co_quan = ? AND chuoi = ? AND nam = ?",
                         (entry.co_quan, entry.chuoi, year)).fetchone()
        number = row[0]
        db.execute(
            "INSERT INTO van_ban_di (co_quan, chuoi, nam, so, ky_hieu, ngay, loai, "
            "ten_loai_trich_yeu, nguoi_ky, noi_nhan, luu, so_ban, nguon, nguon_sha256, ghi_luc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.co_quan, entry.chuoi, year, number, entry.ky_hieu, entry.ngay.isoformat(),
             entry.loai, entry.ten_loai_trich_yeu, entry.nguoi_ky, entry.noi_nhan, entry.luu,
             entry.so_ban, entry.nguon, entry.nguon_sha256, now()))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return number


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def year_entries(db, year: int, agency: str | None = None) -> list[sqlite3.Row]:
    sql = "SELECT * FROM van_ban_di WHERE nam = ?"
    args: list = [year]
    if agency:
        sql += " AND co_quan = ?"
        args.append(agency)
    return db.execute(sql + " ORDER BY co_quan, chuoi, so", args).fetchall()


def cells(row) -> list[str]:
    """The ten columns of one register line, as printed."""
    d = dt.date.fromisoformat(row["ngay"])
    return [f"{row['so']:02d}/{row['ky_hieu']}", d.strftime("%d/%m/%Y"),
            row["ten_loai_trich_yeu"], row["nguoi_ky"], row["noi_nhan"], row["luu"],
            str(row["so_ban"]), row["ngay_chuyen"], row["ky_nhan"], row["ghi_chu"]]


# -- printing the book --------------------------------------------------------------

def export(db, year: int, fmt: str, target: Path, agency: str | None = None) -> int:
    """Write the year's book as ``csv``, ``xlsx`` or ``docx``; returns its line count.
    Lines are in number order; every one of the ten columns is printed."""
    rows = year_entries(db, year, agency)
    lines = [cells(r) for r in rows]
    headings = [h for _, h in COLUMNS]
    agencies = sorted({r["co_quan"] for r in rows}) or ([agency] if agency else [])
    with atomic.replacing(target) as tmp:
        if fmt == "csv":
            with open(tmp, "w", newline="", encoding="utf-8-sig") as handle:
                writer = csv.writer(handle)
                writer.writerow(headings)
                writer.writerows(lines)
        elif fmt == "xlsx":
            _xlsx(tmp, year, agencies, headings, lines)
        else:
            _docx(tmp, year, agencies, headings, rows, lines)
    return len(lines)


def _xlsx(path, year, agencies, headings, lines) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}"
    sheet.append([", ".join(agencies)])
    sheet.append([f"{COVER_TITLE} {year}"])
    sheet.append([])
    sheet.append(headings)
    sheet.append([f"({i})" for i in range(1, len(headings) + 1)])
    for line in lines:
        sheet.append(line)
    bold = Font(name="Times New Roman", bold=True)
    for row in (1, 2, 4, 5):
        for cell in sheet[row]:
            cell.font = bold
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for letter, width in zip("ABCDEFGHIJ", COLUMN_SHARES):
        sheet.column_dimensions[letter].width = width
    book.save(path)


# Relative widths of the ten columns: the spreadsheet's widths (in characters),
# and the printed book's proportions before each column is raised to its longest
# word (table_layout.py), so ``01/KH-UBND`` is never split.
COLUMN_SHARES = (16, 12, 50, 24, 40, 18, 8, 12, 12, 24)


def _docx(path, year, agencies, headings, rows, lines) -> None:
    from .compose import build_from
    from .render_docx import render_docx

    numbers = [r["so"] for r in rows]
    dates = sorted(r["ngay"] for r in rows)
    context = dict(
        co_quan=agencies, nam=year, cot=headings, dong=lines, ty_le=COLUMN_SHARES,
        so_cot=[f"({i})" for i in range(1, len(headings) + 1)],
        tu_so=f"{min(numbers):02d}" if numbers else "", den_so=f"{max(numbers):02d}"
        if numbers else "",
        tu_ngay=dt.date.fromisoformat(dates[0]).strftime("%d/%m/%Y") if dates else "",
        den_ngay=dt.date.fromisoformat(dates[-1]).strftime("%d/%m/%Y") if dates else "",
    )
    render_docx(build_from("so-dang-ky.j2", context, landscape=True), Path(path))


COVER_TITLE = "Sổ đăng ký văn bản đi năm"
