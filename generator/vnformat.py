"""Vietnamese number, date and numbering conventions (nd30.md, "Numbers and words").

Pure functions; templates use them as Jinja filters, the composer for numbering.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from . import vnwords

LOCALE = "vi"

# Points (điểm) use the Vietnamese alphabet, which has no f, j, w, z.
POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"


def number(value, decimals: int | None = None) -> str:
    """``1250000`` → ``1.250.000``; ``101.8`` → ``101,8`` (Babel, locale vi).

    A Decimal keeps the decimals it was written with (``12,50`` prints ``12,50``):
    the figure is printed as the clerk wrote it."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if decimals is None and isinstance(value, Decimal) and value.is_finite():
        decimals = max(0, -int(value.as_tuple().exponent))
    if decimals is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
        return format_decimal(value, format=pattern, locale=LOCALE)
    return format_decimal(value, locale=LOCALE, decimal_quantization=False)


class NotANumber(ValueError):
    """A spelling that is not a number in Vietnamese notation; ``str`` says why
    and how to write it, in Vietnamese."""


# Vietnamese notation: "." groups thousands, "," marks decimals.
_GROUPED = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?")
_PLAIN = re.compile(r"\d+(?:,\d+)?")
# A dot that cannot group thousands (``31.5``, ``0.125``, ``1234.5``) can only be a
# decimal point: files written that way keep their meaning.
_DOT_DECIMAL = re.compile(r"\d+\.\d+")
# "1,250": the decimal comma of 1,25, or the English thousands comma of 1250.
_COMMA_THOUSANDS = re.compile(r"[1-9]\d{0,2},\d{3}")
# "1,250,000" and "1,250.5": English notation.
_ENGLISH = re.compile(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")


def parse_number(written) -> Decimal:
    """A number as the clerk wrote it (content-format.md, "Parsing rules").

    ``12.500`` → 12500, ``1.250.000,5`` → 1250000.5, ``12,5`` → 12.5, ``31.5`` → 31.5.
    The Decimal keeps the written decimals (``12,50`` → 12.50). Raises NotANumber
    for anything else, showing both readings of a truly ambiguous spelling."""
    if isinstance(written, bool):
        raise NotANumber(f"{written} không phải là số")
    if isinstance(written, int):
        return Decimal(written)
    if isinstance(written, float):
        return Decimal(repr(written))
    text = str(written).strip().replace("\u2212", "-")  # − (minus sign) as typed in Word
    sign = "-" if text.startswith("-") else ""
    body = text[1:] if text[:1] in "-+" else text
    if _GROUPED.fullmatch(body):
        return Decimal(sign + body.replace(".", "").replace(",", "."))
    if _COMMA_THOUSANDS.fullmatch(body):
        whole, part = body.split(",")
        decimal = f"{sign}{whole},{part.rstrip('0') or '0'}"
        thousands = number(Decimal(sign + whole + part))
        raise NotANumber(f"'{text}' có hai cách hiểu: {decimal} (dấu phẩy thập phân) hoặc "
                         f"{thousands} (dấu phẩy ngăn hàng nghìn); hãy viết {decimal} hoặc "
                         f"{thousands}")
    if _PLAIN.fullmatch(body):
        return Decimal(sign + body.replace(",", "."))
    if _DOT_DECIMAL.fullmatch(body):
        return Decimal(sign + body)
    if _ENGLISH.fullmatch(body):
        value = Decimal(sign + body.replace(",", ""))
        raise NotANumber(f"'{text}' viết theo kiểu Anh; theo cách viết Việt Nam (dấu chấm "
                         f"ngăn hàng nghìn, dấu phẩy thập phân) hãy viết {number(value)}")
    raise NotANumber(f"'{text}' không phải là số (viết theo kiểu Việt Nam: dấu chấm ngăn "
                     "hàng nghìn, dấu phẩy thập phân, ví dụ 12.500 hoặc 12,5)")


def is_whole(value) -> bool:
    return Decimal(value) == Decimal(value).to_integral_value()


def count(value, pad: bool = True) -> str:
    """A count in running text: ``2`` → ``02`` when padding is on (nd30 style)."""
    written_whole = not isinstance(value, Decimal) or (
        value.is_finite() and int(value.as_tuple().exponent) >= 0)
    if pad and written_whole and is_whole(value) and 0 <= Decimal(value) < 10:
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


def unit_words(unit: str) -> str:
    """A unit as read aloud after a number in words: ``%`` is "phần trăm"."""
    return "phần trăm" if unit.strip() == "%" else unit


def words(value, unit: str | None = None) -> str:
    """Number in words, first letter capitalised: ``Một trăm hai mươi lăm triệu``,
    with its unit when given (``bang_chu("đồng")``). A text is read in Vietnamese
    notation; a text that is no number is refused with the reason."""
    if isinstance(value, str):
        try:
            value = parse_number(value)
        except NotANumber:
            raise ValueError(f"'{value}' không phải là một số nên không đọc thành chữ được "
                             "(đọc thành chữ một mã chỉ tiêu, ví dụ CT01|bang_chu)") from None
    text = vnwords.words(value)
    text = text[:1].upper() + text[1:]
    return f"{text} {unit}" if unit else text


def money_words(value) -> str:
    """An amount of money in words, as a decision writes it: ``… triệu đồng``."""
    return words(value, "đồng")


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
