"""Document tree → DOCX (python-docx), every measure from :mod:`style`.

Layout grids become borderless fixed-width tables, ruled lines become an empty
paragraph with a top border indented to the rule's length, page numbers a real
``PAGE`` field in a header that page 1 of each part does not show.
"""

from __future__ import annotations

import datetime as dt
from copy import deepcopy
from functools import lru_cache
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .. import style
from ..fonts import FAMILY_DOCX, PT_TO_MM
from ..tree import DocumentTree, Grid, Paragraph, Part, Rule, Table

ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def render_docx(tree: DocumentTree, path: Path) -> None:
    doc = deepcopy(_blank())
    for index, part in enumerate(tree.parts):
        if index:
            section = doc.add_section(WD_SECTION.NEW_PAGE)
            _collapse(_last_paragraph(doc))  # it carries the previous part's section
        else:
            section = doc.sections[0]
        _page(section, part)
        width = style.text_width_mm(part.landscape)
        for block in part.blocks:
            _block(doc, block, width)
    if doc.element.body[-2].tag == qn("w:tbl"):  # a document must end with a paragraph
        _collapse(doc.add_paragraph())
    _drop_leading_empty_paragraph(doc)
    _metadata(doc, tree)
    doc.save(str(path))


@lru_cache(maxsize=None)
def _blank():
    """An empty document with the base font, made once per process and copied for
    each document: copying is cheaper than reading python-docx's template again."""
    doc = new_docx()
    _base_font(doc)
    return doc


# -- page set-up ----------------------------------------------------------------------

def _base_font(doc) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FAMILY_DOCX
    normal.font.size = Pt(style.BODY_PT)
    rfonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FAMILY_DOCX)
    fmt = normal.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = 1.0


def _page(section, part: Part) -> None:
    width, height = style.page_size_mm(part.landscape)
    section.orientation = WD_ORIENT.LANDSCAPE if part.landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.top_margin, section.bottom_margin = Mm(style.MARGIN_TOP_MM), Mm(style.MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(style.MARGIN_LEFT_MM), Mm(style.MARGIN_RIGHT_MM)
    number = style.ROLES["so-trang"]
    # The header paragraph is placed so the number's line is centred in the margin.
    section.header_distance = Mm(style.page_number_center_mm()
                                 - number.line_pt * PT_TO_MM / 2)
    section.footer_distance = Mm(style.MARGIN_BOTTOM_MM / 2)
    section.different_first_page_header_footer = True  # no number on page 1
    section.header.is_linked_to_previous = False
    section.first_page_header.is_linked_to_previous = False
    _clear(section.first_page_header)
    header = section.header
    _clear(header)
    p = header.add_paragraph()
    _format(p, number)
    _page_field(p, number)
    pg = section._sectPr.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        section._sectPr.append(pg)
    pg.set(qn("w:start"), "1")  # each part (document, each appendix) counts from 1


def _clear(header) -> None:
    for p in list(header.paragraphs):
        p._element.getparent().remove(p._element)


def _page_field(paragraph, st) -> None:
    """A real PAGE field (begin / instrText / separate / result / end)."""
    def fld(kind):
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), kind)
        return el

    for piece in ("begin", "instr", "separate", "result", "end"):
        run = paragraph.add_run()
        _font(run, st)
        if piece == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = " PAGE "
            run._r.append(instr)
        elif piece == "result":
            run.text = "2"  # shown until Word updates the field
        else:
            run._r.append(fld(piece))


# -- blocks ---------------------------------------------------------------------------

def _block(container, block, width_mm: float) -> None:
    if isinstance(block, Paragraph):
        _paragraph(container, block)
    elif isinstance(block, Rule):
        _rule(container, block, width_mm)
    elif isinstance(block, Grid):
        _grid(container, block)
    elif isinstance(block, Table):
        _table(container, block)


def _format(p, st: style.TextStyle) -> None:
    fmt = p.paragraph_format
    fmt.alignment = ALIGN[st.align]
    fmt.first_line_indent = Mm(st.first_indent_mm) if st.first_indent_mm else None
    fmt.space_before = Pt(st.space_before_pt)
    fmt.space_after = Pt(0)
    fmt.line_spacing = st.line_spacing
    fmt.keep_with_next = st.keep_with_next or None
    fmt.widow_control = True


def _font(run, st: style.TextStyle, bold=False, italic=False) -> None:
    run.font.name = FAMILY_DOCX
    run.font.size = Pt(st.size)
    run.font.bold = st.bold or bold or None
    run.font.italic = st.italic or italic or None


@lru_cache(maxsize=None)
def _scratch():
    return new_docx().add_paragraph()


@lru_cache(maxsize=None)
def _ppr(role: str):
    """The paragraph properties of a role, built once through python-docx and then
    copied: setting them property by property costs more than the rest of the DOCX."""
    p = _scratch()
    p._p.remove_all("w:pPr")
    _format(p, style.ROLES[role])
    return deepcopy(p._p.pPr)


@lru_cache(maxsize=None)
def _rpr(role: str, bold: bool, italic: bool):
    run = _scratch().add_run()
    _font(run, style.ROLES[role], bold, italic)
    return deepcopy(run._r.rPr)


def _paragraph(container, para: Paragraph):
    p = container.add_paragraph()
    p._p.insert(0, deepcopy(_ppr(para.role)))
    if para.keep_with_next:
        p.paragraph_format.keep_with_next = True
    for r in para.runs:
        lines = r.text.split("\n")
        for i, line in enumerate(lines):
            run = p.add_run(line)
            run._r.insert(0, deepcopy(_rpr(para.role, r.bold, r.italic)))
            if i < len(lines) - 1:
                run.add_break()
    return p


def _rule(container, rule: Rule, width_mm: float) -> None:
    """An empty 1 pt paragraph whose top border is the line, indented on both
    sides so the border is exactly ``rule.length_mm`` long and centred."""
    p = container.add_paragraph()
    side = max((width_mm - rule.length_mm) / 2, 0)
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm(side)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(1)
    pbdr = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    top.set(qn("w:val"), "single")
    top.set(qn("w:sz"), str(round(style.RULE_PT * 8)))  # eighths of a point
    top.set(qn("w:space"), "1")
    top.set(qn("w:color"), "000000")
    pbdr.append(top)
    p._p.get_or_add_pPr().append(pbdr)
    run = p.add_run()
    run.font.size = Pt(1)


def _table_base(container, rows: int, widths_mm, borders: bool):
    table = container.add_table(rows=rows, cols=len(widths_mm))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    if borders:
        table.style = container.part.document.styles["Table Grid"] \
            if hasattr(container, "part") else table.style
    margins = OxmlElement("w:tblCellMar")
    pad = Mm(style.TABLE_CELL_PADDING_MM if borders else 0)
    for side in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(int(pad.twips) if side in ("left", "right") else 0))
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    for i, w in enumerate(widths_mm):
        table.columns[i].width = Mm(w)
        for cell in table.columns[i].cells:
            cell.width = Mm(w)
    return table


def _fill(cell, blocks, width_mm) -> None:
    first = cell.paragraphs[0]
    for block in blocks:
        _block(cell, block, width_mm)
    if len(cell.paragraphs) > 1:  # a new cell starts with one empty paragraph
        first._element.getparent().remove(first._element)


def _grid(container, grid: Grid) -> None:
    if grid.space_before_pt:  # a table has no space-before: an exact-height spacer
        spacer = container.add_paragraph()
        spacer.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        spacer.paragraph_format.line_spacing = Pt(grid.space_before_pt)
        spacer.paragraph_format.keep_with_next = grid.keep_together or None
    table = _table_base(container, len(grid.rows), grid.widths_mm, borders=False)
    for r, row in enumerate(grid.rows):
        if grid.keep_together:  # a row that cannot split: the closing stays whole
            table.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for c, blocks in enumerate(row):
            _fill(table.cell(r, c), blocks, grid.widths_mm[c])


def _table(container, tab: Table) -> None:
    table = _table_base(container, 1 + len(tab.rows), tab.widths_mm, borders=True)
    # python-docx lists every row on each ``table.rows[r]``: take the list once, or
    # a table of 3,321 communes takes minutes.
    rows = list(table.rows)
    header = rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat the header row on each page
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for c, para in enumerate(tab.header):
        _fill(header.cells[c], [para], tab.widths_mm[c])
    for r, row in enumerate(tab.rows, start=1):
        no_split = OxmlElement("w:cantSplit")  # a row is never cut across pages
        rows[r]._tr.get_or_add_trPr().append(no_split)
        cells = rows[r].cells
        if row.group:
            merged = cells[0].merge(cells[-1])
            _fill(merged, row.cells, sum(tab.widths_mm))
            continue
        for c, para in enumerate(row.cells):
            _fill(cells[c], [para], tab.widths_mm[c])


def _last_paragraph(doc):
    return doc.element.body.findall(qn("w:p"))[-1]


def _collapse(p) -> None:
    """An empty paragraph that must follow a table (a section break, the end of
    the document) is made 1 pt high: at a full line it would not fit under a
    closing block that ends at the foot of a page, and LibreOffice would then
    insert a page holding only that paragraph (and its page number)."""
    p = getattr(p, "_p", p)
    ppr = p.get_or_add_pPr()
    spacing = OxmlElement("w:spacing")
    for attr, value in (("w:before", "0"), ("w:after", "0"), ("w:line", "20"),
                        ("w:lineRule", "exact")):
        spacing.set(qn(attr), value)
    ppr.insert_element_before(spacing, "w:ind", "w:jc", "w:rPr", "w:sectPr")
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "2")  # half-points
    rpr.append(size)
    ppr.insert_element_before(rpr, "w:sectPr")


def _drop_leading_empty_paragraph(doc) -> None:
    """python-docx's blank template starts with an empty paragraph; drop it."""
    body = doc.element.body
    first = body[0]
    if first.tag == qn("w:p") and not first.xpath(".//w:t"):
        body.remove(first)


def _metadata(doc, tree: DocumentTree) -> None:
    props = doc.core_properties
    meta = tree.meta
    # The file's properties hold at most 255 characters (the printed text has no limit).
    props.title, props.subject, props.author = (_property(meta.title), _property(meta.subject),
                                                _property(meta.author))
    props.keywords = _property(", ".join(meta.keywords))
    created = dt.datetime.fromisoformat(meta.created)
    props.created = props.modified = created
    props.last_modified_by = _property(meta.author)
    props.revision = 1


def _property(text: str) -> str:
    return text if len(text) <= 255 else text[:254] + "…"
