"""Typesetting of the header's agency name and date line, by rule.

The agency column is 65 mm and the date column 100 mm (``style.HEADER_COLUMNS_MM``);
3,321 commune names must fit them. A line the clerk wrote that fits is printed as
written. One that does not is broken at natural points: between the unit kind
and its name (``ỦY BAN NHÂN DÂN PHƯỜNG`` / ``TRƯƠNG QUANG TRỌNG``) or after the
`` -`` of a compound name (``PHƯỜNG VĂN MIẾU -`` / ``QUỐC TỬ GIÁM``; the dash stays
at the end of the line so no line reads as a list item), never leaving a word
alone on a line, and the lines are balanced. The date line takes the decree's
lower size, then breaks only after the place name's comma. Sizes stay inside
the decree's ranges (agency 12–13 pt, date 13–14 pt).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from .. import style
from ..fonts import text_width_mm
from . import ties

# Unit kinds that open a unit's name: "xã", "phường", "đặc khu" since 1 July 2025, and
# the kinds of the time before it, which older documents keep.
KINDS = ("ĐẶC KHU", "THỊ TRẤN", "THÀNH PHỐ", "THỊ XÃ", "PHƯỜNG", "XÃ", "TỈNH", "HUYỆN",
         "QUẬN")
# What a break costs: the fewer and the more natural the breaks, the better.
COST_KIND = 1  # between the unit kind and its name
COST_DASH = 1  # after the " -" of a compound name
COST_WORD = 5  # anywhere else between two words
COST_JOIN = 2  # a line break the clerk wrote, not kept
COST_LONE = 20  # a line of a single word, made by us
MAX_EXTRA_BREAKS = 3

_BREAKABLE = re.compile(r"[ \t]+")  # a no-break space joins; it is no break


@dataclass(frozen=True)
class Lines:
    lines: list[str]
    role: str  # a key of style.ROLES, carrying the size


def _width(text: str, role: str) -> float:
    st = style.ROLES[role]
    return text_width_mm(text, st.size, st.bold, st.italic)


def _fits(line: str, role: str, width_mm: float) -> bool:
    return _width(line, role) <= width_mm


def agency(lines: list[str], width_mm: float, roles=("co-quan", "co-quan-hep")) -> Lines:
    """The agency name's lines (as printed, upper case) for a column ``width_mm``
    wide: as written when they fit, else broken by rule at the default size; the
    lower size only when no breaking fits."""
    for role in roles:
        if all(_fits(line, role, width_mm) for line in lines):
            return Lines(list(lines), role)
        best = _best_breaking(lines, role, width_mm)
        if best is not None:
            return Lines(best, role)
    return Lines(list(lines), roles[-1])  # a single word wider than the column


def _best_breaking(lines: list[str], role: str, width_mm: float) -> list[str] | None:
    words, gaps = _tokens(lines)
    clerk = {i for i, (kind, _) in enumerate(gaps) if kind == "clerk"}
    best, best_key = None, None
    candidates = range(len(gaps))
    for extra in range(0, MAX_EXTRA_BREAKS + 1):
        for added in itertools.combinations([i for i in candidates if i not in clerk], extra):
            for dropped in _subsets(clerk):
                breaks = (clerk - dropped) | set(added)
                result = _join(words, breaks)
                if not all(_fits(line, role, width_mm) for line in result):
                    continue
                cost = sum(gaps[i][1] for i in added) + COST_JOIN * len(dropped)
                cost += COST_LONE * sum(1 for line in result
                                        if line not in lines and len(line.split(" ")) == 1)
                widths = [_width(line, role) for line in result]
                key = (cost, len(result), max(widths) - min(widths))
                if best_key is None or key < best_key:
                    best, best_key = result, key
    return best


def _subsets(items: set[int]):
    ordered = sorted(items)
    for n in range(len(ordered) + 1):
        yield from (set(c) for c in itertools.combinations(ordered, n))


def _tokens(lines: list[str]) -> tuple[list[str], list[tuple[str, int]]]:
    """The words of all lines and, for each gap between two words, what kind of
    break it would be and its cost."""
    words: list[str] = []
    gaps: list[tuple[str, int]] = []
    for line in lines:
        parts = [w for w in _BREAKABLE.split(line.strip()) if w]
        kind_words = _kind_length(parts)
        for i, word in enumerate(parts):
            if words:
                if i == 0:
                    gaps.append(("clerk", 0))
                elif i == kind_words:
                    gaps.append(("kind", COST_KIND))
                elif parts[i - 1].endswith("-"):
                    gaps.append(("dash", COST_DASH))
                else:
                    gaps.append(("word", COST_WORD))
            words.append(word)
    return words, gaps


def _kind_length(parts: list[str]) -> int:
    """How many words of ``parts`` are the unit kind it starts with (0 if none)."""
    head = " ".join(parts).upper()
    for kind in KINDS:
        if head.startswith(kind + " ") or head.startswith(kind + "\u00a0"):
            return len(kind.split())
    return 0


def _join(words: list[str], breaks: set[int]) -> list[str]:
    lines, current = [], [words[0]]
    for i, word in enumerate(words[1:]):
        if i in breaks:
            lines.append(" ".join(current))
            current = []
        current.append(word)
    lines.append(" ".join(current))
    return lines


def date(text: str, width_mm: float, roles=("ngay", "ngay-hep")) -> Lines:
    """The place-and-date line: on one line at the default size, else at the lower
    size, else in two lines broken after the place name's comma (at the larger
    size both lines fit), so the date itself is never split."""
    for role in roles:
        if _fits(text, role, width_mm):
            return Lines([text], role)
    place, comma, rest = text.partition(", ")
    if not comma:
        return Lines([text], roles[-1])
    pieces = [place + ",", rest]
    for role in roles:
        if all(_fits(p, role, width_mm) for p in pieces):
            return Lines(pieces, role)
    return Lines(pieces, roles[-1])


def kinh_gui_columns(label: str, items: list[str], total_mm: float,
                     role: str = "kinh-gui-noi") -> tuple[float, float]:
    """The two columns of a Kính gửi list (Mẫu 1.4): ``Kính gửi:`` and a space,
    then the recipients as wide as the widest; the block is centred, so a short
    list stands under the subject and a long one fills the text width."""
    first = _width(label + " ", role)
    rest = max((_width(item, role) for item in items), default=0.0) + 0.6
    return first, min(rest, total_mm - first)


def title(text: str, role: str, width_mm: float = style.TEXT_WIDTH_MM) -> str:
    """A centred title (trích yếu, appendix title) with its tied spans (a period
    "giai đoạn 2026 - 2030", ties.py) whole on one line. A line break may still fall
    after the span's dash, which Word and LibreOffice allow before a no-break space;
    so where filling the lines would reach into a span, the line is broken before
    it, by an explicit break, the same in both outputs. Other titles are unchanged."""
    words = text.split(" ")
    if not any(ties.is_tied_period(word) for word in words):
        return text
    out: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if line and not _fits(candidate, role, width_mm):
            if ties.is_tied_period(word):
                out.append(line + "\n")
            else:
                out.append(line + " ")
            line = word
        else:
            line = candidate
    return "".join(out) + line
