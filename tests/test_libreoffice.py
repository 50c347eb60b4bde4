"""A real word processor as the referee: LibreOffice opens every DOCX vanban wrote
(the clerk edits that file) and prints it; its PDF must be the document vanban's
own PDF is (the one that circulates). Same page count, every page starting with
the same words, no blank page, the same line breaks in the body; and LibreOffice's
PDF passes the PDF format tests of test_pdf_format.py.

The conversion runs once per test run (``referee`` in conftest.py). Without
LibreOffice these tests are skipped with the reason; CI installs it and sets
VANBAN_REQUIRE_LIBREOFFICE=1, so there they cannot be skipped.
"""

from __future__ import annotations

import difflib
import functools

import pdfplumber
import pytest

import expected as E
from conftest import EXAMPLES, example_id, output_for
from pdfview import MM, continued_lines, segments
# The PDF format tests, run here on LibreOffice's PDF through the ``case`` below.
from test_pdf_format import (  # noqa: F401
    test_header_elements, test_kind_and_subject, test_number_and_date_lines,
    test_page_numbers_from_page_two_top_centre, test_pages_are_a4,
    test_same_words_in_docx_and_pdf, test_text_stays_inside_the_margins,
    test_body_text_size_and_indent, test_ends_with_slash_dot_and_closing_block,
    test_fonts_are_embedded)

LEFT, RIGHT, TOP = 30.0, 15.0, 20.0
EDGE_PT = 2.0  # a justified line ends this close to the right text edge


@pytest.fixture(params=EXAMPLES, ids=example_id)
def case(request, built, referee):
    """As test_pdf_format's ``case``, with LibreOffice's PDF of the DOCX."""
    path = request.param
    docx_path = output_for(built, path, ".docx")
    pdf_path = referee[docx_path]
    pdf = pdfplumber.open(pdf_path)
    yield E.load(path), pdf, pdf_path, docx_path
    pdf.close()


@functools.lru_cache(maxsize=None)
def _read(path) -> tuple:
    """Per page: its width in mm and its text lines; each PDF is read once."""
    with pdfplumber.open(path) as pdf:
        pages = [(page.width / MM, segments(page)) for page in pdf.pages]
    return tuple((width, segs, continued_lines(segs, LEFT)) for width, segs in pages)


def _pages(path):
    """Per page: the text lines below the top margin (the page number is above)."""
    return [[s for s in segs if s.bottom > TOP] for _, segs, _ in _read(path)]


def _pairs(built, referee):
    for docx_path, lo_pdf in referee.items():
        yield docx_path.relative_to(built), docx_path.with_suffix(".pdf"), lo_pdf


def test_every_document_is_compared(built, referee):
    pdfs = sorted(built.rglob("*.pdf"))
    assert len(pdfs) == len(referee) >= len(EXAMPLES) + 3  # with the batch rows
    assert sorted(p.with_suffix(".pdf") for p in referee) == pdfs


def test_same_pages_and_first_words(built, referee):
    """Same page count, and every page starts with the same three words."""
    differences = []
    for name, ours, theirs in _pairs(built, referee):
        a, b = _pages(ours), _pages(theirs)
        if len(a) != len(b):
            differences.append(f"{name}: {len(a)} pages, LibreOffice {len(b)}")
        for number, (pa, pb) in enumerate(zip(a, b), start=1):
            wa = " ".join(s.text for s in pa).split()[:3]
            wb = " ".join(s.text for s in pb).split()[:3]
            if wa != wb:
                differences.append(f"{name} page {number}: {wa} / LibreOffice {wb}")
    assert differences == []


def test_no_blank_page(built, referee):
    blank = []
    for name, ours, theirs in _pairs(built, referee):
        for who, path in (("vanban", ours), ("LibreOffice", theirs)):
            for number, page in enumerate(_pages(path), start=1):
                if not page:
                    blank.append(f"{name}: {who} page {number}")
    assert blank == []


def _body_lines(path) -> list[str]:
    return [s.text for page in _pages(path) for s in page
            if s.sizes == {14.0} and s.x0 < LEFT + 13.5]


def test_same_line_breaks_in_the_body(built, referee):
    """The same font metrics and no hyphenation in both: the body's lines break at
    the same words (at least 98% of the lines, in order)."""
    for name, ours, theirs in _pairs(built, referee):
        a, b = _body_lines(ours), _body_lines(theirs)
        same = sum(block.size for block in
                   difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
        assert same >= 0.98 * len(a), (name, same, len(a))


def _justified_share(path) -> tuple[int, int, list]:
    total, ragged = 0, []
    for width, _, lines in _read(path):
        edge = width - RIGHT
        for line in lines:
            total += 1
            if abs(line.x1 - edge) * MM > EDGE_PT:
                ragged.append((round((edge - line.x1) * MM, 1), line.text))
    return total, len(ragged), ragged


def test_libreoffice_justifies_the_body_too(built, referee):
    for name, _, theirs in _pairs(built, referee):
        total, ragged, lines = _justified_share(theirs)
        assert total and ragged <= 0.02 * total, (name, total, lines[:5])


def test_libreoffice_sets_the_metric_compatible_face(built, referee):
    """The referee lays out with Liberation Serif where the DOCX names Times New
    Roman (the same advance widths), so its line breaks are a word processor's."""
    for name, _, theirs in _pairs(built, referee):
        with pdfplumber.open(theirs) as pdf:
            fonts = {c["fontname"].split("+")[-1] for page in pdf.pages for c in page.chars}
        assert fonts and all(f.replace("-", "").startswith("LiberationSerif") for f in fonts), \
            (name, fonts)
