"""Target sentences (``cau``): clerk-written Jinja strings, run in a sandbox.

A ``cau`` may compute with other targets (``{{ CT01 + CT02 }}``) so the sentence
stays right when a number changes. It is untrusted text, so it runs in the limited
sandbox of sandbox.py: no attribute starting with ``_``, no Python internals, limits
on size, loops and time, and an unknown name is an error rather than an empty string.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from decimal import Decimal

from jinja2 import StrictUndefined, TemplateError, UndefinedError
from jinja2.sandbox import SecurityError

from . import suggest
from .. import vnformat
from ..limits import MAX_NUMBER
from ..model import Target
from ..sandbox import LimitedSandbox, TemplateLimit


class SentenceProblem(Exception):
    """A sentence that asks for something its target does not have; ``str`` says
    what, in Vietnamese."""


class ByYear(dict):
    """``gia_tri_nam``: a target's values by year, read one year at a time
    (``gia_tri_nam[2026]``). Printed whole it would put a Python dict on the page."""

    def __str__(self) -> str:
        raise SentenceProblem("gia_tri_nam là các giá trị theo năm; viết gia_tri_nam[năm], "
                              f"ví dụ gia_tri_nam[{next(iter(self), 2026)}]")

    def __missing__(self, year):
        years = ", ".join(str(y) for y in self) or "không có năm nào (thêm theo_nam)"
        raise SentenceProblem(f"gia_tri_nam không có năm {year}; các năm có giá trị trong "
                              f"theo_nam: {years}")


@lru_cache(maxsize=2)
def _environment(pad: bool) -> LimitedSandbox:
    def finalize(value):
        # Numbers computed in a sentence print the Vietnamese way (1.250.000, 02).
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            if not abs(value) < MAX_NUMBER:  # also catches inf and nan
                raise TemplateLimit(f"số tính ra quá lớn (từ 10^15 trở lên): {value:.3g}")
            return vnformat.count(value, pad)
        return value

    env = LimitedSandbox(undefined=StrictUndefined, finalize=finalize,
                               autoescape=False, keep_trailing_newline=False)
    env.filters.update(so=vnformat.number, bang_chu=vnformat.words,
                       tien_bang_chu=vnformat.money_words)
    return env


@lru_cache(maxsize=1024)
def _compiled(env: LimitedSandbox, source: str):
    """Each distinct sentence compiled once per process: the rows of a batch (and a
    report's plan) share their sentences, and compiling costs more than rendering."""
    return env.from_string(source)


def default_sentence() -> str:
    return "{{ ten }}: {{ gia_tri }}."


def _all(chi_tieu: list[Target]):
    for target in chi_tieu:
        yield from target.all()


def _values(chi_tieu: list[Target]) -> dict:
    values = {}
    for target in _all(chi_tieu):
        value = target.gia_tri
        values[target.ma] = int(value) if vnformat.is_whole(value) else value
    return values


def render_sentences(chi_tieu: list[Target], pad: bool, f, variables=None) -> None:
    """Fill ``target.cau`` with its rendered sentence; problems go to ``f``.
    ``variables`` are a batch row's columns (``{{ ten_xa }}``)."""
    env = _environment(pad)
    codes = {**(variables or {}), **_values(chi_tieu)}
    units = {t.ma: t.don_vi for t in _all(chi_tieu)}
    for target in _all(chi_tieu):
        problem = _not_money(target.cau or "", units)
        if problem:
            f.col.error(target.cau_line, f"chi_tieu.{target.ma}.cau", problem)
            target.cau = ""
            continue
        target.cau = render_one(env, target, codes, pad, f)


_IN_MONEY_WORDS = re.compile(r"\b(\w+)\s*\|\s*tien_bang_chu\b")


def _not_money(source: str, units: dict) -> str | None:
    """``{{ CT01|tien_bang_chu }}`` says "… đồng": on a target counted in %, people
    or communes it would print a sum of money the plan never set, and on one in
    "triệu đồng" a sum a million times too small."""
    for code in _IN_MONEY_WORDS.findall(source):
        unit = units.get(code)
        if unit is not None and unit.strip() != "đồng":
            return (f"{code} có đơn vị '{unit}', không phải đồng, nên {code}|tien_bang_chu "
                    f"sẽ in sai thành '… đồng'; đọc thành chữ theo đơn vị của nó: "
                    "{{ gia_tri_bang_chu }} (chỉ tiêu này) hoặc {{ " + code + "|bang_chu }}")
    return None


def render_one(env, target: Target, codes: dict, pad: bool, f) -> str:
    source = target.cau or default_sentence()
    context = dict(codes, chi_tieu=codes, ten=target.ten, don_vi=target.don_vi,
                   gia_tri=vnformat.quantity(target.gia_tri, target.don_vi, pad),
                   gia_tri_bang_chu=vnformat.words(target.gia_tri, vnformat.unit_words(
                       target.don_vi)),
                   gia_tri_nam=ByYear({year: vnformat.quantity(value, target.don_vi, pad)
                                       for year, value in target.theo_nam.items()}))
    try:
        text = env.render(_compiled(env, source), context)
    except TemplateLimit as exc:
        message = f"mẫu câu vượt giới hạn: {exc.message}"
    except SecurityError as exc:
        message = f"mẫu câu không được phép truy cập thành phần nội bộ ({exc})"
    except UndefinedError as exc:
        said = exc.message or ""
        name = said.split("'")[1] if said.count("'") >= 2 else said
        message = f"mẫu câu dùng tên không có: '{name}'; chỉ dùng gia_tri, ten, don_vi và " \
                  "mã các chỉ tiêu." + suggest.hint(name, [k for k in context
                                                          if k != "chi_tieu"])
    except TemplateError as exc:
        message = f"mẫu câu có lỗi cú pháp Jinja: {exc.message}"
    except SentenceProblem as exc:
        message = f"mẫu câu: {exc}"
    except Exception as exc:  # noqa: BLE001 - any failure of a sentence is the clerk's to fix
        message = f"mẫu câu tính toán không được ({type(exc).__name__}: {exc})"
    else:
        return unicodedata.normalize("NFC", text.strip())
    f.col.error(target.cau_line, f"chi_tieu.{target.ma}.cau", message)
    return ""
