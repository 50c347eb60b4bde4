"""From a loaded content file to a validated :mod:`model` object.

``load_document(path)`` is the single entry point: it reads the file, resolves the
agency, checks every field of content-format.md and renders the target sentences.
All problems of the file are gathered and raised together as a ContentError.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path
from typing import Callable
from typing import Any

from . import aggregate, batch, periods, sections, source, suggest, sentences as targets
from .. import workspace
from ..errors import Collector, ContentError, display_path
from .fields import QUOTE_HINT, Fields, negative_message
from ..limits import MAX_NAME_CHARS
from .report import REPORT_KEYS, read_report
from .decision import DECISION_KEYS, read_decision
from .signer import problems as authority_problems
from ..model import (KIND_CODES, KIND_NAMES, Agency, Appendix, Assignment, Document, Plan,
                     Signer, Table, Target)

KINDS = KIND_CODES

COMMON_KEYS = {
    "loai", "co_quan", "nam", "trich_yeu", "so", "ky_hieu", "ngay", "can_cu", "mo_dau",
    "ket_thuc", "nguoi_ky", "noi_nhan", "so_co_so_0", "phu_luc", "ten_tep",
    "dua_tren", "cho_moi", "giai_doan",
}
PLAN_KEYS = {"muc_dich", "yeu_cau", "muc_tieu_chung", "chi_tieu", "nhiem_vu", "kinh_phi",
             "to_chuc_thuc_hien", "bo_cuc"}
AGENCY_KEYS = {"ten", "ten_day_du", "chu_quan", "viet_tat", "dia_danh", "so_theo_loai"}
TARGET_KEYS = {"ma", "ten", "gia_tri", "don_vi", "so_sanh", "cau", "chi_tiet", "nhom",
               "co_the_am", "tong_hop", "in_chi_tiet", "giu_cuoi_cau", "theo_nam"}
COMPARISONS = ("toi-thieu", "toi-da", "lon-hon", "nho-hon")
BREAKDOWNS = ("dong", "ngoac", "khong")
CODE = re.compile(r"^[A-Za-z0-9_-]+$")
KY_HIEU = re.compile(r"^[A-Za-zĐđ0-9]+(-[A-Za-zĐđ0-9]+)+$")


def load_document(path: Path, row: "batch.Row | None" = None) -> Document:
    """Read, check and build the model of one document (one ``row`` of a batch).

    Raises ContentError with every problem found; warnings stay on the result.
    """
    col = Collector(path)
    src = source.load(path, col)
    if src is None:
        raise ContentError(col.problems)
    src = _with_base(src, col)
    variables: dict = {}
    if row is not None:
        src, variables = batch.apply(src, row, lambda key: raw_agency(path, key), col)
    elif (spec := batch.spec_of(src.data)) is not None:
        # The batch file itself is a template for its rows, checked with row 1.
        try:
            rows = batch.rows(path, spec, src)
        except batch.BatchError as exc:
            raise ContentError(col.problems + exc.problems) from None
        if rows:
            row = rows[0]
            src, variables = batch.apply(src, row, lambda key: raw_agency(path, key), col)
    _blanks(src, col)
    doc = _document(Fields(src, col), path, variables, row)
    col.raise_if_any()
    assert doc is not None  # None only when a problem was found, raised just above
    doc.warnings = [p for p in col.problems if p.warning]
    doc.hang = variables
    return doc


# A blank left by ``vanban new`` (``Luật … ngày …``): an ellipsis standing alone,
# not one that ends a word (``nhạy cảm…)``, ``v.v...``), which is ordinary text.
_BLANK = re.compile(r"(?<![\w.…])(?:…|\.\.\.)")
BLANK = ("còn chỗ trống '…' chưa điền; hãy thay bằng nội dung trước khi ban hành "
         "(vanban number sẽ không cấp số)")


def _blanks(src: source.Source, col: Collector, value=None, path: tuple = ()) -> None:
    """A warning at each text that still holds a blank."""
    value = src.data if not path else value
    if isinstance(value, dict):
        for key, item in value.items():
            _blanks(src, col, item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _blanks(src, col, item, path + (index,))
    elif isinstance(value, str) and _BLANK.search(value):
        name = ".".join(str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in path)
        col.warn(src.line(path), name.replace(".[", "["), BLANK)


def check_complete(doc: Document) -> None:
    """An issued document has no blanks: ``vanban number`` refuses a document
    whose texts still hold ``…`` (a warning in check and render)."""
    blanks = [p for p in doc.warnings if p.message == BLANK]
    if blanks:
        raise ContentError([dataclasses.replace(
            p, warning=False, message="còn chỗ trống '…' chưa điền; văn bản ban hành không "
            "được để trống, hãy điền nội dung rồi chạy lại vanban number") for p in blanks])


def _with_base(src: source.Source, col: Collector, depth: int = 0) -> source.Source:
    """``dua_tren: ke-hoach.yaml``: start from another file's fields (a commune's
    copy of the province plan), then apply this file's own. A mistake in a field
    that comes from the base is shown on the ``dua_tren`` line."""
    base_name = src.data.get("dua_tren") if isinstance(src.data, dict) else None
    if base_name is None:
        return src
    line = src.line(("dua_tren",))
    base_path = src.path.parent / str(base_name)
    outside = workspace.outside_content(src.path, str(base_name))
    if outside:  # never opened
        col.error(line, "dua_tren", outside)
        return src
    if depth > 5 or not base_path.is_file():
        col.error(line, "dua_tren", f"không tìm thấy tệp {display_path(base_path)}"
                  if depth <= 5 else "các tệp dua_tren dựa vào nhau thành vòng")
        return src
    base = source.load(base_path, Collector(base_path))
    if base is None or not isinstance(base.data, dict):
        col.error(line, "dua_tren", f"tệp {display_path(base_path)} có lỗi cú pháp")
        return src
    base = _with_base(base, col, depth + 1)
    own = {k: v for k, v in src.data.items() if k != "dua_tren"}
    # A number and its date belong to one document: a copy never inherits them.
    inherited = {k: v for k, v in base.data.items()
                 if k not in ("cho_moi", "ten_tep", "so", "ngay")}
    lines: dict = {key: line for key in base.lines if key and key[0] in inherited}
    lines.update(src.lines)
    return source.Source(src.path, {**inherited, **own}, lines)


def _document(f: Fields, path: Path, variables: dict | None = None,
              row: "batch.Row | None" = None) -> Document | None:
    loai = f.text("loai", required=True)
    if loai is not None and loai not in KINDS:
        f.error("loai", f"'{loai}' không hợp lệ; chỉ nhận ke-hoach, bao-cao hoặc quyet-dinh")
        loai = None
    if loai == "quyet-dinh":  # a decision issuing a plan file
        f.only(COMMON_KEYS | DECISION_KEYS)
        return read_decision(f, path, _common(f, path, "quyet-dinh"), load_document)
    if loai == "bao-cao":
        common = _common(f, path, "bao-cao")
        f.only(COMMON_KEYS | REPORT_KEYS)
        return read_report(f, path, common, load_document, _own_targets, row)
    f.only(COMMON_KEYS | PLAN_KEYS)
    # Go on even when the header is wrong: every mistake of the file is reported.
    return _plan(f, _common(f, path, loai or "ke-hoach"), variables or {})


def _common(f: Fields, path: Path, loai: str) -> dict | None:
    agency = _agency(f, path)
    nam = f.integer("nam", required=True, minimum=1945, maximum=9998)
    so = f.integer("so", minimum=1)
    ngay = f.date("ngay")
    if ngay and nam and ngay.year not in (nam, nam - 1, nam + 1):
        f.warn("ngay", f"năm của ngày ký ({ngay.year}) khác xa năm kế hoạch ({nam})")
    ky_hieu = f.text("ky_hieu")
    if ky_hieu is not None and not KY_HIEU.match(ky_hieu):
        f.error("ky_hieu", f"'{ky_hieu}' không đúng dạng ký hiệu (ví dụ KH-UBND), "
                "không có dấu cách quanh dấu '-'")
    elif ky_hieu is not None and ky_hieu.split("-")[0].upper() != KINDS[loai]:
        f.error("ky_hieu", f"ký hiệu '{ky_hieu}' không phải của loại văn bản này "
                f"(loai: {loai}); ký hiệu của {KIND_NAMES[loai]} bắt đầu bằng "
                f"{KINDS[loai]}-, ví dụ {KINDS[loai]}-UBND, hoặc bỏ ky_hieu để dùng mặc định")
    elif ky_hieu is not None and not ky_hieu.startswith(KINDS[loai] + "-"):
        f.error("ky_hieu", f"viết chữ viết tắt tên loại đúng như Nghị định 30: "
                f"{KINDS[loai]}-{ky_hieu.split('-', 1)[1]}, không phải {ky_hieu}")
    if ky_hieu is None and agency is not None:
        ky_hieu = f"{KINDS[loai]}-{agency.viet_tat}"
    signer = _signer(f)
    values: dict[str, Any] = dict(
        path=Path(path), loai=loai, co_quan=agency, nam=nam,
        trich_yeu=f.text("trich_yeu", required=True),
        nguoi_ky=signer, noi_nhan=f.text_list("noi_nhan", required=True, pairs=True,
                                                      one_line=True),
        ky_hieu=ky_hieu, so=so, ngay=ngay,
        can_cu=f.text_list("can_cu"), mo_dau=f.blocks("mo_dau"),
        ket_thuc=f.blocks("ket_thuc"), so_co_so_0=f.boolean("so_co_so_0", True),
        phu_luc=_appendices(f), ten_tep=f.text("ten_tep"), giai_doan=periods.read(f),
    )
    if values["trich_yeu"] is not None and values["giai_doan"] is not None:
        values["trich_yeu"] = periods.in_subject(f, values["trich_yeu"], values["giai_doan"])
    name = values["ten_tep"]
    if name is not None and not workspace.is_plain_name(name):
        f.error("ten_tep", f"tên tệp '{name}' không hợp lệ: chỉ là một tên, "
                "không chứa '/', '\\' hay '..' và không được ra ngoài thư mục kết quả")
    elif name is not None and workspace.is_too_long(name):
        f.error("ten_tep", f"tên tệp dài quá {MAX_NAME_CHARS} ký tự; hãy đặt tên ngắn hơn")
    if any(v is None for k, v in values.items()
           if k not in ("so", "ngay", "ten_tep", "giai_doan")):
        return None
    return values


def _agency(f: Fields, path: Path) -> Agency | None:
    value = f.data.get("co_quan")
    if value is None:
        f.text("co_quan", required=True)
        return None
    if isinstance(value, dict):
        return _agency_mapping(f.child("co_quan"))
    if not isinstance(value, str):
        f.error("co_quan", "phải là khóa trong _co-quan.yaml hoặc bảng khóa {ten, viet_tat, …}")
        return None
    found, known, problems = _agency_source(path, value)
    f.col.problems.extend(problems)
    if found is not None:
        agency = _agency_mapping(found)
        f.col.problems.extend(found.col.problems)
        return agency
    files = workspace.agencies_files(path)
    where = ", ".join(display_path(p) for p in files) or workspace.AGENCIES_FILE
    hint = f" (các khóa có: {', '.join(known)})" if known else ""
    f.error("co_quan", f"không có cơ quan '{value}' trong {where}{hint}."
            + suggest.hint(value, known))
    return None


def _agency_source(path: Path, key: str):
    """The agency ``key`` in the nearest ``_co-quan.yaml`` that has it: (its Fields
    or None, every key seen, problems of agency files that could not be read)."""
    known, problems = [], []
    for agencies_path in workspace.agencies_files(path):
        col = Collector(agencies_path)
        src = source.load(agencies_path, col)
        if src is None or not isinstance(src.data, dict):
            problems += col.problems
            continue
        known += list(src.data)
        if isinstance(src.data.get(key), dict):
            return Fields(src, col, (key,), src.data[key]), known, problems
    return None, known, problems


def raw_agency(path: Path, key: str) -> dict | None:
    """The mapping of an agency key, as written (a batch row overrides parts of it)."""
    found, _, _ = _agency_source(path, key)
    return found.data if found is not None else None


def _agency_mapping(f: Fields) -> Agency | None:
    f.only(AGENCY_KEYS)
    ten = f.text_list("ten", required=True)
    values: dict[str, Any] = dict(ten=ten, viet_tat=f.text("viet_tat", required=True),
                  dia_danh=f.text("dia_danh", required=True), chu_quan=f.text("chu_quan"),
                  ten_day_du=f.text("ten_day_du") or " ".join(ten),
                  so_theo_loai=f.boolean("so_theo_loai", False))
    if not ten or values["viet_tat"] is None or values["dia_danh"] is None:
        return None
    # A line too long for the agency column is broken by rule when the header is
    # typeset (header_lines.py); nothing for the clerk to do.
    return Agency(**values)


def _signer(f: Fields) -> Signer | None:
    if not f.has("nguoi_ky"):
        f.text("nguoi_ky", required=True)
        return None
    s = f.child("nguoi_ky")
    s.only({"tham_quyen", "chuc_vu", "ho_ten"})
    chuc_vu = s.one_line("chuc_vu", required=True)
    ho_ten = s.one_line("ho_ten", required=True)
    if chuc_vu is None or ho_ten is None:
        return None
    authority = s.text_list("tham_quyen", one_line=True)
    for index, message in authority_problems(authority):
        key = ("tham_quyen", index) if isinstance(s.data.get("tham_quyen"), list) \
            else ("tham_quyen",)
        s.col.error(s.line(*key), s.name(*key), message)
    return Signer(chuc_vu=chuc_vu, ho_ten=ho_ten, tham_quyen=authority)


def _appendices(f: Fields) -> list[Appendix]:
    out = []
    for a in f.mappings("phu_luc"):
        a.only({"tieu_de", "bang", "noi_dung", "ngang"})
        title = a.text("tieu_de", required=True)
        table = None
        if a.has("bang"):
            b = a.child("bang")
            b.only({"cot", "dong"})
            cot = b.text_list("cot", required=True, blanks=True)
            rows = []
            dong = b.data.get("dong")
            if not isinstance(dong, list):
                b.error("dong", "phải là danh sách các dòng, mỗi dòng là danh sách ô")
                dong = []
            cells = Fields(b.src, b.col, b.path + ("dong",), dict(enumerate(dong)))
            for r, _raw in enumerate(dong):
                row = cells.text_list(r, required=True, blanks=True)
                if cot and len(row) != len(cot):
                    b.col.error(b.line("dong", r), b.name("dong", r),
                                f"dòng có {len(row)} ô nhưng bảng có {len(cot)} cột")
                rows.append(row)
            table = Table(cot, rows)
        if title is not None:
            out.append(Appendix(title, table, a.blocks("noi_dung"), a.boolean("ngang", False)))
    return out


# -- plans --------------------------------------------------------------------------

def _plan(f: Fields, common: dict | None, variables: dict) -> Plan | None:
    before = len(f.col.problems)
    chi_tieu = _targets(f, "chi_tieu", f.mappings("chi_tieu"),
                        common.get("giai_doan") if common else None)
    _check_unique(f, chi_tieu)
    aggregate.check_rules(f, chi_tieu)
    # A sentence over a broken target would only repeat that target's error.
    targets_ok = not any(not p.warning for p in f.col.problems[before:])
    assignments = []
    for a in f.mappings("to_chuc_thuc_hien"):
        a.only({"don_vi", "nhiem_vu"})
        unit = a.one_line("don_vi", required=True, heading=True)
        if unit is not None:
            assignments.append(Assignment(unit, a.blocks("nhiem_vu")))
    plan_fields: dict[str, Any] = dict(
        muc_dich=f.blocks("muc_dich"), yeu_cau=f.blocks("yeu_cau"),
        muc_tieu_chung=f.blocks("muc_tieu_chung"), chi_tieu=chi_tieu,
        nhiem_vu=f.blocks("nhiem_vu"), kinh_phi=f.blocks("kinh_phi"),
        to_chuc_thuc_hien=assignments, bo_cuc=sections.read(f, "ke-hoach"),
    )
    if targets_ok:
        targets.render_sentences(chi_tieu, f.boolean("so_co_so_0", True), f, variables)
    if common is None:
        return None
    return Plan(**common, **plan_fields)


def _targets(f: Fields, key: str, items: list[Fields], period=None) -> list[Target]:
    out = []
    for t in items:
        t.only(TARGET_KEYS)
        ma, ten = t.text("ma", required=True), t.text("ten", required=True)
        gia_tri, don_vi = t.number("gia_tri", required=True), t.text("don_vi", required=True)
        so_sanh = t.text("so_sanh") or "toi-thieu"
        if so_sanh not in COMPARISONS:
            t.error("so_sanh", f"'{so_sanh}' không hợp lệ; chỉ nhận toi-thieu (ít nhất), "
                    "toi-da (nhiều nhất), lon-hon (trên) hoặc nho-hon (dưới)")
        in_chi_tiet = t.text("in_chi_tiet") or "dong"
        if in_chi_tiet not in BREAKDOWNS:
            t.error("in_chi_tiet", f"'{in_chi_tiet}' không hợp lệ; chỉ nhận dong (mỗi chỉ "
                    "tiêu chi tiết một dòng +), ngoac (trong ngoặc đơn) hoặc khong (không in)")
        if ma is not None and not CODE.match(ma):
            t.error("ma", f"mã '{ma}' chỉ được gồm chữ cái không dấu, chữ số, '-' và '_'")
        cau = t.data.get("cau")
        if cau is not None and not isinstance(cau, str):
            t.error("cau", "phải là văn bản (mẫu câu)" + QUOTE_HINT.get(type(cau), ""))
            cau = None
        subs = _targets(t, "chi_tiet", t.mappings("chi_tiet"), period)
        co_the_am = t.boolean("co_the_am", False)
        if gia_tri is not None and gia_tri < 0 and not co_the_am:
            t.error("gia_tri", negative_message(t.data.get("gia_tri")))
            gia_tri = None
        if ma is None or ten is None or gia_tri is None or don_vi is None:
            continue
        target = Target(ma=ma, ten=ten, gia_tri=gia_tri, don_vi=don_vi, so_sanh=so_sanh,
                        cau=cau or "", nhom=t.text("nhom"), chi_tiet=subs, line=t.line(),
                        cau_line=t.line("cau"), co_the_am=co_the_am, in_chi_tiet=in_chi_tiet,
                        giu_cuoi_cau=t.boolean("giu_cuoi_cau", False),
                        theo_nam=periods.by_year(t, period),
                        tong_hop=aggregate.read_rule(t))
        same_unit = [s for s in subs if s.don_vi == don_vi]
        if subs and len(same_unit) == len(subs):
            total = sum((s.gia_tri for s in subs), Decimal(0))
            if total != gia_tri:
                from ..vnformat import number
                t.error("chi_tiet", f"tổng các chỉ tiêu chi tiết là {number(total)} "
                        f"{don_vi}, khác giá trị của {ma} là {number(gia_tri)} {don_vi}")
        out.append(target)
    return out


def _own_targets(f: Fields, period) -> list[Target]:
    """Targets a report writes itself (a programme with no vanban plan)."""
    chi_tieu = _targets(f, "chi_tieu", f.mappings("chi_tieu"), period)
    _check_unique(f, chi_tieu)
    return chi_tieu


def _check_unique(f: Fields, chi_tieu: list[Target]) -> None:
    seen: dict[str, int | None] = {}
    for top in chi_tieu:
        for target in top.all():
            if target.ma in seen:
                f.col.error(target.line, "chi_tieu", f"mã chỉ tiêu '{target.ma}' bị trùng "
                            f"(đã dùng ở dòng {seen[target.ma]})")
            else:
                seen[target.ma] = target.line


def check(path: Path, compose: Callable[[Document], object] | None = None) -> list:
    """All problems (errors and warnings) of a content file, for ``vanban check``:
    the document, or every row of a batch (a row's mistake names its table line).
    ``compose`` (the next stage, passed in by the command) is run on each document
    too, so that check finds what build would fail on, short of writing files."""
    try:
        units = batch.units_of(path)
    except ContentError as exc:
        return exc.problems + exc.warnings
    problems: list = []
    for unit in units:
        try:
            doc = load_document(unit.path, unit.row)
            found = doc.warnings
            if compose is not None:  # templates, the clerk's own included, and their limits
                compose(doc)
        except ContentError as exc:
            found = exc.problems + exc.warnings
        problems += [p for p in found if p not in problems]  # rows share the file's warnings
    return problems
