"""Reading YAML content files: YAML 1.2, NFC text, a line number for every value.

ruamel.yaml is used because it implements YAML 1.2 (``no`` stays a string, ``012``
is twelve) and records where each key and item sits. The loaded tree is turned
into plain Python values plus a table ``path -> line`` so the validator can name the
line of any field without carrying ruamel objects around.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError

from . import encoding, yamltext
from ..errors import Collector
from ..limits import MAX_DEPTH, MAX_NODES, MAX_YAML_BYTES

PathKey = tuple  # ("chi_tieu", 2, "gia_tri")


class _Constructor(RoundTripConstructor):
    """Keeps timestamps as text: dates are checked by the validator, which can
    then say ``2023-02-30 không phải là ngày hợp lệ`` with its line instead of
    the parser failing on the whole file."""


_Constructor.add_constructor(
    "tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str
)


class NumberText(str):
    """A number with a dot or exponent (``12.500``, ``31.5``), kept as written.

    YAML would read ``12.500`` as twelve and a half; the clerk means twelve
    thousand five hundred. The validator reads it in Vietnamese notation
    (vnformat.parse_number), and a text field prints it exactly as written."""


_Constructor.add_constructor(
    "tag:yaml.org,2002:float",
    lambda constructor, node: NumberText(constructor.construct_scalar(node)),
)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    return yaml


@dataclass
class Source:
    """A loaded content file: its data and where each value was written."""

    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line(self, key: PathKey) -> int | None:
        """Line of ``key`` or, failing that, of its nearest written ancestor."""
        key = tuple(key)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


def _explain_yaml_error(exc: MarkedYAMLError, text: str) -> tuple:
    """(line, field, message): where the mistake is and how to fix it (yamltext)."""
    return yamltext.explain(exc, text)


class _TooBig(Exception):
    def __init__(self, message: str, path: PathKey):
        self.message, self.path = message, path


def forbidden_char(text: str) -> str | None:
    """The first character no document may hold: a control character other than
    line feed and tab, a lone surrogate, or a noncharacter (U+FDD0…U+FDEF, U+xFFFE,
    U+xFFFF: vanban uses one internally, and DOCX cannot hold them)."""
    for ch in text:
        code = ord(ch)
        if (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t") \
                or 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
            return ch
    return None


def _plain(node: Any, path: PathKey, lines: dict, col: Collector,
           count: list | None = None) -> Any:
    """Copy a ruamel node to plain Python, NFC-normalising text, noting lines.
    An alias (``*a``) is copied wherever it is used, so the values are counted
    (MAX_NODES) and the depth bounded (MAX_DEPTH): a few lines cannot expand
    into gigabytes."""
    count = count if count is not None else [0]
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _TooBig(f"tệp có quá nhiều giá trị (quá {MAX_NODES:,}".replace(",", ".")
                      + ", tính cả các lần dùng bí danh *); hãy bỏ bí danh lồng nhau", path)
    if len(path) > MAX_DEPTH:
        raise _TooBig(f"các mục lồng nhau quá sâu (quá {MAX_DEPTH} cấp)", path)
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            line = node.lc.key(key)[0] + 1  # type: ignore[attr-defined]  # ruamel's map
            key = unicodedata.normalize("NFC", str(key))
            lines[path + (key,)] = line
            out[key] = _plain(value, path + (key,), lines, col, count)
        return out
    if isinstance(node, list):
        items = []
        for index, value in enumerate(node):
            lines[path + (index,)] = node.lc.item(index)[0] + 1  # type: ignore[attr-defined]
            items.append(_plain(value, path + (index,), lines, col, count))
        return items
    anchor = getattr(getattr(node, "anchor", None), "value", None)
    if anchor and not isinstance(node, (dict, list)):
        # "ten: &Kế hoạch": YAML takes "&Kế" as an anchor and drops it.
        field_name = ".".join(str(p) for p in path) or None
        col.error(lines.get(path), field_name, yamltext.reserved_message(
            "&", field_name and str(path[-1]), f"&{anchor} {node}"))
        return None
    if isinstance(node, NumberText):
        return NumberText(node.strip())
    if isinstance(node, str):
        text = unicodedata.normalize("NFC", str(node))
        bad = forbidden_char(text)
        if bad:
            field_name = ".".join(str(p) for p in path) or None
            col.error(
                lines.get(path), field_name,
                f"có ký tự điều khiển không được phép (U+{ord(bad):04X}); "
                "hãy xóa ký tự này",
            )
        # compose/builder.py reads one paragraph per template line, so a line break
        # inside a text travels as U+2028 LINE SEPARATOR and is printed as a break.
        return text.strip("\n").replace("\t", " ").replace("\r\n", "\n") \
            .replace("\n", "\u2028")
    if isinstance(node, TaggedScalar):  # "ten: !quan trọng": "!" would be dropped
        field_name = ".".join(str(p) for p in path) or None
        col.error(lines.get(path), field_name, yamltext.reserved_message(
            "!", field_name and str(path[-1]), f"{node.tag.value} {node.value}"))
        return None
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


_CACHE: dict[tuple, tuple] = {}
_CACHE_SIZE = 256  # files: a batch's base plan and agencies, a report's plan, …


def load(path: Path, col: Collector) -> Source | None:
    """Load one YAML file. Problems go to ``col``; returns None if unreadable.

    Parsed files are kept for the process, keyed by their bytes: a batch reads
    its base plan and agencies once, not once per row. Callers must not mutate
    the returned data (batch.apply copies before overriding)."""
    try:
        if Path(path).stat().st_size > MAX_YAML_BYTES:
            col.error(None, None, f"tệp lớn quá {MAX_YAML_BYTES // 2**20} MB; một văn bản "
                      "chỉ cần vài chục KB, hãy kiểm tra lại tệp")
            return None
        raw = Path(path).read_bytes()
    except OSError as exc:
        col.error(None, None, f"không đọc được tệp ({exc.strerror})")
        return None
    key = (str(Path(path).resolve()), hashlib.sha256(raw).digest())
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]  # the oldest
        parsed = Collector(path)
        _CACHE[key] = (_parse(path, raw, parsed), parsed.problems)
    src, problems = _CACHE[key]
    col.problems.extend(problems)
    return src


_BRACKETS = re.compile(r"[^\[\]{}\n]+")


def _bracket_depth(text: str) -> int | None:
    """The line where ``[`` / ``{`` brackets open past twice MAX_DEPTH, or None. The
    YAML scanner takes time growing with the square of that depth (5 000 ``[`` take
    seconds), so a file that deep is refused before it is parsed. Quotes are not
    followed: only brackets left open by the dozen count, which no text does."""
    depth, line = 0, 1
    for ch in _BRACKETS.sub("", text):
        if ch == "\n":
            line += 1
        elif ch in "[{":
            depth += 1
            if depth > 2 * MAX_DEPTH:
                return line
        elif depth:
            depth -= 1
    return None


def _parse(path: Path, raw: bytes, col: Collector) -> Source | None:
    try:
        text, other = encoding.decode(raw)
    except encoding.Undecodable as exc:
        col.error(exc.line, None, encoding.UNDECODABLE)
        return None
    if other:
        col.warn(None, None, encoding.message(other))
    text, curly = yamltext.straighten_quotes(text)
    for number in curly:
        col.warn(number, yamltext.key_near(text, number - 1), yamltext.WORD_QUOTES)
    deep = _bracket_depth(text)
    if deep is not None:
        col.error(deep, None, f"các mục lồng nhau quá sâu (quá {MAX_DEPTH} cấp)")
        return None
    try:
        data = _yaml().load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = (exc.problem or "").split('"')[1] if '"' in (exc.problem or "") else None
        col.error(mark.line + 1 if mark else None, key, "tên trường bị lặp lại")
        return None
    except MarkedYAMLError as exc:
        col.error(*_explain_yaml_error(exc, text))
        return None
    except ReaderError as exc:  # a raw control character in the file
        line = text[: exc.position].count("\n") + 1
        col.error(
            line, None,
            f"có ký tự điều khiển không được phép (U+{exc.character:04X}); "
            "hãy xóa ký tự này",
        )
        return None
    except YAMLError as exc:  # unmarked parser errors are rare; keep the message
        col.error(None, None, f"lỗi cú pháp YAML ({exc})")
        return None
    except RecursionError:  # the YAML library builds nested values recursively
        col.error(None, None, f"các mục lồng nhau quá sâu (quá {MAX_DEPTH} cấp)")
        return None
    lines: dict[PathKey, int] = {(): 1}
    try:
        plain = _plain(data, (), lines, col)
    except _TooBig as exc:
        key = exc.path
        while key and key not in lines:
            key = key[:-1]
        col.error(lines.get(key), ".".join(str(p) for p in exc.path[:3]) or None, exc.message)
        return None
    return Source(Path(path), plain, lines)
