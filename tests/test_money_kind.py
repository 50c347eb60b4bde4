"""Money in words with its unit, in a target sentence and in any text of a batch
row; a ``ky_hieu`` that contradicts the document's kind (issue 13)."""

from __future__ import annotations

from helpers_ws import PLAN, docx_text, make_workspace, pdf_text, replace_once, squeeze

MONEY = """
  - ma: CT03
    ten: Kinh phí hỗ trợ
    gia_tri: 125.000.000
    don_vi: đồng
    cau: "Bố trí kinh phí {{ gia_tri }} ({{ CT03|tien_bang_chu }})"

nhiem_vu:
"""


def test_money_in_words_in_a_sentence(tmp_path):
    ws = make_workspace(tmp_path, replace_once(PLAN, "\nnhiem_vu:\n", MONEY))
    result = ws.render()
    assert result.returncode == 0, result.stderr
    expected = "(Một trăm hai mươi lăm triệu đồng)"
    assert expected in docx_text(ws.path("output/xa/2023/kh.docx")).replace("\xa0", " ")
    assert squeeze(expected) in squeeze(pdf_text(ws.path("output/xa/2023/kh.pdf")))


def test_money_in_words_in_a_batch_text(tmp_path):
    plan = replace_once(PLAN, "kinh_phi: Kinh phí thực hiện từ nguồn ngân sách nhà nước "
                        "theo phân cấp hiện hành.",
                        'kinh_phi: "Tổng kinh phí {kinh_phi} đồng ({kinh_phi|tien_bang_chu})."\n'
                        'cho_moi: {bang: _xa.csv, ten_tep: "{ma}"}')
    plan = replace_once(plan, "so: 5\n", "")
    ws = make_workspace(tmp_path, plan)
    ws.write("content/xa/2023/_xa.csv", "ma,kinh_phi\ntan-an,50.000.000\n")
    result = ws.render()
    assert result.returncode == 0, result.stderr
    text = docx_text(ws.path("output/xa/2023/kh/tan-an.docx")).replace("\xa0", " ")
    assert "Tổng kinh phí 50.000.000 đồng (Năm mươi triệu đồng)." in text, text


def test_ky_hieu_contradicting_the_kind(tmp_path):
    ws = make_workspace(tmp_path, replace_once(PLAN, "so: 5\n", "so: 5\nky_hieu: QĐ-UBND\n"))
    result = ws.render()
    assert result.returncode != 0
    assert "kh.yaml:5: ky_hieu:" in result.stderr and "KH-" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
