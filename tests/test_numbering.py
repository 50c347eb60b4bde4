"""A number is a legal fact (Nghị định 30 Điều 15): one register per workspace, one
number per document, never reused, never changed; the YAML file keeps every byte
but the ``so:``/``ngay:`` lines.

Each test runs the real ``vanban`` command as separate processes on a temporary
workspace and reads the real files and the real SQLite register.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers_ws import docx_text, has_vietnamese
from test_archive import (DRAFT, REGISTER, assert_clear_refusal, doc_path, entries, number,
                          numbered, plan, workspace, yaml_number)

BOM = b"\xef\xbb\xbf"


def env(**extra) -> dict:
    out = dict(os.environ)
    out.pop("VANBAN_DEBUG", None)
    out.update(extra)
    return out


def spawn(ws, *args, **extra) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "generator", *map(str, args)], cwd=ws.root,
                            env=env(**extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def integrity_ok(ws) -> bool:
    db = sqlite3.connect(ws.path(REGISTER))
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


def registers_under(folder: Path) -> list[Path]:
    return sorted(folder.rglob("so-dang-ky.sqlite"))


# =====================================================================================
# One register per workspace
# =====================================================================================

INLINE_PLAN = DRAFT.replace("co_quan: ubnd-quang-ninh\n", """\
co_quan:
  ten: [Ủy ban nhân dân, tỉnh Quảng Ninh]
  ten_day_du: Ủy ban nhân dân tỉnh Quảng Ninh
  viet_tat: UBND
  dia_danh: Quảng Ninh
""").replace("Thực hiện công tác", "Bổ sung công tác")


def test_plan_beside_content_is_refused_and_opens_no_second_register(tmp_path):
    """``vanban new`` writes ke-hoach.yaml beside content/: numbering it must not
    open a register outside the workspace (which gave two documents 01/KH-UBND)."""
    ws = workspace(tmp_path, {doc_path(1): DRAFT})
    numbered(ws, doc_path(1), "2023-03-02")
    ws.write("ke-hoach.yaml", INLINE_PLAN)
    before = ws.path("ke-hoach.yaml").read_bytes()
    result = number(ws, "ke-hoach.yaml", "2023-03-03")
    assert_clear_refusal(result, "content/")
    assert "ke-hoach.yaml" in result.stderr
    assert ws.path("ke-hoach.yaml").read_bytes() == before
    assert registers_under(tmp_path) == [ws.path(REGISTER)]
    assert [r["so"] for r in entries(ws)] == [1]
    # Moved into content/, as the message says, it gets the next number of the one book.
    ws.path("ke-hoach.yaml").rename(ws.path("content/xa/2023/ke-hoach.yaml"))
    numbered(ws, "content/xa/2023/ke-hoach.yaml", "2023-03-03")
    assert yaml_number(ws, "content/xa/2023/ke-hoach.yaml") == 2
    assert registers_under(tmp_path) == [ws.path(REGISTER)]


def test_commands_outside_any_workspace_are_refused(tmp_path):
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "kh.yaml").write_text(INLINE_PLAN, encoding="utf-8")
    for args in (["number", "kh.yaml", "--date", "2023-03-02"], ["archive", "list"],
                 ["archive", "verify"], ["register", "export", "--year", "2023"]):
        result = subprocess.run([sys.executable, "-m", "generator", *args], cwd=loose,
                                env=env(), capture_output=True, text=True)
        assert_clear_refusal(result, "thư mục làm việc", "content/")
    assert registers_under(tmp_path) == []
    assert not (tmp_path / "archive").exists()


# =====================================================================================
# A number belongs to one document
# =====================================================================================

def test_different_document_at_a_numbered_path_never_gets_the_old_number(tmp_path):
    """The register matched on path only: a new plan saved over kh1.yaml silently
    received 01 and its date."""
    ws = workspace(tmp_path, {doc_path(1): DRAFT})
    numbered(ws, doc_path(1), "2023-03-02")
    issued_docx = ws.path("output/xa/2023/kh1.docx").read_bytes()
    ws.write(doc_path(1), plan(7))  # another plan, no so:, at the numbered path
    result = number(ws, doc_path(1), "2023-04-01")
    # Its outputs would overwrite 01's issued files: refused before taking a number.
    assert_clear_refusal(result, "01/KH-UBND")
    assert yaml_number(ws, doc_path(1)) is None
    assert [r["so"] for r in entries(ws)] == [1]
    assert ws.path("output/xa/2023/kh1.docx").read_bytes() == issued_docx
    # Under its own name it gets a new number and the date asked for, never 01.
    ws.path(doc_path(1)).rename(ws.path(doc_path(7)))
    result = number(ws, doc_path(7), "2023-04-01")
    assert result.returncode == 0, result.stderr
    assert yaml_number(ws, doc_path(7)) == 2
    assert "ngay: 2023-04-01" in ws.path(doc_path(7)).read_text("utf-8")
    assert sorted(r["so"] for r in entries(ws)) == [1, 2]


def test_a_changed_document_at_its_own_path_gets_a_new_number(tmp_path):
    """The row of an interrupted run is reused only for the very same document."""
    ws = workspace(tmp_path, {doc_path(1): DRAFT})
    killed = subprocess.run([sys.executable, "-m", "generator", "number", doc_path(1),
                             "--date", "2023-03-02"], cwd=ws.root, capture_output=True,
                            text=True, env=env(VANBAN_FAULT="number-after-commit"))
    assert killed.returncode == -9
    assert [r["so"] for r in entries(ws)] == [1] and yaml_number(ws, doc_path(1)) is None
    ws.write(doc_path(1), DRAFT.replace("gia_tri: 550", "gia_tri: 650")
             .replace("gia_tri: 500,", "gia_tri: 600,"))
    result = number(ws, doc_path(1), "2023-03-05")
    assert result.returncode == 0, result.stderr
    assert yaml_number(ws, doc_path(1)) == 2
    assert "01/KH-UBND" in result.stderr  # says the path's earlier number stays with the old text
    assert sorted(r["so"] for r in entries(ws)) == [1, 2]


def test_the_same_document_under_another_path_is_refused(tmp_path):
    ws = workspace(tmp_path, {doc_path(1): DRAFT, doc_path(2): DRAFT})
    numbered(ws, doc_path(1), "2023-03-02")
    before = ws.path(doc_path(2)).read_bytes()
    result = number(ws, doc_path(2), "2023-03-03")
    assert_clear_refusal(result, "giống hệt")
    assert "01/KH-UBND" in result.stderr
    assert ws.path(doc_path(2)).read_bytes() == before
    assert len(entries(ws)) == 1


def _run_all(ws, commands, **extra) -> list[tuple[int, str, str]]:
    procs = [spawn(ws, *c, **extra) for c in commands]
    return [(p.returncode, *p.communicate(timeout=600)) for p in procs]


def test_sixteen_files_and_eight_on_one_file_at_once(tmp_path):
    """16 processes on 16 files: distinct consecutive numbers; then 8 processes on
    one file: exactly one row (the lookup ran outside the transaction: two rows)."""
    docs = {doc_path(i): plan(i) for i in range(1, 18)}
    ws = workspace(tmp_path, docs)
    procs = [spawn(ws, "number", doc_path(i), "--date", "2023-03-02") for i in range(1, 17)]
    outs = [(p, *p.communicate(timeout=600)) for p in procs]
    for p, _out, err in outs:
        assert p.returncode == 0, err
    rows = entries(ws)
    assert sorted(r["so"] for r in rows) == list(range(1, 17))
    by_source = {r["nguon"]: r["so"] for r in rows}
    for i in range(1, 17):
        assert by_source[doc_path(i)] == yaml_number(ws, doc_path(i))
    assert integrity_ok(ws)

    procs = [spawn(ws, "number", doc_path(17), "--date", "2023-03-03") for _ in range(8)]
    outs = [(p, *p.communicate(timeout=600)) for p in procs]
    codes = sorted(p.returncode for p, _, _ in outs)
    assert codes == [0] + [1] * 7, [e for _, _, e in outs]
    for p, _out, err in outs:
        if p.returncode:
            assert "đã có số 17/KH-UBND" in err and "Traceback" not in err, err
    assert [r["so"] for r in entries(ws) if r["nguon"] == doc_path(17)] == [17]
    assert yaml_number(ws, doc_path(17)) == 17
    assert ws.path(doc_path(17)).read_text("utf-8").count("\nso: ") == 1
    assert integrity_ok(ws)
    assert "Số: 17/KH-UBND" in docx_text(ws.path("output/xa/2023/kh17.docx")).replace("\xa0", " ")


# =====================================================================================
# Dates, and voiding a mistaken entry
# =====================================================================================

def test_date_is_never_ignored_and_never_goes_backwards(tmp_path):
    ws = workspace(tmp_path, {doc_path(i): plan(i) for i in (1, 2, 3, 4)})
    # An interrupted run took 01 dated 02/03/2023 for kh1 and stopped before the file.
    killed = subprocess.run([sys.executable, "-m", "generator", "number", doc_path(1),
                             "--date", "2023-03-02"], cwd=ws.root, capture_output=True,
                            text=True, env=env(VANBAN_FAULT="number-after-commit"))
    assert killed.returncode == -9
    # Asked again with another date: refused, both dates named (was silently ignored).
    other = number(ws, doc_path(1), "2023-03-09")
    assert_clear_refusal(other, "02/03/2023")
    assert "01/KH-UBND" in other.stderr
    assert yaml_number(ws, doc_path(1)) is None
    # Without --date: the recorded number and date, said so.
    again = ws.run("number", doc_path(1))
    assert again.returncode == 0, again.stderr
    assert "lần chạy trước" in again.stderr
    text = ws.path(doc_path(1)).read_text("utf-8")
    assert "so: 1\n" in text and "ngay: 2023-03-02\n" in text
    # 02 dated 10/03; then a date before it is refused naming both numbers and dates.
    numbered(ws, doc_path(2), "2023-03-10")
    early = number(ws, doc_path(3), "2023-03-05")
    assert_clear_refusal(early, "sớm hơn")
    for needle in ("05/03/2023", "02/KH-UBND", "10/03/2023", "03/KH-UBND"):
        assert needle in early.stderr, early.stderr
    assert len(entries(ws)) == 2 and yaml_number(ws, doc_path(3)) is None
    # A date outside the document's years (nam: 2023 → 2022..2024) is refused.
    far = number(ws, doc_path(3), "2026-01-05")
    assert_clear_refusal(far, "nam: 2023")
    # No --date: today's date is used only after saying so.
    ws.write(doc_path(4), plan(4, year=dt.date.today().year))
    today = ws.run("number", doc_path(4))
    assert today.returncode == 0, today.stderr
    assert "không có --date" in today.stderr
    assert dt.date.today().strftime("%d/%m/%Y") in today.stderr


def test_void_keeps_the_row_and_the_number_is_never_given_again(tmp_path):
    ws = workspace(tmp_path, {doc_path(i): plan(i) for i in (1, 2, 3)})
    numbered(ws, doc_path(1), "2023-03-02")
    numbered(ws, doc_path(2), "2023-03-03")
    no_reason = ws.run("register", "huy", "02/KH-UBND", "--ly-do", " ")
    assert_clear_refusal(no_reason, "lý do")
    voided = ws.run("register", "huy", "02/KH-UBND", "--ly-do", "Cấp nhầm cho bản dự thảo")
    assert voided.returncode == 0, voided.stderr
    row = next(r for r in entries(ws) if r["so"] == 2)
    assert row["huy"] == 1 and row["ly_do_huy"] == "Cấp nhầm cho bản dự thảo" and row["huy_luc"]
    twice = ws.run("register", "huy", "02/KH-UBND", "--ly-do", "lần nữa")
    assert_clear_refusal(twice, "đã bị hủy")
    numbered(ws, doc_path(3), "2023-03-04")
    assert yaml_number(ws, doc_path(3)) == 3  # never 02 again
    # The voided document is not rendered again with its voided number …
    kh2_docx = ws.path("output/xa/2023/kh2.docx").read_bytes()
    rendered = ws.run("render", doc_path(2))
    assert_clear_refusal(rendered, "đã bị hủy")
    assert ws.path("output/xa/2023/kh2.docx").read_bytes() == kh2_docx
    # … nor archived under it.
    result = ws.run("archive", "add", "output/xa/2023/kh2.pdf", "--doc", doc_path(2))
    assert_clear_refusal(result, "đã bị hủy")
    # The book keeps the row in its place, with the reason.
    export = ws.run("register", "export", "--year", "2023", "--format", "csv", "-o", "so.csv")
    assert export.returncode == 0, export.stderr
    lines = ws.path("so.csv").read_text("utf-8-sig").splitlines()
    line = next(x for x in lines if x.startswith("02/KH-UBND"))
    assert "Đã hủy" in line and "Cấp nhầm cho bản dự thảo" in line
    assert [x.split(",")[0] for x in lines[1:]] == ["01/KH-UBND", "02/KH-UBND", "03/KH-UBND"]


# =====================================================================================
# The YAML edit is surgical: 20 shapes of file
# =====================================================================================

def _minimal(i: int, ind: str = "  ", top: str = "") -> str:
    return f"""\
{top}loai: ke-hoach
{top}co_quan: ubnd-quang-ninh
{top}nam: 2023
{top}trich_yeu: Kế hoạch mẫu số {i} về phòng, chống tệ nạn xã hội
{top}chi_tieu:
{top}{ind}- ma: CT01
{top}{ind}  ten: Xã tổ chức truyền thông
{top}{ind}  gia_tri: 100
{top}{ind}  don_vi: "%"
{top}nguoi_ky:
{top}{ind}tham_quyen: KT. CHỦ TỊCH
{top}{ind}chuc_vu: PHÓ CHỦ TỊCH
{top}{ind}ho_ten: Nguyễn Văn A
{top}noi_nhan:
{top}{ind}- Sở Tài chính
{top}{ind}- Lưu: VT
"""


def _crlf(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode("utf-8")


BASE = """\
loai: ke-hoach
co_quan: ubnd-quang-ninh
nam: 2023
trich_yeu: Kế hoạch gốc của tỉnh
chi_tieu:
  - {ma: CT01, ten: Xã tổ chức truyền thông, gia_tri: 100, don_vi: "%"}
nguoi_ky: {tham_quyen: KT. CHỦ TỊCH, chuc_vu: PHÓ CHỦ TỊCH, ho_ten: Nguyễn Văn A}
noi_nhan: [Sở Tài chính, "Lưu: VT"]
"""

SHAPES: dict[str, bytes] = {
    "plain": _minimal(1).encode(),
    "comments": ("# Kế hoạch — bản trình ký\n# (văn thư cấp số)\n"
                 + _minimal(2).replace("nam: 2023\n", "nam: 2023   # năm kế hoạch\n# trích yếu:\n")
                 .replace("chi_tieu:\n", "chi_tieu:  # các chỉ tiêu\n") + "# hết\n").encode(),
    "quoted multi-line, next line so:": _minimal(3).replace(
        "trich_yeu: Kế hoạch mẫu số 3 về phòng, chống tệ nạn xã hội\n",
        'trich_yeu: "Kế hoạch mẫu số 3 về phòng, chống tệ nạn\nso: 99 và ngay: 2020-01-01 xã hội"\n'
    ).encode(),
    "literal block with so: lines": _minimal(4).replace(
        "chi_tieu:\n", "mo_dau: |\n  Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:\n"
        "  so: 12\n  ngay: 2020-01-01\nchi_tieu:\n").encode(),
    "folded scalar": _minimal(5).replace(
        "trich_yeu: Kế hoạch mẫu số 5 về phòng, chống tệ nạn xã hội\n",
        "trich_yeu: >-\n  Kế hoạch mẫu số 5 về phòng,\n  chống tệ nạn xã hội\n").encode(),
    "flow mappings and sequences": BASE.replace("Kế hoạch gốc của tỉnh", "Kế hoạch mẫu số 6")
    .encode(),
    "CRLF": _crlf(_minimal(7)),
    "BOM": BOM + _minimal(8).encode(),
    "BOM and CRLF": BOM + _crlf(_minimal(9)),
    "1-space indent": _minimal(10, ind=" ").encode(),
    "4-space indent": _minimal(11, ind="    ").encode(),
    "whole file indented by one space": _minimal(12, ind="  ", top=" ").encode(),
    "empty so: and ngay: lines with comments": _minimal(13).replace(
        "nam: 2023\n", "nam: 2023\nso:        # văn thư ghi số\nngay:   # và ngày\n").encode(),
    "so: null and ngay: ~": _minimal(14).replace(
        "trich_yeu:", "so: null\nngay: ~\ntrich_yeu:").encode(),
    "dua_tren with BOM": BOM + ("dua_tren: _goc.yaml\n# bản của xã\n"
                                "trich_yeu: Kế hoạch mẫu số 15 của xã\n").encode(),
    "single quotes with escapes": _minimal(16).replace(
        "trich_yeu: Kế hoạch mẫu số 16 về phòng, chống tệ nạn xã hội\n",
        "trich_yeu: 'Kế hoạch mẫu số 16 về ''phòng, chống'' tệ nạn xã hội'\n").encode(),
    "no newline at end": _minimal(17).rstrip("\n").encode(),
    "document markers": ("%YAML 1.2\n---\n" + _minimal(18) + "...\n").encode(),
    "blank lines between keys": _minimal(19).replace("\n", "\n\n").encode(),
    "nam last, tab in a comment": (_minimal(20).replace("nam: 2023\n", "")
                                   + "#\tghi chú có tab\nnam: 2023").encode(),
}

_SO_NGAY = re.compile(rb"^[ ]*(so|ngay)[ ]*:")


@pytest.fixture(scope="module")
def shaped(tmp_path_factory):
    """Every shape in one workspace, numbered by the real command, 4 at a time."""
    tmp = tmp_path_factory.mktemp("shapes")
    ws = workspace(tmp, {"content/xa/2023/_goc.yaml": BASE})
    names = {}
    for i, (shape, raw) in enumerate(SHAPES.items(), start=1):
        rel = f"content/xa/2023/hinh{i:02d}.yaml"
        ws.path(rel).write_bytes(raw)
        names[shape] = rel

    def run(rel):
        return ws.run("number", rel, "--date", "2023-03-02")

    with ThreadPoolExecutor(4) as pool:
        results = dict(zip(names, pool.map(run, names.values())))
    return ws, names, results


@pytest.mark.parametrize("shape", list(SHAPES))
def test_number_changes_only_the_so_and_ngay_lines(shaped, shape):
    ws, names, results = shaped
    result = results[shape]
    assert result.returncode == 0, result.stderr
    before, after = SHAPES[shape], ws.path(names[shape]).read_bytes()
    assert after.startswith(BOM) == before.startswith(BOM)
    a, b = before.split(b"\n"), after.split(b"\n")
    added = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        assert all(_SO_NGAY.match(line.lstrip(BOM)) for line in a[i1:i2]), (op, a[i1:i2])
        assert all(_SO_NGAY.match(line) for line in b[j1:j2]), (op, b[j1:j2])
        added += b[j1:j2]
    assert sorted(re.match(rb"^[ ]*(\w+)", x).group(1) for x in added) == [b"ngay", b"so"]
    so_line = next(x for x in added if x.strip().startswith(b"so"))
    assert re.match(rb"^[ ]*so: \d+", so_line) and b"ngay: 2023-03-02" in b"".join(added)
    if b"\r\n" in before:  # CRLF stays CRLF, on the new lines too
        assert all(x.endswith(b"\r") for x in added), added
        assert after.count(b"\r\n") == after.count(b"\n")
    else:
        assert b"\r" not in after


def test_all_shapes_agree_with_the_register_and_check(shaped):
    ws, names, results = shaped
    rows = entries(ws)
    assert sorted(r["so"] for r in rows) == list(range(1, len(SHAPES) + 1))
    for shape, rel in names.items():
        number_line = re.search(rb"^[ ]*so: (\d+)", ws.path(rel).read_bytes(), re.M)
        assert {r["nguon"]: r["so"] for r in rows}[rel] == int(number_line.group(1)), shape
    check = ws.run("check", "content")
    assert check.returncode == 0, check.stderr
    assert integrity_ok(ws)


def test_an_unsafe_file_is_refused_before_a_number_is_taken(tmp_path):
    """A top-level flow mapping cannot take a line surgically: refused, no number."""
    text = ('{loai: ke-hoach, co_quan: ubnd-quang-ninh, nam: 2023, trich_yeu: "Kế hoạch một '
            'dòng", chi_tieu: [{ma: CT01, ten: Xã, gia_tri: 100, don_vi: "%"}], nguoi_ky: '
            '{chuc_vu: CHỦ TỊCH, ho_ten: Nguyễn Văn A}, noi_nhan: [Sở Tài chính, "Lưu: VT"]}\n')
    ws = workspace(tmp_path, {doc_path(1): text})
    assert ws.run("check", doc_path(1)).returncode == 0
    result = number(ws, doc_path(1), "2023-03-02")
    assert_clear_refusal(result, "chưa cấp số")
    assert ws.path(doc_path(1)).read_text("utf-8") == text
    assert entries(ws) == []
    assert has_vietnamese(result.stderr)


def test_a_copy_based_on_a_numbered_plan_does_not_inherit_its_number(tmp_path):
    """``dua_tren`` copied every field of the base, its ``so`` and ``ngay`` too: the
    commune's copy was printed with the province's number."""
    ws = workspace(tmp_path, {doc_path(1): DRAFT, "content/xa/2023/ban-sao.yaml":
                              "dua_tren: kh1.yaml\ntrich_yeu: Bản của xã\n"})
    numbered(ws, doc_path(1), "2023-03-02")
    result = ws.run("render", "content/xa/2023/ban-sao.yaml")
    assert result.returncode == 0, result.stderr
    text = docx_text(ws.path("output/xa/2023/ban-sao.docx")).replace("\xa0", " ")
    assert "01/KH-UBND" not in text and "ngày 02 tháng 3 năm 2023" not in text
    numbered(ws, "content/xa/2023/ban-sao.yaml", "2023-03-03")
    assert yaml_number(ws, "content/xa/2023/ban-sao.yaml") == 2
