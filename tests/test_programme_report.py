"""Reports on a programme (issue 13): ``ke_hoach`` is optional; the targets may be
written in the report itself (plan value and result side by side) or left out, and
then no table and no summary sentence are printed."""

from __future__ import annotations

import docx

from helpers_ws import AGENCIES, Workspace, docx_text, make_workspace, pdf_text, squeeze

REVIEW = """loai: bao-cao
co_quan: ubnd-quang-ninh
nam: 2025
so: 12
ngay: 2025-11-20
trich_yeu: Tổng kết 05 năm thực hiện Chương trình phòng, chống mua bán người
kinh_gui: Bộ Công an
tinh_hinh: Chương trình được triển khai trên địa bàn toàn tỉnh.
ket_qua_thuc_hien:
  - Công tác tuyên truyền được đẩy mạnh ở tất cả các xã, phường.
nguoi_ky:
  tham_quyen: [TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH]
  chuc_vu: PHÓ CHỦ TỊCH
  ho_ten: Nguyễn Văn A
noi_nhan:
  - "Lưu: VT, NC"
"""

OWN_TARGETS = """chi_tieu:
  - {ma: CT01, ten: Nạn nhân được tiếp nhận và hỗ trợ, gia_tri: 100, don_vi: "%"}
  - {ma: CT02, ten: "Xã, phường có mô hình phòng ngừa", gia_tri: 120, don_vi: xã}
ket_qua:
  CT01: 100
  CT02: 98
"""


def render(tmp_path, text):
    ws = Workspace(tmp_path / "ws")
    ws.write("content/_co-quan.yaml", AGENCIES)
    ws.write("content/xa/2025/bc.yaml", text)
    result = ws.render()
    assert result.returncode == 0, result.stderr
    return ws.path("output/xa/2025/bc.docx"), ws.path("output/xa/2025/bc.pdf")


def test_review_without_plan_or_targets_has_no_table(tmp_path):
    docx_path, pdf_path = render(tmp_path, REVIEW)
    assert len(docx.Document(str(docx_path)).tables) == 2  # header and closing grids only
    for text in (docx_text(docx_path), pdf_text(pdf_path)):
        assert "chỉ tiêu" not in text.lower() and "00/00" not in text
        assert "Công tác tuyên truyền" in text


def test_targets_written_in_the_report(tmp_path):
    docx_path, pdf_path = render(tmp_path, REVIEW + OWN_TARGETS)
    document = docx.Document(str(docx_path))
    rows = [[c.text for c in r.cells] for r in document.tables[1].rows]
    assert rows[1][1:5] == ["Nạn nhân được tiếp nhận và hỗ trợ", "%", "100", "100"]
    assert rows[2][3:5] == ["120", "98"] and rows[2][-1] == "Không đạt"
    text = docx_text(docx_path)
    assert "Kết quả thực hiện các chỉ tiêu như sau:" in text  # no plan to name
    assert "Có 01/02 chỉ tiêu đạt và vượt kế hoạch" in text
    assert squeeze("Có 01/02 chỉ tiêu đạt") in squeeze(pdf_text(pdf_path))


def test_results_with_no_targets_anywhere_are_named(tmp_path):
    """``ket_qua`` needs targets: the plan's (``ke_hoach``) or the report's own."""
    ws = make_workspace(tmp_path)
    report = """loai: bao-cao
co_quan: ubnd-quang-ninh
nam: 2023
trich_yeu: Tổng kết năm 2023
ket_qua:
  CT01: 80
nguoi_ky: {chuc_vu: CHỦ TỊCH, ho_ten: Nguyễn Văn A}
noi_nhan:
  - "Lưu: VT"
"""
    ws.write("content/xa/2023/bc.yaml", report)
    result = ws.run("check", "content/xa/2023/bc.yaml")
    assert result.returncode == 1
    assert "bc.yaml:5: ket_qua:" in result.stderr and "ke_hoach" in result.stderr \
        and "chi_tieu" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
