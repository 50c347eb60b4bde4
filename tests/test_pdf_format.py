"""The PDF of every example, read with pdfplumber as a reader sees it, against
nd30.md: A4, margins, fonts and sizes, header placement, rules, page numbers."""

from __future__ import annotations

import re
from collections import Counter

import pdfplumber
import pytest
from docx import Document
from pypdf import PdfReader

import expected as E
from conftest import EXAMPLES, example_id, output_for
from pdfview import MM, find, rule_below, segments

LEFT, RIGHT, TOP, BOTTOM = 30.0, 15.0, 20.0, 20.0
TEXT_CENTER = LEFT + (210 - LEFT - RIGHT) / 2  # centre of the text block
HEADER_LEFT_COL = 65.0


@pytest.fixture(params=EXAMPLES, ids=example_id)
def case(request, built):
    path = request.param
    pdf = pdfplumber.open(output_for(built, path, ".pdf"))
    yield E.load(path), pdf, output_for(built, path, ".pdf"), output_for(built, path, ".docx")
    pdf.close()


def page_parts(data) -> list[bool]:
    """Landscape flag of each part: the document, then each appendix."""
    parts = [False]
    if data.get("loai") == "quyet-dinh":  # the plan it issues has pages of its own
        parts.append(False)
    if data.get("loai") == "bao-cao" and (data.get("bang_chi_tieu") or {}).get("phu_luc"):
        parts.append(bool(data["bang_chi_tieu"].get("ngang")))
    # An aggregate report (tong_hop) ends with its landscape table by unit.
    return parts + [bool(a.get("ngang")) for a in data.get("phu_luc") or []] \
        + ([True] if data.get("loai") == "bao-cao" and data.get("tong_hop") else [])


def test_pages_are_a4(case):
    data, pdf, *_ = case
    for page in pdf.pages:
        size = sorted((round(page.width / MM), round(page.height / MM)))
        assert size == [210, 297]
    assert round(pdf.pages[0].width / MM) == 210  # the document itself is portrait


def test_text_stays_inside_the_margins(case):
    _, pdf, *_ = case
    for page in pdf.pages:
        width, height = page.width / MM, page.height / MM
        for s in segments(page):
            if s.bottom <= TOP:  # the page number lives in the top margin
                assert re.fullmatch(r"\d+", s.text), s.text
                continue
            assert s.x0 >= LEFT - 0.3, (s.text, s.x0)
            assert s.x1 <= width - RIGHT + 0.3, (s.text, s.x1)
            assert s.bottom <= height - BOTTOM + 0.3, (s.text, s.bottom)


def test_every_character_uses_the_shipped_font(case):
    _, pdf, *_ = case
    for page in pdf.pages:
        fonts = {c["fontname"].split("+")[-1] for c in page.chars}
        assert fonts <= {"Liberation-Serif", "Liberation-Serif-Bold",
                         "Liberation-Serif-Italic", "Liberation-Serif-Bold-Italic"}, fonts


def test_fonts_are_embedded(case):
    _, _, pdf_path, _ = case
    reader = PdfReader(pdf_path)
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_page_numbers_from_page_two_top_centre(case):
    data, pdf, *_ = case
    page_index = 0
    for landscape in page_parts(data):
        first = True
        while page_index < len(pdf.pages):
            page = pdf.pages[page_index]
            if not first and (page.width > page.height) != landscape:
                break
            in_margin = [s for s in segments(page) if s.bottom <= TOP]
            if first:
                assert in_margin == [], f"page {page_index + 1} shows {in_margin}"
                number = 1
            else:
                number += 1
                assert [s.text for s in in_margin] == [str(number)]
                s = in_margin[0]
                width = page.width / MM
                assert abs(s.center - (LEFT + (width - LEFT - RIGHT) / 2)) < 1.0
                assert s.sizes == {14.0}
            first = False
            page_index += 1
            if page_index < len(pdf.pages) and _starts_appendix(pdf.pages[page_index]):
                break
    assert page_index == len(pdf.pages)


def _starts_appendix(page) -> bool:
    segs = [s for s in segments(page) if s.bottom > TOP]
    attached = any(s.text.startswith("(Ban hành kèm theo Quyết định") for s in segs[:12])
    return bool(segs) and (attached or
                           re.fullmatch(r"Phụ lục( [IVX]+)?", segs[0].text) is not None)


def test_header_elements(case):
    data, pdf, *_ = case
    page = pdf.pages[0]
    segs = segments(page)
    quoc_hieu = find(segs, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert quoc_hieu.sizes == {13.0} and quoc_hieu.bold and not quoc_hieu.italic
    assert quoc_hieu.x0 > LEFT + HEADER_LEFT_COL - 1  # top right
    assert quoc_hieu.top < TOP + 5
    motto = find(segs, "Độc lập - Tự do - Hạnh phúc")
    assert motto.sizes == {14.0} and motto.bold
    assert abs(motto.center - quoc_hieu.center) < 1.0  # centred under the Quốc hiệu
    x0, x1, _ = rule_below(page, motto)
    assert abs((x1 - x0) - (motto.x1 - motto.x0)) < 1.0  # as long as the text
    assert abs((x0 + x1) / 2 - motto.center) < 1.0

    agency = [find(segs, line) for line in E.agency_lines(data)]
    for a in agency:
        assert a.sizes == {13.0} and a.bold
        assert a.x1 < LEFT + HEADER_LEFT_COL + 0.5  # left column
        assert abs(a.center - (LEFT + HEADER_LEFT_COL / 2)) < 1.0  # centred in it
    x0, x1, _ = rule_below(page, agency[-1])
    line = max(a.x1 - a.x0 for a in agency)
    assert line / 3 - 0.5 <= x1 - x0 <= line / 2 + 0.5
    assert abs((x0 + x1) / 2 - agency[-1].center) < 1.0


def test_number_and_date_lines(case):
    data, pdf, *_ = case
    segs = segments(pdf.pages[0])
    # pdfplumber collapses the draft blanks; compare without repeated spaces.
    number = find(segs, re.sub(r" +", " ", E.number_line(data)))
    date = find(segs, re.sub(r" +", " ", E.date_line(data)))
    assert number.sizes == {13.0} and not number.bold and not number.italic
    assert number.x1 < LEFT + HEADER_LEFT_COL
    # 14 pt, or 13 pt (still inside the rule) when 14 pt would not fit the column.
    size = 14.0 if E.text_width_mm(E.date_line(data), 14, italic=True) <= 100 else 13.0
    assert date.sizes == {size} and date.italic and not date.bold
    assert abs(number.bottom - date.bottom) < 1.5  # same line
    motto = find(segs, "Độc lập - Tự do - Hạnh phúc")
    assert abs(date.center - motto.center) < 1.0  # centred under the Tiêu ngữ


def test_kind_and_subject(case):
    data, pdf, *_ = case
    page = pdf.pages[0]
    segs = segments(page)
    kind = find(segs, {"ke-hoach": "KẾ HOẠCH", "bao-cao": "BÁO CÁO", "quyet-dinh": "QUYẾT ĐỊNH"}[data["loai"]])
    assert kind.sizes == {14.0} and kind.bold
    assert abs(kind.center - TEXT_CENTER) < 1.0
    x0, x1, rule_top = rule_below(page, kind, within_mm=40)
    subject_lines = [s for s in segs if kind.bottom - 0.5 < s.top < rule_top]
    assert " ".join(s.text for s in subject_lines) == E.nfc(data["trich_yeu"])
    for s in subject_lines:
        assert s.sizes == {14.0} and s.bold and abs(s.center - TEXT_CENTER) < 1.5
    line = max(s.x1 - s.x0 for s in subject_lines)
    assert line / 3 - 0.5 <= x1 - x0 <= line / 2 + 0.5
    assert abs((x0 + x1) / 2 - TEXT_CENTER) < 1.0


def test_body_text_size_and_indent(case):
    _, pdf, *_ = case
    segs = segments(pdf.pages[0])
    # The body ends where the closing block or a data table starts on page 1.
    end = min([s.top for s in segs if s.text.startswith(("Nơi nhận", "STT"))] + [1e9])
    body = [s for s in segs if 60 < s.top < end and s.x0 < LEFT + 20]
    starts = [s for s in body if abs(s.x0 - (LEFT + 12.7)) < 0.3]
    assert starts, "no paragraph starting at the 1.27 cm first-line indent"
    for s in body:
        assert s.sizes == {14.0}, s.text


def test_ends_with_slash_dot_and_closing_block(case):
    data, pdf, *_ = case
    for page in pdf.pages:
        segs = segments(page)
        label = [s for s in segs if s.text.startswith("Nơi nhận:")]
        if label:
            break
    else:
        raise AssertionError("no Nơi nhận")
    label = label[0]
    assert label.text == "Nơi nhận:" and label.bold and label.italic and label.sizes == {12.0}
    above = [s for s in segs if TOP < s.bottom < label.top]
    if above:
        assert above[-1].text.endswith("./.")
    signer = data["nguoi_ky"]
    lines = signer.get("tham_quyen") or [signer["chuc_vu"]]
    lines = [lines] if isinstance(lines, str) else lines
    authority = find(segs, E.nfc(lines[0]).upper())
    assert authority.bold and authority.sizes == {14.0}
    assert abs(authority.top - label.top) < 1.5  # level with Nơi nhận
    assert authority.x0 > LEFT + 55
    name = find(segs, E.nfc(signer["ho_ten"]))
    title = find(segs, E.nfc(signer["chuc_vu"]).upper())
    assert name.bold and abs(name.center - title.center) < 1.0
    assert name.top - title.bottom > 4 * 14 / MM * 0.9  # room for signature and seal
    first_recipient = [s for s in segs if s.top > label.bottom - 0.5 and s.x0 < LEFT + 5][0]
    assert first_recipient.text.startswith("- ") and first_recipient.sizes == {11.0}


def _words_docx(path) -> Counter:
    doc = Document(str(path))
    texts = [p.text.replace("\xa0", " ") for p in doc.paragraphs]

    def cells(table):
        for row in table.rows:
            seen = set()
            for cell in row.cells:
                if id(cell._tc) in seen:
                    continue
                seen.add(id(cell._tc))
                texts.extend(p.text.replace("\xa0", " ") for p in cell.paragraphs)
    for table in doc.tables:
        cells(table)
    return Counter(w for t in texts for w in E.nfc(t).split())


def _header_rows(path) -> list[Counter]:
    """Words of each table's repeating header row (printed again on each page)."""
    doc = Document(str(path))
    rows = []
    for table in doc.tables:
        first = table.rows[0]
        if first._tr.xpath("./w:trPr/w:tblHeader"):
            rows.append(Counter(w for c in first.cells for w in E.nfc(c.text).split()))
    return rows


def _words_pdf(pdf) -> Counter:
    words = Counter()
    for page in pdf.pages:
        for s in segments(page):
            if s.bottom <= TOP:  # page numbers: a field in the DOCX header
                continue
            words.update(s.text.split())
    return words


def test_same_words_in_docx_and_pdf(case):
    _, pdf, _, docx_path = case
    in_pdf, in_docx = _words_pdf(pdf), _words_docx(docx_path)
    for header in _header_rows(docx_path):
        # A table's header row repeats on every page it spans in the PDF; Word
        # repeats it too, but only on screen, so count it once.
        repeats = min((in_pdf[w] - in_docx[w]) // n for w, n in header.items())
        for _ in range(max(repeats, 0)):
            in_pdf.subtract(header)
    assert +in_pdf == +in_docx
