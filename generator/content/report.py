"""The year-end report (``loai: bao-cao``): its plan, results and their evaluation.

A report names its plan (``ke_hoach``); the plan's targets are the report's, so a
changed target changes the report on the next render with no edit to the report.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from . import aggregate, periods, sections, source, suggest
from .. import vnformat, workspace
from ..errors import Collector, ContentError, display_path
from .fields import Fields, negative_message
from ..model import Appendix, Plan, Report, Result
from ..model import Document

REPORT_KEYS = {
    "ke_hoach", "kinh_gui", "ket_qua", "tinh_hinh", "ket_qua_thuc_hien", "danh_gia",
    "phuong_huong", "kien_nghi", "bang_chi_tieu", "tong_hop", "bo_cuc", "chi_tieu",
}


class _Programme:
    """Targets written in the report itself (a programme, a higher-level decision,
    no vanban plan): they stand where a plan's would."""

    def __init__(self, chi_tieu):
        self.chi_tieu = chi_tieu

    def targets(self):
        return [t for top in self.chi_tieu for t in top.all()]


def read_report(f: Fields, path: Path, common: dict | None,
                load_plan: Callable[..., Document],
                read_targets: Callable[[Fields, Any], list] = lambda f, period: [],
                row=None) -> Report | None:
    """The report's own fields; ``load_plan`` reads the plan it names (validate's
    ``load_document``) and ``read_targets`` the targets a report writes itself (a
    programme with no plan), passed in so this module does not import its caller;
    ``row`` is the report's row in a batch over the communes' sheet."""
    if not f.has("ke_hoach") and not f.has("chi_tieu") and f.has("ket_qua"):
        f.error("ket_qua", "ket_qua là kết quả của các chỉ tiêu, nhưng báo cáo không có "
                "ke_hoach (chỉ tiêu của kế hoạch) cũng không có chi_tieu (chỉ tiêu ghi ngay "
                "trong báo cáo); thêm một trong hai, hoặc xóa ket_qua")
    plan = _plan(f, path, load_plan, row) if f.has("ke_hoach") else None
    danh_gia = f.child("danh_gia") if f.has("danh_gia") else None
    if danh_gia is not None:
        danh_gia.only({"uu_diem", "han_che", "nguyen_nhan"})
    table_in_appendix, landscape = False, False
    if f.has("bang_chi_tieu"):
        option = f.child("bang_chi_tieu")
        option.only({"phu_luc", "ngang"})
        table_in_appendix = option.boolean("phu_luc", False)
        landscape = option.boolean("ngang", False)
    fields: dict[str, Any] = dict(
        kinh_gui=f.text_list("kinh_gui", one_line=True),
        tinh_hinh=f.blocks("tinh_hinh"), ket_qua_thuc_hien=f.blocks("ket_qua_thuc_hien"),
        uu_diem=danh_gia.blocks("uu_diem") if danh_gia else [],
        han_che=danh_gia.blocks("han_che") if danh_gia else [],
        nguyen_nhan=danh_gia.blocks("nguyen_nhan") if danh_gia else [],
        phuong_huong=f.blocks("phuong_huong"), kien_nghi=f.blocks("kien_nghi"),
        bang_phu_luc=table_in_appendix, bang_ngang=landscape,
        bo_cuc=sections.read(f, "bao-cao"),
    )
    added_up = _aggregate(f, path, plan, common, load_plan)
    if plan is not None and added_up is not False:
        # A report on a period plan without a period of its own reports one year,
        # against that year's values (periods.py).
        year = common["nam"] if common and plan.giai_doan and not common["giai_doan"] else None
        results = _results(f, _Programme(periods.for_year(plan.chi_tieu, year))
                           if year else plan, added_up)
        if f.has("chi_tieu"):
            f.error("chi_tieu", "báo cáo đã dựa trên kế hoạch (ke_hoach) thì chỉ tiêu lấy từ "
                    "kế hoạch; xóa chi_tieu ở báo cáo, hoặc xóa ke_hoach nếu báo cáo về một "
                    "chương trình không có kế hoạch trong vanban")
    elif plan is None and f.has("chi_tieu"):
        results = _results(f, _Programme(read_targets(f, common and common["giai_doan"])))
    else:
        results = []  # a review with no targets: no table, no summary sentence
    if common is None or (plan is None and f.has("ke_hoach")) or added_up is False:
        return None
    if plan is not None:
        _same_issuer(f, common, plan)
    _not_twice(f, fields["kinh_gui"], common["noi_nhan"])
    report = Report(**common, **fields, ke_hoach=plan, ket_qua=results)
    if table_in_appendix:
        # The targets table becomes the first appendix; templates word its title.
        report.phu_luc.insert(0, Appendix(tieu_de="", ngang=landscape, chi_tieu=True))
    if added_up is not None:
        # Results added up from the units: their table by unit is the last appendix.
        report.tong_hop = added_up
        report.phu_luc.append(Appendix(tieu_de="", ngang=True, theo_don_vi=True))
    return report


def _aggregate(f: Fields, path: Path, plan: Plan | None, common: dict | None,
               load_document: Callable[..., Document]):
    """The units' results added up (``tong_hop``, see aggregate.py); None for a
    typed report, False when the units could not be read (problems recorded)."""
    if not f.has("tong_hop") or plan is None:
        return None
    found = aggregate.read(f, path, plan, (common or {}).get("nam"),
                           (common or {}).get("co_quan"), load_document)
    return False if found is None else found


def _plan(f: Fields, path: Path, load_document: Callable[..., Document],
          row=None) -> Plan | None:
    """The report's plan; for one commune of a batch over the communes' sheet, its
    own copy (aggregate.plan_copy: the commune as agency, the sheet's targets)."""
    found = plan_file(f, path)
    if found is None:
        return None
    plan_path, _ = found
    if row is not None and any(k.startswith("ket_qua.") for k in row.values):
        return plan_named(f, plan_path, lambda: aggregate.plan_copy(
            plan_path, row, f.data.get("ket_qua"),
            lambda message: f.warn("ke_hoach", message), load_document))
    return plan_named(f, plan_path, lambda: load_document(plan_path))


def plan_file(f: Fields, path: Path, example: str | None = None
              ) -> tuple[Path, source.Source | None] | None:
    """The file a report's or a decision's ``ke_hoach`` names, and its head as read,
    when it may be loaded as a plan: inside the workspace's content folder (else
    never opened), there, and not the naming file itself nor a document of another
    kind, which would load reports or decisions without end. A file that cannot be
    read is loaded all the same, so that its own problems are shown."""
    name = f.text("ke_hoach", required=True)
    if name is None:
        return None
    outside = workspace.outside_content(path, name, example)
    if outside:  # never opened
        f.error("ke_hoach", outside)
        return None
    plan_path = Path(path).parent / name
    if not plan_path.is_file():
        f.error("ke_hoach", f"không tìm thấy tệp kế hoạch {display_path(plan_path)}")
        return None
    head = source.load(plan_path, Collector(plan_path))
    loai = head.data.get("loai") if head is not None and isinstance(head.data, dict) else None
    if plan_path.resolve() == Path(path).resolve() or loai not in (None, "ke-hoach"):
        f.error("ke_hoach", f"{display_path(plan_path)} không phải là kế hoạch"
                + (f" (loai: {loai})" if loai else "")
                + "; ke_hoach phải là tệp kế hoạch (loai: ke-hoach)")
        return None
    return plan_path, head


def plan_named(f: Fields, plan_path: Path, load: Callable[[], Document]) -> Plan | None:
    """The plan a report or a decision names (``ke_hoach``), read by ``load``: its
    problems are recorded under ``ke_hoach``, and a file that is not a plan is refused."""
    try:
        plan = load()
    except ContentError as exc:
        f.error("ke_hoach", f"tệp kế hoạch {display_path(plan_path)} có lỗi, "
                "hãy sửa kế hoạch trước:")
        f.col.problems.extend(exc.problems)
        return None
    if not isinstance(plan, Plan):
        f.error("ke_hoach", f"{display_path(plan_path)} không phải là kế hoạch "
                f"(loai: {plan.loai})")
        return None
    return plan


def _results(f: Fields, plan: "Plan | _Programme", added_up=None) -> list[Result]:
    raw = f.data.get("ket_qua")
    if raw is None and added_up is None:
        f.text("ket_qua", required=True)
        return []
    if raw is not None and not isinstance(raw, dict):
        f.error("ket_qua", "phải là bảng khóa: mã chỉ tiêu → số đạt được")
        return []
    raw = raw or {}
    given = f.child("ket_qua") if "ket_qua" in f.data else Fields(f.src, f.col, ("ket_qua",), {})
    codes = {t.ma for t in plan.targets()}
    for code in raw:
        if code not in codes:
            given.error(code, f"kế hoạch không có chỉ tiêu mã '{code}'."
                        + suggest.hint(code, codes))
    computed = added_up.ket_qua if added_up is not None else {}
    missing = [t.ma for t in plan.targets() if t.ma not in raw and t.ma not in computed]
    if missing:
        f.error("ket_qua", "thiếu kết quả của chỉ tiêu: " + ", ".join(missing)
                + " (ghi null nếu chưa có số liệu)")
    results = []
    for index, target in enumerate(plan.chi_tieu, start=1):
        results += _rows(given, target, str(index), raw, added_up)
    _check_sums(given, results)
    return results


def _check_sums(given: Fields, results: list[Result]) -> None:
    """A parent whose result differs from the sum of its sub-targets' results
    (same unit, all known) is probably a slip: a warning naming both numbers."""
    by_code = {r.target.ma: r for r in results}
    for result in results:
        target, subs = result.target, result.target.chi_tiet
        if not subs or result.gia_tri is None or any(s.don_vi != target.don_vi for s in subs):
            continue
        values = [by_code[s.ma].gia_tri for s in subs if s.ma in by_code]
        if len(values) != len(subs) or None in values:
            continue
        total = sum((v for v in values if v is not None), Decimal(0))
        if total != result.gia_tri:
            given.warn(target.ma, f"kết quả {vnformat.number(result.gia_tri)} {target.don_vi} "
                       f"khác tổng kết quả các chỉ tiêu chi tiết "
                       f"({', '.join(s.ma for s in subs)}) là {vnformat.number(total)} "
                       f"{target.don_vi}; hãy kiểm tra lại số liệu")


def _rows(given: Fields, target, stt: str, raw: dict, added_up=None) -> list[Result]:
    rows = []
    if added_up is not None and target.ma in added_up.ket_qua:
        rows.append(Result(target, stt, added_up.ket_qua[target.ma],
                           so_don_vi=added_up.so_don_vi.get(target.ma)))
    elif target.ma in raw:
        value, note = _value(given, target, raw[target.ma])
        if value is None and raw[target.ma] is None:
            given.warn(target.ma, "chưa có số liệu: bảng sẽ ghi 'Chưa có số liệu'")
        rows.append(Result(target, stt, value, note))
    for index, sub in enumerate(target.chi_tiet, start=1):
        rows += _rows(given, sub, f"{stt}.{index}", raw, added_up)
    return rows


def _value(given: Fields, target, entry) -> tuple[Decimal | None, str | None]:
    code = target.ma
    if isinstance(entry, dict):
        item, key = given.child(code), "gia_tri"
        item.only({"gia_tri", "ghi_chu"})
        value, note = item.number(key), item.text("ghi_chu")
    else:
        item, key = given, code
        value, note = given.number(code), None
    if value is not None and value < 0 and not target.co_the_am:
        item.error(key, negative_message(item.data.get(key)))
        return None, note
    return value, note


def _same_issuer(f: Fields, common: dict, plan: Plan) -> None:
    """A report is on its own agency's plan. Its year may follow the plan's: a
    2024 report on a plan issued in 2021 for 2021–2025 is normal, so a later year
    is only a warning; an earlier year is an error."""
    agency = common["co_quan"]
    if (agency.ten_day_du, agency.viet_tat) != (plan.co_quan.ten_day_du,
                                                plan.co_quan.viet_tat):
        f.error("co_quan", f"cơ quan báo cáo ({agency.ten_day_du}) khác cơ quan ban hành "
                f"kế hoạch ({plan.co_quan.ten_day_du})")
    if plan.giai_doan is not None:
        _within_period(f, common, plan.giai_doan)
    elif common["nam"] < plan.nam:
        f.error("nam", f"năm báo cáo {common['nam']} trước năm kế hoạch {plan.nam}")
    elif common["nam"] > plan.nam:
        f.warn("nam", f"báo cáo năm {common['nam']} trên kế hoạch năm {plan.nam}; "
               "đúng nếu kế hoạch áp dụng nhiều năm")


def _within_period(f: Fields, common: dict, period) -> None:
    """A report on a period plan reports one year of the period (its ``nam``) or
    the whole period (its own ``giai_doan``, the same as the plan's): a year or a
    period outside it would be measured against values the plan never set."""
    own = common["giai_doan"]
    if own is not None and (own.tu, own.den) != (period.tu, period.den):
        f.error("giai_doan", f"kế hoạch là giai đoạn {period}, báo cáo ghi giai đoạn {own}; "
                f"báo cáo cả giai đoạn thì ghi giai_doan: {period}, báo cáo một năm thì bỏ "
                "giai_doan và ghi nam")
    elif own is None and common["nam"] not in period.nam:
        f.error("nam", f"năm {common['nam']} không thuộc giai đoạn {period} của kế hoạch; "
                f"báo cáo một năm thì ghi nam từ {period.tu} đến {period.den}, báo cáo cả "
                f"giai đoạn thì thêm giai_doan: {period}")


def _not_twice(f: Fields, kinh_gui: list[str], noi_nhan: list[str]) -> None:
    """The recipients of Kính gửi are "Như trên" in Nơi nhận: listed again, they
    would get the report twice on paper."""
    sent = {r.casefold().rstrip(" ;.,") for r in kinh_gui}
    for index, item in enumerate(noi_nhan):
        if item.casefold().rstrip(" ;.,") in sent:
            f.col.warn(f.line("noi_nhan", index), f.name("noi_nhan", index),
                       f"'{item}' đã ở Kính gửi, nên Nơi nhận in '- Như trên;' cho nơi ấy; "
                       "bỏ dòng này để không gửi hai lần")
