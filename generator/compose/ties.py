"""No-break spaces where a line break would separate what a reader reads as one:
a number and its unit (``120 ha``, ``550 lượt người``) and a common abbreviation
and the name it heads (``UBND xã``, ``TP. Hạ Long``). The space still prints as a
space; Word, LibreOffice and the PDF just never break the line there.
"""

from __future__ import annotations

import re

from ..content import periods

NBSP = "\u00a0"
# Units of measure and counted things that follow a figure in plans and reports.
UNITS = ("ha", "km", "km2", "km²", "m", "m2", "m²", "m3", "m³", "kg", "tấn", "lít",
         "đồng", "nghìn", "triệu", "tỷ", "USD", "lượt", "người", "hộ", "xã", "phường",
         "đặc khu", "mô hình", "cơ sở", "lớp", "buổi", "bài", "tin", "đợt", "cuộc", "%")
# Abbreviations that head a name (Phụ lục III): never at the end of a line.
ABBREVIATIONS = ("UBND", "HĐND", "TP.", "TT.", "Tp.")

_NUMBER = r"\d+(?:[.,]\d+)*"
_UNIT = re.compile(rf"(?<![\w.,])({_NUMBER}) (?=(?:{'|'.join(map(re.escape, UNITS))})(?!\w))")
_ABBREVIATION = re.compile(
    rf"(?<!\w)({'|'.join(re.escape(a) for a in ABBREVIATIONS)}) (?=\w)")


# In a title or heading, a period ("giai đoạn 2026 - 2030") is one thing to the
# reader: never "giai / đoạn 2026 - 2030" nor "giai đoạn 2026 - / 2030". (Body text
# keeps its breaks; so does "năm 2025", which would change the existing documents.)
TITLE_ROLES = ("trich-yeu", "muc", "khoan", "phu-luc-ten")
_SPACES = re.compile(r"\s+")


def tie_title(text: str) -> str:
    """``text`` of a title with its periods (``periods.NAMED``) kept on one line."""
    return periods.NAMED.sub(lambda m: _SPACES.sub(NBSP, m.group(0)), text)


def is_tied_period(word: str) -> bool:
    """Whether a word (text between breakable spaces) holds a whole tied period."""
    return periods.NAMED.search(word) is not None


def tie(text: str) -> str:
    """``text`` with no-break spaces after a figure before its unit and after an
    abbreviation before the name."""
    text = _UNIT.sub(lambda m: m.group(1) + NBSP, text)
    return _ABBREVIATION.sub(lambda m: m.group(1) + NBSP, text)
