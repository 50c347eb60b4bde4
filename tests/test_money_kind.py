"""Money in words with its unit, in a target sentence and in any text of a batch
row; a ``ky_hieu`` that contradicts the document's kind (issue 13)."""

from __future__ import annotations

import docx
import pytest

from helpers_ws import PLAN, docx_text, line_of, make_workspace, pdf_text, replace_once, squeeze

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


# Amounts as a finance office reads them "Bằng chữ" (every group after the first says
# its hundreds, "linh" after a zero ten, decimals after "phẩy" with leading zeros said).
READINGS = [
    ("12,5", "Mười hai phẩy năm đồng"),
    ("0,05", "Không phẩy không năm đồng"),
    ("2.024", "Hai nghìn không trăm hai mươi bốn đồng"),
    ("1.024.000", "Một triệu không trăm hai mươi bốn nghìn đồng"),
    ("1.000.000.024", "Một tỷ không trăm hai mươi bốn đồng"),
    ("1.000.001", "Một triệu không trăm linh một đồng"),
    ("2.000.010", "Hai triệu không trăm mười đồng"),
    ("105", "Một trăm linh năm đồng"),
    ("215", "Hai trăm mười lăm đồng"),
    ("21", "Hai mươi mốt đồng"),
    ("45.000", "Bốn mươi lăm nghìn đồng"),
    ("1.250.000.000", "Một tỷ hai trăm năm mươi triệu đồng"),
    ("1.000.000.000.000", "Một nghìn tỷ đồng"),
    ("500.000.000.000.000", "Năm trăm nghìn tỷ đồng"),
]


@pytest.fixture(scope="module")
def readings(tmp_path_factory):
    targets = "".join(
        f"  - {{ma: CT9{i:02d}, ten: Khoản {i}, gia_tri: \"{value}\", don_vi: đồng, "
        f"cau: \"Khoản {i}: {{{{ CT9{i:02d}|tien_bang_chu }}}}\"}}\n"
        for i, (value, _) in enumerate(READINGS))
    ws = make_workspace(tmp_path_factory.mktemp("words"),
                        replace_once(PLAN, "\nnhiem_vu:\n", "\n" + targets + "nhiem_vu:\n"))
    result = ws.render()
    assert result.returncode == 0, result.stderr
    return (docx_text(ws.path("output/xa/2023/kh.docx")).replace("\xa0", " "),
            squeeze(pdf_text(ws.path("output/xa/2023/kh.pdf"))))


@pytest.mark.parametrize("i", range(len(READINGS)), ids=[v for v, _ in READINGS])
def test_amount_in_words_says_every_digit(readings, i):
    docx_seen, pdf_seen = readings
    expected = f"Khoản {i}: {READINGS[i][1]}"
    assert expected in docx_seen, expected
    assert squeeze(expected) in pdf_seen


KINH_PHI = """kinh_phi:
  - noi_dung: Tổng kinh phí thực hiện Kế hoạch
    so_tien: 1.250.000.000
    chi_tiet:
      - {noi_dung: Ngân sách tỉnh, so_tien: 1.000.000.000}
      - {noi_dung: "Ngân sách các xã, phường", so_tien: 250.000.000}
  - Kinh phí thực hiện từ nguồn ngân sách nhà nước theo phân cấp hiện hành.
  - {noi_dung: Kinh phí dự phòng, so_tien: "12,5", don_vi: triệu đồng}
"""
OLD_KINH_PHI = "kinh_phi: Kinh phí thực hiện từ nguồn ngân sách nhà nước theo phân cấp hiện hành.\n"


@pytest.fixture(scope="module")
def figures(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("kinh-phi"),
                        replace_once(PLAN, OLD_KINH_PHI, KINH_PHI))
    result = ws.render()
    assert result.returncode == 0, result.stderr
    return ws


FIGURE_LINES = [
    "Tổng kinh phí thực hiện Kế hoạch: 1.250.000.000 đồng (Bằng chữ: Một tỷ hai trăm năm "
    "mươi triệu đồng), trong đó:",
    "- Ngân sách tỉnh: 1.000.000.000 đồng;",
    "- Ngân sách các xã, phường: 250.000.000 đồng.",
    "Kinh phí thực hiện từ nguồn ngân sách nhà nước theo phân cấp hiện hành.",
    "Kinh phí dự phòng: 12,5 triệu đồng (Bằng chữ: Mười hai phẩy năm triệu đồng).",
]


def test_kinh_phi_figures_in_the_docx(figures):
    paragraphs = [p.text.replace("\xa0", " ") for p in
                  docx.Document(str(figures.path("output/xa/2023/kh.docx"))).paragraphs]
    start = paragraphs.index("IV. KINH PHÍ THỰC HIỆN")
    assert paragraphs[start + 1:start + 6] == FIGURE_LINES


def test_kinh_phi_figures_in_the_pdf(figures):
    text = squeeze(pdf_text(figures.path("output/xa/2023/kh.pdf")))
    for line in FIGURE_LINES:
        assert squeeze(line) in text, line


def test_kinh_phi_parts_must_add_up(tmp_path):
    plan = replace_once(PLAN, OLD_KINH_PHI,
                        KINH_PHI.replace("so_tien: 250.000.000", "so_tien: 200.000.000"))
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 1
    line = plan.splitlines().index("    so_tien: 1.250.000.000") + 1
    assert f"kh.yaml:{line}: kinh_phi[1].so_tien: 1.250.000.000 đồng khác tổng các khoản " \
           "chi_tiet (1.200.000.000 đồng)" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not ws.path("output/xa/2023/kh.docx").exists()


def test_kinh_phi_figure_from_a_batch_row(tmp_path):
    plan = replace_once(PLAN, OLD_KINH_PHI,
                        'kinh_phi:\n  - {noi_dung: Kinh phí của xã, so_tien: "{kinh_phi}"}\n'
                        'cho_moi: {bang: _xa.csv, ten_tep: "{ma}"}\n')
    ws = make_workspace(tmp_path, replace_once(plan, "so: 5\n", ""))
    ws.write("content/xa/2023/_xa.csv", "ma,kinh_phi\ntan-an,50.000.000\n")
    result = ws.render()
    assert result.returncode == 0, result.stderr
    text = docx_text(ws.path("output/xa/2023/kh/tan-an.docx")).replace("\xa0", " ")
    assert "Kinh phí của xã: 50.000.000 đồng (Bằng chữ: Năm mươi triệu đồng)." in text, text


@pytest.mark.parametrize("unit", ['"%"', "triệu đồng"])
def test_money_words_on_a_target_not_in_dong_are_refused(tmp_path, unit):
    """"Bảy mươi đồng" for 70% (or 125 đồng for 125 triệu đồng) would be a sum the
    plan never set."""
    plan = replace_once(PLAN, "\nnhiem_vu:\n", MONEY.replace("don_vi: đồng", f"don_vi: {unit}"))
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 1
    assert f"kh.yaml:{line_of(plan, 'tien_bang_chu')}: chi_tieu.CT03.cau: CT03 có đơn vị" \
        in result.stderr and "gia_tri_bang_chu" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
