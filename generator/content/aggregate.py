"""Aggregate reports (``tong_hop``): a report whose results are added up from the
reports of its units (communes, departments) instead of being typed.

The units come from one table (CSV/XLSX, one row per unit, one column per target
code) or from their own report files (a glob). Each target adds up by the rule
declared on it in the plan (``tong_hop``): ``cong`` (the default for counts),
``ty_le`` (recomputed from two counted targets, never an average of percentages),
``trung_binh`` and ``so_don_vi_dat`` (units that met their own target). A
percentage target with no rule is an error: summing percentages is always wrong.

Tables are read by :mod:`batch` (the same reader and number notation as batch
tables), communes are named from the official list (``vietnam-provinces``).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import cast

from . import batch, source
from .batch import (capitalised, fold_name, identify, is_code_column)
from .. import vnformat, workspace
from ..errors import Collector, ContentError, Problem, display_path
from .fields import Fields, negative_message
from ..model import Plan, Report, Rule, Table, Target

RULES = ("cong", "ty_le", "trung_binh", "so_don_vi_dat")
SPEC_KEYS = {"bang", "tep", "xa_cua_tinh", "cot", "ten_don_vi"}
# Columns of a unit table that are not target codes: who the unit is, and what a
# batch of per-commune reports over the same table may set (batch.ROW_FIELDS).
TENTH = Decimal("0.1")
# The country has 3,321 communes; a sheet or a glob far beyond is a mistake (a pattern
# catching the whole disk), said plainly rather than read for minutes.
MAX_UNITS = 10_000


# -- the rule declared on a plan target ---------------------------------------------

def read_rule(t: Fields) -> Rule | None:
    """``tong_hop: cong`` or ``{cach: ty_le, tu_so: CT10b, mau_so: CT10a}``."""
    raw = t.data.get("tong_hop")
    if raw is None:
        return None
    if isinstance(raw, str):
        spec = {"cach": raw}
        where = None
    elif isinstance(raw, dict):
        where = t.child("tong_hop")
        where.only({"cach", "tu_so", "mau_so", "muc_dat", "don_vi"})
        spec = raw
    else:
        t.error("tong_hop", "phải là tên cách tổng hợp (cong, ty_le, trung_binh, "
                "so_don_vi_dat) hoặc bảng khóa {cach: …, tu_so: …, mau_so: …}")
        return None
    cach = str(spec.get("cach") or "")
    if cach not in RULES:
        t.error("tong_hop", f"cách tổng hợp '{cach}' không có; chỉ nhận "
                + ", ".join(RULES))
        return None
    rule = Rule(cach, line=t.line("tong_hop"))
    if where is not None:
        rule.tu_so, rule.mau_so = where.text("tu_so"), where.text("mau_so")
        rule.muc_dat = where.number("muc_dat")
        rule.don_vi = where.text("don_vi")
    if cach == "ty_le" and not (rule.tu_so and rule.mau_so):
        t.error("tong_hop", "ty_le cần tu_so và mau_so: mã hai chỉ tiêu đếm được "
                "(ví dụ {cach: ty_le, tu_so: CT10b, mau_so: CT10a})")
        return None
    return rule


def check_rules(f: Fields, chi_tieu: list[Target]) -> None:
    """A ratio names two counted targets of the same plan."""
    found = {t.ma: t for top in chi_tieu for t in top.all()}
    for target in found.values():
        rule = target.tong_hop
        if rule is None or rule.cach != "ty_le":
            continue
        for role, code in (("tu_so", rule.tu_so), ("mau_so", rule.mau_so)):
            other = found.get(code)
            name = f"chi_tieu.{target.ma}.tong_hop.{role}"
            if other is None:
                f.col.error(rule.line, name, f"kế hoạch không có chỉ tiêu mã '{code}'")
            elif other.don_vi == "%":
                f.col.error(rule.line, name, f"chỉ tiêu {code} tính bằng %, không đếm "
                            "được; tử số và mẫu số phải là số lượng (người, xã, …)")


def rule_of(target: Target) -> Rule | None:
    """The declared rule, or ``cong`` for a count; none for a bare percentage."""
    if target.tong_hop is not None:
        return target.tong_hop
    return None if target.don_vi == "%" else Rule("cong")


# -- the units ----------------------------------------------------------------------

@dataclass
class Unit:
    """One unit: who it is, where its figures come from, and the figures."""

    ten: str
    ma: str | None  # commune code from the official list
    where: str  # file, or table:line, as shown to the clerk
    so_lieu: dict[str, Decimal | None] | None = None  # None: sent nothing
    muc: dict[str, Decimal] = field(default_factory=dict)  # its own targets
    line: int | None = None


@dataclass
class Aggregate:
    """What the report's templates read: every expected unit, the added-up results
    and the appendix columns."""

    don_vi: list[Unit]
    ket_qua: dict[str, Decimal | None]
    so_don_vi: dict[str, tuple[int, int]]
    cot: list[Target]
    ten_don_vi: str
    rules: dict[str, Rule]

    @property
    def da_bao_cao(self) -> list[Unit]:
        return [u for u in self.don_vi if u.so_lieu is not None]

    @property
    def chua_bao_cao(self) -> list[Unit]:
        return [u for u in self.don_vi if u.so_lieu is None]


def read(f: Fields, path: Path, plan: Plan, nam: int | None, agency,
         load_document) -> Aggregate | None:
    """The ``tong_hop`` of a report: its units and their added-up results.
    Problems (with the unit's file or table line) go to the report's collector."""
    spec = f.child("tong_hop")
    spec.only(SPEC_KEYS)
    table, pattern = spec.text("bang"), spec.text("tep")
    if bool(table) == bool(pattern):
        spec.error(None, "cần đúng một trong hai khóa: bang (bảng CSV/XLSX, mỗi đơn vị "
                   "một dòng) hoặc tep (mẫu đường dẫn báo cáo của các đơn vị)")
        return None
    province = spec.text("xa_cua_tinh")
    expected = None
    if province:
        try:
            expected = batch._communes(province, f.col.file, spec.line("xa_cua_tinh"))
        except batch.BatchError as exc:
            f.col.problems.extend(exc.problems)
            return None
    targets = {t.ma: t for t in plan.targets()}
    if table:
        units, codes = _from_table(spec, Path(path).parent / table, targets, expected)
    else:
        units, codes = _from_files(spec, path, pattern, plan, nam, agency, expected,
                                   load_document)
    if units is None:
        return None
    typed = set(f.data.get("ket_qua") or {}) if isinstance(f.data.get("ket_qua"), dict) \
        else set()
    codes = [c for c in targets if c in codes and c not in typed]
    rules = {}
    for code in codes:
        rule = rule_of(targets[code])
        if rule is None:
            target = targets[code]
            f.col.problems.append(Problem(
                display_path(plan.path), target.line, f"chi_tieu.{code}.tong_hop",
                f"chỉ tiêu {code} tính bằng % nên không cộng được qua các đơn vị: khai báo "
                "tong_hop trên chỉ tiêu này trong kế hoạch (ty_le với tu_so và mau_so, "
                "trung_binh hoặc so_don_vi_dat), hoặc ghi số của chỉ tiêu này trong "
                "ket_qua của báo cáo tổng hợp"))
            continue
        if rule.cach == "ty_le":
            for part in (rule.tu_so, rule.mau_so):
                if part not in codes:
                    f.col.problems.append(Problem(
                        display_path(plan.path), rule.line, f"chi_tieu.{code}.tong_hop",
                        f"{code} tính từ {rule.tu_so}/{rule.mau_so} nhưng số liệu của các "
                        f"đơn vị không có chỉ tiêu {part}"))
        rules[code] = rule
    if f.col.has_errors:
        return None
    ket_qua, so_don_vi = {}, {}
    for code, rule in rules.items():
        ket_qua[code], counts = _add_up(code, rule, targets[code], units, f, plan)
        if counts is not None:
            so_don_vi[code] = counts
    ten_don_vi = spec.text("ten_don_vi") or \
        ("xã" if all(u.ma for u in units) else "đơn vị")
    cot = _columns(spec, rules, targets)
    if f.col.has_errors:
        return None
    return Aggregate(units, ket_qua, so_don_vi, cot, ten_don_vi, rules)


def _columns(spec: Fields, rules: dict, targets: dict) -> list[Target]:
    chosen = spec.text_list("cot")
    for index, code in enumerate(chosen):
        if code not in rules:
            spec.col.error(spec.line("cot", index), spec.name("cot", index),
                           f"'{code}' không phải là chỉ tiêu được tổng hợp từ các đơn vị "
                           f"(có: {', '.join(rules)})")
    return [targets[c] for c in (chosen or rules) if c in rules]


def _from_table(spec: Fields, table: Path, targets: dict, expected):  # noqa: C901 - one pass over the rows, each check where its cell is read
    outside = workspace.outside_content(spec.src.path, str(spec.data["bang"]))
    if outside:  # never opened
        spec.error("bang", outside)
        return None, []
    if not table.is_file():
        spec.error("bang", f"không tìm thấy bảng {display_path(table)}")
        return None, []
    try:
        rows = batch.rows(spec.src.path, {"bang": os.path.relpath(table, spec.src.path.parent)},
                          spec.src)
    except batch.BatchError as exc:
        spec.col.problems.extend(exc.problems)
        return None, []
    where = display_path(table)
    problems = spec.col.problems
    if len(rows) > MAX_UNITS:
        spec.error("bang", f"bảng {where} có {len(rows)} dòng, quá {MAX_UNITS} đơn vị")
        return None, []
    columns = list(rows[0].values) if rows else []
    codes = [c for c in columns if is_code_column(c)]
    for code in codes:
        if code not in targets:
            problems.append(Problem(where, 1, code, f"kế hoạch không có chỉ tiêu mã "
                                    f"'{code}'; sửa tên cột cho đúng mã chỉ tiêu"))
    codes = [c for c in codes if c in targets]
    for target in targets.values():
        rule = target.tong_hop
        if rule is None or rule.cach != "ty_le":
            continue
        if target.ma in codes:
            problems.append(Problem(where, 1, target.ma, f"chỉ tiêu {target.ma} được tính "
                                    f"từ {rule.tu_so}/{rule.mau_so} của từng đơn vị, không "
                                    "nhập cột này; bỏ cột hoặc bỏ tong_hop: ty_le"))
        elif rule.tu_so in codes and rule.mau_so in codes:
            codes.append(target.ma)
    units: list = []
    seen: dict = {}
    for row in rows:
        who = identify(row.values, expected, where, row.number, problems)
        if who is None:
            continue
        name, ma = who
        key = ma or fold_name(name)
        if key in seen:
            problems.append(Problem(where, row.number, "ma_xa" if ma else "don_vi",
                                    f"{capitalised(name)} có hai dòng (dòng {seen[key]} và dòng "
                                    f"{row.number}); giữ một dòng"))
            continue
        seen[key] = row.number
        figures = {}
        for code in codes:
            figures[code] = _cell(row.values.get(code, ""), where, row.number, code, problems,
                                  targets[code].co_the_am)
        own = {}
        for column, text in row.values.items():
            if column.startswith("chi_tieu.") and text:
                value = _cell(text, where, row.number, column, problems)
                if value is not None:
                    own[column[len("chi_tieu."):]] = value
        sent = any(v is not None for v in figures.values())
        units.append(Unit(name, ma, f"{where}:{row.number}", figures if sent else None,
                          own, row.number))
    return _with_missing(units, expected), codes


def _cell(text, where, line, column, problems, negative_ok=False) -> Decimal | None:
    """A figure of the table in Vietnamese notation (the batch tables' reading)."""
    text = str(text).strip()
    if text == "":
        return None
    try:
        value = vnformat.parse_number(text)
    except vnformat.NotANumber as exc:
        problems.append(Problem(where, line, column, f"{exc} (để trống nếu chưa có số liệu)"))
        return None
    if value < 0 and not negative_ok:
        problems.append(Problem(where, line, column, negative_message(text)))
        return None
    return value


def _with_missing(units: list[Unit], expected) -> list[Unit]:
    """Every unit expected, in the official order; those absent sent nothing."""
    if not expected:
        return units
    by_code = {u.ma: u for u in units}
    return [by_code.get(row.values["ma_xa"]) or
            Unit(row.values["ten_xa"], row.values["ma_xa"], "", None)
            for row in expected]


def unit_files(path: Path, pattern: str) -> list[Path]:
    """The unit report files a glob names, relative to the aggregate report."""
    base = Path(path).parent
    found = sorted(Path(p) for p in glob.glob(os.path.join(str(base), pattern)))
    own = Path(path).resolve()
    # Only the workspace's own files: a pattern like ../../* never reaches outside it.
    return [p for p in found if p.is_file() and p.resolve() != own
            and not p.name.startswith("_") and workspace.inside_content(path, p)]


def _from_files(spec: Fields, path, pattern, plan: Plan, nam, agency, expected,
                load_document):
    files = unit_files(path, pattern)
    if not files:
        spec.error("tep", f"không có tệp nào khớp mẫu '{pattern}' (tính từ thư mục "
                   f"{display_path(Path(path).parent)})")
        return None, []
    if len(files) > MAX_UNITS:
        spec.error("tep", f"mẫu '{pattern}' khớp {len(files)} tệp, quá {MAX_UNITS} đơn vị; "
                   "hãy viết mẫu hẹp hơn")
        return None, []
    problems = spec.col.problems
    units: list = []
    seen: dict = {}
    targets = {t.ma for t in plan.targets()}
    for file in files:
        where = display_path(file)
        lines = source.load(file, Collector(file))
        line = (lambda *key, src=lines: src.line(key)) if lines is not None \
            else (lambda *key: None)
        try:
            doc = load_document(file)
        except ContentError as exc:
            problems.append(Problem(where, None, None, "báo cáo của đơn vị có lỗi, "
                                    "hãy sửa tệp này trước:"))
            problems.extend(exc.problems)
            continue
        if not isinstance(doc, Report):
            problems.append(Problem(where, line("loai"), "loai",
                                    "không phải là báo cáo (loai: bao-cao)"))
            continue
        assert doc.ke_hoach is not None  # a report is read with its plan
        before = len(problems)
        chain = _plan_chain(doc.ke_hoach.path)
        if Path(plan.path).resolve() not in chain:
            problems.append(Problem(where, line("ke_hoach"), "ke_hoach", "báo cáo theo kế "
                                    "hoạch " + " (dựa trên ".join(map(display_path, chain))
                                    + ")" * (len(chain) - 1) + ", không phải kế hoạch "
                                    f"{display_path(plan.path)} của báo cáo tổng hợp"))
        if nam is not None and doc.nam != nam:
            problems.append(Problem(where, line("nam"), "nam", f"báo cáo năm {doc.nam}, "
                                    f"báo cáo tổng hợp năm {nam}"))
        if agency is not None and doc.co_quan.ten_day_du == agency.ten_day_du:
            problems.append(Problem(where, line("co_quan"), "co_quan", "báo cáo của "
                                    f"{agency.ten_day_du}, cùng cấp với báo cáo tổng hợp; "
                                    "chỉ tổng hợp báo cáo của cấp dưới"))
        who = _commune_of(doc.co_quan.ten_day_du, expected)
        if expected and who is None:
            problems.append(Problem(where, line("co_quan"), "co_quan",
                                    f"{doc.co_quan.ten_day_du} không phải là Ủy ban nhân dân "
                                    f"xã, phường của {expected[0].values['tinh']}"))
        extra = [r.target.ma for r in doc.ket_qua if r.target.ma not in targets]
        for code in extra:
            problems.append(Problem(where, line("ket_qua", code), f"ket_qua.{code}",
                                    f"kế hoạch {display_path(plan.path)} không có chỉ tiêu "
                                    f"mã '{code}'"))
        if len(problems) > before:
            continue
        name, ma = who or (doc.co_quan.ten_day_du, None)
        key = ma or fold_name(name)
        if key in seen:
            problems.append(Problem(where, line("co_quan"), "co_quan",
                                    f"{capitalised(name)} đã có báo cáo {seen[key]}; "
                                    "mỗi đơn vị chỉ một báo cáo"))
            continue
        seen[key] = where
        figures = {r.target.ma: r.gia_tri for r in doc.ket_qua}
        own = {t.ma: t.gia_tri for t in doc.ke_hoach.targets()}
        units.append(Unit(name, ma, where, figures, own))
    return _with_missing(units, expected), list(targets)


def _plan_chain(unit_plan: Path) -> list[Path]:
    """The unit's plan and the plans it is a copy of (``dua_tren``), nearest first:
    a unit reports on the aggregate's plan or on its own copy of it."""
    chain = [Path(unit_plan).resolve()]
    while len(chain) < 6:
        src = source.load(chain[-1], Collector(chain[-1]))
        base = src.data.get("dua_tren") if src is not None and isinstance(src.data, dict) \
            else None
        if not base:
            break
        chain.append((chain[-1].parent / str(base)).resolve())
    return chain


def _commune_of(agency_name: str, expected):
    if not expected:
        return None
    for row in expected:
        if fold_name(row.values["co_quan.ten_day_du"]) == fold_name(agency_name):
            return row.values["ten_xa"], row.values["ma_xa"]
    return None


# -- adding up ----------------------------------------------------------------------

def _tenth(value: Decimal) -> Decimal:
    """A computed figure to one decimal, without a ``,0`` nobody wrote (77, 85,7)."""
    value = value.quantize(TENTH, rounding=ROUND_HALF_UP)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _figures(units, code):
    return [u.so_lieu.get(code) for u in units if u.so_lieu is not None
            and u.so_lieu.get(code) is not None]


def _add_up(code, rule: Rule, target: Target, units, f: Fields, plan: Plan):
    """The aggregate of one target, and (met, counted) for ``so_don_vi_dat``."""
    if rule.cach == "cong":
        values = _figures(units, code)
        return (sum(values, Decimal(0)) if values else None), None
    if rule.cach == "trung_binh":
        values = _figures(units, code)
        return (_tenth(sum(values, Decimal(0)) / len(values)) if values else None), None
    if rule.cach == "ty_le":
        top = sum(_figures(units, rule.tu_so), Decimal(0))
        bottom = sum(_figures(units, rule.mau_so), Decimal(0))
        return (_tenth(top / bottom * 100) if bottom else None), None
    met = counted = 0
    for unit in units:
        value = unit.so_lieu.get(code) if unit.so_lieu is not None else None
        if value is None:
            continue
        verdict = unit_met(unit, code, rule, target)
        if verdict is None:
            f.col.problems.append(Problem(
                unit.where, unit.line, f"chi_tieu.{code}",
                f"không biết mức đạt của {unit.ten} cho chỉ tiêu {code}: khai báo muc_dat "
                f"trong tong_hop của chỉ tiêu (kế hoạch {display_path(plan.path)}) hoặc "
                f"thêm cột chi_tieu.{code}"))
            return None, None
        counted += 1
        met += verdict
    if not counted:
        return None, (0, 0)
    value = _tenth(Decimal(met) / counted * 100) if target.don_vi == "%" else Decimal(met)
    return value, (met, counted)


def unit_met(unit: Unit, code: str, rule: Rule, target: Target) -> bool | None:
    """Whether one unit met its own target (``so_don_vi_dat``)."""
    value = unit.so_lieu.get(code) if unit.so_lieu else None
    own = rule.muc_dat if rule.muc_dat is not None else unit.muc.get(code)
    if value is None or own is None:
        return None
    return value <= own if target.so_sanh == "toi-da" else value >= own


def unit_value(unit: Unit, code: str, rule: Rule) -> Decimal | None:
    """One unit's figure as the appendix shows it (a ratio recomputed)."""
    if unit.so_lieu is None:
        return None
    if rule.cach == "ty_le":
        top, bottom = unit.so_lieu.get(rule.tu_so or ""), unit.so_lieu.get(rule.mau_so or "")
        return _tenth(top / bottom * 100) if top is not None and bottom else None
    return unit.so_lieu.get(code)


# -- the appendix -------------------------------------------------------------------

def share_text(labels: dict, counts: tuple[int, int], ten_don_vi: str) -> str:
    """``40/45 xã đạt``, worded by the template."""
    return labels["so-don-vi-dat"].format(dat=counts[0], tong=counts[1], ten=ten_don_vi)


def unit_table(report: Report, labels: dict) -> Table:
    """``Kết quả theo đơn vị``: one row per unit, a column per chosen target and a
    total row equal to the report's aggregate. ``labels`` are the template's words."""
    agg = cast(Aggregate, report.tong_hop)
    # A share of units has no one unit: its cells are each unit's own figure.
    header = [labels["stt"], labels["don-vi"]] + \
        [t.ten if agg.rules[t.ma].cach == "so_don_vi_dat" else f"{t.ten} ({t.don_vi})"
         for t in agg.cot]
    rows = []
    for index, unit in enumerate(agg.don_vi, start=1):
        name = capitalised(unit.ten)
        if unit.so_lieu is None:
            rows.append([str(index), name, labels["chua-bao-cao"]]
                        + [""] * (len(agg.cot) - 1))
            continue
        cells = [str(index), name]
        for target in agg.cot:
            rule = agg.rules[target.ma]
            value = unit_value(unit, target.ma, rule)
            text = vnformat.number(value) if value is not None else "-"
            if rule.cach == "so_don_vi_dat" and value is not None:
                met = unit_met(unit, target.ma, rule, target)
                text += f" ({labels['dat'] if met else labels['khong-dat']})"
            cells.append(text)
        rows.append(cells)
    total = ["", labels["tong"]]
    for target in agg.cot:
        total.append(total_text(agg, target.ma, labels))
    rows.append(total)
    # STT narrow, the unit's name about a fifth, the figures share the rest.
    share = 75 / max(1, len(agg.cot))
    return Table(header, rows, can=["giua", "trai"] + ["phai"] * len(agg.cot),
                 ty_le=[5, 20] + [share] * len(agg.cot))


def total_text(agg: Aggregate, code: str, labels: dict) -> str:
    """The aggregate of one target as printed, in the targets table and the total row."""
    value = agg.ket_qua.get(code)
    if value is None:
        return labels.get("chua-co", "-")
    text = vnformat.number(value)
    if code in agg.so_don_vi:
        text += f" ({share_text(labels, agg.so_don_vi[code], agg.ten_don_vi)})"
    return text


# -- incremental builds -------------------------------------------------------------

def inputs(path: Path, spec: dict, hasher, file_inputs) -> dict[str, str | None]:
    """What an aggregate depends on: every unit's file or the table, and each unit's
    figure by name, so ``--explain`` can say which unit changed which figure."""
    out: dict[str, str | None] = {}
    base = Path(path).parent
    if isinstance(spec.get("bang"), str):
        table = (base / spec["bang"]).resolve()
        out[str(table)] = hasher.digest(table)
        try:
            src = source.Source(Path(path), {"cho_moi": {"bang": spec["bang"]}}, {})
            rows = batch.rows(Path(path), {"bang": spec["bang"]}, src)
        except (batch.BatchError, OSError, ValueError):
            return out
        for row in rows:
            name = row.values.get("ten_xa") or row.values.get("don_vi") or \
                row.values.get("ma_xa") or f"dòng {row.number}"
            for column, value in row.values.items():
                if is_code_column(column) or column.startswith("chi_tieu."):
                    out[f"số liệu của {name}: {column}"] = value
    elif isinstance(spec.get("tep"), str):
        for file in unit_files(path, spec["tep"]):
            out.update(file_inputs(file.resolve(), hasher))
            figures = hasher.references(file).get("ket_qua") or {}
            for code, value in figures.items():
                out[f"số liệu của {display_path(file)}: {code}"] = value
    return out


# -- one report per commune from the same sheet ---------------------------------------

def plan_copy(plan_path: Path, row, ket_qua: dict | None, warn, load_document) -> Plan:
    """A commune's own copy of the province plan: the commune as agency, its own
    targets from ``chi_tieu.*`` columns, and only the targets the sheet reports.
    A ratio target (``ty_le``) is the commune's own ratio, put into ``ket_qua``."""
    own = {k: v for k, v in row.values.items() if k.startswith(("co_quan.", "chi_tieu."))}
    plan = load_document(plan_path, batch.Row(row.number, own, row.table))
    reported = {k[len("ket_qua."):] for k in row.values if k.startswith("ket_qua.")}

    def keep(targets):
        kept = []
        for target in targets:
            target.chi_tiet = keep(target.chi_tiet)
            if target.ma in reported or target.chi_tiet:
                kept.append(target)
        return kept

    plan.chi_tieu = keep(plan.chi_tieu)
    shared = [t.ma for t in plan.targets() if t.don_vi != "%" and f"chi_tieu.{t.ma}"
              not in row.values and (t.tong_hop is None or t.tong_hop.cach == "cong")]
    if shared and warn is not None:
        warn("chỉ tiêu " + ", ".join(shared) + " của từng xã lấy theo kế hoạch của tỉnh; "
             "thêm cột chi_tieu.<mã> vào bảng để giao chỉ tiêu riêng cho từng xã")
    for target in plan.targets():
        rule = target.tong_hop
        if rule is not None and rule.cach == "so_don_vi_dat" and rule.muc_dat is not None \
                and f"chi_tieu.{target.ma}" not in row.values:
            # "100% xã tổ chức ít nhất 01 hoạt động": the commune's own target is 01.
            target.gia_tri = rule.muc_dat
            target.don_vi = rule.don_vi or target.don_vi
    if ket_qua is not None:
        for target in plan.targets():
            rule = target.tong_hop
            if rule is None or rule.cach != "ty_le" or target.ma in ket_qua:
                continue
            top, bottom = ket_qua.get(rule.tu_so), ket_qua.get(rule.mau_so)
            top = vnformat.parse_number(top) if top is not None else None
            bottom = vnformat.parse_number(bottom) if bottom is not None else None
            ket_qua[target.ma] = None if top is None or not bottom else \
                vnformat.number(_tenth(top / bottom * 100))
    return plan
