"""Model → document tree, through the Vietnamese templates.

A template writes one paragraph per line, ``@role text`` (see templates/README.md).
This module reads those lines, numbers headings (``I.``, ``1.``, ``a)``), adds
bullets, applies upper case, parses the ``**đậm**`` / ``*nghiêng*`` marks, places the
header and signature grids and the ruled lines, and splits off appendices.
"""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from typing import cast

from . import header_lines, marks, table_layout, ties
from .. import style, vnformat, workspace
from ..errors import ContentError, Problem, display_path
from ..fonts import text_width_mm
from ..model import Document, Report
from ..model import Table as ModelTable
from .tables import results_table
from ..content.aggregate import unit_table
from .templates import DATA, environment, template_problem
from ..tree import (Block, DocumentTree, Grid, Metadata, Paragraph, Part, Rule, Run, Table,
                   TableRow)

HEADER_LEFT = ("chu-quan", "co-quan")
HEADER_RIGHT = ("quoc-hieu", "tieu-ngu")
CLOSING_LEFT = ("noi-nhan", "nhan")
CLOSING_RIGHT = ("tham-quyen", "chuc-vu", "ho-ten")
NUMBERED = ("muc", "khoan", "diem")  # a "doan-so" paragraph takes a series of these
APPENDIX = ("phu-luc", "phu-luc-ngang")
CENTRED_TITLES = ("trich-yeu", "phu-luc-ten")
BODY_ROLES = ("doan", "muc", "khoan", "diem", "gach", "cong", "doan-so", "dieu", "can-cu")


def runs(text: str, upper: bool = False) -> list[Run]:
    """Split ``**đậm**`` and ``*nghiêng*`` into runs (marks.py); the rest is literal."""
    out = [Run(piece, bold=bold, italic=italic) for piece, bold, italic in marks.spans(text)]
    for run in out:
        # "Sở Lao động - Thương binh": a break before the dash would start the
        # next line with "- ", which reads as a list item. A no-break space there
        # moves the break after the dash, in Word and in the PDF alike.
        run.text = run.text.replace("\u2028", "\n").replace(" - ", "\u00a0- ")
        if upper:
            run.text = run.text.upper()
    return out or [Run("")]


def paragraph(role: str, text: str) -> Paragraph:
    out = Paragraph(role, runs(text, style.ROLES[role].upper))
    for run in out.runs:  # figure and unit, UBND and its name, kept on one line
        run.text = ties.tie(run.text)
        if role in ties.TITLE_ROLES:
            run.text = ties.tie_title(run.text)
        if role in CENTRED_TITLES and len(out.runs) == 1:
            run.text = header_lines.title(run.text, role)
    return out


# -- template side --------------------------------------------------------------------

class _Tables:
    """Lets a template place a table: ``@bang {{ bang(t) }}`` registers ``t``."""

    def __init__(self) -> None:
        self.items: list[ModelTable] = []

    def __call__(self, table=None, cot=None, dong=None, can=None, ty_le=None) -> str:
        if table is None:
            table = ModelTable(list(cot or []), [list(r) for r in dong or []],
                               can=list(can) if can else None,
                               ty_le=list(ty_le) if ty_le else None)
        self.items.append(table)
        return str(len(self.items) - 1)


def context(doc: Document) -> dict:
    values = {f.name: getattr(doc, f.name) for f in dataclasses.fields(doc)}
    values["doc"] = doc
    if hasattr(doc, "by_status"):
        values["by_status"] = doc.by_status
    return values


def render_markup(doc: Document, env=None) -> tuple[str, list[ModelTable]]:
    """Run the document's template; returns its markup and the tables it placed."""
    env = env or environment(tuple(workspace.user_template_dirs(doc.path)))
    tables = _Tables()
    values = dict(context(doc), bang=tables,
                  bang_chi_tieu=lambda labels: tables(results_table(cast(Report, doc), labels)),
                  bang_don_vi=lambda labels: tables(unit_table(cast(Report, doc), labels)))
    markup, items = _render(env, doc.template, values, display_path(doc.path), tables)
    plan = getattr(doc, "ke_hoach", None)
    attached = getattr(doc, "attached", None)
    if attached and plan is not None:  # a decision's attached plan
        more, items = _render(env, attached, dict(context(plan), bang=tables, qd=doc),
                              display_path(plan.path), tables)
        markup += "\n@kem-theo\n" + more
    return markup, items


def _render(env, template: str, values: dict, what: str,
            tables: _Tables) -> tuple[str, list[ModelTable]]:
    compiled = None
    try:
        compiled = env.get_template(template)
        markup = env.render(compiled, values)
    except Exception as exc:  # noqa: BLE001 - any failure of a template is the document's
        raise ContentError([template_problem(exc, what, compiled and compiled.filename)]) \
            from None
    return unicodedata.normalize("NFC", markup), tables.items


# -- markup side ----------------------------------------------------------------------

def parse_lines(markup: str) -> list[tuple[str, str]]:
    """``@role text`` lines → (role, text). A line without ``@`` continues the
    previous paragraph, so templates may wrap long sentences.

    Only an ``@`` the template wrote starts a paragraph: a substituted value begins
    with the DATA mark (templates.py) and holds no line break, so a value is never
    a role, a heading or a signature line, whatever it contains."""
    items: list[list[str]] = []
    for raw in markup.split("\n"):
        written_role = raw.lstrip().startswith("@")
        line = raw.replace(DATA, "").strip()
        if not line:
            continue
        if written_role:
            role, _, text = line[1:].partition(" ")
            items.append([role, text])
        elif items:
            items[-1][1] += " " + line
    return [(role, text) for role, text in items]


class _Builder:
    """Turns (role, text) lines into Parts, keeping numbering state."""

    def __init__(self, tables: list[ModelTable], landscape: bool = False):
        self.tables = tables
        self.parts: list[Part] = [Part(landscape=landscape)]
        self.counters = {role: 0 for role in NUMBERED}
        self.under_heading = False  # a 1./2. heading opened in this section
        self.header: dict[str, list] = {}
        self.closing: dict[str, list] = {}

    @property
    def blocks(self):
        return self.parts[-1].blocks

    def add(self, role: str, text: str) -> None:
        if role in HEADER_LEFT + HEADER_RIGHT + ("so", "ngay"):
            self.header.setdefault(role, []).append(text)
            if role == "ngay":
                self.blocks.append(self._header_grid())
        elif role in CLOSING_LEFT + CLOSING_RIGHT:
            self.closing.setdefault(role, []).append(text)
        elif role == "kem-theo":  # a plan issued with a decision: its own pages
            self._flush_closing()
            self.parts.append(Part())
            self.counters = dict.fromkeys(NUMBERED, 0)
            self.under_heading = False
        elif role == "ten-loai" and self.header:  # a header with no number and date
            self.blocks.append(self._header_grid())
            self.blocks.append(paragraph(role, text))
        elif role in APPENDIX:
            self._flush_closing()
            self.parts.append(Part(landscape=role.endswith("ngang")))
            self.counters = dict.fromkeys(NUMBERED, 0)
            self.under_heading = False
            self.blocks.append(paragraph("phu-luc", text))
        elif role == "trich-yeu":
            p = paragraph(role, text)
            self.blocks.append(p)
            # The rule follows the longest line (a title may carry its own breaks).
            width = min(max(text_width_mm(line, style.ROLES[role].size, bold=True)
                            for line in p.text.split("\n")),
                        style.text_width_mm(self.parts[-1].landscape))
            self.blocks.append(Rule(width * style.SUBJECT_RULE_RATIO))
        elif role == "doan-so":
            # A numbered paragraph shares the series of its level: "1.", "2." beside
            # the section's 1./2. headings, "a)", "b)" once under such a heading; a
            # series of its own would print "1. Heading / 1. paragraph".
            self.blocks.append(paragraph(role, self._number(
                "diem" if self.under_heading else "khoan") + text))
        elif role in NUMBERED:
            self.under_heading = role != "muc" and (role == "khoan" or self.under_heading)
            self.blocks.append(paragraph(role, self._number(role) + text))
        elif role in style.BULLETS:
            self.blocks.append(paragraph(role, style.BULLETS[role] + text))
        elif role == "kinh-gui-noi":
            self._kinh_gui_item(text)
        elif role == "bang":
            self.blocks.append(self._table(text))
        elif role == "ket":
            self._end_body(text)
        elif role in style.ROLES:
            self.blocks.append(paragraph(role, text))
        else:
            raise ValueError(f"unknown role @{role}")

    def _number(self, role: str) -> str:
        level = NUMBERED.index(role)
        self.counters[role] += 1
        for deeper in NUMBERED[level + 1:]:
            self.counters[deeper] = 0
        n = self.counters[role]
        return {"muc": f"{vnformat.roman(n)}. ", "khoan": f"{n}. ",
                "diem": f"{vnformat.point_letter(n)}) "}[role]

    def _end_body(self, ending: str) -> None:
        """The body's very last paragraph ends with ``./.`` (nd30, body structure)."""
        for block in reversed(self.blocks):
            if isinstance(block, Paragraph) and block.role in BODY_ROLES:
                last = block.runs[-1]
                # "… thực hiện." and "… thực hiện;" both become "… thực hiện./."
                last.text = last.text.rstrip().rstrip(".;:,") + ending
                return
        self.blocks.append(paragraph("doan", ending))

    def _kinh_gui_item(self, text: str) -> None:
        """A recipient of a Kính gửi list: with the ``Kính gửi:`` paragraph just
        before it, a centred two-column block (the label, then the recipients
        aligned under the first, which stands on the label's line)."""
        item = paragraph("kinh-gui-noi", text)
        last = self.blocks[-1] if self.blocks else None
        if isinstance(last, Paragraph) and last.role == "kinh-gui":
            last = Grid((0.0, 0.0), [[[Paragraph("kinh-gui-noi", last.runs)], []]],
                        space_before_pt=style.ROLES["kinh-gui"].space_before_pt)
            self.blocks[-1] = last
        elif not (isinstance(last, Grid) and last.rows[0][0]
                  and getattr(last.rows[0][0][0], "role", None) == "kinh-gui-noi"):
            self.blocks.append(item)  # no label before it: a plain line
            return
        label = cast(Paragraph, last.rows[0][0][0])
        items = cast(list, last.rows[0][1])
        items.append(item)
        last.widths_mm = header_lines.kinh_gui_columns(
            label.text, [p.text for p in items], style.text_width_mm(self.parts[-1].landscape))

    def _header_grid(self) -> Grid:
        h = self.header
        left: list[Block] = [paragraph("chu-quan", t) for t in h.get("chu-quan", [])]
        agency = [paragraph("co-quan", t) for t in h.get("co-quan", [])]
        agency = _typeset_agency(agency)
        left += agency
        if agency:
            widest = max(text_width_mm(p.text, style.ROLES[p.role].size, bold=True)
                         for p in agency)
            left.append(Rule(min(widest, style.HEADER_COLUMNS_MM[0])
                             * style.AGENCY_RULE_RATIO))
        right: list[Block] = [paragraph(r, t) for r in HEADER_RIGHT for t in h.get(r, [])]
        motto = [p for p in right if isinstance(p, Paragraph) and p.role == "tieu-ngu"]
        if motto:
            right.append(Rule(text_width_mm(motto[0].text, style.ROLES["tieu-ngu"].size,
                                            bold=True) * style.TIEU_NGU_RULE_RATIO))
        number = [paragraph("so", t) for t in h.get("so", [])]
        date = [_typeset_date(paragraph("ngay", t)) for t in h.get("ngay", [])]
        self.header = {}
        rows: list = [[left, right]] + ([[number, date]] if number or date else [])
        return Grid(style.HEADER_COLUMNS_MM, rows)

    def _flush_closing(self) -> None:
        if not self.closing:
            return
        c = self.closing
        left = [paragraph(r, t) for r in CLOSING_LEFT for t in c.get(r, [])]
        right = [paragraph(r, t) for r in CLOSING_RIGHT for t in c.get(r, [])]
        _keep_body_lines(self.blocks)
        self.blocks.append(Grid(style.CLOSING_COLUMNS_MM, [[left, right]],
                                space_before_pt=style.CLOSING_SPACE_PT, keep_together=True))
        self.closing = {}

    def _table(self, key: str) -> Table:
        table = self.tables[int(key)]
        landscape = self.parts[-1].landscape
        aligns: list = table.can or [None] * len(table.cot)
        body = [r for i, r in enumerate(table.dong) if i not in table.nhom]
        columns = [[str(r[i]) for r in body if i < len(r)] for i in range(len(table.cot))]
        rows = []
        for index, cells in enumerate(table.dong):
            if index in table.nhom:
                rows.append(TableRow([paragraph("bang-nhom", cells[0])], group=True))
                continue
            rows.append(TableRow([
                paragraph(table_layout.cell_role(i, columns[i], c, a), c)
                for i, (c, a) in enumerate(zip(cells, aligns))]))
        header = [paragraph("bang-dau", c) for c in table.cot]
        # Measured on the printed text (upper case, no-break spaces included).
        widths = table_layout.column_widths(
            [p.text for p in header], [[p.text for p in r.cells] for r in rows if not r.group],
            style.text_width_mm(landscape), table.ty_le)
        return Table(widths, header, rows)

    def finish(self) -> list[Part]:
        self._flush_closing()
        return self.parts


def _keep_body_lines(blocks: list) -> None:
    """The signature page carries the body's last lines, never the closing alone:
    the last two paragraphs keep with what follows, and each keeps at least two
    lines on a page (widows), so two body lines at least stand above the block."""
    for block in blocks[-style.CLOSING_KEEP_PARAGRAPHS:]:
        if isinstance(block, Paragraph):
            block.keep_with_next = True


def _typeset_agency(agency: list[Paragraph]) -> list[Paragraph]:
    """The agency lines as written when they fit their column, else broken by rule
    (header_lines.py)."""
    if not agency:
        return agency
    typeset = header_lines.agency([p.text for p in agency], style.HEADER_COLUMNS_MM[0])
    if typeset.lines == [p.text for p in agency]:
        return [Paragraph(typeset.role, p.runs) for p in agency]
    return [Paragraph(typeset.role, [Run(line)]) for line in typeset.lines]


def _typeset_date(date: Paragraph) -> Paragraph:
    """One line at 14 or 13 pt, or two lines broken after the place name's comma."""
    typeset = header_lines.date(date.text, style.HEADER_COLUMNS_MM[1])
    return Paragraph(typeset.role, [Run("\n".join(typeset.lines))])


def _assemble(markup: str, tables: list[ModelTable], template: str, meta: Metadata,
              landscape: bool = False) -> DocumentTree:
    builder = _Builder(tables, landscape)
    for role, text in parse_lines(markup):
        try:
            builder.add(role, text)
        except ValueError as exc:
            raise ContentError([Problem(template, None, None,
                                        f"lỗi mẫu văn bản: vai trò không có: {exc}")]) from None
    return DocumentTree(builder.finish(), meta)


def template_tree(template: str, values: dict, landscape: bool = False,
                  user_dirs: tuple = ()) -> DocumentTree:
    """A tree from any template of the markup (the register book uses this)."""
    tables = _Tables()
    markup, placed = _render(environment(tuple(user_dirs)), template,
                             dict(values, bang=tables), template, tables)
    title = next((line for role, line in parse_lines(markup) if role == "ten-loai"), template)
    meta = Metadata(title, title, "", [], datetime.date.today().isoformat())
    return _assemble(markup, placed, template, meta, landscape)


def document_tree(doc: Document, env=None) -> DocumentTree:
    """The document tree of one validated document."""
    markup, tables = render_markup(doc, env)
    meta = Metadata(
        title=f"{doc.trich_yeu}", subject=doc.trich_yeu, author=doc.co_quan.ten_day_du,
        keywords=[doc.ky_hieu, str(doc.nam)],
        created=(doc.ngay or datetime.date(doc.nam, 1, 1)).isoformat(),
    )
    return _assemble(markup, tables, doc.template, meta)
