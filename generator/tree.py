"""The document tree: what a reader sees, independent of file format.

Paragraphs carry a *role* (a key of ``style.ROLES``) and their final text, already
numbered and upper-cased. Renderers only map roles to formatting; they never
decide wording, numbering or case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence, Union


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False


@dataclass
class Paragraph:
    role: str
    runs: list[Run]
    keep_with_next: bool = False  # no page break between it and the next block

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Rule:
    """A solid horizontal line of ``length_mm``, centred in its column."""

    length_mm: float


@dataclass
class Grid:
    """Borderless layout columns (header, signature block). ``cells[i]`` holds
    the blocks of column ``i`` for each row."""

    widths_mm: tuple[float, ...]
    rows: list[list[Sequence["Block"]]]
    space_before_pt: float = 0.0
    keep_together: bool = False  # never split across pages (the closing block)


@dataclass
class TableRow:
    cells: list[Paragraph]
    group: bool = False  # one cell spanning every column (a ``nhom`` label)


@dataclass
class Table:
    """A ruled data table; the header row repeats on every page it spans."""

    widths_mm: list[float]
    header: list[Paragraph]
    rows: list[TableRow]


Block = Union[Paragraph, Rule, Grid, Table]


@dataclass
class Part:
    """Pages numbered on their own: the document, then each appendix.
    Page 1 of a part carries no number."""

    blocks: list[Block] = field(default_factory=list)
    landscape: bool = False


@dataclass
class Metadata:
    title: str
    subject: str
    author: str
    keywords: list[str]
    created: str  # ISO date, fixed from the document so output is reproducible
    extra: dict = field(default_factory=dict)  # custom PDF metadata (archival copy)


@dataclass
class DocumentTree:
    parts: list[Part]
    meta: Metadata

    def paragraphs(self):
        """Every paragraph in reading order (grids row by row, left to right)."""
        def walk(blocks):
            for block in blocks:
                if isinstance(block, Paragraph):
                    yield block
                elif isinstance(block, Grid):
                    for row in block.rows:
                        for cell in row:
                            yield from walk(cell)
                elif isinstance(block, Table):
                    yield from block.header
                    for row in block.rows:
                        yield from row.cells
        for part in self.parts:
            yield from walk(part.blocks)
