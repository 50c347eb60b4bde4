"""The DOCX of every example, read with python-docx as Word would show it, against
nd30.md: page, margins, each header element, body numbering, signature, page field."""

from __future__ import annotations

import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length

import expected as E
from conftest import EXAMPLES, example_id, output_for

MM = 36000  # EMU per millimetre


def mm(length) -> float:
    return Length(length).mm


@pytest.fixture(params=EXAMPLES, ids=example_id)
def case(request, built):
    path = request.param
    return E.load(path), Document(str(output_for(built, path, ".docx")))


def seen(item) -> str:
    """The text as a reader sees it: a no-break space is a space, and so is a line
    break inside a title (header_lines.title keeps a period on one line)."""
    return item.text.replace("\xa0", " ").replace("\n", " ")


def runs_of(paragraph):
    return [r for r in paragraph.runs if seen(r).strip()]


def assert_look(paragraph, size, bold=False, italic=False, align=None):
    runs = runs_of(paragraph)
    assert runs, f"empty paragraph where text was expected: {seen(paragraph)!r}"
    for run in runs:
        assert run.font.size.pt == size, (seen(paragraph), run.font.size.pt)
        assert bool(run.font.bold) == bold, (seen(paragraph), "bold")
        assert bool(run.font.italic) == italic, (seen(paragraph), "italic")
        assert run.font.name == "Times New Roman"
    if align is not None:
        assert paragraph.paragraph_format.alignment == align, seen(paragraph)


def rule_length_mm(paragraph, column_mm) -> float | None:
    """Length of a ruled line drawn as a top border on an indented paragraph."""
    border = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:top')}")
    if border is None or border.get(qn("w:val")) != "single":
        return None
    fmt = paragraph.paragraph_format
    return column_mm - mm(fmt.left_indent or 0) - mm(fmt.right_indent or 0)


def text_paragraphs(cell):
    return [p for p in cell.paragraphs if seen(p).strip()]


def test_page_is_a4_with_nd30_margins(case):
    _, doc = case
    section = doc.sections[0]
    assert round(mm(section.page_width), 1) == 210.0
    assert round(mm(section.page_height), 1) == 297.0
    assert round(mm(section.top_margin), 1) == 20.0
    assert round(mm(section.bottom_margin), 1) == 20.0
    assert round(mm(section.left_margin), 1) == 30.0
    assert round(mm(section.right_margin), 1) == 15.0


def test_page_number_is_a_page_field_from_page_two(case):
    _, doc = case
    for section in doc.sections:
        assert section.different_first_page_header_footer  # page 1: no number
        assert not "".join(seen(p) for p in section.first_page_header.paragraphs).strip()
        header = section.header.paragraphs
        instr = [t.text for p in header for t in p._p.iter(qn("w:instrText"))]
        assert any(i.strip() == "PAGE" for i in instr)
        number = [p for p in header if p._p.findall(f".//{qn('w:instrText')}")][0]
        assert number.paragraph_format.alignment == 1  # centred
        assert all(r.font.size.pt == 14 for r in number.runs)
        # Numbered from 1 in each part (the document, each appendix).
        assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
        # The header sits inside the 20 mm top margin.
        assert mm(section.header_distance) < 20


def test_header_grid_left_column(case):
    data, doc = case
    grid = doc.tables[0]
    left = text_paragraphs(grid.cell(0, 0))
    agency = E.agency_lines(data)
    chu_quan = data["co_quan"].get("chu_quan")
    if chu_quan:
        assert seen(left[0]) == E.nfc(chu_quan).upper()
        assert_look(left[0], 13, bold=False, align=1)
        left = left[1:]
    assert [seen(p) for p in left] == agency
    for p in left:
        assert_look(p, 13, bold=True, align=1)
    # The rule under the agency name: 1/3 to 1/2 of its line, centred.
    column = mm(grid.columns[0].width)
    rules = [rule_length_mm(p, column) for p in grid.cell(0, 0).paragraphs]
    rules = [r for r in rules if r is not None]
    assert len(rules) == 1
    line = min(max(E.text_width_mm(t, 13, bold=True) for t in agency), column)
    assert line / 3 - 0.5 <= rules[0] <= line / 2 + 0.5


def test_header_grid_right_column(case):
    _, doc = case
    grid = doc.tables[0]
    right = text_paragraphs(grid.cell(0, 1))
    assert seen(right[0]) == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert_look(right[0], 13, bold=True, align=1)
    assert seen(right[1]) == "Độc lập - Tự do - Hạnh phúc"
    assert_look(right[1], 14, bold=True, align=1)
    # Quốc hiệu and Tiêu ngữ single-spaced.
    assert right[0].paragraph_format.line_spacing in (None, 1.0)
    column = mm(grid.columns[1].width)
    rules = [r for r in (rule_length_mm(p, column) for p in grid.cell(0, 1).paragraphs) if r]
    motto = E.text_width_mm("Độc lập - Tự do - Hạnh phúc", 14, bold=True)
    assert rules and abs(rules[0] - motto) < 1.0  # as long as the text


def test_number_and_date_share_a_row(case):
    data, doc = case
    grid = doc.tables[0]
    number = text_paragraphs(grid.cell(1, 0))[0]
    date = text_paragraphs(grid.cell(1, 1))[0]
    assert seen(number) == E.number_line(data)
    assert_look(number, 13, align=1)
    assert seen(date) == E.date_line(data)
    # 14 pt, or 13 pt (still inside the rule) when 14 pt would not fit the column.
    size = 14 if E.text_width_mm(seen(date), 14, italic=True) <= 100 else 13
    assert_look(date, size, italic=True, align=1)


def body(doc):
    """Body paragraphs outside the header and closing grids, in order."""
    return [p for p in doc.paragraphs if seen(p).strip()]


def test_kind_and_subject(case):
    data, doc = case
    paragraphs = body(doc)
    kind = {"ke-hoach": "KẾ HOẠCH", "bao-cao": "BÁO CÁO", "quyet-dinh": "QUYẾT ĐỊNH"}[data["loai"]]
    assert seen(paragraphs[0]) == kind
    assert_look(paragraphs[0], 14, bold=True, align=1)
    assert seen(paragraphs[1]) == E.nfc(data["trich_yeu"])
    assert_look(paragraphs[1], 14, bold=True, align=1)
    # The rule under the subject: 1/3 to 1/2 of the subject's line, centred.
    all_paragraphs = doc.paragraphs
    after = all_paragraphs[[p._p for p in all_paragraphs].index(paragraphs[1]._p) + 1]
    length = rule_length_mm(after, 165.0)
    line = min(max(E.text_width_mm(part.replace("\xa0", " "), 14, bold=True)
                   for part in paragraphs[1].text.split("\n")), 165.0)
    assert length is not None and line / 3 - 0.5 <= length <= line / 2 + 0.5


def test_body_paragraph_format(case):
    _, doc = case
    for p in body(doc)[2:]:
        if seen(p).startswith("Phụ lục"):
            break
        fmt = p.paragraph_format
        if fmt.first_line_indent is None:  # Kính gửi
            continue
        assert round(mm(fmt.first_line_indent), 2) == 12.7, seen(p)
        assert fmt.space_before.pt >= 6
        assert fmt.line_spacing == pytest.approx(1.15)
        assert all(r.font.size.pt == 14 for r in runs_of(p)), seen(p)
        assert fmt.alignment == 3  # justified


def _so_items(data):
    """The texts of ``{so: …}`` block items anywhere in the YAML."""
    if isinstance(data, dict):
        if len(data) == 1 and isinstance(data.get("so"), str):
            yield E.nfc(data["so"])
        for value in data.values():
            yield from _so_items(value)
    elif isinstance(data, list):
        for value in data:
            yield from _so_items(value)


def test_body_numbering(case):
    data, doc = case
    texts = [p for p in body(doc) if p.paragraph_format.first_line_indent]
    sections = [p for p in texts if re.match(r"^[IVX]+\. ", seen(p))]
    romans = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    assert [seen(p).split(".")[0] for p in sections] == romans[: len(sections)]
    for p in sections:
        assert seen(p) == seen(p).upper()
        assert all(r.font.bold for r in runs_of(p))
    numbered_paragraphs = set(_so_items(data))  # {so: …}: numbered, not headings
    clauses = [p for p in texts if re.match(r"^\d+\. ", seen(p))
               and seen(p).split(". ", 1)[1] not in numbered_paragraphs]
    assert clauses or numbered_paragraphs, "no numbered clause"
    for p in clauses:
        assert all(r.font.bold for r in runs_of(p)), seen(p)
    for p in texts:
        if re.match(r"^[a-zđ]\) ", seen(p)):
            assert seen(p)[0] not in "fjwz"


def test_body_ends_with_slash_dot(case):
    _, doc = case
    before_closing = []
    for block in doc.iter_inner_content():
        if hasattr(block, "rows") and "Nơi nhận" in seen(block.cell(0, 0)):
            break
        if hasattr(block, "text") and seen(block).strip():
            before_closing.append(seen(block))
    assert before_closing[-1].endswith("./.")
    assert sum(t.endswith("./.") for t in before_closing) == 1


def test_closing_block(case):
    data, doc = case
    closing = [t for t in doc.tables if "Nơi nhận" in seen(t.cell(0, 0))][0]
    left, right = text_paragraphs(closing.cell(0, 0)), text_paragraphs(closing.cell(0, 1))
    assert seen(left[0]) == "Nơi nhận:"
    assert_look(left[0], 12, bold=True, italic=True)
    recipients = left[1:]
    noi_nhan = list(data["noi_nhan"])
    if data.get("kinh_gui"):
        assert seen(recipients[0]) == "- Như trên;"
        recipients = recipients[1:]
    assert len(recipients) == len(noi_nhan)
    for i, p in enumerate(recipients):
        assert seen(p).startswith("- ")
        assert seen(p).endswith("." if i == len(recipients) - 1 else ";"), seen(p)
        assert_look(p, 11)
    assert seen(recipients[-1]).startswith("- Lưu")
    signer = data["nguoi_ky"]
    authority = signer.get("tham_quyen") or []
    authority = [authority] if isinstance(authority, str) else authority
    expected = [s.upper() for s in (*authority, signer["chuc_vu"])]
    assert [seen(p) for p in right[:-1]] == [E.nfc(s) for s in expected]
    for p in right:
        assert_look(p, 14, bold=True, align=1)
    name = right[-1]
    assert seen(name) == E.nfc(signer["ho_ten"])
    # Room for signature and seal: at least four lines of 14 pt.
    assert name.paragraph_format.space_before.pt >= 4 * 14


def test_appendices_have_their_own_section(case):
    data, doc = case
    table = data.get("bang_chi_tieu") or {}  # a report's targets table, moved
    appendices = ([{"ngang": table.get("ngang")}] if table.get("phu_luc") else []) \
        + (data.get("phu_luc") or []) \
        + ([{"ngang": True}] if data.get("tong_hop") else [])  # the table by unit
    attached = data.get("loai") == "quyet-dinh"  # the issued plan: a section of its own
    assert len(doc.sections) == 1 + attached + len(appendices)
    for appendix, section in zip(appendices, doc.sections[1:]):
        landscape = bool(appendix.get("ngang"))
        assert (mm(section.page_width) > mm(section.page_height)) == landscape
        assert section.start_type == 2  # new page
