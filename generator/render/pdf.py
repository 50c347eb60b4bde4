"""Document tree → PDF through HTML and WeasyPrint, every measure from :mod:`style`.

Each part (the document, each appendix) is laid out as its own HTML document so
its pages are numbered from 1 with no number on its first page; the pages are then
joined into one PDF. Fonts are the shipped Liberation Serif files, embedded.
"""

from __future__ import annotations

import html
from functools import lru_cache
import re
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from .. import style
from ..fonts import FACES, FAMILY_PDF, FONT_DIR, line_height_factor
from ..tree import DocumentTree, Grid, Paragraph, Part, Rule, Table


@lru_cache(maxsize=None)
def _stylesheets(landscape: bool):
    """Parsed once per process: the shared stylesheet loads the four font files,
    which a batch of hundreds of documents should not redo for each one."""
    fonts = _font_config()
    return fonts, [CSS(string=stylesheet(), font_config=fonts),
                   CSS(string=_page_css(landscape), font_config=fonts)]


@lru_cache(maxsize=None)
def _font_config() -> FontConfiguration:
    return FontConfiguration()


def render_pdf(tree: DocumentTree, path: Path, **options) -> None:
    """Write the PDF; ``options`` go to WeasyPrint (``pdf_variant="pdf/a-3b"``,
    ``attachments``… for the archival copy)."""
    documents = []
    for part in tree.parts:
        fonts, sheets = _stylesheets(part.landscape)
        documents.append(HTML(string=part_html(part, tree)).render(
            stylesheets=sheets, font_config=fonts))
    pages = [page for document in documents for page in document.pages]
    documents[0].copy(pages).write_pdf(str(path), **options)


# -- CSS, generated from style --------------------------------------------------------

def _font_faces() -> str:
    rules = []
    for (bold, italic), file in FACES.items():
        rules.append(
            f"@font-face {{ font-family: '{FAMILY_PDF}'; src: url('{(FONT_DIR / file).as_uri()}');"
            f" font-weight: {'bold' if bold else 'normal'};"
            f" font-style: {'italic' if italic else 'normal'}; }}")
    return "\n".join(rules)


def _role_css(role: str, st: style.TextStyle) -> str:
    return (f".r-{role} {{ font-size: {st.size}pt; "
            f"font-weight: {'bold' if st.bold else 'normal'}; "
            f"font-style: {'italic' if st.italic else 'normal'}; "
            f"text-align: {st.align}; text-indent: {st.first_indent_mm}mm; "
            f"margin: {st.space_before_pt}pt 0 0 0; line-height: {st.line_pt:.3f}pt; "
            f"{'break-after: avoid; ' if st.keep_with_next else ''}}}")


def _page_css(landscape: bool) -> str:
    width, height = style.page_size_mm(landscape)
    number = style.ROLES["so-trang"]
    return f"""
@page {{
  size: {width}mm {height}mm;
  margin: {style.MARGIN_TOP_MM}mm {style.MARGIN_RIGHT_MM}mm {style.MARGIN_BOTTOM_MM}mm {style.MARGIN_LEFT_MM}mm;
  @top-center {{ content: counter(page); font-family: '{FAMILY_PDF}';
                font-size: {number.size}pt; vertical-align: middle; }}
}}
@page :first {{ @top-center {{ content: none; }} }}
"""


def stylesheet() -> str:
    roles = "\n".join(_role_css(role, st) for role, st in style.ROLES.items())
    return f"""
{_font_faces()}
html {{ font-family: '{FAMILY_PDF}'; color: black; font-size: {style.BODY_PT}pt;
        line-height: {line_height_factor()};
        font-kerning: none; font-variant-ligatures: none; hyphens: manual; }}
body {{ margin: 0; }}
p {{ margin: 0; orphans: 2; widows: 2; }}
.nowrap {{ white-space: nowrap; }}
.long {{ overflow-wrap: anywhere; }}
.rule {{ height: 0; border-top: {style.RULE_PT}pt solid black; margin: 1pt auto 0 auto; }}
table {{ border-collapse: collapse; table-layout: fixed; }}
table.grid {{ margin: 0 auto; }}  /* centred, as Word centres the DOCX's tables */
table.grid td {{ padding: 0; vertical-align: top; }}
table.data {{ margin-top: {style.PARAGRAPH_SPACE_PT}pt; }}
table.data tr {{ break-inside: avoid; }}
/* The closing block and the body lines kept with it (compose._keep_body_lines). */
p.keep {{ break-after: avoid; }}
table.keep, table.keep tr, table.keep td {{ break-inside: avoid; }}
/* Word draws a cell's border inside its margin; with collapsed borders the
   browser model takes half the border from the text, so give it back. */
table.data td, table.data th {{ border: {style.TABLE_BORDER_PT}pt solid black; vertical-align: top;
  padding: 0 calc({style.TABLE_CELL_PADDING_MM}mm - {style.TABLE_BORDER_PT / 2}pt); }}
table.data p {{ text-indent: 0; margin: 0; }}
{roles}
"""


# -- HTML -----------------------------------------------------------------------------

# Word does not break a line after "/" (827/KH-UBND, HIV/AIDS); Pango would.
# Keeping such tokens whole makes the PDF break lines where Word does. A long word
# (a web address, 200 letters) may break anywhere instead, as Word breaks a word
# longer than its line or cell: kept whole it would run off the page or its cell.
# Short words never break inside ("STT" in a narrow column stays whole).
_TOKEN = re.compile(r"\S+")
_LONG = 20  # characters: "827/KH-UBND" and "123/2023/NĐ-CP" are short
# Runs of spaces (the draft blanks of "Số:      /KH-UBND") are kept as Word keeps
# them: no-break spaces and one breakable space. The paragraph itself is
# ``white-space: normal``, since WeasyPrint does not justify ``pre-wrap`` lines.
_SPACES = re.compile(r" {2,}")


def _token(match: re.Match) -> str:
    token = match.group(0)
    if len(token) > _LONG:
        return f'<span class="long">{html.escape(token)}</span>'
    if "/" in token:
        return f'<span class="nowrap">{html.escape(token)}</span>'
    return html.escape(token)


def _text(text: str) -> str:
    text = _SPACES.sub(lambda m: "\u00a0" * (len(m.group(0)) - 1) + " ", text)
    return _TOKEN.sub(_token, text).replace("\n", "<br>")


def _paragraph(p: Paragraph) -> str:
    inner = []
    for r in p.runs:
        piece = _text(r.text)
        if r.bold:
            piece = f"<b>{piece}</b>"
        if r.italic:
            piece = f"<i>{piece}</i>"
        inner.append(piece)
    keep = " keep" if p.keep_with_next else ""
    return f'<p class="r-{p.role}{keep}">{"".join(inner)}</p>'


def _cols(widths) -> str:
    return "<colgroup>" + "".join(f'<col style="width:{w:.2f}mm">' for w in widths) + "</colgroup>"


def _block(block) -> str:
    if isinstance(block, Paragraph):
        return _paragraph(block)
    if isinstance(block, Rule):
        return f'<div class="rule" style="width:{block.length_mm:.2f}mm"></div>'
    if isinstance(block, Grid):
        rows = "".join(
            "<tr>" + "".join(f"<td>{''.join(_block(b) for b in cell)}</td>" for cell in row)
            + "</tr>" for row in block.rows)
        keep = " keep" if block.keep_together else ""
        return (f'<table class="grid{keep}" style="width:{sum(block.widths_mm):.2f}mm;'
                f'margin-top:{block.space_before_pt}pt">'
                f"{_cols(block.widths_mm)}{rows}</table>")
    if isinstance(block, Table):
        head = "".join(f"<th>{_paragraph(p)}</th>" for p in block.header)
        body = []
        for row in block.rows:
            if row.group:
                body.append(f'<tr><td colspan="{len(block.widths_mm)}">'
                            f"{_paragraph(row.cells[0])}</td></tr>")
            else:
                body.append("<tr>" + "".join(f"<td>{_paragraph(p)}</td>" for p in row.cells)
                            + "</tr>")
        return (f'<table class="data" style="width:{sum(block.widths_mm):.2f}mm">'
                f"{_cols(block.widths_mm)}<thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>")
    raise TypeError(block)


def part_html(part: Part, tree: DocumentTree) -> str:
    meta = tree.meta
    body = "\n".join(_block(b) for b in part.blocks)
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>{html.escape(meta.title)}</title>
<meta name="author" content="{html.escape(meta.author)}">
<meta name="description" content="{html.escape(meta.subject)}">
<meta name="keywords" content="{html.escape(', '.join(meta.keywords))}">
<meta name="dcterms.created" content="{meta.created}T00:00:00+07:00">
<meta name="dcterms.modified" content="{meta.created}T00:00:00+07:00">
{"".join(f'<meta name="{html.escape(k)}" content="{html.escape(v)}">' for k, v in meta.extra.items())}
</head><body>{body}</body></html>"""
