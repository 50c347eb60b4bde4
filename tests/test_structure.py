"""Sections as the clerk names them and block items by kind (issue 13).

A plan renames a standard section and its sub-headings, drops the ``1./2.`` level,
adds sections of its own before and between the standard ones, and writes items as
``- `` items, ``+ `` sub-items and numbered paragraphs, chosen in the YAML. The
generator numbers everything; DOCX and PDF show the same lines with the decree's
indents.
"""

from __future__ import annotations

import docx
import pdfplumber
import pytest

from helpers_ws import DOCX, PDF, PLAN, make_workspace, pdf_text, replace_once, squeeze
from pdfview import segments

LEFT = 30.0
INDENT = 12.7

STRUCTURE = """bo_cuc:
  - tieu_de: Bối cảnh, tình hình có liên quan
    noi_dung:
      - {so: "Ngày 18/3/2025, Chính phủ ban hành Nghị quyết về phòng, chống ma túy."}
      - {so: "Ngày 02/4/2025, Tỉnh ủy ban hành Chỉ thị về công tác cai nghiện."}
  - muc: muc_dich_yeu_cau
    bo_muc_con: true
  - tieu_de: Quan điểm chỉ đạo
    noi_dung:
      - {gach: Lấy phòng ngừa là chính}
      - {cong: Tuyên truyền trong trường học}
      - {doan: Phát huy vai trò của cộng đồng dân cư.}
  - muc: muc_tieu_chi_tieu
    tieu_de: Mục tiêu, chỉ tiêu chủ yếu
    ten: {muc_tieu_chung: Mục tiêu, chi_tieu: Chỉ tiêu}
  - muc: nhiem_vu
  - muc: kinh_phi
  - muc: to_chuc_thuc_hien
"""

EXPECTED_ORDER = [
    "I. BỐI CẢNH, TÌNH HÌNH CÓ LIÊN QUAN",
    "1. Ngày 18/3/2025, Chính phủ ban hành Nghị quyết về phòng, chống ma túy.",
    "2. Ngày 02/4/2025, Tỉnh ủy ban hành Chỉ thị về công tác cai nghiện.",
    "II. MỤC ĐÍCH, YÊU CẦU",
    "Tăng cường sự lãnh đạo của các cấp ủy đảng, hiệu lực quản lý, điều hành của chính quyền.",
    "III. QUAN ĐIỂM CHỈ ĐẠO",
    "- Lấy phòng ngừa là chính",
    "+ Tuyên truyền trong trường học",
    "Phát huy vai trò của cộng đồng dân cư.",
    "IV. MỤC TIÊU, CHỈ TIÊU CHỦ YẾU",
    "1. Mục tiêu",
    "2. Chỉ tiêu",
    "V. NHIỆM VỤ, GIẢI PHÁP",
    "VI. KINH PHÍ THỰC HIỆN",
    "VII. TỔ CHỨC THỰC HIỆN",
]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("structure"),
                        replace_once(PLAN, "nguoi_ky:\n", STRUCTURE + "nguoi_ky:\n"))
    result = ws.render()
    assert result.returncode == 0, result.stderr
    return ws


def test_docx_sections_in_the_order_written(rendered):
    paragraphs = [p for p in docx.Document(str(rendered.path(DOCX))).paragraphs]
    texts = [p.text.replace("\xa0", " ") for p in paragraphs]
    positions = [texts.index(line) for line in EXPECTED_ORDER]
    assert positions == sorted(positions), texts
    assert "Mục đích" not in texts and "1. Mục đích" not in texts  # the level dropped
    by_text = dict(zip(texts, paragraphs))
    for line in EXPECTED_ORDER[1:3] + EXPECTED_ORDER[6:9]:  # body items: indent, justified
        fmt = by_text[line].paragraph_format
        assert round(fmt.first_line_indent.mm, 1) == INDENT, line


def test_pdf_sections_in_the_order_written(rendered):
    with pdfplumber.open(str(rendered.path(PDF))) as pdf:
        segs = [s for page in pdf.pages for s in segments(page)]
    texts = [s.text for s in segs]
    starts = []
    for line in EXPECTED_ORDER:
        found = [i for i, t in enumerate(texts) if line.startswith(t) and len(t) > 8
                 or t == line]
        assert found, (line, texts)
        starts.append(found[0])
        seg = segs[found[0]]
        assert abs(seg.x0 - (LEFT + INDENT)) < 1.0, (line, seg.x0)
    assert starts == sorted(starts)


@pytest.mark.parametrize("change, field", [
    ("  - muc: kinh_phi\n", "bo_cuc"),  # kinh_phi written but not placed
    ("  - muc: nhiem_vu\n", "bo_cuc"),
])
def test_a_written_section_left_out_of_bo_cuc_is_an_error(tmp_path, change, field):
    plan = replace_once(PLAN, "nguoi_ky:\n",
                        replace_once(STRUCTURE, change, "") + "nguoi_ky:\n")
    result = make_workspace(tmp_path, plan).render()
    assert result.returncode != 0
    assert f": {field}:" in result.stderr and "Traceback" not in result.stderr


def test_unknown_standard_section_is_named(tmp_path):
    plan = replace_once(PLAN, "nguoi_ky:\n", STRUCTURE.replace(
        "  - muc: kinh_phi\n", "  - muc: kinh_phi_thuc_hien\n") + "nguoi_ky:\n")
    result = make_workspace(tmp_path, plan).render()
    assert result.returncode != 0
    assert "bo_cuc[6].muc" in result.stderr and "kinh_phi_thuc_hien" in result.stderr


NUMBERED_ITEMS = """nhiem_vu:
  - {so: Rà soát kế hoạch năm trước.}
  - tieu_de: Nhóm một
    noi_dung:
      - {so: Việc thứ nhất.}
      - {so: Việc thứ hai.}
  - tieu_de: Nhóm hai
    noi_dung:
      - {so: Việc thứ ba.}
"""


def test_numbered_paragraphs_share_the_series_of_their_level(tmp_path):
    """Numbered paragraphs beside 1./2. headings continue their series; under such a
    heading they are its points a), b): never "1. Nhóm một / 1. Việc thứ nhất"."""
    plan = replace_once(PLAN, """nhiem_vu:
  - tieu_de: Công tác thông tin, tuyên truyền
    noi_dung:
      - Đẩy mạnh tuyên truyền về phòng, chống tệ nạn xã hội.
""", NUMBERED_ITEMS)
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 0, result.stderr
    paragraphs = [p.text.replace("\xa0", " ") for p in
                  docx.Document(str(ws.path("output/xa/2023/kh.docx"))).paragraphs]
    start = paragraphs.index("III. NHIỆM VỤ, GIẢI PHÁP")
    assert paragraphs[start + 1:start + 7] == [
        "1. Rà soát kế hoạch năm trước.", "2. Nhóm một", "a) Việc thứ nhất.",
        "b) Việc thứ hai.", "3. Nhóm hai", "a) Việc thứ ba."]
    pdf = squeeze(pdf_text(ws.path("output/xa/2023/kh.pdf")))
    at = [pdf.index(squeeze(line)) for line in paragraphs[start + 1:start + 7]]
    assert at == sorted(at)
