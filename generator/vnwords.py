"""Numbers in Vietnamese words, read the way a finance office writes an amount
"Bằng chữ": every group of three after the first says its hundreds ("không trăm"),
a lone unit after a zero ten is "linh", and a decimal part is read after "phẩy"
digit group by digit group, its leading zeros said ("không phẩy không năm").

num2words was used before and is not: its Vietnamese drops "không trăm"
(2.024 → "hai nghìn lẻ hai mươi bốn"), reads 12,5 as "mười hai phẩy năm mươi" and
10^15 as "một trăm nghìn tỷ". An amount in words is a legal fact on the page, so it
is spelled here by the rules below and checked against a table of readings in the
tests.
"""

from __future__ import annotations

from decimal import Decimal

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# Groups of three digits; past "tỷ" the names repeat ("nghìn tỷ", "triệu tỷ").
GROUPS = ("", "nghìn", "triệu")


def _units(tens: int, unit: int) -> str:
    if unit == 1 and tens >= 2:
        return "mốt"
    if unit == 5 and tens >= 1:
        return "lăm"
    return DIGITS[unit]


def _three(n: int, leading: bool) -> list[str]:
    """One group of three digits; ``leading`` for the group that opens the number
    (it says no "không trăm")."""
    hundreds, tens, unit = n // 100, n // 10 % 10, n % 10
    out: list[str] = []
    if hundreds or not leading:
        out += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if unit:
            out += (["linh"] if out else []) + [DIGITS[unit]]
        return out
    out += ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if unit:
        out.append(_units(tens, unit))
    return out


def _whole(n: int) -> list[str]:
    if n == 0:
        return ["không"]
    billions, rest = divmod(n, 10**9)
    out: list[str] = []
    if billions:
        out += _whole(billions) + ["tỷ"]
    groups = [rest // 10**6, rest // 10**3 % 1000, rest % 1000]
    for i, group in enumerate(groups):
        if group:
            out += _three(group, leading=not out)
            name = GROUPS[2 - i]
            if name:
                out.append(name)
    return out


def words(value) -> str:
    """``value`` (int, Decimal or its text) in lower-case Vietnamese words:
    1.250.000.000 → "một tỷ hai trăm năm mươi triệu", 12,5 → "mười hai phẩy năm"."""
    amount = Decimal(str(value))
    sign = ["âm"] if amount < 0 else []
    amount = abs(amount)
    whole = int(amount)
    out = sign + _whole(whole)
    text = format(amount, "f")
    if "." in text:
        fraction = text.split(".", 1)[1].rstrip("0")
        if fraction:
            zeros = len(fraction) - len(fraction.lstrip("0"))
            out += ["phẩy"] + ["không"] * zeros + _whole(int(fraction))
    return " ".join(out)
