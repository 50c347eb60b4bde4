"""Typed, line-aware access to the mappings of a content file.

Each accessor returns a clean value or ``None`` and records a Vietnamese problem
(file, line, field) instead of raising, so one pass reports every mistake of a file.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from . import suggest
from .. import vnformat
from ..errors import Collector
from ..model import ITEM_KINDS, Block, Heading, Item, Money
from .source import NumberText, Source
from ..limits import MAX_NUMBER

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

TYPE_NAMES = {
    str: "văn bản", int: "số nguyên", float: "số", bool: "true/false",
    list: "danh sách", dict: "bảng khóa (mapping)", type(None): "rỗng",
}


# A text read as a mapping or list began with "{" or "[": YAML's brackets.
QUOTE_HINT: dict[type, str] = {
    dict: "; văn bản bắt đầu bằng dấu { phải đặt trong dấu ngoặc kép, ví dụ "
          'cau: "{{ gia_tri }} người"',
    list: "; văn bản bắt đầu bằng dấu [ phải đặt trong dấu ngoặc kép",
}


def negative_message(written) -> str:
    return (f"{written} là số âm; chỉ tiêu và kết quả không được âm. Nếu chỉ tiêu này "
            "đúng là có thể âm (ví dụ mức tăng, giảm), thêm co_the_am: true vào chỉ tiêu")


def type_name(value: Any) -> str:
    return TYPE_NAMES.get(type(value), type(value).__name__)


# Characters that end a line in Word, LibreOffice or the PDF.
LINE_BREAKS = re.compile("[\n\r\u2028\u2029\x0b\x0c\x85]")
# A number or bullet typed by hand at the start of something the generator numbers.
HAND_NUMBER = re.compile(r"^(?:[IVXLC]+\.|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[-+•–])(?:\s|$)")


def line_problem(text: str, heading: bool = False) -> str | None:
    """Why ``text`` cannot be one printed line (in Vietnamese), or None."""
    if LINE_BREAKS.search(text):
        return ("phải viết trên một dòng: chỗ xuống dòng ở đây sẽ in thành một dòng mới "
                "của văn bản; nối lại thành một dòng (mỗi dòng một mục thì viết thành "
                "danh sách)")
    typed = HAND_NUMBER.match(text) if heading else None
    if typed:
        mark = typed.group(0).strip()
        return (f"bắt đầu bằng '{mark}' gõ tay; bộ sinh tự đánh số (I., 1., a)) và thêm "
                f"dấu đầu dòng (-, +), nên '{mark}' sẽ in hai lần; hãy bỏ '{mark}'")
    return None


def _item_kind_problem(item: dict) -> str:
    """What is wrong with a mapping in a block list that is neither a heading nor
    one item of a known kind (``{soo: …}``, ``{so: …, gach: …}``)."""
    kinds = [k for k in item if k in ITEM_KINDS]
    if len(kinds) > 1:
        return (f"một ý chỉ có một kiểu, ở đây có {', '.join(kinds)}; tách thành "
                f"{' và '.join('{' + k + ': …}' for k in kinds)}")
    unknown = next((str(k) for k in item if k not in ITEM_KINDS), "")
    return (f"không có kiểu ý '{unknown}'; các kiểu: {{doan: …}}, {{gach: …}}, {{cong: …}}, "
            "{so: …}, hoặc tiêu đề {tieu_de: …, noi_dung: […]}, hoặc khoản tiền "
            "{noi_dung: …, so_tien: …}." + suggest.hint(unknown, ITEM_KINDS))


class Fields:
    """One mapping of a :class:`Source`, at ``path``, read field by field."""

    def __init__(self, src: Source, col: Collector, path: tuple = (), data: Any = None):
        self.src, self.col, self.path = src, col, tuple(path)
        self.data = src.data if data is None and not path else data
        if not isinstance(self.data, dict):
            self.col.error(self.line(), self.name() or None,
                           f"phải là bảng khóa (mapping), không phải {type_name(self.data)}")
            self.data = {}

    # -- locating -----------------------------------------------------------------
    def name(self, *keys) -> str:
        parts = [str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in self.path + keys]
        return ".".join(parts).replace(".[", "[")

    def line(self, *keys) -> int | None:
        return self.src.line(self.path + keys)

    def error(self, key, message: str) -> None:
        keys = () if key is None else (key,)
        self.col.error(self.line(*keys), self.name(*keys), message)

    def warn(self, key, message: str) -> None:
        self.col.warn(self.line(key), self.name(key), message)

    def child(self, *keys) -> "Fields":
        data = self.data
        for k in keys:
            data = data[k]
        return Fields(self.src, self.col, self.path + keys, data)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def _get(self, key: str, required: bool):
        value = self.data.get(key)
        if value is None and required:
            if key in self.data:
                self.error(key, "không được để trống")
            else:
                self.col.error(self.line(), self.name(key), "thiếu trường bắt buộc")
        return value

    def only(self, allowed: set[str]) -> None:
        """Unknown keys are errors: a misspelt key would otherwise vanish silently."""
        for key in self.data:
            if key not in allowed:
                self.error(key, "trường không có trong định dạng nội dung "
                           "(kiểm tra chính tả tên trường)." + suggest.hint(key, allowed))

    # -- scalars ------------------------------------------------------------------
    def text(self, key: str, required: bool = False) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(key, f"phải là văn bản, không phải {type_name(value)}"
                       + QUOTE_HINT.get(type(value), ""))
            return None
        text = str(value).strip()
        if required and not text:
            self.error(key, "không được để trống")
            return None
        return text

    def one_line(self, key: str, required: bool = False, heading: bool = False) -> str | None:
        """A text printed as one line of its own (an authority line, a title, a
        recipient, a heading): a line break in it would print as a new line, a value
        becoming structure, so it is refused. A ``heading`` (or a list item) the
        generator numbers must not carry a number or bullet typed by hand ("II. ",
        "1. ", "a) ", "- "): it would print twice."""
        text = self.text(key, required)
        if text is None:
            return None
        problem = line_problem(text, heading)
        if problem:
            self.error(key, problem)
            return None
        return text

    def integer(self, key: str, required: bool = False, minimum: int | None = None,
                maximum: int = MAX_NUMBER - 1):
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, str) and not isinstance(value, NumberText) \
                and value.strip().isascii() and value.strip().isdigit():
            value = int(value)  # nam: "2025" means the year 2025
        elif isinstance(value, NumberText):
            # so: 1.025 is one thousand and twenty-five in Vietnamese notation.
            try:
                number = vnformat.parse_number(value)
            except vnformat.NotANumber:
                number = None
            if number is not None and number == number.to_integral_value():
                value = int(number)
        if isinstance(value, bool) or not isinstance(value, int):
            example = {"nam": 2025}.get(key, minimum or 1)
            self.error(key, f"{value!s} không phải là số nguyên (viết chữ số, ví dụ "
                       f"{key}: {example})")
            return None
        if minimum is not None and value < minimum:
            self.error(key, f"phải lớn hơn hoặc bằng {minimum}")
            return None
        if value > maximum:
            self.error(key, f"phải nhỏ hơn hoặc bằng {maximum}")
            return None
        return value

    def number(self, key: str, required: bool = False) -> Decimal | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.error(key, f"{value!s} không phải là số")
            return None
        try:
            # Vietnamese notation wherever a number is written: 12.500 is 12500.
            number = vnformat.parse_number(value)
        except vnformat.NotANumber as exc:
            self.error(key, str(exc))
            return None
        if not number.is_finite() or abs(number) >= MAX_NUMBER:
            self.error(key, f"{value!s} không dùng được: số phải nhỏ hơn 10^15 "
                       "(1.000.000.000.000.000)")
            return None
        return number

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self._get(key, required)
        if value is None:
            return None
        text = str(value)
        try:
            if not _DATE.match(text):
                raise ValueError
            return dt.date.fromisoformat(text)
        except ValueError:
            self.error(key, f"{text} không phải là ngày hợp lệ (viết theo dạng NNNN-TT-NN, "
                       "ví dụ 2023-01-04)")
            return None

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(key, f"phải là true hoặc false, không phải {value!s}")
            return default
        return value

    # -- lists --------------------------------------------------------------------
    def text_list(self, key, required: bool = False, pairs: bool = False,
                  blanks: bool = False, one_line: bool = False) -> list[str]:
        """A list of strings, or one string standing for a one-item list. An empty
        item is an error (``noi_nhan: [""]`` would print "- ."), except where
        ``blanks`` allows it (a table's empty cell).

        With ``pairs``, an item written ``- Lưu: VT, VX`` (which YAML reads as a
        one-key mapping) is taken back as the text the clerk meant."""
        value = self._get(key, required)
        if value is None:
            return []
        if isinstance(value, str):
            if not blanks and not value.strip():
                self.error(key, "không được để trống")
                return []
            if one_line and (problem := line_problem(value)):
                self.error(key, problem)
                return []
            return [value.strip()]
        if not isinstance(value, list):
            self.error(key, f"phải là danh sách văn bản, không phải {type_name(value)}")
            return []
        out = []
        for i, item in enumerate(value):
            if pairs and isinstance(item, dict) and len(item) == 1:
                (k, v), = item.items()
                if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                    item = f"{k}: {v}"
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                self.col.error(self.line(key, i), self.name(key, i),
                               f"phải là văn bản, không phải {type_name(item)}")
            elif not blanks and not str(item).strip():
                self.col.error(self.line(key, i), self.name(key, i),
                               "mục rỗng; hãy ghi nội dung hoặc xóa dòng này")
                required = False  # said on the item itself
            elif one_line and (problem := line_problem(str(item))):
                self.col.error(self.line(key, i), self.name(key, i), problem)
                required = False
            else:
                out.append(str(item).strip())
        if required and not out:
            self.error(key, "không được để trống")
        return out

    def money(self, top: bool = True) -> Money | None:
        """A sum of money in a block list (``{noi_dung, so_tien}``, kinh_phi's figures),
        with its parts (``chi_tiet``), which must add up to it when they share its unit."""
        self.only({"noi_dung", "so_tien", "don_vi", "bang_chu", "chi_tiet"})
        label = self.one_line("noi_dung", required=True, heading=not top)
        amount = self.number("so_tien", required=True)
        unit = self.text("don_vi") or "đồng"
        if amount is not None and amount < 0:
            self.error("so_tien", f"{vnformat.number(amount)} là số âm; số tiền phải từ 0 trở lên")
            amount = None
        parts = [p.money(top=False) for p in self.mappings("chi_tiet")]
        known = [p for p in parts if p is not None]
        if amount is not None and known and len(known) == len(parts) \
                and all(p.don_vi == unit for p in known):
            total = sum((p.so_tien for p in known), Decimal(0))
            if total != amount:
                self.error("so_tien", f"{vnformat.quantity(amount, unit, pad=False)} khác tổng "
                           f"các khoản chi_tiet ({vnformat.quantity(total, unit, pad=False)}); "
                           "sửa cho khớp")
        if label is None or amount is None:
            return None
        return Money(label.rstrip(":").rstrip(), amount, unit,
                     self.boolean("bang_chu", default=top), known)

    def mappings(self, key: str, required: bool = False) -> list["Fields"]:
        value = self._get(key, required)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(key, f"phải là danh sách, không phải {type_name(value)}")
            return []
        return [self.child(key, i) for i in range(len(value))]

    def blocks(self, key: str, required: bool = False) -> list[Block]:
        """A block list: strings and ``{tieu_de, noi_dung}`` headings, or one string."""
        value = self._get(key, required)
        if value is None:
            return []
        return self._blocks(value, (key,))

    def _blocks(self, value, keys: tuple) -> list[Block]:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return [str(value).strip()]
        if not isinstance(value, list):
            self.col.error(self.line(*keys), self.name(*keys),
                           "phải là một đoạn văn bản hoặc danh sách các đoạn")
            return []
        out: list[Block] = []
        for i, item in enumerate(value):
            where = keys + (i,)
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                out.append(str(item).strip())
            elif isinstance(item, dict) and len(item) == 1 and next(iter(item)) in ITEM_KINDS:
                kind = next(iter(item))
                # A "- ", "+ " or numbered item gets its mark from the generator.
                item_fields = self.child(*where)
                text = item_fields.text(kind, required=True) if kind == "doan" \
                    else item_fields.one_line(kind, required=True, heading=True)
                if text is not None:
                    out.append(Item(kind, text))
            elif isinstance(item, dict) and "so_tien" in item:
                figure = self.child(*where).money()
                if figure is not None:
                    out.append(figure)
            elif isinstance(item, dict) and "tieu_de" not in item \
                    and "noi_dung" not in item:
                self.col.error(self.line(*where), self.name(*where), _item_kind_problem(item))
            elif isinstance(item, dict):
                sub = self.child(*where)
                sub.only({"tieu_de", "noi_dung"})
                title = sub.one_line("tieu_de", required=True, heading=True)
                body = sub._blocks(item["noi_dung"], ("noi_dung",)) \
                    if item.get("noi_dung") is not None else []
                if title is not None:
                    out.append(Heading(title, body))
            else:
                self.col.error(self.line(*where), self.name(*where),
                               "mỗi mục phải là một đoạn văn bản, "
                               "{tieu_de: …, noi_dung: […]}, một khoản tiền "
                               "{noi_dung: …, so_tien: …} hoặc một ý có kiểu: "
                               "{doan: …}, {gach: …}, {cong: …}, {so: …}")
        return out
