"""Year-end reports (``loai: bao-cao``), checked on the real DOCX (python-docx) and PDF
(pdfplumber) outputs of the real command.

What the targets table and the summary sentence must say is computed here, straight
from the plan and report YAML with ``decimal.Decimal`` (content-format.md, "loai:
bao-cao"), never with the generator's own code: a slip in the generator cannot hide
behind the same slip in the test.
"""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import docx
import pdfplumber
import pytest
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from ruamel.yaml import YAML

import expected as E
from conftest import CONTENT, EXAMPLES, example_id, output_for, run_vanban
from helpers_ws import flat, nfc, row_cells, vn
from pdfview import MM, segments

HEADER = ["STT", "Chỉ tiêu", "Đơn vị", "Kế hoạch", "Thực hiện", "Tỷ lệ (%)", "Đánh giá"]
WORDS = {"vuot": "Vượt", "dat": "Đạt", "khong-dat": "Không đạt"}
NO_DATA = "Chưa có số liệu"
LEFT, RIGHT = 30.0, 15.0  # page margins, mm (nd30.md defaults)


def _load(path: Path):
    return YAML(typ="safe", pure=True).load(Path(path).read_text(encoding="utf-8"))


# Typed reports; an aggregate report (tong_hop) is checked in test_aggregate.py.
REPORTS = [p for p in EXAMPLES if (_load(p) or {}).get("loai") == "bao-cao"
           and "tong_hop" not in _load(p)]


# -- the independent computation ------------------------------------------------------

def seen(text) -> str:
    """Text as a reader sees it: a no-break space is a space."""
    return nfc(text).replace("\xa0", " ")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", nfc(text))


def dec(value) -> Decimal:
    text = str(value)
    if isinstance(value, str) and "," in text and "." not in text:  # 94,6 is 94.6
        text = text.replace(",", ".")
    return Decimal(text)




def count(n: int, pad: bool) -> str:
    return f"{n:02d}" if pad and n < 10 else vn(Decimal(n))


def achieved(entry):
    if isinstance(entry, dict):
        entry = entry.get("gia_tri")
    return None if entry is None else dec(entry)


def evaluate(target: dict, value):
    """(rate text, evaluation key) of one target, per content-format.md."""
    planned = dec(target["gia_tri"])
    if value is None:
        return "-", None
    comparison = target.get("so_sanh", "toi-thieu")
    if comparison == "toi-da":
        return "-", ("dat" if value <= planned else "khong-dat")
    if comparison == "nho-hon":  # strictly below
        return "-", ("dat" if value < planned else "khong-dat")
    if comparison == "lon-hon":  # strictly above: met, never "Vượt"
        rate = "-" if planned == 0 else vn(value / planned * 100, decimals=1)
        return rate, ("dat" if value > planned else "khong-dat")
    rate = "-" if planned == 0 else vn(value / planned * 100, decimals=1)
    if value > planned:
        return rate, "vuot"
    return rate, ("dat" if value == planned else "khong-dat")


def quoted(names: list[str]) -> str:
    """Target names in the summary stand in quotation marks (they hold commas)."""
    return ", ".join(f"“{n}”" for n in names)


def expected_report(report_path: Path):
    """Rows of the targets table (a group label row is ``[label]``) and the summary
    sentence, from the report YAML and the plan it names."""
    report = _load(report_path)
    # A report on a programme writes its targets itself (no ke_hoach).
    plan = _load(Path(report_path).parent / report["ke_hoach"]) if "ke_hoach" in report \
        else report
    results = report["ket_qua"]
    rows, outcomes = [], []

    def visit(target, stt):
        value = achieved(results[target["ma"]])
        rate, status = evaluate(target, value)
        rows.append([stt, flat(target["ten"]), flat(target["don_vi"]),
                     vn(dec(target["gia_tri"])),
                     NO_DATA if value is None else vn(value),
                     rate, "-" if status is None else WORDS[status]])
        outcomes.append((flat(target["ten"]), status))
        for index, sub in enumerate(target.get("chi_tiet") or [], start=1):
            visit(sub, f"{stt}.{index}")

    group = None
    for index, target in enumerate(plan["chi_tieu"], start=1):
        nhom = target.get("nhom")
        if nhom and nhom != group:
            group = nhom
            rows.append([flat(nhom)])
        visit(target, str(index))

    pad = report.get("so_co_so_0", True)
    good = [n for n, s in outcomes if s in ("dat", "vuot")]
    bad = [n for n, s in outcomes if s == "khong-dat"]
    missing = [n for n, s in outcomes if s is None]
    summary = (f"Có {count(len(good), pad)}/{count(len(outcomes), pad)} chỉ tiêu đạt "
               "và vượt kế hoạch")
    if bad:
        summary += f"; {count(len(bad), pad)} chỉ tiêu không đạt: " + quoted(bad)
    if missing:
        summary += (f"; {count(len(missing), pad)} chỉ tiêu chưa có số liệu: "
                    + quoted(missing))
    return rows, summary + "."


# -- reading the outputs --------------------------------------------------------------

def docx_targets_table(document):
    tables = [t for t in document.tables
              if [flat(c.text) for c in t.rows[0].cells] == HEADER]
    assert len(tables) == 1, f"{len(tables)} tables with the header {HEADER}"
    return tables[0]


def docx_rows(table) -> list[list[str]]:
    """Data rows as Word shows them; a row of one merged cell is ``[text]``."""
    return [row_cells(row) for row in table.rows[1:]]


def element_text(element) -> str:
    return seen("".join(t.text or "" for t in element.iter(qn("w:t"))))


def paragraph_after(table) -> str:
    """Text of the first non-empty paragraph following ``table`` in the body."""
    element = table._tbl.getnext()
    while element is not None:
        if element.tag == qn("w:p") and element_text(element).strip():
            return element_text(element)
        element = element.getnext()
    raise AssertionError("no paragraph after the targets table")


def is_summary(text: str, summary: str) -> bool:
    """The summary sentence, maybe closing the body (which then ends ``./.``)."""
    return text in (summary, summary + "/.")


def body_texts(document) -> list[str]:
    return [seen(p.text) for p in document.paragraphs]


def _cluster(values, tolerance=1.0) -> list[float]:
    out = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _header_top(page):
    """Top (pt) of the targets table's header row on ``page``, or None."""
    words = page.extract_words(x_tolerance=1.5)
    for word in words:
        if word["text"] != "STT":
            continue
        line = {nfc(w["text"]) for w in words if abs(w["top"] - word["top"]) < 3}
        if {"Chỉ", "tiêu", "Đơn", "vị", "Kế", "Thực", "Tỷ", "Đánh"} <= line:
            return word["top"]
    return None


def pdf_table(pdf_path: Path):
    """The targets table as a reader of the PDF sees it: ``(rows, split, headers)``.

    Columns and rows come from the ruled lines; the header row repeated at the top of
    each page is dropped (``headers`` holds each one seen). A row cut by a page break
    is put back together and its STT listed in ``split``."""
    rows, split, headers = [], [], []
    with pdfplumber.open(str(pdf_path)) as pdf:
        pages = list(pdf.pages)
        tops = [_header_top(p) for p in pages]
        for index, page in enumerate(pages):
            top = tops[index]
            if top is None:
                continue
            edges = [e for e in page.edges if e["top"] >= top - 8]
            verticals = [e for e in edges if e["orientation"] == "v"]
            xs = _cluster(e["x0"] for e in verticals)
            horizontals = _cluster(e["top"] for e in edges if e["orientation"] == "h"
                                   and e["x0"] >= xs[0] - 2 and e["x1"] <= xs[-1] + 2)
            bands = list(zip(horizontals, horizontals[1:]))
            continues = index + 1 < len(pages) and tops[index + 1] is not None
            if continues:  # a row cut at the page end has no bottom rule
                bands.append((horizontals[-1], page.height))
            words = [w for w in page.extract_words(x_tolerance=1.5)
                     if xs[0] - 1 <= (w["x0"] + w["x1"]) / 2 <= xs[-1] + 1]
            first_data = True
            for band_top, band_bottom in bands:
                inside = [w for w in words
                          if band_top < (w["top"] + w["bottom"]) / 2 < band_bottom]
                if not inside:
                    continue
                inside.sort(key=lambda w: (round(w["top"]), w["x0"]))
                interior = [e for e in verticals if xs[0] + 1 < e["x0"] < xs[-1] - 1
                            and e["top"] < band_bottom - 1 and e["bottom"] > band_top + 1]
                if not interior and band_bottom != page.height:
                    row = [flat(" ".join(w["text"] for w in inside))]
                else:
                    row = [flat(" ".join(w["text"] for w in inside
                                         if xs[j] <= (w["x0"] + w["x1"]) / 2 < xs[j + 1]))
                           for j in range(len(xs) - 1)]
                if row[0] == "STT" and first_data and len(row) > 1:
                    headers.append(row)
                    continue
                if first_data and rows and len(row) > 1 and row[0] == "" and len(rows[-1]) > 1:
                    split.append(rows[-1][0])
                    rows[-1] = [flat(f"{a} {b}") for a, b in zip(rows[-1], row)]
                else:
                    rows.append(row)
                first_data = False
    return rows, split, headers


def pdf_text(pdf_path: Path) -> str:
    with pdfplumber.open(str(pdf_path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


# -- workspaces: a clerk's folder in tmp ------------------------------------------------

AGENCIES = """\
ubnd-xa:
  ten: [Ủy ban nhân dân, huyện Tiên Yên]
  ten_day_du: Ủy ban nhân dân huyện Tiên Yên
  viet_tat: UBND
  dia_danh: Tiên Yên
ubnd-khac:
  ten: [Ủy ban nhân dân, huyện Ba Chẽ]
  ten_day_du: Ủy ban nhân dân huyện Ba Chẽ
  viet_tat: UBND
  dia_danh: Ba Chẽ
"""

SMALL_PLAN = """\
loai: ke-hoach
co_quan: ubnd-xa
nam: 2023
so: 5
ngay: 2023-01-04
trich_yeu: Thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
muc_tieu_chung: Kiềm chế sự gia tăng, làm giảm tác hại của tệ nạn xã hội.
chi_tieu:
  - ma: CT01
    ten: Xã, thị trấn tổ chức hoạt động truyền thông
    gia_tri: 100
    don_vi: "%"
  - ma: CT02
    ten: Lượt người được cai nghiện ma túy
    gia_tri: 550
    don_vi: lượt người
    chi_tiet:
      - {ma: CT02a, ten: Cai nghiện tập trung, gia_tri: 500, don_vi: lượt người}
      - {ma: CT02b, ten: Cai nghiện tại gia đình và cộng đồng, gia_tri: 50, don_vi: lượt người}
nguoi_ky:
  chuc_vu: CHỦ TỊCH
  ho_ten: Nguyễn Văn B
noi_nhan:
  - Sở Lao động - Thương binh và Xã hội
  - "Lưu: VT, VX"
"""

SMALL_REPORT = """\
loai: bao-cao
co_quan: ubnd-xa
nam: 2023
ke_hoach: kh.yaml
trich_yeu: Kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
ket_qua:
  CT01: 100
  CT02: 560
  CT02a: 510
  CT02b: 50
nguoi_ky:
  chuc_vu: CHỦ TỊCH
  ho_ten: Nguyễn Văn B
noi_nhan:
  - Sở Lao động - Thương binh và Xã hội
  - "Lưu: VT, VX"
"""

# Inline agency (a Sở with its parent line): the report repeats the same mapping.
SYT = """\
co_quan:
  chu_quan: UBND TỈNH QUẢNG NINH
  ten: [Sở Y tế]
  ten_day_du: Sở Y tế tỉnh Quảng Ninh
  viet_tat: SYT
  dia_danh: Quảng Ninh
"""

# Every case of the table: groups that change and come back, sub-targets, "at most"
# targets (one with a planned 0), an "at least" target planned 0, thousands, decimals,
# a rate to round half up (85/80 = 106,25 %), a rate above 1.000 %, no data yet.
RICH_PLAN = SYT + """\
loai: ke-hoach
nam: 2023
so: 12
ngay: 2023-02-01
trich_yeu: Phòng, chống tệ nạn xã hội năm 2023
muc_tieu_chung: Kiềm chế sự gia tăng của tệ nạn xã hội.
chi_tieu:
  - ma: CT01
    nhom: Truyền thông
    ten: Xã tổ chức truyền thông
    gia_tri: 100
    don_vi: "%"
  - ma: CT02
    nhom: Truyền thông
    ten: Lượt người được tư vấn
    gia_tri: 1250
    don_vi: lượt người
  - ma: CT03
    nhom: Cai nghiện
    ten: Lượt người được cai nghiện
    gia_tri: 550
    don_vi: lượt người
    chi_tiet:
      - {ma: CT03a, ten: Cai nghiện tập trung, gia_tri: 500, don_vi: lượt người}
      - {ma: CT03b, ten: Cai nghiện tại cộng đồng, gia_tri: 50, don_vi: lượt người}
  - ma: CT04
    nhom: Cai nghiện
    ten: Tỷ lệ tái nghiện
    gia_tri: 12.5
    don_vi: "%"
    so_sanh: toi-da
  - ma: CT05
    nhom: Cai nghiện
    ten: Xã phát sinh người nghiện mới
    gia_tri: 0
    don_vi: xã
    so_sanh: toi-da
  - ma: CT06
    nhom: Mô hình
    ten: Mô hình mới
    gia_tri: 0
    don_vi: mô hình
  - ma: CT07
    nhom: Mô hình
    ten: Cán bộ được tập huấn
    gia_tri: 80
    don_vi: "%"
  - ma: CT08
    nhom: Truyền thông
    ten: Bài, tin đăng tải mỗi tháng
    gia_tri: 1
    don_vi: bài
  - ma: CT09
    nhom: Truyền thông
    ten: Khảo sát nhận thức người dân
    gia_tri: 65
    don_vi: "%"
nguoi_ky:
  tham_quyen: KT. GIÁM ĐỐC
  chuc_vu: PHÓ GIÁM ĐỐC
  ho_ten: Trần Thị C
noi_nhan:
  - Ủy ban nhân dân tỉnh (b/c)
  - "Lưu: VT, NVY"
"""

RICH_RESULTS = """\
ket_qua:
  CT01: 100
  CT02: 1300
  CT03: 562
  CT03a:
    gia_tri: 521
    ghi_chu: "Tăng do nhiều người tự nguyện"
  CT03b: 41
  CT04: 10.5
  CT05: 1
  CT06: 3
  CT07: 85
  CT08: 12.5
  CT09: null
"""

RICH_REPORT = SYT + """\
loai: bao-cao
nam: 2023
so: 3
ngay: 2023-12-15
ke_hoach: kh.yaml
trich_yeu: Kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
kinh_gui:
  - Ủy ban nhân dân tỉnh Quảng Ninh
  - Bộ Y tế
""" + RICH_RESULTS + """\
tinh_hinh: Tình hình tệ nạn xã hội cơ bản được kiềm chế.
ket_qua_thuc_hien: Các đơn vị đã triển khai đồng bộ các nhiệm vụ của Kế hoạch.
nguoi_ky:
  tham_quyen: KT. GIÁM ĐỐC
  chuc_vu: PHÓ GIÁM ĐỐC
  ho_ten: Trần Thị C
noi_nhan:
  - Các phòng chức năng
  - "Lưu: VT, NVY"
"""

RICH_ROWS = [
    ["Truyền thông"],
    ["1", "Xã tổ chức truyền thông", "%", "100", "100", "100,0", "Đạt"],
    ["2", "Lượt người được tư vấn", "lượt người", "1.250", "1.300", "104,0", "Vượt"],
    ["Cai nghiện"],
    ["3", "Lượt người được cai nghiện", "lượt người", "550", "562", "102,2", "Vượt"],
    ["3.1", "Cai nghiện tập trung", "lượt người", "500", "521", "104,2", "Vượt"],
    ["3.2", "Cai nghiện tại cộng đồng", "lượt người", "50", "41", "82,0", "Không đạt"],
    ["4", "Tỷ lệ tái nghiện", "%", "12,5", "10,5", "-", "Đạt"],
    ["5", "Xã phát sinh người nghiện mới", "xã", "0", "1", "-", "Không đạt"],
    ["Mô hình"],
    ["6", "Mô hình mới", "mô hình", "0", "3", "-", "Vượt"],
    ["7", "Cán bộ được tập huấn", "%", "80", "85", "106,3", "Vượt"],
    ["Truyền thông"],
    ["8", "Bài, tin đăng tải mỗi tháng", "bài", "1", "12,5", "1.250,0", "Vượt"],
    ["9", "Khảo sát nhận thức người dân", "%", "65", NO_DATA, "-", "-"],
]
RICH_SUMMARY = ("Có 08/11 chỉ tiêu đạt và vượt kế hoạch; 02 chỉ tiêu không đạt: "
                "“Cai nghiện tại cộng đồng”, “Xã phát sinh người nghiện mới”; 01 chỉ tiêu "
                "chưa có số liệu: “Khảo sát nhận thức người dân”.")

# The same results with the table in a landscape appendix, counts not padded.
APPENDIX_REPORT = SYT + """\
loai: bao-cao
nam: 2023
so: 4
ngay: 2023-12-20
ke_hoach: kh.yaml
trich_yeu: Kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
kinh_gui: Bộ Y tế
so_co_so_0: false
bang_chi_tieu:
  phu_luc: true
  ngang: true
""" + RICH_RESULTS + """\
ket_qua_thuc_hien: Các đơn vị đã triển khai đồng bộ các nhiệm vụ của Kế hoạch.
nguoi_ky:
  tham_quyen: KT. GIÁM ĐỐC
  chuc_vu: PHÓ GIÁM ĐỐC
  ho_ten: Trần Thị C
noi_nhan:
  - "Lưu: VT, NVY"
"""

DIR = "content/xa/2023"
REPORT = f"{DIR}/bc.yaml"


def workspace(root: Path, plan: str, report: str, agencies: str = AGENCIES) -> Path:
    (root / DIR).mkdir(parents=True, exist_ok=True)
    (root / "content/_co-quan.yaml").write_text(agencies, encoding="utf-8")
    (root / DIR / "kh.yaml").write_text(plan, encoding="utf-8")
    (root / REPORT).write_text(report, encoding="utf-8")
    return root


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    found = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert found, needle
    return found[0]


def has_vietnamese(text: str) -> bool:
    return any(ch in "đĐ" or (ch.isalpha() and not ch.isascii()) for ch in nfc(text))


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# == 1. Every example report: the table and the summary, DOCX and PDF ====================

@pytest.fixture(params=REPORTS, ids=example_id)
def example(request, built):
    path = request.param
    return path, output_for(built, path, ".docx"), output_for(built, path, ".pdf")


def test_there_are_example_reports():
    assert len(REPORTS) >= 2, REPORTS


def test_example_docx_table_matches_yaml(example):
    path, docx_path, _ = example
    rows, _ = expected_report(path)
    table = docx_targets_table(docx.Document(str(docx_path)))
    assert len(table.columns) == 7
    assert docx_rows(table) == rows


def test_example_docx_summary_follows_table(example):
    path, docx_path, _ = example
    _, summary = expected_report(path)
    table = docx_targets_table(docx.Document(str(docx_path)))
    assert is_summary(paragraph_after(table), summary), paragraph_after(table)


def test_example_pdf_table_matches_yaml(example):
    path, _, pdf_path = example
    rows, _ = expected_report(path)
    found, _, headers = pdf_table(pdf_path)
    assert headers and all(h == HEADER for h in headers), headers
    assert found == rows


def test_example_pdf_rows_not_split_across_pages(example):
    """Each row is whole on one page: a reader must never see a row's numbers on one
    page and its name on the next."""
    _, _, pdf_path = example
    _, split, _ = pdf_table(pdf_path)
    assert split == [], f"rows broken across a page: {split}"


def test_example_pdf_summary(example):
    path, _, pdf_path = example
    _, summary = expected_report(path)
    assert squeeze(summary) in squeeze(pdf_text(pdf_path))


# == 2. Report-specific nd30 rules on the examples =========================================

def test_example_number_line_has_bc(example):
    path, docx_path, pdf_path = example
    data = E.load(path)
    line = E.number_line(data)
    assert f"/BC-{data['co_quan']['viet_tat']}" in line
    grid = docx.Document(str(docx_path)).tables[0]
    assert nfc(grid.cell(1, 0).text).strip() == line
    with pdfplumber.open(str(pdf_path)) as pdf:
        assert squeeze(line) in squeeze(pdf.pages[0].extract_text())


def _kinh_gui_lines(data) -> list[str]:
    kinh_gui = data.get("kinh_gui")
    if not kinh_gui:
        return []
    if isinstance(kinh_gui, str):
        kinh_gui = [kinh_gui]
    if len(kinh_gui) == 1:
        return [f"Kính gửi: {nfc(kinh_gui[0]).rstrip('.;')}."]
    return ["Kính gửi:"] + [f"- {nfc(k).rstrip('.;')}{'.' if i == len(kinh_gui) - 1 else ';'}"
                            for i, k in enumerate(kinh_gui)]


def check_kinh_gui_docx(data, document):
    """One recipient: a centred ``Kính gửi: X.`` paragraph. A list (Mẫu 1.4): a
    centred borderless block, ``Kính gửi:`` beside the recipients, left-aligned."""
    texts = body_texts(document)
    expected = _kinh_gui_lines(data)
    found = [i for i, t in enumerate(texts) if t.startswith("Kính gửi")]
    blocks = [t for t in document.tables if seen(t.cell(0, 0).text).startswith("Kính gửi")]
    if not expected:
        assert found == [] and blocks == []
        return
    # A title may carry a line break of its own (a period kept on one line).
    subject = [t.replace("\n", " ") for t in texts].index(nfc(data["trich_yeu"]))
    first_section = next(i for i, t in enumerate(texts) if re.match(r"I\. ", t))
    if len(expected) == 1:
        assert len(found) == 1 and blocks == []
        start = found[0]
        assert texts[start] == expected[0]
        assert subject < start < first_section
        paragraphs = [document.paragraphs[start]]
        assert paragraphs[0].paragraph_format.alignment == 1  # centred
    else:
        assert found == [] and len(blocks) == 1
        block = blocks[0]
        assert block.alignment == 1  # the block is centred
        label = [p for p in block.cell(0, 0).paragraphs if seen(p.text).strip()]
        items = [p for p in block.cell(0, 1).paragraphs if seen(p.text).strip()]
        assert [seen(p.text) for p in label] == ["Kính gửi:"]
        assert [seen(p.text) for p in items] == expected[1:]
        paragraphs = label + items
        for paragraph in paragraphs:
            assert paragraph.paragraph_format.alignment == 0, paragraph.text  # left
        # Between the subject and the first section, in reading order.
        order = [seen(b.text) if hasattr(b, "text") else "table:" + seen(b.cell(0, 0).text)
                 for b in document.iter_inner_content()]
        at = order.index("table:Kính gửi:")
        assert order.index(nfc(data["trich_yeu"])) < at < next(
            i for i, t in enumerate(order) if re.match(r"I\. ", t))
    for paragraph in paragraphs:
        runs = [r for r in paragraph.runs if r.text.strip()]
        assert runs and all(r.font.size.pt == 14 for r in runs), paragraph.text
        assert not any(r.font.bold or r.font.italic for r in runs), paragraph.text


def check_kinh_gui_pdf(data, pdf_path):
    """As the decree's sample shows it: ``Kính gửi: X.`` centred; a list with its
    first recipient on the ``Kính gửi:`` line and the others aligned under it."""
    expected = _kinh_gui_lines(data)
    with pdfplumber.open(str(pdf_path)) as pdf:
        page = pdf.pages[0]
        segs = segments(page)
        width = page.width / MM
        words = page.extract_words()
    texts = [seen(s.text) for s in segs]
    if not expected:
        assert not any(t.startswith("Kính gửi") for t in texts)
        return
    lines = ([expected[0]] if len(expected) == 1
             else [f"{expected[0]} {expected[1]}"] + expected[2:])
    start = texts.index(lines[0])
    assert texts[start:start + len(lines)] == lines
    kind = texts.index("BÁO CÁO")
    first_section = next(i for i, t in enumerate(texts) if re.match(r"I\. ", t))
    assert kind + 1 < start and start + len(lines) <= first_section
    # The subject (bold) lies between the kind and Kính gửi.
    subject = "".join(texts[kind + 1:start])
    assert squeeze(subject) == squeeze(data["trich_yeu"]), subject
    block = segs[start:start + len(lines)]
    for seg in block:
        assert seg.sizes == {14.0}, seg
        assert not seg.bold and not seg.italic, seg
    centre = LEFT + (width - LEFT - RIGHT) / 2
    left, right = min(s.x0 for s in block), max(s.x1 for s in block)
    assert abs((left + right) / 2 - centre) < 1.5, block  # the block is centred
    if len(lines) > 1:
        # The dash of each recipient under the dash of the first.
        dashes = [min(w["x0"] / MM for w in words
                      if w["text"] == "-" and abs(w["top"] / MM - s.top) < 1) for s in block]
        assert max(dashes) - min(dashes) < 0.3, dashes


def check_recipients(data, document):
    closing = [t for t in document.tables if "Nơi nhận" in t.cell(0, 0).text][0]
    lines = [seen(p.text) for p in closing.cell(0, 0).paragraphs if p.text.strip()][1:]
    expected = [f"- {nfc(n).rstrip(';.,')}" for n in data["noi_nhan"]]
    expected = [e + ";" for e in expected[:-1]] + [expected[-1] + "."]
    if data.get("kinh_gui"):
        expected = ["- Như trên;"] + expected
    assert lines == expected


def test_example_kinh_gui_docx(example):
    path, docx_path, _ = example
    check_kinh_gui_docx(E.load(path), docx.Document(str(docx_path)))


def test_example_kinh_gui_pdf(example):
    path, _, pdf_path = example
    check_kinh_gui_pdf(E.load(path), pdf_path)


def test_example_recipients_start_with_nhu_tren(example):
    path, docx_path, _ = example
    check_recipients(E.load(path), docx.Document(str(docx_path)))


def test_an_example_has_kinh_gui():
    assert any(_load(p).get("kinh_gui") for p in REPORTS)


# == A report covering every case of the table (tmp workspace) ============================

@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    root = workspace(tmp_path_factory.mktemp("rich"), RICH_PLAN, RICH_REPORT)
    result = run_vanban("render", REPORT, "-o", "output", cwd=root)
    assert result.returncode == 0, result.stderr
    return root, root / "output/xa/2023/bc.docx", root / "output/xa/2023/bc.pdf", result


def test_independent_computation_is_right(tmp_path):
    """The test's own arithmetic, against numbers worked out by hand."""
    rows, summary = expected_report(workspace(tmp_path, RICH_PLAN, RICH_REPORT) / REPORT)
    assert rows == RICH_ROWS
    assert summary == RICH_SUMMARY


def test_rich_docx_table(rich):
    _, docx_path, _, _ = rich
    table = docx_targets_table(docx.Document(str(docx_path)))
    assert docx_rows(table) == RICH_ROWS
    assert is_summary(paragraph_after(table), RICH_SUMMARY), paragraph_after(table)


def test_rich_docx_group_rows_span_all_columns(rich):
    _, docx_path, _, _ = rich
    table = docx_targets_table(docx.Document(str(docx_path)))
    for row, want in zip(table.rows[1:], RICH_ROWS):
        spans = len({id(c._tc) for c in row.cells})
        assert spans == (1 if len(want) == 1 else 7), want


def test_rich_pdf_table(rich):
    _, _, pdf_path, _ = rich
    rows, split, headers = pdf_table(pdf_path)
    assert headers and all(h == HEADER for h in headers)
    assert rows == RICH_ROWS
    assert split == []
    assert squeeze(RICH_SUMMARY) in squeeze(pdf_text(pdf_path))


def test_rich_number_line_default_ky_hieu(rich):
    _, docx_path, pdf_path, _ = rich
    grid = docx.Document(str(docx_path)).tables[0]
    assert nfc(grid.cell(1, 0).text).strip() == "Số: 03/BC-SYT"
    with pdfplumber.open(str(pdf_path)) as pdf:
        assert "Số:03/BC-SYT" in squeeze(pdf.pages[0].extract_text())


def test_rich_kinh_gui_list(rich):
    root, docx_path, pdf_path, _ = rich
    data = _load(root / REPORT)
    assert _kinh_gui_lines(data) == ["Kính gửi:", "- Ủy ban nhân dân tỉnh Quảng Ninh;",
                                     "- Bộ Y tế."]
    document = docx.Document(str(docx_path))
    check_kinh_gui_docx(data, document)
    check_kinh_gui_pdf(data, pdf_path)
    check_recipients(data, document)


def test_rich_evaluation_words_stay_together(rich):
    """The table's evaluation column is wide enough for ``Không đạt`` on one line
    (it wrapped as ``Không``/``đạt``), as its headers are for ``Kế hoạch``."""
    _, _, pdf_path, _ = rich
    with pdfplumber.open(str(pdf_path)) as pdf:
        words = [w for page in pdf.pages for w in page.extract_words()]
    pairs = [(a, b) for a, b in zip(words, words[1:]) if a["text"] == "Không"]
    assert pairs, "no 'Không đạt' in the table"
    for a, b in pairs:
        assert b["text"] == "đạt" and abs(a["top"] - b["top"]) < 1, (a["text"], b["text"])
    for header in ("Kế hoạch", "Thực hiện", "Đánh giá"):
        first, second = header.split()
        found = [(a, b) for a, b in zip(words, words[1:])
                 if a["text"] == first and b["text"] == second]
        assert found and all(abs(a["top"] - b["top"]) < 1 for a, b in found), header


def test_rich_no_data_is_a_warning(rich):
    *_, result = rich
    lines = [l for l in result.stderr.splitlines() if "CT09" in l]
    assert lines and all(l.startswith(f"{REPORT}:") and "cảnh báo" in l for l in lines), \
        result.stderr


# == The table in a landscape appendix =====================================================

@pytest.fixture(scope="module")
def appendix(tmp_path_factory):
    root = workspace(tmp_path_factory.mktemp("appendix"), RICH_PLAN, APPENDIX_REPORT)
    result = run_vanban("render", REPORT, "-o", "output", cwd=root)
    assert result.returncode == 0, result.stderr
    return root, root / "output/xa/2023/bc.docx", root / "output/xa/2023/bc.pdf"


def test_appendix_docx_section_landscape_new_page_numbered_from_1(appendix):
    _, docx_path, _ = appendix
    document = docx.Document(str(docx_path))
    assert len(document.sections) == 2
    body, annex = document.sections
    assert body.page_width < body.page_height
    assert annex.page_width > annex.page_height
    assert annex.start_type == WD_SECTION.NEW_PAGE
    number = annex._sectPr.find(qn("w:pgNumType"))
    assert number is not None and number.get(qn("w:start")) == "1"


def test_appendix_docx_table_after_the_section_break(appendix):
    root, docx_path, _ = appendix
    document = docx.Document(str(docx_path))
    table = docx_targets_table(document)
    children = list(document.element.body)
    breaks = [i for i, el in enumerate(children)
              if el.tag == qn("w:p") and el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None]
    assert len(breaks) == 1
    closing = [t for t in document.tables if "Nơi nhận" in t.cell(0, 0).text][0]
    assert children.index(closing._tbl) < breaks[0] < children.index(table._tbl)
    rows, _ = expected_report(root / REPORT)
    assert docx_rows(table) == rows
    assert rows == RICH_ROWS


APPENDIX_REFERENCE = ("(Kèm theo Báo cáo số 04/BC-SYT ngày 20 tháng 12 năm 2023 "
                      "của Sở Y tế tỉnh Quảng Ninh)")


def test_appendix_heading_docx(appendix):
    """Label, upper-case title, then the reference line on its own (nd30.md)."""
    _, docx_path, _ = appendix
    document = docx.Document(str(docx_path))
    children = list(document.element.body)
    start = max(i for i, el in enumerate(children)
                if el.tag == qn("w:p") and el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None)
    table = docx_targets_table(document)
    heading = [element_text(el).strip() for el in children[start + 1:children.index(table._tbl)]
               if el.tag == qn("w:p") and element_text(el).strip()]
    assert len(heading) == 3, heading
    label, title, reference = heading
    assert label == "Phụ lục"
    assert title == title.upper() and "@" not in title, title
    assert reference == APPENDIX_REFERENCE


def test_appendix_heading_pdf(appendix):
    _, _, pdf_path = appendix
    with pdfplumber.open(str(pdf_path)) as pdf:
        page = next(p for p in pdf.pages if _header_top(p) is not None)
        text = page.extract_text()
    before_table = text[:text.index("STT")]
    assert "@" not in before_table, before_table
    assert before_table.splitlines()[0] == "Phụ lục"
    assert squeeze(before_table).endswith(squeeze(APPENDIX_REFERENCE)), before_table


def test_appendix_body_points_to_it_and_keeps_the_summary(appendix):
    _, docx_path, _ = appendix
    texts = body_texts(docx.Document(str(docx_path)))
    at = [i for i, t in enumerate(texts) if "chỉ tiêu đạt và vượt kế hoạch" in t]
    assert len(at) == 1, texts
    kind = texts.index("BÁO CÁO")
    assert any("Phụ lục" in t for t in texts[kind:at[0]]), \
        "the body does not say the table is in the appendix"


def test_summary_counts_not_padded_when_so_co_so_0_false(appendix):
    """``so_co_so_0: false``: counts below 10 are printed as they are (``8/11``)."""
    root, docx_path, pdf_path = appendix
    _, summary = expected_report(root / REPORT)
    assert summary == ("Có 8/11 chỉ tiêu đạt và vượt kế hoạch; 2 chỉ tiêu không đạt: "
                       "“Cai nghiện tại cộng đồng”, “Xã phát sinh người nghiện mới”; 1 chỉ tiêu "
                       "chưa có số liệu: “Khảo sát nhận thức người dân”.")
    texts = body_texts(docx.Document(str(docx_path)))
    assert any(is_summary(t, summary) for t in texts), \
        [t for t in texts if "chỉ tiêu đạt và vượt kế hoạch" in t]
    assert squeeze(summary) in squeeze(pdf_text(pdf_path))


def test_appendix_pdf_landscape_page_numbering_restarts(appendix):
    _, _, pdf_path = appendix
    with pdfplumber.open(str(pdf_path)) as pdf:
        tops = [_header_top(p) for p in pdf.pages]
        table_pages = [i for i, t in enumerate(tops) if t is not None]
        assert table_pages, "no targets table in the PDF"
        first = table_pages[0]
        assert first >= 1  # the document itself comes first, on portrait pages
        assert all(p.width < p.height for p in pdf.pages[:first])
        assert "Nơi nhận" in pdf.pages[first - 1].extract_text()
        for i in range(first, len(pdf.pages)):
            page = pdf.pages[i]
            assert page.width > page.height, f"page {i + 1} is not landscape"
            in_margin = [s.text for s in segments(page) if s.bottom <= 20]
            assert in_margin == ([] if i == first else [str(i - first + 1)]), (i, in_margin)
        segs = [s.text for s in segments(pdf.pages[first]) if s.bottom > 20]
        assert segs[0] == "Phụ lục"
    rows, split, headers = pdf_table(pdf_path)
    assert rows == RICH_ROWS and split == []


# == 3. Errors ==============================================================================

def _missing_code(report):
    return replace_once(report, "  CT02b: 50\n", "")


def _report_as_plan(root):
    (root / DIR / "bc-khac.yaml").write_text(SMALL_REPORT, encoding="utf-8")
    return replace_once(SMALL_REPORT, "ke_hoach: kh.yaml", "ke_hoach: bc-khac.yaml")


ERRORS = {
    # case: (edit of the report text, or a function of the workspace root;
    #        line needle, field, detail the message must hold)
    "unknown-code": (lambda r: replace_once(r, "  CT02b: 50\n", "  CT02b: 50\n  CT99: 5\n"),
                     "CT99:", "CT99", "CT99"),
    "missing-code": (_missing_code, "ket_qua:", "ket_qua", "CT02b"),
    "plan-not-found": (lambda r: replace_once(r, "ke_hoach: kh.yaml", "ke_hoach: khong-co.yaml"),
                       "ke_hoach:", "ke_hoach", "khong-co.yaml"),
    "plan-is-a-report": (None, "ke_hoach:", "ke_hoach", "bc-khac.yaml"),
    "not-a-number": (lambda r: replace_once(r, "CT01: 100", "CT01: nhiều"),
                     "CT01:", "CT01", "nhiều"),
    "other-agency": (lambda r: replace_once(r, "co_quan: ubnd-xa", "co_quan: ubnd-khac"),
                     "co_quan:", "co_quan", "Ba Chẽ"),
    "other-agency-inline": (
        lambda r: replace_once(r, "co_quan: ubnd-xa\n",
                               "co_quan:\n  ten: [Ủy ban nhân dân, huyện Đầm Hà]\n"
                               "  viet_tat: UBND\n  dia_danh: Đầm Hà\n"),
        "co_quan:", "co_quan", "Đầm Hà"),
    "year-before-plan": (lambda r: replace_once(r, "nam: 2023", "nam: 2022"),
                         "nam:", "nam", "2022"),
}


@pytest.fixture(scope="module", params=sorted(ERRORS))
def error_case(request, tmp_path_factory):
    edit, needle, field, detail = ERRORS[request.param]
    root = workspace(tmp_path_factory.mktemp(request.param), SMALL_PLAN, SMALL_REPORT)
    text = _report_as_plan(root) if edit is None else edit(SMALL_REPORT)
    (root / REPORT).write_text(text, encoding="utf-8")
    before = files_under(root)
    rendered = run_vanban("render", REPORT, "-o", "output", cwd=root)
    checked = run_vanban("check", REPORT, cwd=root)
    return dict(name=request.param, root=root, line=line_of(text, needle), field=field,
                detail=detail, before=before, rendered=rendered, checked=checked)


def _lines(stderr: str, line: int) -> list[str]:
    return [l for l in stderr.splitlines() if l.startswith(f"{REPORT}:{line}:")]


@pytest.mark.parametrize("command", ["rendered", "checked"])
def test_error_exit_1(error_case, command):
    result = error_case[command]
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["rendered", "checked"])
def test_error_names_file_line_field(error_case, command):
    stderr = error_case[command].stderr
    lines = _lines(stderr, error_case["line"])
    assert lines, f"no line {REPORT}:{error_case['line']}: in\n{stderr}"
    line = next((l for l in lines if re.search(rf"(?<!\w){re.escape(error_case['field'])}"
                                               r"(?!\w)", l)), None)
    assert line, f"field {error_case['field']} not named in\n{stderr}"
    assert error_case["detail"] in line, line
    assert has_vietnamese(line.split(": ", 2)[-1]), line
    assert "cảnh báo" not in line


def test_error_writes_nothing(error_case):
    root = error_case["root"]
    assert not (root / "output").exists() or not any(
        p.is_file() for p in (root / "output").rglob("*"))
    assert files_under(root) == error_case["before"]


@pytest.fixture(scope="module")
def later_year(tmp_path_factory):
    root = workspace(tmp_path_factory.mktemp("later"), SMALL_PLAN,
                     replace_once(SMALL_REPORT, "nam: 2023", "nam: 2024"))
    return root, run_vanban("render", REPORT, "-o", "output", cwd=root), \
        run_vanban("check", REPORT, cwd=root)


def test_later_year_is_a_warning(later_year):
    root, rendered, checked = later_year
    for result in (rendered, checked):
        assert result.returncode == 0, result.stderr
        line = line_of((root / REPORT).read_text(encoding="utf-8"), "nam:")
        warned = [l for l in _lines(result.stderr, line)
                  if "cảnh báo" in l and re.search(r"(?<!\w)nam(?!\w)", l)]
        assert warned, result.stderr
        assert "Traceback" not in result.stderr
    assert (root / "output/xa/2023/bc.docx").is_file()
    assert (root / "output/xa/2023/bc.pdf").is_file()


# == 4. A changed plan target changes the report, with no edit to the report ===============

@pytest.fixture(scope="module")
def changed_plan(tmp_path_factory, built):
    root = tmp_path_factory.mktemp("changed")
    folder = root / "content/quang-ninh/2023"
    folder.mkdir(parents=True)
    shutil.copy(CONTENT / "_co-quan.yaml", root / "content/_co-quan.yaml")
    shutil.copy(CONTENT / "quang-ninh/2023/bao-cao.yaml", folder / "bao-cao.yaml")
    plan = (CONTENT / "quang-ninh/2023/ke-hoach.yaml").read_text(encoding="utf-8")
    # CT11 "Người lầm lỗi được đào tạo nghề": 420 → 390 (achieved: 395).
    (folder / "ke-hoach.yaml").write_text(
        replace_once(plan, "    gia_tri: 420\n", "    gia_tri: 390\n"), encoding="utf-8")
    report_bytes = (folder / "bao-cao.yaml").read_bytes()
    result = run_vanban("render", "content/quang-ninh/2023/bao-cao.yaml", "-o", "output",
                        cwd=root)
    assert result.returncode == 0, result.stderr
    assert (folder / "bao-cao.yaml").read_bytes() == report_bytes
    original = output_for(built, CONTENT / "quang-ninh/2023/bao-cao.yaml", ".docx")
    return folder / "bao-cao.yaml", root / "output/quang-ninh/2023/bao-cao.docx", original


def test_changed_plan_changes_row_and_summary(changed_plan):
    report, new_docx, old_docx = changed_plan
    old = docx_targets_table(docx.Document(str(old_docx)))
    new = docx_targets_table(docx.Document(str(new_docx)))
    old_row = [r for r in docx_rows(old) if r[0] == "11"][0]
    new_row = [r for r in docx_rows(new) if r[0] == "11"][0]
    assert old_row[3:] == ["420", "395", "94,0", "Không đạt"]
    assert new_row[3:] == ["390", "395", "101,3", "Vượt"]
    rows, summary = expected_report(report)
    assert docx_rows(new) == rows
    assert is_summary(paragraph_after(new), summary), paragraph_after(new)
    assert summary.startswith("Có 23/26 chỉ tiêu đạt và vượt kế hoạch; 02 chỉ tiêu không đạt: ")
    assert "Người lầm lỗi được đào tạo nghề" not in summary
    assert paragraph_after(old).startswith("Có 22/26 chỉ tiêu đạt và vượt kế hoạch; 03 ")


# == 5. Round trip: new bao-cao → fill → check → render =====================================

FILLED = {"CT01": "95", "CT02": "560", "CT02a": "510", "CT02b": "50"}


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    root = tmp_path_factory.mktemp("new")
    (root / DIR).mkdir(parents=True)
    (root / "content/_co-quan.yaml").write_text(AGENCIES, encoding="utf-8")
    (root / DIR / "kh.yaml").write_text(SMALL_PLAN, encoding="utf-8")
    created = run_vanban("new", "bao-cao", "--ke-hoach", f"{DIR}/kh.yaml", "-o", REPORT,
                         cwd=root)
    skeleton = (root / REPORT).read_text(encoding="utf-8") if (root / REPORT).exists() else ""
    again = run_vanban("new", "bao-cao", "--ke-hoach", f"{DIR}/kh.yaml", "-o", REPORT,
                       cwd=root)
    after_again = (root / REPORT).read_text(encoding="utf-8") if skeleton else ""
    filled = skeleton
    for code, value in FILLED.items():
        filled = re.sub(rf"(?m)^  {code}:[ \t]*$", f"  {code}: {value}", filled)
    (root / REPORT).write_text(filled, encoding="utf-8")
    refused_filled = run_vanban("new", "bao-cao", "--ke-hoach", f"{DIR}/kh.yaml", "-o",
                                REPORT, cwd=root)
    checked = run_vanban("check", REPORT, cwd=root)
    rendered = run_vanban("render", REPORT, "-o", "output", cwd=root)
    return dict(root=root, created=created, skeleton=skeleton, again=again,
                after_again=after_again, filled=filled, refused_filled=refused_filled,
                checked=checked, rendered=rendered)


def test_new_report_skeleton_created(round_trip):
    assert round_trip["created"].returncode == 0, round_trip["created"].stderr
    assert round_trip["skeleton"]


def test_new_report_lists_every_code_empty(round_trip):
    data = YAML(typ="safe", pure=True).load(round_trip["skeleton"])
    assert data["loai"] == "bao-cao"
    assert data["ket_qua"] == {"CT01": None, "CT02": None, "CT02a": None, "CT02b": None}


def test_new_report_comments_name_target_and_plan_value(round_trip):
    lines = round_trip["skeleton"].splitlines()
    plan = YAML(typ="safe", pure=True).load(SMALL_PLAN)

    def targets(items):
        for t in items:
            yield t
            yield from targets(t.get("chi_tiet") or [])

    for target in targets(plan["chi_tieu"]):
        index = next(i for i, l in enumerate(lines) if re.match(rf"^\s*{target['ma']}:", l))
        # Its comment: on the line just above, or after the key on the same line.
        comment = lines[index].partition("#")[2]
        if lines[index - 1].lstrip().startswith("#"):
            comment += " " + lines[index - 1]
        assert nfc(target["ten"]) in comment, (target["ma"], comment)
        assert vn(dec(target["gia_tri"])) in comment, (target["ma"], comment)


def test_new_report_refuses_to_overwrite(round_trip):
    for key in ("again", "refused_filled"):
        result = round_trip[key]
        assert result.returncode == 1, (key, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert REPORT in result.stderr or "bc.yaml" in result.stderr
    assert round_trip["after_again"] == round_trip["skeleton"]
    assert (round_trip["root"] / REPORT).read_text(encoding="utf-8") == round_trip["filled"]


def test_filled_skeleton_checks_and_renders(round_trip):
    for key in ("checked", "rendered"):
        result = round_trip[key]
        assert result.returncode == 0, (key, result.stderr)
        assert "Traceback" not in result.stderr
    root = round_trip["root"]
    data = YAML(typ="safe", pure=True).load(round_trip["filled"])
    assert {k: str(v) for k, v in data["ket_qua"].items()} == FILLED
    rows, summary = expected_report(root / REPORT)
    document = docx.Document(str(root / "output/xa/2023/bc.docx"))
    table = docx_targets_table(document)
    assert docx_rows(table) == rows
    assert [r[4] for r in docx_rows(table)] == ["95", "560", "510", "50"]
    assert is_summary(paragraph_after(table), summary), paragraph_after(table)
    assert summary == ("Có 03/04 chỉ tiêu đạt và vượt kế hoạch; 01 chỉ tiêu không đạt: "
                       "“Xã, thị trấn tổ chức hoạt động truyền thông”.")
    found, split, _ = pdf_table(root / "output/xa/2023/bc.pdf")
    assert found == rows and split == []
