"""Numbers in Vietnamese notation, wherever they are written (issue 10).

``.`` groups thousands and ``,`` marks decimals: ``12.500`` is twelve thousand five
hundred, ``12,5`` twelve and a half. Each spelling of the table is written once as
a YAML value and once as a CSV cell; the document prints the figure as written and
a ``cau`` that adds one to it shows the value that was read. All valid spellings
stand in one plan (YAML) and one batch row (CSV), so the module renders twice.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import pytest

from helpers_ws import (AGENCIES, PLAN, Workspace, docx_text, line_of, make_workspace, pdf_text,
                        replace_once, squeeze)


@dataclass(frozen=True)
class Spelling:
    written: str   # as the clerk types it
    printed: str   # the figure in the document
    plus_one: str  # the value read, plus one, as the document prints it
    negative: bool = False  # the target says it may be negative (co_the_am)


VALID = [
    Spelling("12.500", "12.500", "12.501"),
    Spelling("1.250", "1.250", "1.251"),
    Spelling("13.200", "13.200", "13.201"),
    Spelling("5.000", "5.000", "5.001"),
    Spelling("99.999", "99.999", "100.000"),
    Spelling("1.250.000", "1.250.000", "1.250.001"),
    Spelling("1.234.567.890", "1.234.567.890", "1.234.567.891"),
    Spelling("1.250.000,5", "1.250.000,5", "1.250.001,5"),
    Spelling("1.250,75", "1.250,75", "1.251,75"),
    Spelling("12.500,00", "12.500,00", "12.501"),  # a whole value computes as whole
    Spelling("12,5", "12,5", "13,5"),
    Spelling("12,50", "12,50", "13,50"),
    Spelling("0,5", "0,5", "1,5"),
    Spelling("0,05", "0,05", "1,05"),
    Spelling("0,125", "0,125", "1,125"),
    Spelling("3,14159", "3,14159", "4,14159"),
    Spelling("100,0", "100,0", "101"),
    Spelling("12500", "12.500", "12.501"),
    Spelling("1234", "1.234", "1.235"),
    Spelling("999", "999", "1.000"),
    Spelling("100", "100", "101"),
    Spelling("012", "12", "13"),
    Spelling("7", "07", "08"),  # a count below 10 takes a zero (so_co_so_0)
    # A dot that cannot group thousands can only be a decimal point (older files).
    Spelling("31.5", "31,5", "32,5"),
    Spelling("2.25", "2,25", "3,25"),
    Spelling("0.125", "0,125", "1,125"),
    Spelling("1234.5", "1.234,5", "1.235,5"),
    Spelling("-2,5", "-2,5", "-1,5", negative=True),
    Spelling("-1.250", "-1.250", "-1.249", negative=True),
]


@dataclass(frozen=True)
class Wrong:
    written: str
    says: tuple  # what the message must show (both readings, or the fix)
    negative: bool = False


INVALID = [
    Wrong("1,250", ("1,25", "1.250", "hai cách hiểu")),
    Wrong("12,500", ("12,5", "12.500", "hai cách hiểu")),
    Wrong("1,250,000", ("1.250.000", "kiểu Anh")),
    Wrong("1,250.5", ("1.250,5", "kiểu Anh")),
    Wrong("1.25.000", ("không phải là số", "12.500")),
    Wrong("12.5,3", ("không phải là số",)),
    Wrong("1e3", ("không phải là số",)),
    Wrong("mười hai", ("không phải là số",)),
    Wrong("12.500 tấn", ("không phải là số",)),
    Wrong("-5", ("số âm", "co_the_am: true")),
]


def code(i: int) -> str:
    return f"CT{i + 1:02d}"


def target(i: int, gia_tri: str, negative: bool) -> str:
    return (f"  - ma: {code(i)}\n    ten: Chỉ tiêu số {i + 1}\n    gia_tri: {gia_tri}\n"
            f"    don_vi: tấn\n"
            + ("    co_the_am: true\n" if negative else "")
            + f'    cau: "N{i + 1:02d} là {{{{ gia_tri }}}}, cộng một là {{{{ {code(i)} + 1 }}}}"\n')


def plan(values: list[tuple[str, bool]]) -> str:
    targets = "".join(target(i, v, neg) for i, (v, neg) in enumerate(values))
    return f"""\
loai: ke-hoach
co_quan: ubnd-quang-ninh
nam: 2023
trich_yeu: Thử cách viết số
chi_tieu:
{targets}nguoi_ky:
  chuc_vu: CHỦ TỊCH
  ho_ten: Nguyễn Văn A
noi_nhan:
  - "Lưu: VT"
"""


def sentence(i: int, s: Spelling) -> str:
    return f"N{i + 1:02d} là {s.printed} tấn, cộng một là {s.plus_one}"


BATCH = """\
dua_tren: kh.yaml
cho_moi:
  bang: _so.csv
  ten_tep: "{ma}"
"""


def csv_table(cells: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ma"] + [f"chi_tieu.{code(i)}" for i in range(len(cells))])
    writer.writerow(["bang"] + cells)
    return out.getvalue()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """The plan (YAML spellings) and its batch copy (CSV spellings), rendered once."""
    ws = Workspace(tmp_path_factory.mktemp("so") / "ws")
    ws.write("content/_co-quan.yaml", AGENCIES)
    ws.write("content/xa/2023/kh.yaml", plan([(s.written, s.negative) for s in VALID]))
    ws.write("content/xa/2023/ban.yaml", BATCH)
    ws.write("content/xa/2023/_so.csv", csv_table([s.written for s in VALID]))
    ws.write("content/xa/2023/excel.yaml", BATCH.replace("_so.csv", "_so.xlsx"))
    write_xlsx(ws.path("content/xa/2023/_so.xlsx"))
    result = ws.run("render", "content")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = ws.root / "output/xa/2023"
    return {
        ("yaml", "docx"): docx_text(out / "kh.docx"), ("yaml", "pdf"): pdf_text(out / "kh.pdf"),
        ("csv", "docx"): docx_text(out / "ban/bang.docx"),
        ("csv", "pdf"): pdf_text(out / "ban/bang.pdf"),
        ("xlsx", "docx"): docx_text(out / "excel/chu.docx"),
        ("xlsx", "pdf"): pdf_text(out / "excel/chu.pdf"),
        ("xlsx-so", "docx"): docx_text(out / "excel/so.docx"),
        ("xlsx-so", "pdf"): pdf_text(out / "excel/so.pdf"),
    }


# Excel number cells (not text): a number already, it means what Excel shows.
NUMBER_CELLS = {"12.500": 12500, "1.250.000,5": 1250000.5, "12,5": 12.5, "0,125": 0.125,
                "3,14159": 3.14159, "999": 999, "-2,5": -2.5}


def write_xlsx(path):
    """Row ``chu``: every spelling as a text cell; row ``so``: number cells."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ma"] + [f"chi_tieu.{code(i)}" for i in range(len(VALID))])
    sheet.append(["chu"] + [s.written for s in VALID])
    sheet.append(["so"] + [NUMBER_CELLS.get(s.written) for s in VALID])
    book.save(path)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("where", ["yaml", "csv", "xlsx"])
@pytest.mark.parametrize("index", range(len(VALID)), ids=[s.written for s in VALID])
def test_spelling_read_and_printed(rendered, where, fmt, index):
    check_printed(rendered[(where, fmt)], fmt, sentence(index, VALID[index]))


NUMBER_INDEXES = [i for i, s in enumerate(VALID) if s.written in NUMBER_CELLS]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
@pytest.mark.parametrize("index", NUMBER_INDEXES, ids=[VALID[i].written for i in NUMBER_INDEXES])
def test_excel_number_cell_read_and_printed(rendered, fmt, index):
    check_printed(rendered[("xlsx-so", fmt)], fmt, sentence(index, VALID[index]))


def check_printed(text: str, fmt: str, expected: str) -> None:
    if fmt == "docx":
        assert expected in text.replace("\xa0", " "), text
    else:
        assert squeeze(expected) in squeeze(text), text


@pytest.fixture(scope="module")
def refused(tmp_path_factory):
    """Every wrong spelling in one plan and in one CSV row, checked once."""
    ws = Workspace(tmp_path_factory.mktemp("so-sai") / "ws")
    ws.write("content/_co-quan.yaml", AGENCIES)
    text = plan([(json.dumps(w.written, ensure_ascii=False), w.negative) for w in INVALID])
    ws.write("content/xa/2023/kh.yaml", text)
    # The batch's base plan is valid; only its CSV cells are wrong.
    ws.write("content/xa/2024/kh.yaml", plan([("1", False)] * len(INVALID)))
    ws.write("content/xa/2024/ban.yaml", BATCH)
    ws.write("content/xa/2024/_so.csv", csv_table([w.written for w in INVALID]))
    return ws.run("check", "content"), text


def test_wrong_spellings_exit_1_without_traceback(refused):
    result, _ = refused
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("index", range(len(INVALID)), ids=[w.written for w in INVALID])
def test_wrong_spelling_in_yaml(refused, index):
    result, text = refused
    wrong = INVALID[index]
    line = line_of(text, f"gia_tri: {json.dumps(wrong.written, ensure_ascii=False)}")
    prefix = f"content/xa/2023/kh.yaml:{line}: chi_tieu[{index + 1}].gia_tri: "
    said = [ln for ln in result.stderr.splitlines() if ln.startswith(prefix)]
    assert said, f"{prefix!r} not in:\n{result.stderr}"
    for part in wrong.says:
        assert part in said[0], said[0]


@pytest.mark.parametrize("index", range(len(INVALID)), ids=[w.written for w in INVALID])
def test_wrong_spelling_in_csv(refused, index):
    result, _ = refused
    wrong = INVALID[index]
    prefix = f"content/xa/2024/_so.csv:2: chi_tieu.{code(index)}: "
    said = [ln for ln in result.stderr.splitlines() if ln.startswith(prefix)]
    assert said, f"{prefix!r} not in:\n{result.stderr}"
    for part in wrong.says:
        assert part in said[0], said[0]


def test_the_table_is_large_enough():
    assert len(VALID) + len(INVALID) >= 30


@pytest.mark.parametrize("written, printed", [("1.025", "1025"), ("2.024", "2024")])
def test_document_number_in_vietnamese_notation(tmp_path, written, printed):
    """``so: 1.025`` is number one thousand and twenty-five, as everywhere else."""
    ws = make_workspace(tmp_path, replace_once(PLAN, "so: 5\n", f"so: {written}\n"))
    result = ws.render()
    assert result.returncode == 0, result.stderr
    assert f"Số: {printed}/KH-UBND" in docx_text(ws.path("output/xa/2023/kh.docx"))
    assert squeeze(f"Số: {printed}/KH-UBND") in squeeze(pdf_text(ws.path("output/xa/2023/kh.pdf")))


@pytest.mark.parametrize("written", ["1.5", "1,5", "12.50"])
def test_document_number_that_is_not_whole_is_refused(tmp_path, written):
    plan = replace_once(PLAN, "so: 5\n", f"so: {written}\n")
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 1
    assert f"kh.yaml:{line_of(plan, 'so:')}: so:" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
