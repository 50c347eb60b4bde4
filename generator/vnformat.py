"""Vietnamese number, date and numbering conventions (nd30.md, "Numbers and words").

Pure functions; templates use them as Jinja filters, the composer for numbering.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal
from num2words import num2words

LOCALE = "vi"

# Points (điểm) use the Vietnamese alphabet, which has no f, j, w, z.
POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"


def number(value, decimals: int | None = None) -> str:
    """``1250000`` → ``1.250.000``; ``101.8`` → ``101,8`` (Babel, locale vi)."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if decimals is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
        return format_decimal(value, format=pattern, locale=LOCALE)
    return format_decimal(value, locale=LOCALE, decimal_quantization=False)


def is_whole(value) -> bool:
    return Decimal(value) == Decimal(value).to_integral_value()


def count(value, pad: bool = True) -> str:
    """A count in running text: ``2`` → ``02`` when padding is on (nd30 style)."""
    if pad and is_whole(value) and 0 <= Decimal(value) < 10:
        return f"{int(value):02d}"
    return number(value)


def quantity(value, unit: str, pad: bool = True) -> str:
    """A target value with its unit: ``100%``, ``550 lượt người``, ``02 xã``."""
    if unit == "%":
        return f"{number(value)}%"
    return f"{count(value, pad)} {unit}".strip()


def day(d) -> str:
    """Day of month: a leading zero below 10 (``05``)."""
    return f"{d.day:02d}"


def month(d) -> str:
    """Month: a leading zero for January and February only (``01``, ``02``, ``3``)."""
    return f"{d.month:02d}" if d.month < 3 else str(d.month)


def doc_number(so: int) -> str:
    """Document number: below 10 takes a leading zero (``05``)."""
    return f"{so:02d}"


def words(value) -> str:
    """Number in words, first letter capitalised: ``Một trăm hai mươi lăm triệu``."""
    text = num2words(int(value), lang=LOCALE)
    return text[:1].upper() + text[1:]


def roman(n: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for val, sym in numerals:
        while n >= val:
            out += sym
            n -= val
    return out


def point_letter(n: int) -> str:
    """1 → a, 5 → đ, 23 → y; past y: aa, ab… (rare, but never crash)."""
    letters = POINT_LETTERS
    if n <= len(letters):
        return letters[n - 1]
    return point_letter((n - 1) // len(letters)) + letters[(n - 1) % len(letters)]
