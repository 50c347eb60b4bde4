"""Batches (``cho_moi``): one document per row of a table or per commune, and the
units of work (:class:`Unit`) every content file yields.

A row's columns override document fields by name (``so``, ``co_quan.ten``,
``chi_tieu.CT02``) and are otherwise variables for ``cau`` sentences and templates.
A batch over ``xa_cua_tinh`` takes every commune of a province from the official
unit list (the ``vietnam-provinces`` package: 34 provinces, 3,321 communes).
"""

from __future__ import annotations

import copy
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from . import encoding, source, suggest
from .. import vnformat, workspace
from ..errors import Collector, ContentError, Problem, display_path
from .fields import negative_message
from ..limits import (MAX_NAME_BYTES, MAX_NAME_CHARS, MAX_NUMBER, MAX_TABLE_BYTES,
                      MAX_TABLE_ROWS)

SPEC_KEYS = {"bang", "xa_cua_tinh", "ten_tep"}
LIST_FIELDS = {"noi_nhan", "can_cu", "kinh_gui", "ten"}
INT_FIELDS = {"so", "nam"}
# Fields a row may set directly; dotted columns reach inside these mappings.
ROW_FIELDS = {"so", "nam", "ngay", "trich_yeu", "ky_hieu", "noi_nhan", "can_cu", "kinh_gui",
              "mo_dau", "ket_thuc"}
ROW_MAPPINGS = {"co_quan", "nguoi_ky", "chi_tieu"}


@dataclass(frozen=True)
class Row:
    number: int  # line of the table (header is 1), or rank in the unit list
    values: dict = field(hash=False)
    table: str  # what the row comes from, as shown to the clerk
    notes: tuple = field(default=(), hash=False)  # warnings on the table (its encoding)


class BatchError(ContentError):
    """A batch that cannot be expanded (its table, its spec, a row's name)."""


def spec_of(data) -> dict | None:
    spec = data.get("cho_moi") if isinstance(data, dict) else None
    return spec if isinstance(spec, dict) else None


def table_path(doc_path: Path, spec: dict) -> Path | None:
    return Path(doc_path).parent / spec["bang"] if spec.get("bang") else None


def rows(doc_path: Path, spec: dict, src: source.Source) -> list[Row]:
    """Every row of the batch, in order. Raises BatchError on an unusable spec."""
    where = display_path(doc_path)
    line = src.line(("cho_moi",))
    unknown = set(spec) - SPEC_KEYS
    if unknown:
        raise BatchError([Problem(where, line, "cho_moi." + sorted(unknown)[0],
                                  "khóa không có trong định dạng (bang, xa_cua_tinh, ten_tep)")])
    if not spec.get("bang") and not spec.get("xa_cua_tinh"):
        raise BatchError([Problem(where, line, "cho_moi",
                                  "cần bang (tệp CSV/XLSX), xa_cua_tinh (tên tỉnh), hoặc cả "
                                  "hai (bảng số liệu của các xã: một báo cáo cho mỗi xã)")])
    if spec.get("bang") and spec.get("xa_cua_tinh"):
        table = rows(doc_path, {"bang": spec["bang"]}, src)
        return commune_rows(table, str(spec["xa_cua_tinh"]), where, line)
    if spec.get("xa_cua_tinh"):
        return _communes(str(spec["xa_cua_tinh"]), where, line)
    path = table_path(doc_path, spec)
    assert path is not None  # bang is given: checked above
    outside = workspace.outside_content(doc_path, str(spec["bang"]))
    if outside:  # never opened
        raise BatchError([Problem(where, src.line(("cho_moi", "bang")), "cho_moi.bang",
                                  outside)])
    if not path.is_file():
        raise BatchError([Problem(where, src.line(("cho_moi", "bang")), "cho_moi.bang",
                                  f"không tìm thấy bảng {display_path(path)}")])
    table_line = src.line(("cho_moi", "bang"))
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise BatchError([Problem(where, table_line, "cho_moi.bang",
                                  f"bảng {display_path(path)} lớn quá "
                                  f"{MAX_TABLE_BYTES // 2**20} MB")])
    try:
        found = _xlsx(path) if path.suffix.lower() == ".xlsx" else _csv(path)
    except BatchError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the file holds, it is this batch's problem
        raise BatchError([Problem(where, table_line, "cho_moi.bang",
                                  f"không đọc được bảng {display_path(path)} "
                                  f"({type(exc).__name__}: {exc}); hãy lưu bảng dạng CSV "
                                  "mã UTF-8 hoặc XLSX của Excel")]) from None
    if len(found) > MAX_TABLE_ROWS:
        raise BatchError([Problem(where, table_line, "cho_moi.bang",
                                  f"bảng có {len(found)} dòng, quá giới hạn {MAX_TABLE_ROWS}")])
    return found


def _clean(value) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value)).strip()


def _csv(path: Path) -> list[Row]:
    """A CSV table as Excel or any editor saves it: UTF-8 (±BOM), UTF-16 or
    Windows-1258; separated by ``,``, ``;`` (Excel on a Vietnamese system) or tab."""
    out, table = [], display_path(path)
    try:
        text, other = encoding.decode(path.read_bytes())
    except encoding.Undecodable as exc:
        raise BatchError([Problem(table, exc.line, None, encoding.UNDECODABLE)]) from None
    notes = (Problem(table, None, None, encoding.message(other), warning=True),) \
        if other else ()
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=_dialect(text))
    reader.fieldnames = [_clean(n) for n in reader.fieldnames or []]
    for values in reader:
        out.append(Row(reader.line_num, {k: _clean(v) for k, v in values.items() if k},
                       table, notes))
    return out


class _Dialect(csv.excel):
    """Excel's CSV with the table's own separator."""


def _dialect(text: str) -> type[csv.Dialect]:
    """The separator of the table, read from its header: column names (``ma``,
    ``co_quan.ten``, ``chi_tieu.CT02``) never hold ``,``, ``;`` or a tab, while the
    rows' texts may hold all three, which misleads csv.Sniffer."""
    header = text.split("\n", 1)[0]
    separator = max(",;\t", key=header.count)
    return type("Dialect", (_Dialect,), {"delimiter": separator if separator in header
                                         else ","})


def _xlsx(path: Path) -> list[Row]:
    from openpyxl import load_workbook

    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [_clean(h) for h in next(lines, [])]
    out, table = [], display_path(path)
    for number, cells in enumerate(lines, start=2):
        if all(c is None for c in cells):
            continue
        out.append(Row(number, {h: _clean(_cell(c)) for h, c in zip(header, cells) if h},
                       table))
    return out


def _cell(value):
    """A spreadsheet number as the Vietnamese text a CSV cell would hold, so a
    figure means the same whichever table it comes from (0.125 → ``0,125``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value) if isinstance(value, int) else vnformat.number(value)


def _province(name: str):
    from vietnam_provinces import Province

    wanted = _fold(name)
    for province in Province.iter_all():
        if _fold(province.name) == wanted or _fold(province.name).endswith(" " + wanted):
            return province
    return None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().strip()
    return re.sub(r"^(tỉnh|thành phố)\s+", "", text)


def _communes(name: str, where: str, line) -> list[Row]:
    from vietnam_provinces import Province, Ward

    province = _province(name)
    if province is None:
        names = ", ".join(p.name for p in Province.iter_all())
        raise BatchError([Problem(where, line, "cho_moi.xa_cua_tinh",
                                  f"không có tỉnh '{name}' trong danh mục ({names})")])
    out = []
    wards = sorted(Ward.iter_by_province(province.code), key=lambda w: w.code.value)
    for rank, ward in enumerate(wards, start=1):
        kind = ward.division_type.value  # xã | phường | đặc khu
        own = ward.name[len(kind):].strip() if ward.name.lower().startswith(kind) else ward.name
        values = {
            # In running text: "xã Sin Suối Hồ" (the list writes "Xã Sin Suối Hồ").
            "ma_xa": f"{ward.code.value:05d}", "ten_xa": f"{kind} {own}", "loai_xa": kind,
            "ten_rieng": own, "tinh": province.name,
            "co_quan.ten": f"Ủy ban nhân dân|{kind} {own}",
            "co_quan.ten_day_du": f"Ủy ban nhân dân {kind} {own}",
            "co_quan.dia_danh": own,
            "co_quan.chu_quan": None,
        }
        out.append(Row(rank, values, f"danh mục xã của {province.name}"))
    return out


def output_name(spec: dict, row: Row) -> str:
    """The row's output file name from ``ten_tep`` (``"{ma}"``), made safe."""
    pattern = str(spec.get("ten_tep") or ("{ma_xa}" if spec.get("xa_cua_tinh") else "{ma}"))
    try:
        name = pattern.format_map({k.replace(".", "_"): v for k, v in row.values.items()})
    except (KeyError, ValueError, IndexError) as exc:
        raise BatchError([Problem(row.table, row.number, "cho_moi.ten_tep",
                                  f"mẫu tên tệp '{pattern}' dùng cột không có: {exc}")]) from None
    name = re.sub(r"[^\w\-]+", "-", unicodedata.normalize("NFC", name), flags=re.UNICODE)
    name = name.strip("-.")
    if not name:
        raise BatchError([Problem(row.table, row.number, "cho_moi.ten_tep",
                                  "tên tệp kết quả của dòng này rỗng")])
    if len(name) > MAX_NAME_CHARS or len(name.encode()) > MAX_NAME_BYTES:
        raise BatchError([Problem(row.table, row.number, "cho_moi.ten_tep",
                                  f"tên tệp kết quả dài quá {MAX_NAME_CHARS} ký tự")])
    return name


# -- units of work ------------------------------------------------------------------

@dataclass(frozen=True)
class Unit:
    """One document to produce: a content file, or one row of a batch file."""

    path: Path
    row: Row | None = None
    name: str | None = None  # the row's output name

    @property
    def label(self) -> str:
        where = display_path(self.path)
        return f"{where} [{self.name}]" if self.row is not None else where


def units_of(path: Path) -> list[Unit]:
    """The documents a content file yields: itself, or one per batch row."""
    col = Collector(path)
    src = source.load(path, col)
    if src is None:
        raise ContentError(col.problems)
    spec = spec_of(src.data)
    if spec is None:
        return [Unit(Path(path))]
    found = rows(path, spec, src)
    units: list[Unit] = []
    seen: dict[str, int] = {}
    for row in found:
        name = output_name(spec, row)
        if name in seen:
            raise BatchError([Problem(row.table, row.number, "cho_moi.ten_tep",
                                      f"tên tệp '{name}' trùng với dòng {seen[name]}")])
        seen[name] = row.number
        units.append(Unit(Path(path), row, name))
    return units


# -- applying a row --------------------------------------------------------------------

def apply(src: source.Source, row: Row, agency_of,  # noqa: C901 - one branch per kind of column
          col: Collector) -> tuple[source.Source, dict]:
    """A copy of ``src`` with the row's overrides, and the row's variables.
    ``agency_of(key)`` gives the mapping of an agency key (for ``co_quan.*``)."""
    data = copy.deepcopy(src.data)
    data.pop("cho_moi", None)
    col.problems.extend(row.notes)
    names = placeholder_names(row)
    data = _fill(data, (), names, src, col)
    variables = {name: value for name, value in names.items() if value is not None}
    lines = dict(src.lines)
    for column, value in row.values.items():
        if value == "":
            continue
        head, _, rest = column.partition(".")

        def fail(message, column=column):
            col.problems.append(Problem(row.table, row.number, column, message))

        bad = source.forbidden_char(value) if isinstance(value, str) else None
        if bad:
            fail(f"ô có ký tự không được phép (U+{ord(bad):04X}); hãy xóa ký tự này")
            continue

        if not rest:
            if column in ROW_FIELDS:
                data[column] = _convert(column, value, fail)
            else:
                variables[column] = value
            continue
        if head == "co_quan":
            if isinstance(data.get("co_quan"), str):
                data["co_quan"] = copy.deepcopy(agency_of(data["co_quan"]) or {})
            if value is None:
                data["co_quan"].pop(rest, None)
            else:
                data["co_quan"][rest] = _convert(rest, value, fail)
        elif head == "nguoi_ky" and isinstance(data.get("nguoi_ky"), dict):
            data["nguoi_ky"][rest] = value
        elif head == "ket_qua":  # a commune's figure, from a sheet of the communes
            if not isinstance(data.get("ket_qua"), dict):
                data["ket_qua"] = {}
            if value is not None:
                try:
                    vnformat.parse_number(value)
                except vnformat.NotANumber as exc:
                    fail(f"{exc} (để trống nếu chưa có số liệu)")
                    continue
            data["ket_qua"][rest] = value  # read again, the same way, by the report
        elif head == "chi_tieu" and data.get("loai") == "bao-cao":
            continue  # a commune's own target: for its copy of the plan (aggregate.py)
        elif head == "chi_tieu":
            target = _find_target(data.get("chi_tieu") or [], rest)
            if target is None:
                fail(f"kế hoạch không có chỉ tiêu mã '{rest}'."
                     + suggest.hint(rest, _codes(data.get("chi_tieu") or [])))
                continue
            try:
                number = vnformat.parse_number(value)
            except vnformat.NotANumber as exc:
                fail(str(exc))
                continue
            if number < 0 and target.get("co_the_am") is not True:
                fail(negative_message(value))
                continue
            target["gia_tri"] = value  # read again, the same way, by the validator
        else:
            fail("cột không hợp lệ: tên cột có dấu chấm phải là co_quan.…, nguoi_ky.… "
                 "hoặc chi_tieu.<mã>")
    return source.Source(src.path, data, lines), variables


# ``{ten_xa}``: a row's variable, the syntax of ``ten_tep`` (``{{ }}`` is Jinja's).
_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w+)(?:\|(bang_chu|tien_bang_chu))?\}(?!\})")
# A number in words in any text: ``{kinh_phi|tien_bang_chu}`` → "Năm mươi triệu đồng".
_IN_WORDS = {"bang_chu": vnformat.words, "tien_bang_chu": vnformat.money_words}
_JINJA_NAME = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def placeholder_names(row: Row) -> dict:
    """The names a row offers to placeholders: its columns, ``co_quan.ten`` as
    ``co_quan_ten`` (as in ``ten_tep``)."""
    return {column.replace(".", "_"): value for column, value in row.values.items()}


def _fill(value, path: tuple, names: dict, src: source.Source, col: Collector):
    """Every text of the batch file with its row's placeholders filled in. A value
    is data: its stars are escaped so they never become marks. In a ``cau`` a
    placeholder becomes the Jinja variable of the same name."""
    if isinstance(value, dict):
        return {k: _fill(v, path + (k,), names, src, col) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, path + (i,), names, src, col) for i, v in enumerate(value)]
    if not isinstance(value, str) or isinstance(value, source.NumberText) \
            or "{" not in value:
        return value
    in_sentence = bool(path) and path[-1] == "cau"
    where = ".".join(str(p) for p in path if not isinstance(p, int)) or None
    if not in_sentence:
        # "{{ ten_xa }}" is the cau's syntax; in a text it would print as written.
        for name in _JINJA_NAME.findall(value):
            if name in names:
                col.error(src.line(path), where,
                          f"trong văn bản, chỗ thay viết một cặp ngoặc: {{{name}}} "
                          f"(cách viết {{{{ {name} }}}} chỉ dùng trong cau)")

    def put(match):
        name = match.group(1)
        if name not in names or names[name] is None:
            col.error(src.line(path), where,
                      f"chỗ thay {{{name}}} không có trong bảng của cho_moi; các tên dùng "
                      f"được: {', '.join('{' + n + '}' for n in names)}."
                      + suggest.hint(name, names))
            return match.group(0)
        if in_sentence:
            return "{{ " + name + (f"|{match.group(2)}" if match.group(2) else "") + " }}"
        if match.group(2):
            try:
                amount = vnformat.parse_number(names[name])
            except vnformat.NotANumber as exc:
                col.error(src.line(path), where, f"{{{name}|{match.group(2)}}}: {exc}; "
                          "chỉ đọc thành chữ được một số")
                return match.group(0)
            if not abs(amount) < MAX_NUMBER:
                col.error(src.line(path), where, f"{{{name}|{match.group(2)}}}: số "
                          f"{names[name]} quá lớn; số phải nhỏ hơn 10^15 (1.000.000.000.000.000)")
                return match.group(0)
            return _IN_WORDS[match.group(2)](amount)
        return str(names[name]).replace("*", "\\*")

    return _PLACEHOLDER.sub(put, value)


def _convert(name: str, value, fail):
    if value is None:
        return None
    if name in LIST_FIELDS:
        return [part.strip() for part in str(value).split("|") if part.strip()]
    if name in INT_FIELDS:
        if not re.fullmatch(r"\d+", str(value)):
            fail(f"'{value}' không phải là số nguyên")
            return None
        return int(value)
    return value


def _codes(items) -> list[str]:
    out = []
    for item in items:
        if isinstance(item, dict):
            out += [str(item.get("ma"))] + _codes(item.get("chi_tiet") or [])
    return out


def _find_target(items, code):
    for item in items:
        if isinstance(item, dict):
            if str(item.get("ma")) == code:
                return item
            found = _find_target(item.get("chi_tiet") or [], code)
            if found is not None:
                return found
    return None


# A sheet of the communes' figures (an aggregate report's units, or per-commune
# reports over it): the columns that name the unit, and those that hold no figure.
ID_COLUMNS = ("ma_xa", "ten_xa", "don_vi")
OTHER_COLUMNS = {"stt", "ghi_chu", "tinh", "loai_xa", "ten_rieng", "ma"}


def capitalised(name: str) -> str:
    """A commune's name starting a sentence or a cell: "phường Hà Tu" → "Phường Hà Tu"."""
    return name[:1].upper() + name[1:]


def fold_name(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).lower().split())


_ALL_COMMUNES: dict | None = None


def commune_index() -> dict:
    """Every commune of the official list by its five-digit code."""
    global _ALL_COMMUNES
    if _ALL_COMMUNES is None:
        from vietnam_provinces import Province

        _ALL_COMMUNES = {}
        for province in Province.iter_all():
            for row in _communes(province.name, "", None):
                _ALL_COMMUNES[row.values["ma_xa"]] = row.values
    return _ALL_COMMUNES


def commune_code(text: str) -> str | None:
    text = str(text).strip()
    return f"{int(text):05d}" if re.fullmatch(r"\d{1,5}", text) else None


def identify(values: dict, expected, where: str, line, problems: list):
    """(name, code) of a table row, or None with a problem on the row's line."""
    province = expected[0].values["tinh"] if expected else None
    if values.get("ma_xa"):
        code = commune_code(values["ma_xa"])
        commune = commune_index().get(code) if code else None
        if commune is None:
            problems.append(Problem(where, line, "ma_xa", f"'{values['ma_xa']}' không phải "
                                    "là mã xã, phường trong danh mục đơn vị hành chính"))
            return None
        if province and commune["tinh"] != province:
            problems.append(Problem(where, line, "ma_xa", f"{capitalised(commune['ten_xa'])} "
                                    f"({code}) thuộc {commune['tinh']}, không phải xã, "
                                    f"phường của {province}"))
            return None
        return commune["ten_xa"], code
    name = values.get("ten_xa") or values.get("don_vi")
    if not name:
        problems.append(Problem(where, line, "ma_xa", "dòng không có mã xã (ma_xa) hay "
                                "tên đơn vị (ten_xa hoặc don_vi)"))
        return None
    if expected:
        column = "ten_xa" if values.get("ten_xa") else "don_vi"
        found = [row.values for row in expected if fold_name(name) in
                 (fold_name(row.values["ten_xa"]), fold_name(row.values["ten_rieng"]))]
        if len(found) == 1:
            return found[0]["ten_xa"], found[0]["ma_xa"]
        if found:  # "Hải Hòa" may be a xã and a phường: the code tells them apart
            problems.append(Problem(where, line, column, f"'{name}' có thể là " + " hoặc ".join(
                f"{v['ten_xa']} ({v['ma_xa']})" for v in found) + "; ghi rõ cột ma_xa"))
            return None
        problems.append(Problem(where, line, column,
                                f"'{name}' không phải là xã, phường của {province}"))
        return None
    return name, None


def is_code_column(column: str) -> bool:
    """A column of a unit table that holds a target's figure."""
    return not (column in ID_COLUMNS or column in OTHER_COLUMNS or "." in column
                or column in ROW_FIELDS)


def commune_rows(rows: list, province: str, where: str, line) -> list:
    """The rows of a sheet of the communes' figures as batch rows of per-commune
    reports (``cho_moi: {bang: …, xa_cua_tinh: …}``): each row gets its commune's
    identity from the official list, and each target column becomes the commune's
    result (``ket_qua.CT02``). A commune that sent nothing gets no report."""
    expected = _communes(province, where, line)
    out: list = []
    problems: list = []
    seen: dict = {}
    for row in rows:
        table = row.table
        who = identify(row.values, expected, table, row.number, problems)
        if who is None:
            continue
        name, ma = who
        if ma in seen:
            problems.append(Problem(table, row.number, "ma_xa",
                                    f"{capitalised(name)} có hai dòng (dòng {seen[ma]} và "
                                    f"dòng {row.number}); giữ một dòng"))
            continue
        seen[ma] = row.number
        commune = next(r.values for r in expected if r.values["ma_xa"] == ma)
        values = dict(commune)
        figures = {}
        for column, text in row.values.items():
            if is_code_column(column):
                figures[f"ket_qua.{column}"] = text if text != "" else None
            elif column not in ID_COLUMNS:
                values[column] = text
        if any(v is not None for v in figures.values()):
            out.append(Row(row.number, {**values, **figures}, table))
    if problems:
        raise BatchError(problems)
    return out
