"""Writing ``so:`` and ``ngay:`` into a content file, and nothing else.

The clerk's file is a legal record of what was signed: numbering may add or fill
two top-level lines and must leave every other byte as it was — comments, quotes,
indentation, line endings (CRLF stays CRLF), a byte-order mark. The edit is
planned on the text, then proven: the edited text is parsed again and must mean
exactly the old content plus the two values. If that cannot be done safely the
edit is refused, and the caller refuses *before* taking a number.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from ruamel.yaml.comments import CommentedMap

from ..content.source import _yaml

BOM = b"\xef\xbb\xbf"
KEYS = ("so", "ngay")


class UnsafeEdit(Exception):
    """The file's shape does not allow a provably surgical edit (Vietnamese message)."""


@dataclass
class Plan:
    """How ``so``/``ngay`` go into one file: kept bytes and where the lines go."""
    bom: bool
    lines: list[str]           # the text split after each "\n" (endings kept)
    replace: dict[str, int]    # key -> index of its existing top-level line
    insert_at: int             # index before which missing lines go
    indent: str                # the top-level keys' indentation
    newline: str               # "\r\n" or "\n", as the file writes it
    original: dict             # what the file means, for the proof


def _plain(node):
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _split(text: str) -> list[str]:
    # Only "\n" ends a line here (a "\r" stays with its line, so CRLF survives);
    # str.splitlines would also split on U+2028, which YAML treats as text.
    return text.split("\n")


def _decode(raw: bytes) -> tuple[bool, str]:
    bom = raw.startswith(BOM)
    try:
        return bom, raw[len(BOM) if bom else 0:].decode("utf-8")
    except UnicodeDecodeError:
        raise UnsafeEdit("tệp không phải mã UTF-8; hãy lưu lại với mã UTF-8") from None


def _parse(text: str):
    try:
        return _yaml().load(text)
    except Exception as exc:  # noqa: BLE001 - check has already read it; be safe
        raise UnsafeEdit(f"không đọc lại được tệp ({exc.__class__.__name__})") from None


_VALUE_LINE = {
    # key: value ... # comment — the value must be empty/null (so) or a date (ngay)
    "so": re.compile(r"^(?P<head>[ ]*so[ ]*:)(?P<gap>[ ]*)(?P<value>null|Null|NULL|~)?"
                     r"(?P<tail>[ ]+#.*|[ ]*)(?P<cr>\r?)$"),
    "ngay": re.compile(r"^(?P<head>[ ]*ngay[ ]*:)(?P<gap>[ ]*)"
                       r"(?P<value>null|Null|NULL|~|\d{4}-\d{2}-\d{2}|\"\d{4}-\d{2}-\d{2}\"|"
                       r"'\d{4}-\d{2}-\d{2}')?(?P<tail>[ ]+#.*|[ ]*)(?P<cr>\r?)$"),
}


def _locate(raw: bytes):
    """(bom, text lines, top-level key -> line index, indent, parsed data)."""
    bom, text = _decode(raw)
    data = _parse(text)
    if not isinstance(data, CommentedMap):
        raise UnsafeEdit("tệp không phải là một danh sách trường (khóa: giá trị)")
    if data.fa.flow_style():
        raise UnsafeEdit("cả tệp viết trong một cặp ngoặc { }; hãy viết mỗi trường một dòng")
    lines = _split(text)
    keys = list(data.keys())
    if not keys:
        raise UnsafeEdit("tệp không có trường nào")
    line_of = {str(k): data.lc.key(k)[0] for k in keys}
    columns = {data.lc.key(k)[1] for k in keys}
    if len(columns) != 1:
        raise UnsafeEdit("các trường cấp ngoài cùng không thẳng cột")
    indent = " " * columns.pop()
    for key, index in line_of.items():
        if index >= len(lines) or not lines[index].startswith(indent + key):
            raise UnsafeEdit(f"không xác định được dòng của trường {key}")
    return bom, lines, line_of, indent, data


def plan(raw: bytes) -> Plan:
    """Where ``so:`` and ``ngay:`` would go, or UnsafeEdit."""
    bom, lines, line_of, indent, data = _locate(raw)
    replace = {}
    for key in KEYS:
        if key in line_of:
            index = line_of[key]
            if not _VALUE_LINE[key].match(lines[index]):
                raise UnsafeEdit(f"dòng {index + 1}: trường {key} viết theo dạng không sửa "
                                 f"an toàn được; hãy xóa dòng {key}: rồi chạy lại")
            replace[key] = index
    # New lines go right before the top-level key that follows ``nam`` (or ``loai``,
    # or ``dua_tren``): between two keys, never inside a value.
    order = sorted(line_of.values())
    anchor = next((line_of[k] for k in ("nam", "loai", "dua_tren") if k in line_of), None)
    later = [i for i in order if anchor is not None and i > anchor]
    insert_at = later[0] if later else order[0]
    # Blank lines and comments directly above the next key belong to that key:
    # go above them, right under the anchor.
    while (later and insert_at - 1 > anchor
           and (not lines[insert_at - 1].strip() or lines[insert_at - 1].strip().startswith("#"))):
        insert_at -= 1
    crlf = sum(1 for line in lines[:-1] if line.endswith("\r"))
    newline = "\r\n" if crlf and crlf * 2 >= len(lines) - 1 else "\n"
    return Plan(bom, lines, replace, insert_at, indent, newline, _plain(data))


def _line(plan_: Plan, key: str, value: str) -> str:
    index = plan_.replace.get(key)
    if index is None:
        return f"{plan_.indent}{key}: {value}"
    m = _VALUE_LINE[key].match(plan_.lines[index])
    assert m is not None  # plan() matched this very line
    line = f"{m['head']} {value}"
    comment = m["tail"].lstrip(" ")
    if comment:  # the comment stays in its column when the value fits before it
        column = m.start("tail") + len(m["tail"]) - len(comment)
        line = line.ljust(column - 1) + " " + comment
    return line + m["cr"]


def apply(plan_: Plan, number: int, date: dt.date) -> bytes:
    """The file's bytes with ``so``/``ngay`` set; proven, or UnsafeEdit."""
    values = {"so": str(number), "ngay": date.isoformat()}
    lines = list(plan_.lines)
    for key, index in plan_.replace.items():
        lines[index] = _line(plan_, key, values[key])
    missing = [_line(plan_, k, values[k]) + plan_.newline for k in KEYS
               if k not in plan_.replace]
    if missing:
        # Every line but the last ends with "\n" once joined; a missing line is
        # its own full line ending with the file's newline.
        before, after = lines[:plan_.insert_at], lines[plan_.insert_at:]
        text = "".join(line + "\n" for line in before) + "".join(missing) + "\n".join(after)
    else:
        text = "\n".join(lines)
    edited = (BOM if plan_.bom else b"") + text.encode("utf-8")
    expected = dict(plan_.original)
    expected["so"], expected["ngay"] = number, date.isoformat()
    got = _plain(_parse(text))
    if got != expected or [k for k in got if k not in KEYS] != \
            [k for k in plan_.original if k not in KEYS]:
        raise UnsafeEdit("ghi so: và ngay: vào tệp sẽ làm đổi nội dung khác; hãy tự thêm "
                         "hai dòng trống 'so:' và 'ngay:' ngay dưới dòng nam: rồi chạy lại")
    return edited


def content_hash(raw: bytes) -> str:
    """The document's identity apart from its number and date: the file's bytes
    with the top-level ``so:``/``ngay:`` lines left out. Numbering changes only
    those lines, so the hash is the same before and after ``number``."""
    try:
        _, lines, line_of, _, _ = _locate(raw)
    except UnsafeEdit:
        return hashlib.sha256(raw).hexdigest()
    skip = {line_of[k] for k in KEYS if k in line_of}
    kept = [line for i, line in enumerate(lines) if i not in skip]
    return hashlib.sha256("\n".join(kept).encode("utf-8")).hexdigest()
