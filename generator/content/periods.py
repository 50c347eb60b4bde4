"""Periods (``giai_doan``): a plan or report covering years from–to, targets with a
value per year (``theo_nam``) beside the period's (``gia_tri``), and a report on a
period plan measured against one year's values or the whole period's.

A period is written ``giai_doan: 2021 - 2025`` (or ``{tu: 2021, den: 2025}``) and
prints "2021 - 2025", as the decree's examples write a span of years.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from decimal import Decimal

from .fields import Fields

_SPAN = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")
EXAMPLE = "giai_doan: 2021 - 2025 (hoặc giai_doan: {tu: 2021, den: 2025})"


@dataclass(frozen=True)
class Period:
    tu: int
    den: int

    def __str__(self) -> str:
        return f"{self.tu} - {self.den}"

    @property
    def nam(self) -> list[int]:
        return list(range(self.tu, self.den + 1))


def read(f: Fields) -> Period | None:
    raw = f.data.get("giai_doan")
    if raw is None:
        return None
    if isinstance(raw, dict):
        g = f.child("giai_doan")
        g.only({"tu", "den"})
        tu, den = g.integer("tu", required=True, minimum=1945), g.integer("den", required=True,
                                                                           minimum=1945)
    else:
        match = _SPAN.match(str(raw))
        if not match:
            f.error("giai_doan", f"'{raw}' không đúng dạng giai đoạn; viết {EXAMPLE}")
            return None
        tu, den = int(match.group(1)), int(match.group(2))
    if tu is None or den is None:
        return None
    if den <= tu:
        f.error("giai_doan", f"năm cuối ({den}) phải sau năm đầu ({tu}); viết {EXAMPLE}")
        return None
    return Period(tu, den)


# "giai đoạn 2021 - 2025" as a text writes it: any dash, any spacing, no-break spaces
# included (the composer ties a period in a title with them, ties.py).
NAMED = re.compile(r"(?i)(?<!\w)giai\s+đoạn\s*(\d{4})\s*[-–]\s*(\d{4})(?!\w)")


def in_subject(f: Fields, subject: str, period: Period) -> str:
    """The subject (trích yếu) as printed: a period document's title says its period.
    Written there already, it stays as written; absent, "giai đoạn 2021 - 2025" is
    added at the end; a subject that names only another period is an error (which
    of the two would the signer mean?)."""
    named = {(int(a), int(b)) for a, b in NAMED.findall(subject)}
    if (period.tu, period.den) in named:
        return subject
    if named:
        others = ", ".join(f"{a} - {b}" for a, b in sorted(named))
        f.error("trich_yeu", f"trích yếu nêu giai đoạn {others} nhưng giai_doan là {period}; "
                "sửa một trong hai cho khớp")
        return subject
    return f"{subject.rstrip()} giai đoạn {period}"


def by_year(t: Fields, period: Period | None) -> dict[int, Decimal]:
    """A target's ``theo_nam``: year → value, each year inside the period."""
    if not t.has("theo_nam"):
        return {}
    if period is None:
        t.error("theo_nam", "chỉ tiêu theo năm chỉ dùng được khi văn bản có giai_doan; "
                f"thêm {EXAMPLE}")
        return {}
    raw = t.data["theo_nam"]
    if not isinstance(raw, dict):
        t.error("theo_nam", "phải là bảng khóa năm → giá trị, ví dụ theo_nam: {2024: 80, 2025: 85}")
        return {}
    years = t.child("theo_nam")
    out = {}
    for year in raw:
        if not re.fullmatch(r"[0-9]{4}", str(year)):
            years.error(year, f"'{year}' không phải là một năm; viết năm bằng 4 chữ số, ví dụ "
                        f"theo_nam: {{{period.tu}: 80}}. Số thập phân như 12,5 thì đặt trong "
                        f'ngoặc kép: {{{period.tu}: "12,5"}}')
            continue
        if int(year) not in period.nam:
            years.error(year, f"năm {year} không thuộc giai đoạn {period}")
            continue
        value = years.number(year, required=True)
        if value is not None:
            out[int(year)] = value
    return out


def for_year(targets: list, year: int) -> list:
    """The targets as one year of the period measures them: a year's own value where
    the plan gives one (``theo_nam``), else the period's value."""
    return [dataclasses.replace(t, gia_tri=t.theo_nam.get(year, t.gia_tri),
                                chi_tiet=for_year(t.chi_tiet, year)) for t in targets]
