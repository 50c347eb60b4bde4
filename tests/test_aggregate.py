"""Aggregate reports (``tong_hop``): a province report whose results are added up from
its communes' figures, checked on the real DOCX (python-docx) and PDF (pdfplumber)
outputs of the real ``vanban build``.

Every aggregate is computed here, with ``decimal.Decimal``, straight from the unit
table (``csv``) or the units' report files (YAML), the plan's rules and the official
commune list (``vietnam-provinces``), never with vanban's own code: sums, ratios
recomputed from their two counts, averages, the share of communes that met their own
target, the communes that sent nothing, and the total row of the appendix.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from ruamel.yaml import YAML

from conftest import CONTENT
from helpers_ws import AGENCIES, flat, row_cells, squeeze, vn

TENTH = Decimal("0.1")
TARGETS_HEADER = ["STT", "Chỉ tiêu", "Đơn vị", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)",
                  "Đánh giá"]
WORDS = {"vuot": "Vượt", "dat": "Đạt", "khong-dat": "Không đạt"}
NO_DATA, NOT_SENT, TOTAL = "Chưa có số liệu", "Chưa báo cáo", "Tổng cộng"


# -- the independent computation ------------------------------------------------------

def load(path: Path):
    return YAML(typ="safe", pure=True).load(Path(path).read_text(encoding="utf-8"))


def vn_number(text) -> Decimal | None:
    """A cell in Vietnamese notation: ``1.250`` is 1250, ``12,5`` is 12.5."""
    text = str(text).strip()
    if text == "":
        return None
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "")
    return Decimal(text.replace(",", "."))


def dec(value) -> Decimal | None:
    if isinstance(value, dict):
        value = value.get("gia_tri")
    return None if value is None else Decimal(str(value))




def count(n: int) -> str:
    return f"{n:02d}" if n < 10 else str(n)


def tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def communes(province: str) -> list[tuple[str, str]]:
    """(code, name) of every commune of a province, in the official order."""
    from vietnam_provinces import Province, Ward

    found = next(p for p in Province.iter_all() if p.name.endswith(province))
    wards = sorted(Ward.iter_by_province(found.code), key=lambda w: w.code.value)
    return [(f"{w.code.value:05d}", w.name) for w in wards]


def plan_targets(plan: dict):
    """(stt, target) of every target and sub-target, in document order."""
    def walk(target, stt):
        yield stt, target
        for index, sub in enumerate(target.get("chi_tiet") or [], start=1):
            yield from walk(sub, f"{stt}.{index}")
    for index, target in enumerate(plan["chi_tieu"], start=1):
        yield from walk(target, str(index))


def rule_of(target: dict) -> dict:
    rule = target.get("tong_hop")
    if isinstance(rule, str):
        return {"cach": rule}
    return rule or {"cach": "cong"}


class Expected:
    """The aggregate report as it must read, from the units' figures.

    ``units``: (name, figures or None if the unit sent nothing, own targets) in the
    order of the appendix; ``codes``: the targets that come from the units."""

    def __init__(self, plan: dict, report: dict, units, codes: list[str]):
        self.plan, self.report, self.units = plan, report, units
        self.targets = {t["ma"]: t for _, t in plan_targets(plan)}
        typed = report.get("ket_qua") or {}
        self.codes = [c for c in codes if c not in typed]
        self.values, self.shares = {}, {}
        for code in self.codes:
            self.values[code] = self._add_up(code)
        self.results = {**{c: dec(v) for c, v in typed.items()}, **self.values}

    def sent(self):
        return [u for u in self.units if u[1] is not None]

    def _figures(self, code):
        return [f[code] for _, f, _ in self.sent() if f.get(code) is not None]

    def _add_up(self, code):
        rule = rule_of(self.targets[code])
        if rule["cach"] == "cong":
            values = self._figures(code)
            return sum(values) if values else None
        if rule["cach"] == "trung_binh":
            values = self._figures(code)
            return tenth(sum(values) / len(values)) if values else None
        if rule["cach"] == "ty_le":
            top, bottom = sum(self._figures(rule["tu_so"])), sum(self._figures(rule["mau_so"]))
            return tenth(Decimal(top) / bottom * 100) if bottom else None
        met = [self.met(code, figures, own) for _, figures, own in self.sent()
               if figures.get(code) is not None]
        self.shares[code] = (sum(met), len(met))
        if not met:
            return None
        if self.targets[code]["don_vi"] == "%":
            return tenth(Decimal(sum(met)) / len(met) * 100)
        return Decimal(sum(met))

    def met(self, code, figures, own) -> bool:
        rule = rule_of(self.targets[code])
        threshold = dec(rule.get("muc_dat")) if rule.get("muc_dat") is not None \
            else own[code]
        return figures[code] >= threshold

    def achieved(self, code) -> str:
        value = self.results[code]
        if value is None:
            return NO_DATA
        text = vn(value)
        if code in self.shares:
            text += f" ({self.shares[code][0]}/{self.shares[code][1]} xã đạt)"
        return text

    def targets_rows(self) -> list[list[str]]:
        rows, group = [], None
        for stt, target in plan_targets(self.plan):
            if "." not in stt and target.get("nhom") and target["nhom"] != group:
                group = target["nhom"]
                rows.append([flat(group)])
            value, planned = self.results[target["ma"]], dec(target["gia_tri"])
            if value is None:
                rate, status = "-", "-"
            else:
                rate = "-" if planned == 0 else vn(value / planned * 100, decimals=1)
                status = WORDS["vuot" if value > planned else
                               "dat" if value == planned else "khong-dat"]
            rows.append([stt, flat(target["ten"]), flat(target["don_vi"]), vn(planned),
                         self.achieved(target["ma"]), rate, status])
        return rows

    def columns(self) -> list[str]:
        return (self.report["tong_hop"].get("cot") or self.codes)

    def unit_cell(self, code, figures, own) -> str:
        rule = rule_of(self.targets[code])
        if rule["cach"] == "ty_le":
            top, bottom = figures.get(rule["tu_so"]), figures.get(rule["mau_so"])
            return vn(tenth(top / bottom * 100)) if top is not None and bottom else "-"
        value = figures.get(code)
        if value is None:
            return "-"
        if rule["cach"] == "so_don_vi_dat":
            return f"{vn(value)} ({'đạt' if self.met(code, figures, own) else 'không đạt'})"
        return vn(value)

    def appendix_rows(self) -> list[list[str]]:
        rows = []
        for index, (name, figures, own) in enumerate(self.units, start=1):
            if figures is None:
                rows.append([str(index), name, NOT_SENT] + [""] * (len(self.columns()) - 1))
            else:
                rows.append([str(index), name] + [self.unit_cell(c, figures, own)
                                                  for c in self.columns()])
        rows.append(["", TOTAL] + [self.achieved(c) for c in self.columns()])
        return rows

    def appendix_header(self) -> list[str]:
        out = ["STT", "Đơn vị"]
        for code in self.columns():
            target = self.targets[code]
            out.append(flat(target["ten"]) if rule_of(target)["cach"] == "so_don_vi_dat"
                       else flat(f"{target['ten']} ({target['don_vi']})"))
        return out

    def summary(self) -> str:
        # In running text a commune is "phường Hà Tu" (the list writes "Phường Hà Tu").
        missing = [name[:1].lower() + name[1:] for name, figures, _ in self.units
                   if figures is None]
        text = (f"Số liệu trên được tổng hợp từ báo cáo của {count(len(self.sent()))}/"
                f"{count(len(self.units))} xã")
        if missing:
            text += f"; {count(len(missing))} xã chưa báo cáo"
            if len(missing) <= 10:
                text += ": " + ", ".join(missing)
        return text + "; kết quả của từng xã tại Phụ lục kèm theo."


def from_table(plan: dict, report: dict, table: Path, province: str) -> Expected:
    """Expected aggregate of a unit table (CSV): one row per commune, ``ma_xa``."""
    with open(table, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0]) if rows else []
    targets = {t["ma"] for _, t in plan_targets(plan)}
    codes = [c for c in columns if c in targets]
    for _, target in plan_targets(plan):  # a ratio comes from its two counts
        rule = rule_of(target)
        if rule["cach"] == "ty_le" and rule["tu_so"] in codes and rule["mau_so"] in codes:
            codes.append(target["ma"])
    by_code = {row["ma_xa"]: row for row in rows}
    units = []
    for code, name in communes(province):
        row = by_code.get(code)
        figures = {c: vn_number(row.get(c, "")) for c in codes} if row else None
        if figures is not None and all(v is None for v in figures.values()):
            figures = None
        own = {k[len("chi_tieu."):]: vn_number(v) for k, v in (row or {}).items()
               if k.startswith("chi_tieu.") and v}
        units.append((name, figures, own))
    ordered = [t for t in (t["ma"] for _, t in plan_targets(plan)) if t in codes]
    return Expected(plan, report, units, ordered)


# -- reading the outputs --------------------------------------------------------------

def docx_tables(path: Path) -> list[list[list[str]]]:
    """Every table of the body, rows of cell texts (a merged cell said once)."""
    out = []
    for table in docx.Document(str(path)).tables:
        out.append([row_cells(row) for row in table.rows])
    return out


def docx_table(path: Path, header_start: list[str]) -> list[list[str]]:
    found = [t for t in docx_tables(path) if t[0][:len(header_start)] == header_start]
    assert len(found) == 1, f"{len(found)} tables start with {header_start}"
    return found[0]


def pdf_pages(path: Path, header_start: list[str]):
    """(page, header row, data rows) of each page holding a table that starts with
    ``header_start``, as a PDF reader sees it (ruled cells)."""
    out = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                rows = [[flat(c) for c in row if c is not None] for row in table]
                if rows and rows[0][:len(header_start)] == header_start:
                    out.append(((page.width, page.height), rows[0], rows[1:]))
    return out


def pdf_text(path: Path) -> str:
    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def docx_paragraphs(path: Path) -> list[str]:
    return [flat(p.text) for p in docx.Document(str(path)).paragraphs]


# -- workspaces ---------------------------------------------------------------------


PLAN = """\
loai: ke-hoach
co_quan: ubnd-quang-ninh
nam: 2023
trich_yeu: Thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
chi_tieu:
  - ma: CT01
    nhom: Chỉ đạo, truyền thông
    ten: Xã tổ chức ít nhất 01 hoạt động truyền thông
    gia_tri: 100
    don_vi: "%"
    tong_hop: {cach: so_don_vi_dat, muc_dat: 1, don_vi: hoạt động}
  - ma: CT05
    nhom: Chỉ đạo, truyền thông
    ten: Địa bàn khu công nghiệp được tiếp cận thông tin
    gia_tri: 25
    don_vi: "%"
  - ma: CT02
    nhom: Cai nghiện ma túy
    ten: Lượt người được cai nghiện ma túy
    gia_tri: 550
    don_vi: lượt người
    chi_tiet:
      - {ma: CT02a, ten: Cai nghiện tập trung, gia_tri: 500, don_vi: lượt người}
      - {ma: CT02b, ten: Cai nghiện tại gia đình và cộng đồng, gia_tri: 50, don_vi: lượt người}
  - ma: CT03
    nhom: Cai nghiện ma túy
    ten: Người lầm lỗi có nhu cầu được tư vấn việc làm
    gia_tri: 100
    don_vi: "%"
    tong_hop: {cach: ty_le, tu_so: CT03b, mau_so: CT03a}
    chi_tiet:
      - {ma: CT03a, ten: Người lầm lỗi có nhu cầu tư vấn, gia_tri: 200, don_vi: người}
      - {ma: CT03b, ten: Người lầm lỗi được tư vấn, gia_tri: 200, don_vi: người}
  - ma: CT04
    nhom: Cai nghiện ma túy
    ten: Cán bộ được tập huấn
    gia_tri: 80
    don_vi: "%"
    tong_hop: trung_binh
nguoi_ky: {tham_quyen: KT. CHỦ TỊCH, chuc_vu: PHÓ CHỦ TỊCH, ho_ten: Nguyễn Văn A}
noi_nhan: [Bộ Lao động - Thương binh và Xã hội, "Lưu: VT, VX"]
"""

AGGREGATE = """\
loai: bao-cao
co_quan: ubnd-quang-ninh
nam: 2023
ke_hoach: ke-hoach.yaml
trich_yeu: Tổng hợp kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
tong_hop:
{spec}
ket_qua:
  CT05: 22
nguoi_ky: {{tham_quyen: KT. CHỦ TỊCH, chuc_vu: PHÓ CHỦ TỊCH, ho_ten: Nguyễn Văn A}}
noi_nhan: [Bộ Lao động - Thương binh và Xã hội, "Lưu: VT, VX"]
"""

COLUMNS = ["ma_xa", "ten_xa", "CT01", "CT02", "CT02a", "CT02b", "CT03a", "CT03b", "CT04"]


def sheet_rows(province_communes, skip_first: int = 2) -> list[list[str]]:
    """Figures for a province's communes: the first ``skip_first`` absent, one row
    left blank, one figure missing, Vietnamese notation (``1.204``, ``88,5``)."""
    rows = []
    for index, (code, name) in enumerate(province_communes[skip_first:]):
        if index == 5:
            rows.append([code, name] + [""] * 7)  # sent nothing
            continue
        a, b = 5 + (index * 7) % 11, index % 4
        if index == 3:
            a = 1204  # "1.204" in the sheet
        need = 2 + index % 7
        cells = [str(index % 3), str(a + b), str(a), str(b), str(need),
                 str(need - index % 3 if need >= index % 3 else 0),
                 f"{60 + index % 40},5"]
        if index == 8:
            cells[3] = ""  # no figure for CT02b from this commune
        rows.append([code, name] + cells)
    for row in rows:  # "1.204" where a figure is 1204
        for i, cell in enumerate(row[2:], start=2):
            if cell.isdigit() and int(cell) >= 1000:
                row[i] = f"{int(cell) // 1000}.{int(cell) % 1000:03d}"
    return rows


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_sheet(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def vanban(root: Path, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("VANBAN_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=root,
                          capture_output=True, text=True, env=env, timeout=900)


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


QN = "content/qn/2023"


@pytest.fixture(scope="module")
def table_ws(tmp_path_factory) -> Path:
    """A province report added up from a sheet of its 54 communes' figures."""
    root = tmp_path_factory.mktemp("tong-hop-bang")
    write(root, "content/_co-quan.yaml", AGENCIES)
    write(root, f"{QN}/ke-hoach.yaml", PLAN)
    write_sheet(root / QN / "_ket-qua-xa.csv", COLUMNS, sheet_rows(communes("Quảng Ninh")))
    write(root, f"{QN}/bao-cao-tong-hop.yaml", AGGREGATE.format(
        spec="  bang: _ket-qua-xa.csv\n  xa_cua_tinh: Quảng Ninh"))
    write_xlsx(root / QN / "_ket-qua-xa.xlsx", root / QN / "_ket-qua-xa.csv")
    write(root, f"{QN}/bao-cao-tu-excel.yaml", AGGREGATE.format(
        spec="  bang: _ket-qua-xa.xlsx\n  xa_cua_tinh: Quảng Ninh"))
    ok(vanban(root, "build", "-j", "2"))
    return root


def write_xlsx(path: Path, csv_path: Path) -> None:
    """The same sheet as Excel keeps it: codes and figures as numbers (06652 is
    6652, 1.204 is 1204, 88,5 is 88.5), empty cells empty."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    with open(csv_path, encoding="utf-8", newline="") as handle:
        for index, row in enumerate(csv.reader(handle)):
            if index == 0:
                sheet.append(row)
                continue
            cells = []
            for column, cell in zip(COLUMNS, row):
                value = vn_number(cell) if column != "ten_xa" else cell
                cells.append(int(value) if isinstance(value, Decimal) and value == int(value)
                             else float(value) if isinstance(value, Decimal) else value or None)
            sheet.append(cells)
    book.save(path)


@pytest.fixture(scope="module")
def table_expected(table_ws) -> Expected:
    return from_table(load(table_ws / QN / "ke-hoach.yaml"),
                      load(table_ws / QN / "bao-cao-tong-hop.yaml"),
                      table_ws / QN / "_ket-qua-xa.csv", "Quảng Ninh")


def out(root: Path, stem: str, ext: str) -> Path:
    return root / "output" / "qn" / "2023" / f"{stem}.{ext}"


def test_independent_computation_of_a_small_sheet(tmp_path):
    """The test's own arithmetic on three communes, by hand."""
    plan, report = load_text(PLAN), load_text(AGGREGATE.format(spec="  bang: x.csv"))
    table = tmp_path / "x.csv"
    qn = communes("Quảng Ninh")
    write_sheet(table, COLUMNS, [[qn[0][0], "", "2", "12", "10", "2", "4", "3", "80,5"],
                                 [qn[1][0], "", "0", "1.005", "1.000", "5", "6", "6", "70"],
                                 [qn[2][0], "", "", "", "", "", "", "", ""]])
    expected = from_table(plan, report, table, "Quảng Ninh")
    assert expected.values["CT02"] == 1017 and expected.values["CT02a"] == 1010
    assert expected.values["CT03"] == Decimal("90.0")  # 9/10, not the mean of 75 and 100
    assert expected.values["CT04"] == Decimal("75.3")  # (80.5 + 70) / 2 = 75.25
    assert expected.values["CT01"] == Decimal("50.0") and expected.shares["CT01"] == (1, 2)
    assert expected.achieved("CT01") == "50 (1/2 xã đạt)"
    assert len(expected.sent()) == 2 and len(expected.units) == len(qn)


def load_text(text: str):
    return YAML(typ="safe", pure=True).load(text)


def test_docx_targets_table_holds_the_aggregate(table_ws, table_expected):
    rows = docx_table(out(table_ws, "bao-cao-tong-hop", "docx"), TARGETS_HEADER)
    assert rows[1:] == table_expected.targets_rows()


def test_pdf_targets_table_holds_the_aggregate(table_ws, table_expected):
    pages = pdf_pages(out(table_ws, "bao-cao-tong-hop", "pdf"), TARGETS_HEADER[:2])
    rows = [row for _, _, data in pages for row in data]
    assert rows == table_expected.targets_rows()


def test_docx_appendix_one_row_per_commune_and_the_total(table_ws, table_expected):
    rows = docx_table(out(table_ws, "bao-cao-tong-hop", "docx"), ["STT", "Đơn vị"])
    assert rows[0] == table_expected.appendix_header()
    assert rows[1:] == table_expected.appendix_rows()
    # The total row says exactly what the targets table says for each column.
    targets = {r[1]: r[4] for r in docx_table(out(table_ws, "bao-cao-tong-hop", "docx"),
                                              TARGETS_HEADER)[1:] if len(r) > 1}
    names = [flat(table_expected.targets[c]["ten"]) for c in table_expected.columns()]
    assert rows[-1][2:] == [targets[n] for n in names]
    assert sum(1 for r in rows if NOT_SENT in r) == \
        sum(1 for u in table_expected.units if u[1] is None) >= 3


def test_docx_appendix_is_landscape_with_its_header_row_repeated(table_ws):
    document = docx.Document(str(out(table_ws, "bao-cao-tong-hop", "docx")))
    table = next(t for t in document.tables
                 if flat(t.rows[0].cells[1].text) == "Đơn vị")
    header = table.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader"))
    assert header is not None and header.get(qn("w:val")) in ("true", "1", None)
    assert document.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    text = [flat(p.text) for p in document.paragraphs]
    assert "KẾT QUẢ THEO ĐƠN VỊ" in [t.upper() for t in text]


def test_pdf_appendix_paginates_with_the_header_row_on_every_page(table_ws, table_expected):
    pages = pdf_pages(out(table_ws, "bao-cao-tong-hop", "pdf"), ["STT", "Đơn vị"])
    assert len(pages) >= 2, "54 communes take more than one landscape page"
    for (width, height), header, _ in pages:
        assert width > height, "the appendix is landscape"
        assert header == table_expected.appendix_header()
    rows = [row for _, _, data in pages for row in data]
    assert rows == table_expected.appendix_rows()


def has_summary(paragraphs: list[str], summary: str) -> bool:
    """The sentence, maybe closing the body (which then ends ``./.``)."""
    return summary in paragraphs or summary[:-1] + "./." in paragraphs


def test_xlsx_sheet_adds_up_like_the_csv(table_ws, table_expected):
    path = out(table_ws, "bao-cao-tu-excel", "docx")
    assert docx_table(path, TARGETS_HEADER)[1:] == table_expected.targets_rows()
    assert docx_table(path, ["STT", "Đơn vị"])[1:] == table_expected.appendix_rows()


def test_summary_says_how_many_communes_reported(table_ws, table_expected):
    summary = table_expected.summary()
    assert has_summary(docx_paragraphs(out(table_ws, "bao-cao-tong-hop", "docx")), summary)
    assert squeeze(summary[:-1]) in squeeze(pdf_text(out(table_ws, "bao-cao-tong-hop", "pdf")))


# -- units' report files ------------------------------------------------------------

UNIT_PLAN = """\
dua_tren: ../../../qn/2023/ke-hoach.yaml
co_quan:
  ten: [Ủy ban nhân dân, {ten}]
  viet_tat: UBND
  dia_danh: {rieng}
chi_tieu:
  - {{ma: CT01, ten: Hoạt động truyền thông, gia_tri: 1, don_vi: hoạt động}}
  - {{ma: CT05, ten: Khu công nghiệp được tiếp cận thông tin, gia_tri: 25, don_vi: "%"}}
  - ma: CT02
    ten: Lượt người được cai nghiện ma túy
    gia_tri: {ct02}
    don_vi: lượt người
    chi_tiet:
      - {{ma: CT02a, ten: Cai nghiện tập trung, gia_tri: {ct02a}, don_vi: lượt người}}
      - {{ma: CT02b, ten: Cai nghiện tại gia đình, gia_tri: 2, don_vi: lượt người}}
  - ma: CT03
    ten: Người lầm lỗi có nhu cầu được tư vấn việc làm
    gia_tri: 100
    don_vi: "%"
    chi_tiet:
      - {{ma: CT03a, ten: Có nhu cầu tư vấn, gia_tri: 10, don_vi: người}}
      - {{ma: CT03b, ten: Được tư vấn, gia_tri: 10, don_vi: người}}
  - {{ma: CT04, ten: Cán bộ được tập huấn, gia_tri: 80, don_vi: "%"}}
"""

UNIT_REPORT = """\
loai: bao-cao
co_quan:
  ten: [Ủy ban nhân dân, {ten}]
  viet_tat: UBND
  dia_danh: {rieng}
nam: {nam}
ke_hoach: ke-hoach.yaml
trich_yeu: Kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
ket_qua:
  CT01: {ct01}
  CT05: null
  CT02: {ct02}
  CT02a: {ct02a}
  CT02b: {ct02b}
  CT03: {{gia_tri: {ct03}, ghi_chu: tỷ lệ của xã}}
  CT03a: {ct03a}
  CT03b: {ct03b}
  CT04: {ct04}
nguoi_ky: {{chuc_vu: CHỦ TỊCH, ho_ten: Trần Văn B}}
noi_nhan: [Ủy ban nhân dân tỉnh Quảng Ninh, "Lưu: VT"]
"""

FIGURES = [  # (ct01, ct02a, ct02b, ct03a, ct03b, ct04) of three communes
    (2, 10, 3, 8, 6, "75.5"), (0, 7, 1, 5, 5, "90"), (1, 21, 0, 4, 1, "62.5"),
]


def unit_files(root: Path, qn_communes, nam: int = 2023) -> list[Path]:
    paths = []
    for (code, name), (ct01, a, b, need, done, ct04) in zip(qn_communes, FIGURES):
        kind, own = name.split(" ", 1) if not name.startswith("Đặc khu") else \
            ("đặc khu", name[len("Đặc khu "):])
        values = dict(ten=f"{kind.lower()} {own}", rieng=own, nam=nam)
        write(root, f"content/xa/{code}/2023/ke-hoach.yaml",
              UNIT_PLAN.format(**values, ct02=a + 2, ct02a=a))
        paths.append(write(root, f"content/xa/{code}/2023/bao-cao.yaml", UNIT_REPORT.format(
            **values, ct01=ct01, ct02=a + b, ct02a=a, ct02b=b,
            ct03=round(done / need * 100, 1), ct03a=need, ct03b=done, ct04=ct04)))
    return paths


def from_files(plan: dict, report: dict, files: list[Path], province: str) -> Expected:
    """Expected aggregate of the units' report files: their ``ket_qua`` and their own
    plan copies' targets."""
    by_agency = {}
    for path in files:
        data, own_plan = load(path), load(path.parent / "ke-hoach.yaml")
        name = " ".join(data["co_quan"]["ten"][1:])
        figures = {code: dec(value) for code, value in data["ket_qua"].items()}
        own = {t["ma"]: dec(t["gia_tri"]) for _, t in plan_targets(own_plan)}
        by_agency[name.lower()] = (figures, own)
    units = []
    for _code, name in communes(province):
        figures, own = by_agency.get(name.lower(), (None, {}))
        units.append((name, figures, own))
    return Expected(plan, report, units, [t["ma"] for _, t in plan_targets(plan)])


FILES_SPEC = "  tep: ../../xa/*/2023/bao-cao.yaml\n  xa_cua_tinh: Quảng Ninh\n" \
             "  cot: [CT01, CT02, CT03, CT04]"


def files_workspace(root: Path) -> Path:
    write(root, "content/_co-quan.yaml", AGENCIES)
    write(root, f"{QN}/ke-hoach.yaml", PLAN)
    write(root, f"{QN}/bao-cao-tong-hop.yaml", AGGREGATE.format(spec=FILES_SPEC))
    qn = communes("Quảng Ninh")
    unit_files(root, [qn[0], qn[10], qn[-1]])
    return root


@pytest.fixture(scope="module")
def files_ws(tmp_path_factory) -> Path:
    root = files_workspace(tmp_path_factory.mktemp("tong-hop-tep"))
    ok(vanban(root, "build", "-j", "2"))
    return root


def test_files_aggregate_in_docx_and_pdf(files_ws):
    files = sorted((files_ws / "content" / "xa").glob("*/2023/bao-cao.yaml"))
    expected = from_files(load(files_ws / QN / "ke-hoach.yaml"),
                          load(files_ws / QN / "bao-cao-tong-hop.yaml"), files, "Quảng Ninh")
    docx_path, pdf_path = out(files_ws, "bao-cao-tong-hop", "docx"), \
        out(files_ws, "bao-cao-tong-hop", "pdf")
    assert docx_table(docx_path, TARGETS_HEADER)[1:] == expected.targets_rows()
    assert [r for _, _, d in pdf_pages(pdf_path, TARGETS_HEADER[:2]) for r in d] == \
        expected.targets_rows()
    assert docx_table(docx_path, ["STT", "Đơn vị"])[1:] == expected.appendix_rows()
    assert [r for _, _, d in pdf_pages(pdf_path, ["STT", "Đơn vị"]) for r in d] == \
        expected.appendix_rows()
    assert has_summary(docx_paragraphs(docx_path), expected.summary())


# -- one figure changes ---------------------------------------------------------------

def outputs(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root / "output")): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted((root / "output").rglob("*")) if p.is_file()
            and not p.name.startswith(".")}


def rewritten(before: dict, after: dict) -> set[str]:
    return {name for name in after if before.get(name) != after[name]}


def test_changing_one_unit_file_rebuilds_that_unit_and_the_aggregate(tmp_path):
    root = files_workspace(tmp_path)
    ok(vanban(root, "build", "-j", "2"))
    before = outputs(root)
    code = communes("Quảng Ninh")[10][0]
    unit = root / "content" / "xa" / code / "2023" / "bao-cao.yaml"
    text = unit.read_text(encoding="utf-8")
    unit.write_text(text.replace("CT02a: 7\n", "CT02a: 9\n").replace("CT02: 8\n", "CT02: 10\n"),
                    encoding="utf-8")
    result = ok(vanban(root, "build", "--explain"))
    assert rewritten(before, outputs(root)) == {
        f"xa/{code}/2023/bao-cao.docx", f"xa/{code}/2023/bao-cao.pdf",
        "qn/2023/bao-cao-tong-hop.docx", "qn/2023/bao-cao-tong-hop.pdf"}, result.stdout
    said = {line.split(":", 1)[0]: line for line in result.stdout.splitlines()
            if line.startswith("dựng ")}
    unit_rel = f"content/xa/{code}/2023/bao-cao.yaml"
    assert f"dựng {unit_rel}" in said, result.stdout
    aggregate = said[f"dựng {QN}/bao-cao-tong-hop.yaml"]
    assert f"số liệu của {unit_rel}: CT02a (7 → 9)" in aggregate, result.stdout
    assert f"số liệu của {unit_rel}: CT02 (8 → 10)" in aggregate, result.stdout
    files = sorted((root / "content" / "xa").glob("*/2023/bao-cao.yaml"))
    expected = from_files(load(root / QN / "ke-hoach.yaml"),
                          load(root / QN / "bao-cao-tong-hop.yaml"), files, "Quảng Ninh")
    assert docx_table(out(root, "bao-cao-tong-hop", "docx"), ["STT", "Đơn vị"])[1:] == \
        expected.appendix_rows()


BATCH = """\
loai: bao-cao
co_quan: ubnd-quang-ninh
nam: 2023
ke_hoach: ke-hoach.yaml
cho_moi:
  bang: _ket-qua-xa.csv
  xa_cua_tinh: Quảng Ninh
  ten_tep: "{ma_xa}"
trich_yeu: Kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
nguoi_ky: {chuc_vu: CHỦ TỊCH, ho_ten: Trần Văn C}
noi_nhan: [Ủy ban nhân dân tỉnh Quảng Ninh, "Lưu: VT"]
"""

SHEET_WITH_OWN = ["ma_xa", "ten_xa", "chi_tieu.CT02", "chi_tieu.CT02a", "chi_tieu.CT02b",
                  "chi_tieu.CT03a", "chi_tieu.CT03b"] + COLUMNS[2:]


def test_one_sheet_yields_each_communes_report_and_the_aggregate(tmp_path):
    """The same sheet makes every commune's own report (on its copy of the plan) and
    the province's aggregate; one changed cell rebuilds that commune's report and
    the aggregate, nothing else, and --explain names the commune and the figure."""
    root = tmp_path
    qn = communes("Quảng Ninh")
    write(root, "content/_co-quan.yaml", AGENCIES)
    write(root, f"{QN}/ke-hoach.yaml", PLAN)
    rows = [[code, name, "12", "10", "2", "5", "5"] + cells for (code, name), cells in
            zip(qn[:3], [["1", "13", "10", "3", "6", "5", "80"],
                         ["0", "9", "9", "0", "4", "4", "72,5"],
                         ["2", "15", "12", "3", "5", "2", "90"]])]
    write_sheet(root / QN / "_ket-qua-xa.csv", SHEET_WITH_OWN, rows)
    write(root, f"{QN}/bao-cao-xa.yaml", BATCH)
    write(root, f"{QN}/bao-cao-tong-hop.yaml", AGGREGATE.format(
        spec="  bang: _ket-qua-xa.csv\n  xa_cua_tinh: Quảng Ninh"))
    ok(vanban(root, "build", "-j", "2"))
    before = outputs(root)
    for code, name in qn[:3]:
        commune = out(root, f"bao-cao-xa/{code}", "docx")
        rows_docx = docx_table(commune, TARGETS_HEADER)
        assert rows_docx[0] == TARGETS_HEADER
        text = "\n".join(docx_paragraphs(commune)) + "\n".join(
            c for t in docx_tables(commune) for r in t for c in r)
        assert name.upper().split(" ", 1)[1] in text.upper()

    rows[1][COLUMNS.index("CT02a") + 5] = "11"
    rows[1][COLUMNS.index("CT02") + 5] = "11"
    write_sheet(root / QN / "_ket-qua-xa.csv", SHEET_WITH_OWN, rows)
    result = ok(vanban(root, "build", "--explain"))
    changed = qn[1][0]
    assert rewritten(before, outputs(root)) == {
        f"qn/2023/bao-cao-xa/{changed}.docx", f"qn/2023/bao-cao-xa/{changed}.pdf",
        "qn/2023/bao-cao-tong-hop.docx", "qn/2023/bao-cao-tong-hop.pdf"}, result.stdout
    commune_line = next(line for line in result.stdout.splitlines()
                        if line.startswith(f"dựng {QN}/bao-cao-xa.yaml [{changed}]:"))
    assert "ket_qua.CT02a (9 → 11)" in commune_line, result.stdout
    assert f"số liệu của {qn[1][1]}: CT02a (9 → 11)" in result.stdout
    expected = from_table(load(root / QN / "ke-hoach.yaml"),
                          load(root / QN / "bao-cao-tong-hop.yaml"),
                          root / QN / "_ket-qua-xa.csv", "Quảng Ninh")
    assert docx_table(out(root, "bao-cao-tong-hop", "docx"), TARGETS_HEADER)[1:] == \
        expected.targets_rows()
    commune = docx_table(out(root, f"bao-cao-xa/{changed}", "docx"), TARGETS_HEADER)
    own = {r[1]: r for r in commune[1:] if len(r) > 1}
    assert own["Cai nghiện tập trung"][3:5] == ["10", "11"]  # its own target, its figure


# -- the Quảng Ninh example -----------------------------------------------------------

def test_quang_ninh_example_adds_up_its_sheet(built):
    folder = CONTENT / "quang-ninh" / "2023"
    expected = from_table(load(folder / "ke-hoach.yaml"), load(folder / "bao-cao-tong-hop.yaml"),
                          folder / "_ket-qua-xa.csv", "Quảng Ninh")
    docx_path = built / "quang-ninh" / "2023" / "bao-cao-tong-hop.docx"
    pdf_path = docx_path.with_suffix(".pdf")
    assert docx_table(docx_path, TARGETS_HEADER)[1:] == expected.targets_rows()
    assert docx_table(docx_path, ["STT", "Đơn vị"])[1:] == expected.appendix_rows()
    pages = pdf_pages(pdf_path, ["STT", "Đơn vị"])
    assert len(pages) >= 2
    assert [r for _, _, d in pages for r in d] == expected.appendix_rows()


# -- mistakes -------------------------------------------------------------------------

def problems(result) -> list[str]:
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout.splitlines() + result.stderr.splitlines()


def line_in(lines: list[str], start: str, *words: str) -> str:
    found = [line for line in lines if line.startswith(start) and all(w in line for w in words)]
    assert found, f"no line {start!r} with {words} in:\n" + "\n".join(lines)
    return found[0]


def test_table_mistakes_each_with_file_line_and_field(tmp_path):
    qn, elsewhere = communes("Quảng Ninh"), communes("Hà Nội")
    plan = PLAN.replace("    tong_hop: trung_binh\n", "")  # CT04 is a % with no rule
    write(tmp_path, "content/_co-quan.yaml", AGENCIES)
    write(tmp_path, f"{QN}/ke-hoach.yaml", plan)
    header = COLUMNS + ["CT99"]
    rows = [[qn[0][0], "", "1", "9", "7", "2", "3", "3", "70", "1"],
            [qn[1][0], "", "1", "9", "7", "2", "3", "3", "70", "1"],
            [qn[0][0], "", "1", "9", "7", "2", "3", "3", "70", "1"],   # listed twice
            [elsewhere[0][0], "", "1", "9", "7", "2", "3", "3", "70", "1"]]  # not QN
    write_sheet(tmp_path / QN / "_ket-qua-xa.csv", header, rows)
    write(tmp_path, f"{QN}/bao-cao-tong-hop.yaml", AGGREGATE.format(
        spec="  bang: _ket-qua-xa.csv\n  xa_cua_tinh: Quảng Ninh"))
    lines = problems(vanban(tmp_path, "check", "content"))
    table = f"{QN}/_ket-qua-xa.csv"
    ct04_line = plan.splitlines().index("  - ma: CT04") + 1
    line_in(lines, f"{QN}/ke-hoach.yaml:{ct04_line}: chi_tieu.CT04.tong_hop:", "CT04", "%")
    line_in(lines, f"{table}:1: CT99:", "không có chỉ tiêu mã 'CT99'")
    line_in(lines, f"{table}:4: ma_xa:", "dòng 2", "dòng 4")
    line_in(lines, f"{table}:5: ma_xa:", elsewhere[0][1], "Quảng Ninh")


def test_unit_file_mistakes_each_with_file_line_and_field(tmp_path):
    root = files_workspace(tmp_path)
    qn = communes("Quảng Ninh")
    other_year, other_plan, same_level = [
        root / "content" / "xa" / code / "2023" / "bao-cao.yaml"
        for code in (qn[0][0], qn[10][0], qn[-1][0])]
    other_year.write_text(other_year.read_text("utf-8").replace("nam: 2023", "nam: 2022"),
                          "utf-8")
    write(root, "content/khac/ke-hoach.yaml", PLAN)
    plan_copy = other_plan.parent / "ke-hoach.yaml"
    plan_copy.write_text(plan_copy.read_text("utf-8").replace(
        "dua_tren: ../../../qn/2023/ke-hoach.yaml", "dua_tren: ../../../khac/ke-hoach.yaml"),
        "utf-8")
    write(root, "content/xa/tinh/2023/ke-hoach.yaml", "dua_tren: ../../../qn/2023/ke-hoach.yaml\n")
    write(root, "content/xa/tinh/2023/bao-cao.yaml", UNIT_REPORT.format(
        ten="tỉnh Quảng Ninh", rieng="Quảng Ninh", nam=2023, ct01=1, ct02=12, ct02a=10,
        ct02b=2, ct03=50, ct03a=4, ct03b=2, ct04=70).replace(
        "co_quan:\n  ten: [Ủy ban nhân dân, tỉnh Quảng Ninh]\n  viet_tat: UBND\n"
        "  dia_danh: Quảng Ninh\n", "co_quan: ubnd-quang-ninh\n"))
    lines = problems(vanban(root, "check", f"{QN}/bao-cao-tong-hop.yaml"))
    rel = lambda p: str(p.relative_to(root))  # noqa: E731
    line_in(lines, f"{rel(other_year)}:6: nam:", "2022", "2023")
    line_in(lines, f"{rel(other_plan)}:7: ke_hoach:", "khac/ke-hoach.yaml")
    line_in(lines, "content/xa/tinh/2023/bao-cao.yaml:2: co_quan:", "cùng cấp")


# -- scale ----------------------------------------------------------------------------

@pytest.mark.slow
def test_all_3321_communes(tmp_path):
    """A national aggregate over every commune: it builds, and its appendix runs over
    many landscape pages with the header row on each (bench/aggregate.py times it)."""
    from vietnam_provinces import Ward

    wards = sorted(Ward.iter_all(), key=lambda w: w.code.value)
    assert len(wards) == 3321
    rows = [[f"{w.code.value:05d}", w.name, str(i % 2), str(10 + i % 5), str(8 + i % 5), "2",
             str(4 + i % 3), str(3 + i % 2), f"{70 + i % 25},5"] for i, w in enumerate(wards)]
    write(tmp_path, "content/_co-quan.yaml", AGENCIES)
    write(tmp_path, f"{QN}/ke-hoach.yaml", PLAN)
    write_sheet(tmp_path / QN / "_ket-qua-xa.csv", COLUMNS, rows)
    write(tmp_path, f"{QN}/bao-cao-tong-hop.yaml", AGGREGATE.format(
        spec="  bang: _ket-qua-xa.csv"))
    ok(vanban(tmp_path, "build"))
    pages = pdf_pages(out(tmp_path, "bao-cao-tong-hop", "pdf"), ["STT", "Đơn vị"])
    assert len(pages) > 50
    assert all(header[:2] == ["STT", "Đơn vị"] for _, header, _ in pages)
    data = [r for _, _, d in pages for r in d]
    assert len(data) == 3322 and data[-1][1] == TOTAL
    total = sum(Decimal(r[3]) for r in rows)
    assert data[-1][3] == vn(total)
