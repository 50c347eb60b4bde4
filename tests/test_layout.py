"""The page as Nghị định 30 and a word processor see it (issue 11): justified body
in the PDF, tables whose words are never broken, STT centred and figures
right-aligned, the header of long commune names typeset by rule (all 3,321
communes), no-break spaces between a figure and its unit and after UBND, and the
register book's DOCX. LibreOffice checks the DOCX side where a word processor's
line breaking is what matters."""

from __future__ import annotations

import functools
import re
import unicodedata

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn

import expected as E
from conftest import EXAMPLES, example_id, libreoffice_pdfs, output_for
from helpers_ws import PLAN, make_workspace
from pdfview import MM, continued_lines, segments

LEFT, RIGHT, TOP = 30.0, 15.0, 20.0
AGENCY_COLUMN, DATE_COLUMN = 65.0, 100.0  # the header grid, mm (nd30.md, Mẫu 1.4)
CELL_PADDING = 1.0  # mm each side of a table cell's text
NBSP = "\u00a0"


def seen(text: str) -> str:
    return unicodedata.normalize("NFC", text).replace(NBSP, " ")


# == 1. The body of vanban's PDF is justified ============================================

def test_pdf_body_is_justified(built):
    """Of the body lines followed by a line of the same paragraph, at least 98% end
    within 2 pt of the right text edge, in every example and every batch row."""
    pdfs = sorted(built.rglob("*.pdf"))
    assert len(pdfs) >= len(EXAMPLES) + 3
    for path in pdfs:
        total, ragged = 0, []
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                edge = page.width / MM - RIGHT
                for line in continued_lines(segments(page), LEFT):
                    total += 1
                    if abs(edge - line.x1) * MM > 2.0:
                        ragged.append((round((edge - line.x1) * MM, 1), line.text))
        assert total > 10, path
        assert len(ragged) <= 0.02 * total, (path.name, total, ragged[:5])


def test_last_line_of_a_paragraph_is_not_stretched(built):
    """Justified, except the last line of each paragraph: it starts at the left
    edge and keeps the font's spaces."""
    with pdfplumber.open(output_for(built, EXAMPLES[0], ".pdf")) as pdf:
        words = pdf.pages[0].extract_words(extra_attrs=["size"])
    lines: dict[int, list] = {}
    for w in words:
        if round(w["size"]) == 14:
            lines.setdefault(round(w["bottom"]), []).append(w)
    last_lines = [ws for ws in lines.values() if len(ws) > 2
                  and abs(ws[0]["x0"] / MM - LEFT) < 0.3
                  and ws[-1]["x1"] / MM < 210 - RIGHT - 20]
    assert last_lines, "no last line of a paragraph on page 1"
    space = E.text_width_mm(" ", 14)
    for ws in last_lines:
        gaps = [(b["x0"] - a["x1"]) / MM for a, b in zip(ws, ws[1:])]
        assert max(gaps) < space + 0.2, (gaps, " ".join(w["text"] for w in ws))


# == 2. Tables ===========================================================================

def _data_tables(document) -> list:
    """The ruled data tables of a DOCX (layout grids have no borders)."""
    return [t for t in document.tables
            if t.style is not None and t.style.name == "Table Grid"]


def _grid_widths(table) -> list[float]:
    return [int(c.get(qn("w:w"))) / 56.6929 for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]


@functools.lru_cache(maxsize=None)
def _pdf_tables(path) -> list[dict]:
    """Per PDF page that holds a ruled table: column edges, row rules and words."""
    out = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            verticals = [e for e in page.edges
                         if e["orientation"] == "v" and (e["bottom"] - e["top"]) / MM > 3]
            if not verticals:
                continue
            xs = _cluster(e["x0"] / MM for e in verticals)
            top = min(e["top"] for e in verticals) / MM
            rows = _cluster(e["top"] / MM for e in page.edges if e["orientation"] == "h"
                            and e["top"] / MM >= top - 0.3
                            and (e["x1"] - e["x0"]) / MM > 3)
            words = [dict(w, x0=w["x0"] / MM, x1=w["x1"] / MM, top=w["top"] / MM,
                          bottom=w["bottom"] / MM) for w in page.extract_words()]
            out.append({"xs": xs, "rows": rows, "words": words, "page": page.page_number})
    return out


def _cluster(values, tolerance=0.3) -> list[float]:
    out = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _cell_words(table, row: int, column: int) -> list[dict]:
    x0, x1 = table["xs"][column], table["xs"][column + 1]
    y0, y1 = table["rows"][row], table["rows"][row + 1]
    return [w for w in table["words"]
            if x0 <= w["x0"] and w["x1"] <= x1 + 0.1 and y0 <= (w["top"] + w["bottom"]) / 2 <= y1]


TABLE_EXAMPLES = [p for p in EXAMPLES
                  if "bang:" in p.read_text("utf-8") or E.load(p)["loai"] == "bao-cao"]


@pytest.fixture(params=[(p, who) for p in TABLE_EXAMPLES for who in ("vanban", "LibreOffice")],
                ids=lambda param: f"{example_id(param[0])}-{param[1]}")
def tables(request, built):
    """The DOCX data tables of an example, and the pages of its tables in vanban's
    PDF or in LibreOffice's PDF of the DOCX."""
    path, who = request.param
    docx_path = output_for(built, path, ".docx")
    pdf_path = (docx_path.with_suffix(".pdf") if who == "vanban"
                else request.getfixturevalue("referee")[docx_path])
    return _data_tables(docx.Document(str(docx_path))), {who: _pdf_tables(pdf_path)}


def _matching(docx_tables, pdf_table):
    for table in docx_tables:
        widths = _grid_widths(table)
        edges = [b - a for a, b in zip(pdf_table["xs"], pdf_table["xs"][1:])]
        if len(widths) == len(edges) and all(abs(w - e) < 0.3 for w, e in zip(widths, edges)):
            return table
    return None


def test_same_column_widths_in_docx_and_pdf(tables):
    docx_tables, pdfs = tables
    assert docx_tables and all(pdfs.values())
    for who, pages in pdfs.items():
        for page in pages:
            assert _matching(docx_tables, page) is not None, (who, page["page"], page["xs"])


def test_no_word_of_a_header_is_broken(tables):
    """Each column is at least as wide as the longest word of its header, so no
    word breaks (``ST``/``T``), and a header of two words stays on one line
    (``Kế hoạch``, ``Thực hiện``, ``Đánh giá``) — in vanban's PDF and LibreOffice's."""
    docx_tables, pdfs = tables
    for table in docx_tables:
        widths = _grid_widths(table)
        for cell, width in zip(table.rows[0].cells, widths):
            label = seen(cell.text)
            longest = max(E.text_width_mm(w, 13, bold=True) for w in label.split())
            assert longest + 2 * CELL_PADDING <= width, (label, width)
    for who, pages in pdfs.items():
        for page in pages:
            table = _matching(docx_tables, page)
            for column, cell in enumerate(table.rows[0].cells):
                label = seen(cell.text).split()
                words = _cell_words(page, 0, column)
                assert [seen(w["text"]) for w in words] == label, (who, page["page"], words)
                if len(label) <= 2:
                    assert len({round(w["top"]) for w in words}) == 1, (who, label)


def _is_figure(text: str) -> bool:
    return re.fullmatch(r"[\d.,]+%?", text) is not None


def test_stt_centred_and_figures_right_aligned(tables):
    docx_tables, pdfs = tables
    for table in docx_tables:
        header = [seen(c.text) for c in table.rows[0].cells]
        assert header[0] == "STT", header
        for row in table.rows[1:]:
            cells = row.cells
            if len({id(c._tc) for c in cells}) == 1:  # a group label across the table
                continue
            stt = cells[0].paragraphs[0]
            if stt.text.strip():
                assert stt.alignment == 1, stt.text  # centred
            for cell in cells[1:]:
                if _is_figure(cell.text.strip()):
                    assert cell.paragraphs[0].alignment == 2, cell.text  # right
    for who, pages in pdfs.items():
        for page in pages:
            xs = page["xs"]
            checked = 0
            for row in range(1, len(page["rows"]) - 1):
                stt = _cell_words(page, row, 0)
                if len(stt) == 1 and re.fullmatch(r"[\d.]+", stt[0]["text"]):
                    centre = (stt[0]["x0"] + stt[0]["x1"]) / 2
                    assert abs(centre - (xs[0] + xs[1]) / 2) < 0.5, (who, stt[0]["text"])
                    checked += 1
                for column in range(1, len(xs) - 1):
                    words = _cell_words(page, row, column)
                    if len(words) == 1 and _is_figure(words[0]["text"]):
                        gap = xs[column + 1] - words[0]["x1"]
                        assert abs(gap - CELL_PADDING) < 0.4, (who, words[0]["text"], gap)
            assert checked, (who, page["page"])


# == 3. A long commune name, a figure and its unit, UBND and its name ===================

VAN_MIEU = "Văn Miếu - Quốc Tử Giám"


def _straddling(words: list[str], tail: str, joined: str, width: float, size: float,
                start: str = "") -> str:
    """A sentence whose line, at natural spacing, would end with ``tail``'s first
    word and continue with the rest (``120`` / ``ha``): filler ``words`` are
    added while ``tail``'s first word still fits, the short ones last."""
    first, _, rest = tail.partition(" ")
    text, i = start, 0
    while True:
        fitting = [w for w in [words[i % len(words)]] + sorted(words, key=len)
                   if E.text_width_mm(f"{text} {w} {first}".strip(), size) <= width]
        if not fitting:
            break
        text, i = f"{text} {fitting[0]}".strip(), i + 1
    line = f"{text} {first}"
    assert E.text_width_mm(line, size) <= width < E.text_width_mm(f"{line} {rest}", size), \
        "the test's sentence does not straddle the line end"
    return f"{text} {tail}{joined}"


# The first line of a body paragraph: the text width less the first-line indent.
BODY_FIRST_LINE = 165.0 - 12.7
HECTARES = _straddling(["Trồng", "mới", "và", "chăm", "sóc", "rừng", "phòng", "hộ", "ở"],
                       "120 ha", " rừng ngập mặn ven biển trên địa bàn phường.",
                       BODY_FIRST_LINE, 14)
# A recipient of Nơi nhận: 11 pt in the 60 mm column, after "- ".
RECIPIENT = _straddling(["Các", "cơ", "quan", "và", "tổ", "chức", "đoàn", "thể", "ở"],
                        "UBND xã", "", 60.0, 11, start="-")[2:]


def long_name_plan() -> str:
    return (PLAN.replace("co_quan: ubnd-quang-ninh",
                         "co_quan:\n  ten: [Ủy ban nhân dân, phường Văn Miếu - Quốc Tử Giám]\n"
                         "  ten_day_du: Ủy ban nhân dân phường Văn Miếu - Quốc Tử Giám\n"
                         "  viet_tat: UBND\n  dia_danh: Văn Miếu - Quốc Tử Giám")
            .replace("nam: 2023", "nam: 2025").replace("ngay: 2023-01-04", "ngay: 2025-11-25")
            .replace('mo_dau: "', f'mo_dau:\n  - "{HECTARES}"\n  - "')
            .replace("  - Lưu: VT, VX", f"  - {RECIPIENT}\n  - Lưu: VT, VX"))


@pytest.fixture(scope="module")
def long_name(tmp_path_factory):
    """A Hà Nội ward's plan (the name a batch over Hà Nội produces), numbered, and
    its register book."""
    root = tmp_path_factory.mktemp("long-name")
    ws = make_workspace(root, long_name_plan().replace("so: 5\n", "").replace(
        "ngay: 2025-11-25\n", ""))
    checked = ws.run("check", "content")
    assert checked.returncode == 0, checked.stderr
    numbered = ws.run("number", "content/xa/2023/kh.yaml", "--date", "2025-11-25")
    assert numbered.returncode == 0, numbered.stderr
    book = ws.run("register", "export", "--year", "2025", "--format", "docx")
    assert book.returncode == 0, book.stderr
    plan_docx = ws.path("output/xa/2023/kh.docx")
    return {"stderr": checked.stdout + checked.stderr + numbered.stderr, "docx": plan_docx,
            "pdf": plan_docx.with_suffix(".pdf"), "book": next(ws.path("archive").rglob("*.docx")),
            "root": root}


@pytest.fixture(scope="module")
def long_name_lo(long_name):
    """LibreOffice's PDF of the plan's and the register book's DOCX (one conversion)."""
    lo = libreoffice_pdfs([long_name["docx"], long_name["book"]], long_name["root"] / "lo")
    return {"lo": lo[long_name["docx"]], "book_lo": lo[long_name["book"]]}


def _pdf_of(request, long_name, who):
    return long_name["pdf"] if who == "pdf" else request.getfixturevalue("long_name_lo")[who]


def test_long_name_header_in_docx(long_name):
    document = docx.Document(str(long_name["docx"]))
    grid = document.tables[0]
    agency = [p for p in grid.cell(0, 0).paragraphs if p.text.strip()]
    assert [seen(p.text) for p in agency] == [
        "ỦY BAN NHÂN DÂN", "PHƯỜNG VĂN MIẾU -", "QUỐC TỬ GIÁM"]
    for p in agency:
        size = p.runs[0].font.size.pt
        assert 12 <= size <= 13
        assert E.text_width_mm(seen(p.text), size, bold=True) <= AGENCY_COLUMN
    date = [p for p in grid.cell(1, 1).paragraphs if p.text.strip()][0]
    lines = seen(date.text).split("\n")
    assert lines == [f"{VAN_MIEU},", "ngày 25 tháng 11 năm 2025"], lines
    size = date.runs[0].font.size.pt
    assert 13 <= size <= 14
    assert all(E.text_width_mm(line, size, italic=True) <= DATE_COLUMN for line in lines)


def test_no_warning_a_batch_clerk_cannot_act_on(long_name):
    assert "dài hơn cột" not in long_name["stderr"], long_name["stderr"]


@pytest.mark.parametrize("who", ["pdf", "lo"])
def test_long_name_header_in_pdf(request, long_name, who):
    """In vanban's PDF and in LibreOffice's: the agency name broken at its natural
    points inside its column, the date broken only after the place name's comma."""
    with pdfplumber.open(_pdf_of(request, long_name, who)) as pdf:
        segs = segments(pdf.pages[0])
    left = [s for s in segs if s.x1 < LEFT + AGENCY_COLUMN + 0.5 and s.bold and s.top < 45]
    assert [s.text for s in left] == ["ỦY BAN NHÂN DÂN", "PHƯỜNG VĂN MIẾU -", "QUỐC TỬ GIÁM"]
    date = [s for s in segs if s.italic and s.x0 > LEFT + AGENCY_COLUMN - 1]
    assert [s.text for s in date] == [f"{VAN_MIEU},", "ngày 25 tháng 11 năm 2025"]
    for s in date:
        assert s.x1 <= LEFT + AGENCY_COLUMN + DATE_COLUMN + 0.3


@pytest.mark.parametrize("who", ["pdf", "lo"])
def test_figure_and_unit_on_one_line(request, long_name, who):
    """``120 ha`` and ``UBND xã`` each on one line, though a break between them is
    where the line would otherwise end."""
    with pdfplumber.open(_pdf_of(request, long_name, who)) as pdf:
        lines = [s.text for page in pdf.pages for s in segments(page)]
    assert any("120 ha" in line for line in lines), [l for l in lines if "120" in l]
    assert any(line.endswith("UBND xã;") for line in lines), \
        [l for l in lines if "UBND" in l]


def test_figure_and_unit_joined_in_docx(long_name):
    text = "\n".join(p.text for p in docx.Document(str(long_name["docx"])).paragraphs)
    assert f"120{NBSP}ha" in text


def test_register_book_column_holds_the_number(long_name):
    """The first column of the register book is wider than ``01/KH-UBND``."""
    document = docx.Document(str(long_name["book"]))
    table = _data_tables(document)[-1]
    width = _grid_widths(table)[0]
    assert E.text_width_mm("01/KH-UBND", 13) + 2 * CELL_PADDING <= width


def test_register_book_keeps_the_number_whole(long_name_lo):
    """Opened in a word processor, the register book shows ``01/KH-UBND`` on one line."""
    with pdfplumber.open(long_name_lo["book_lo"]) as pdf:
        words = [w["text"] for page in pdf.pages for w in page.extract_words()]
    assert "01/KH-UBND" in words, [w for w in words if "KH" in w or "UBND" in w]


# == 4. Every commune's header, measured (no rendering) ==================================

def _communes():
    from vietnam_provinces import Ward

    for ward in Ward.iter_all():
        kind = ward.division_type.value
        own = ward.name[len(kind):].strip() if ward.name.lower().startswith(kind) \
            else ward.name
        yield kind, own


def test_every_commune_header_fits_by_rule():
    """All 3,321 communes through the header typesetting a batch uses
    (``cho_moi.xa_cua_tinh``): every agency and date line inside its column, sizes
    in the decree's range, no line a lone word, the date broken only after the
    place name's comma. Measured with the test's own font metrics."""
    from generator.compose import builder as compose, header_lines
    from generator import style

    communes = list(_communes())
    assert len(communes) == 3321
    two_line_dates = 0
    for kind, own in communes:
        written = ["ỦY BAN NHÂN DÂN", f"{kind} {own}".upper()]
        texts = [compose.paragraph("co-quan", t).text for t in ["Ủy ban nhân dân",
                                                                 f"{kind} {own}"]]
        agency = header_lines.agency(texts, AGENCY_COLUMN)
        size = style.ROLES[agency.role].size
        assert 12 <= size <= 13
        assert " ".join(seen(l) for l in agency.lines) == " ".join(written)
        for line in agency.lines:
            assert E.text_width_mm(seen(line), size, bold=True) <= AGENCY_COLUMN, line
            assert len(line.split()) > 1 or line in written, (own, agency.lines)
        text = compose.paragraph("ngay", f"{own}, ngày 25 tháng 11 năm 2025").text
        date = header_lines.date(text, DATE_COLUMN)
        size = style.ROLES[date.role].size
        assert 13 <= size <= 14
        assert seen(" ".join(date.lines)) == f"{own}, ngày 25 tháng 11 năm 2025"
        for line in date.lines:
            assert E.text_width_mm(seen(line), size, italic=True) <= DATE_COLUMN, line
        if len(date.lines) > 1:
            two_line_dates += 1
            assert seen(date.lines[0]) == f"{own},"
            assert date.lines[1] == "ngày 25 tháng 11 năm 2025"
    print(f"\n{two_line_dates} of {len(communes)} communes need two date lines")
