"""How a data table is laid out: its column widths and each cell's alignment.

Widths are measured with the shipped font (the same advance widths as Times New
Roman), so a column is never narrower than the longest word it holds: neither
Word, LibreOffice nor the PDF then has to break a word (``ST``/``T``,
``01/KH-``/``UBND``). Short phrases (``Kế hoạch``, ``Không đạt``) are kept on one
line when the text width allows it. Both renderers take these widths as they are.
"""

from __future__ import annotations

import re

from .. import style
from ..fonts import text_width_mm

# A little room beyond the measured width: Word and LibreOffice round widths to
# twentieths of a point, and a word exactly as wide as its cell may still break.
SLACK_MM = 0.6
# Cells of at most this many words are phrases a reader expects on one line
# (a unit, a figure, an evaluation); longer ones may wrap.
PHRASE_WORDS = 2
# A header of at most this many words is kept on one line when there is room.
HEADER_PHRASE_WORDS = 2
# The ordinal of a row: 1, 9.1, IV, a).
_ORDINAL = re.compile(r"^(\d+(\.\d+)*|[IVXLC]+|[a-zđ]\))\.?$")
_NUMERIC = re.compile(r"^[-+]?[\d.,]+%?$|^-$")
# A cell's alignment, named by the content format (``can``), as a role of style.ROLES.
ALIGN_ROLES = {"trai": "bang-o", "giua": "bang-giua", "phai": "bang-so"}


def _width(text: str, role: str) -> float:
    st = style.ROLES[role]
    return text_width_mm(text, st.size, st.bold, st.italic)


def _words(text: str) -> list[str]:
    # Split at breakable spaces only: a no-break space joins two words into one.
    return [w for w in re.split(r"[ \t\n]+", str(text)) if w]


def _longest_word(texts, role: str) -> float:
    return max((_width(w, role) for t in texts for w in _words(t)), default=0.0)


def _pad(width: float) -> float:
    return width + 2 * style.TABLE_CELL_PADDING_MM + SLACK_MM


def minimum_widths(header: list[str], rows: list[list[str]]) -> list[float]:
    """Per column, the width under which a word of the header or a cell breaks."""
    return [_pad(max(_longest_word([h], "bang-dau"), _longest_word(col, "bang-o")))
            for h, col in zip(header, _columns(header, rows))]


def preferred_widths(header: list[str], rows: list[list[str]]) -> list[float]:
    """Per column, the width that also keeps short phrases whole: a header of a
    few words, and every cell of a column whose cells are all short."""
    out = []
    for h, col, least in zip(header, _columns(header, rows),
                             minimum_widths(header, rows)):
        wanted = [_width(h, "bang-dau")] if len(_words(h)) <= HEADER_PHRASE_WORDS else []
        if col and all(len(_words(c)) <= PHRASE_WORDS for c in col):
            wanted += [_width(c, "bang-o") for c in col]
        out.append(max([least] + [_pad(w) for w in wanted]))
    return out


def _columns(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    full = [r for r in rows if len(r) == len(header)]
    return [[str(r[i]) for r in full if str(r[i]).strip()] for i in range(len(header))]


def _content_shares(header: list[str], rows: list[list[str]]) -> list[float]:
    """Without given proportions: a share by the longest word and the typical
    length of each column, so a short column (STT, Đơn vị) stays narrow."""
    shares = []
    for h, col in zip(header, _columns(header, rows)):
        cells = [h] + col
        longest_word = max((len(w) for c in cells for w in _words(c)), default=1)
        longest_cell = max((len(c) for c in cells), default=1)
        shares.append(max(longest_word, min(longest_cell, 40) ** 0.5 * 4, 3))
    return shares


def column_widths(header: list[str], rows: list[list[str]], total_mm: float,
                  shares: list[float] | None = None) -> list[float]:
    """Widths summing to ``total_mm``: the given (or content) proportions, with
    every column raised to its preferred width, or, when those do not all fit,
    to its minimum width; the wide text columns give up the difference."""
    if not header:
        return []
    shares = list(shares) if shares else _content_shares(header, rows)
    floors = preferred_widths(header, rows)
    if sum(floors) > total_mm:
        floors = minimum_widths(header, rows)
    if sum(floors) > total_mm:  # even the words do not fit (a web address, a
        # 200-letter word): the columns of short words keep their width, those
        # with the longest words share the rest, where the PDF breaks them inside
        return _shared_rest(floors, total_mm)
    fixed: dict[int, float] = {}
    while True:
        free = [i for i in range(len(header)) if i not in fixed]
        room = total_mm - sum(fixed.values())
        scale = room / sum(shares[i] for i in free)
        short = [i for i in free if shares[i] * scale < floors[i]]
        if not short:
            widths = [fixed.get(i, shares[i] * scale) for i in range(len(header))]
            return widths
        for i in short:
            fixed[i] = floors[i]


def _shared_rest(floors: list[float], total_mm: float) -> list[float]:
    """Each column its floor, but none wider than the cap at which they sum to
    ``total_mm`` (the widest floors are cut down to the same width)."""
    room, cap = total_mm, None
    ordered = sorted(floors)
    for index, floor in enumerate(ordered):
        left = len(ordered) - index
        if floor * left > room:
            cap = room / left
            break
        room -= floor
    return [min(f, cap) if cap is not None else f for f in floors]


def cell_role(column: int, values: list[str], text: str, align: str | None) -> str:
    """The role of a body cell: the alignment the table asks for; otherwise an
    ordinal in the first column (STT) centred, a figure right-aligned, text left."""
    if align in ALIGN_ROLES:
        return ALIGN_ROLES[align]
    if column == 0 and values and all(_ORDINAL.match(v.strip()) for v in values if v.strip()):
        return "bang-giua"
    return "bang-so" if _NUMERIC.match(text.strip()) else "bang-o"
