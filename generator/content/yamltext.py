"""The text of a content file as the clerk typed it, before and after YAML reads it.

Two jobs, both about saying the clerk's own mistake in the clerk's terms:

- Word's curly quotes (“…”) wrapping a whole value are the quotes the clerk meant:
  they become YAML quotes (with a warning), so ``trich_yeu: “Kế hoạch: năm 2025”``
  prints without the quotes and its colon is no syntax error. Curly quotes inside
  a text are kept: they are correct Vietnamese typography.
- A syntax error is explained where the mistake is: the line where an unclosed
  quote opens, the value that starts with a character YAML reserves (``%``, ``{``,
  ``@``, …), a tab inside a value, each with how to fix it.
"""

from __future__ import annotations

import re
from functools import partial

from ruamel.yaml.error import MarkedYAMLError

# -- curly quotes ---------------------------------------------------------------------

_CURLY = re.compile(r"“([^“”\"\n]*)”")
# What may stand before a whole value: list dashes and a key (block style) …
_BLOCK_BEFORE = re.compile(r"^\s*(?:-\s+)*(?:[^\s\"'#{}\[\],:-][^\"'#{}\[\]]*?:\s+)?$")
# … or, inside {…} / […], an opening bracket or comma and maybe a key.
_FLOW_BEFORE = re.compile(r"[\[{,]\s*(?:[^\s\"'{}\[\],:][^\"'{}\[\],]*?:\s*)?$")
# What may follow a whole value: nothing, a comment, a flow separator, or ": " (a key).
_AFTER = re.compile(r"^\s*(?:$|#|[,}\]]|:(?:\s|$))")

_BLOCK_SCALAR = re.compile(r"^\s*(?:-\s+)*(?:[^#\"']*?:\s+)?[|>][+-]?\d*\s*(?:#.*)?$")

WORD_QUOTES = ("giá trị được đặt trong dấu ngoặc kép “…” của Word; đã hiểu là dấu ngoặc "
               "của YAML nên dấu ngoặc không được in ra. Nên dùng dấu ngoặc thẳng \"…\"; "
               "nếu muốn in cả dấu ngoặc, viết '“…”' (trong dấu nháy đơn)")


def straighten_quotes(text: str) -> tuple[str, list[int]]:
    """``text`` with every value wrapped in “…” written as a YAML "…" string, and
    the (1-based) lines where that was done."""
    out, changed = [], []
    block = None  # indentation of the key that opened a block scalar (| or >)
    for number, line in enumerate(text.split("\n"), start=1):
        indent = len(line) - len(line.lstrip())
        if block is not None and (not line.strip() or indent > block):
            out.append(line)  # inside a | or > text: every character is the clerk's
            continue
        opens = _BLOCK_SCALAR.match(line)
        block = indent if opens else None
        new = _CURLY.sub(partial(_quoted, line=line), line)
        if new != line:
            changed.append(number)
        out.append(new)
    return "\n".join(out), changed


def _quoted(match: re.Match, line: str) -> str:
    before, after = line[:match.start()], line[match.end():]
    whole = _BLOCK_BEFORE.match(before) or (_FLOW_BEFORE.search(before)
                                            and "'" not in before and '"' not in before)
    if not whole or not _AFTER.match(after):
        return match.group(0)
    inner = match.group(1).replace("\\", "\\\\")
    return f'"{inner}"'


# -- syntax errors --------------------------------------------------------------------

_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*:")
# Where a value starts on a line: after list dashes and "key: ".
_VALUE = re.compile(r"^(\s*(?:-\s+)*(?:[^\s\"'#{}\[\]][^\"'#{}\[\]]*?:[ \t]+)?)(\S)")
RESERVED = "%{[@`*&!|>"


def key_near(text: str, line: int | None) -> str | None:
    """The field written on ``line`` (0-based) of a syntax error, or on the line above."""
    if line is None:
        return None
    lines = text.split("\n")
    for index in (line, line - 1):
        if 0 <= index < len(lines):
            match = _KEY.match(lines[index])
            if match:
                return match.group(1)
    return None


def explain(exc: MarkedYAMLError, text: str) -> tuple[int | None, str | None, str]:
    """(1-based line, field, Vietnamese message with the fix) for a syntax error."""
    lines = text.split("\n")
    mark = exc.problem_mark or exc.context_mark
    line = mark.line if mark else None
    problem = (exc.problem or "").strip()
    context = (exc.context or "").strip()

    opened = _unclosed_quote(lines, line)
    if "quoted scalar" in context and exc.context_mark is not None:
        opened = exc.context_mark.line
    if opened is not None:
        start = _value_start(lines[opened])
        quote = start[1] if start else '"'
        return opened + 1, key_near(text, opened), (
            f"lỗi cú pháp YAML: dấu ngoặc {quote} mở ở dòng này chưa được đóng; hãy thêm "
            f"dấu {quote} ở cuối giá trị (trên cùng dòng)")

    if "'\\t'" in problem and mark is not None and line is not None:
        before = lines[line][:mark.column] if line < len(lines) else ""
        if not before.strip():
            return line + 1, key_near(text, line), (
                "lỗi cú pháp YAML: dòng này thụt lề bằng ký tự Tab; hãy thụt lề bằng dấu cách")
        return line + 1, key_near(text, line), (
            "lỗi cú pháp YAML: có ký tự Tab trong giá trị; hãy thay Tab bằng dấu cách")

    marks = (line, exc.context_mark.line if exc.context_mark else None)
    for index in dict.fromkeys(i for i in marks if i is not None and i < len(lines)):
        if "“" in lines[index] or "”" in lines[index]:
            return index + 1, key_near(text, index), (
                "lỗi cú pháp YAML: dấu ngoặc kép “…” của Word không phải là dấu ngoặc của "
                "YAML; hãy đặt cả giá trị trong dấu ngoặc thẳng \"…\"")
        start = _value_start(lines[index])
        if start and start[1] in RESERVED:
            return index + 1, key_near(text, index), reserved_message(
                start[1], key_near(text, index), lines[index][len(start[0]):].rstrip())

    if "mapping values are not allowed" in problem:
        message = ("lỗi cú pháp YAML: văn bản có dấu hai chấm và dấu cách (': ') hoặc kết "
                   "thúc bằng dấu hai chấm phải đặt trong dấu ngoặc kép, ví dụ "
                   'mo_dau: "… như sau:"')
    elif "could not find expected ':'" in problem or "expected <block end>" in problem:
        message = ("lỗi cú pháp YAML: thụt lề không đúng hoặc thiếu dấu hai chấm sau tên "
                   "trường; các trường cùng cấp phải thẳng cột, thụt lề bằng dấu cách")
    else:
        message = f"lỗi cú pháp YAML ({problem or context}); hãy kiểm tra dòng này"
    return (line + 1 if line is not None else None), key_near(text, line), message


def reserved_message(char: str, key: str | None, value: str) -> str:
    """A value starting with a character YAML reserves must be quoted."""
    example = f'{key}: "{value}"' if key else f'"{value}"'
    return (f"lỗi cú pháp YAML: giá trị bắt đầu bằng ký tự '{char}' phải đặt trong dấu "
            f"ngoặc kép, ví dụ {example}")


def _value_start(line: str) -> tuple[str, str] | None:
    match = _VALUE.match(line)
    return (match.group(1), match.group(2)) if match else None


def _unclosed_quote(lines: list[str], upto: int | None) -> int | None:
    """The line (0-based, before ``upto``) where a quoted value opens and does not
    close as a value should: its closing quote is missing, or is followed by more
    text (the clerk's next quoted value closed it). A quoted text that rightly
    spans several lines is passed over."""
    if upto is None:
        return None
    index = 0
    while index < min(upto, len(lines)):
        start = _value_start(lines[index])
        if not start or start[1] not in "\"'":
            index += 1
            continue
        quote = start[1]
        rest = "\n".join([lines[index][len(start[0]) + 1:]] + lines[index + 1:])
        end = _closing(rest, quote)
        if end is None:
            return index
        closing_line = index + rest.count("\n", 0, end)
        after = rest[end + 1:].split("\n", 1)[0]
        if closing_line > index and not _AFTER.match(after):
            return index
        index = closing_line + 1
    return None


def _closing(text: str, quote: str) -> int | None:
    """Position of the quote that ends a quoted scalar starting at ``text[0]``."""
    pos = 0
    while pos < len(text):
        char = text[pos]
        if quote == '"' and char == "\\":
            pos += 2
            continue
        if char == quote:
            if quote == "'" and text[pos + 1:pos + 2] == "'":
                pos += 2
                continue
            return pos
        pos += 1
    return None
