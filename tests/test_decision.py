"""A Quyết định that issues an attached plan (issue 13): the decision's header,
issuing authority, bases, articles Điều 1 … Điều n and signature, then the plan
captioned "(Ban hành kèm theo Quyết định số …)" with no number of its own; the
register numbers the whole as one QĐ document."""

from __future__ import annotations

import sqlite3

import docx
import pdfplumber
import pytest

from helpers_ws import PLAN, docx_text, make_workspace, replace_once, squeeze

DECISION = """loai: quyet-dinh
co_quan: ubnd-quang-ninh
nam: 2023
ngay: 2023-01-04
trich_yeu: Ban hành Kế hoạch phòng, chống tệ nạn xã hội năm 2023
tham_quyen_ban_hanh: Chủ tịch Ủy ban nhân dân tỉnh Quảng Ninh
can_cu:
  - Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
  - Theo đề nghị của Giám đốc Sở Lao động - Thương binh và Xã hội.
dieu:
  - Ban hành kèm theo Quyết định này Kế hoạch phòng, chống tệ nạn xã hội năm 2023.
  - Quyết định này có hiệu lực kể từ ngày ký.
  - Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc các sở chịu trách nhiệm thi hành Quyết định này.
ke_hoach: kh.yaml
nguoi_ky:
  tham_quyen: [KT. CHỦ TỊCH]
  chuc_vu: PHÓ CHỦ TỊCH
  ho_ten: Nguyễn Văn A
noi_nhan:
  - Như Điều 3
  - "Lưu: VT, VX"
"""
ATTACHED = replace_once(replace_once(PLAN, "so: 5\n", ""), "ngay: 2023-01-04\n", "")


@pytest.fixture(scope="module")
def numbered(tmp_path_factory):
    ws = make_workspace(tmp_path_factory.mktemp("qd"), ATTACHED)
    ws.write("content/xa/2023/qd.yaml", DECISION)
    result = ws.run("number", "content/xa/2023/qd.yaml", "--date", "2023-01-04")
    assert result.returncode == 0, result.stderr
    return ws


def test_decision_then_attached_plan(numbered):
    text = docx_text(numbered.path("output/xa/2023/qd.docx")).replace("\xa0", " ")
    assert "Số: 01/QĐ-UBND" in text and text.count("Số:") == 1
    for line in ("QUYẾT ĐỊNH", "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH", "QUYẾT ĐỊNH:",
                 "Điều 1. Ban hành kèm theo Quyết định này", "Điều 3. Chánh Văn phòng",
                 "KẾ HOẠCH", "(Ban hành kèm theo Quyết định số 01/QĐ-UBND ngày 04 tháng 01 "
                 "năm 2023 của Ủy ban nhân dân tỉnh Quảng Ninh)"):
        assert line in text, line
    assert text.index("Điều 3.") < text.index("KẾ HOẠCH") < text.index("I. MỤC ĐÍCH")


def test_pdf_plan_starts_on_its_own_page(numbered):
    with pdfplumber.open(str(numbered.path("output/xa/2023/qd.pdf"))) as pdf:
        pages = [page.extract_text() or "" for page in pdf.pages]
    start = next(i for i, page in enumerate(pages) if "KẾ HOẠCH" in page)
    assert start > 0 and "Điều 3." in "".join(pages[:start])
    assert squeeze("(Ban hành kèm theo Quyết định số 01/QĐ-UBND") in squeeze(pages[start])
    assert "Số:" not in pages[start]


def test_register_holds_one_qd_document(numbered):
    books = list(numbered.root.rglob("*.sqlite*")) + list(numbered.root.rglob("*.db"))
    assert books, list(numbered.root.rglob("*"))
    with sqlite3.connect(books[0]) as db:
        rows = db.execute("SELECT so, ky_hieu, loai FROM van_ban_di").fetchall()
    assert rows == [(1, "QĐ-UBND", "quyet-dinh")]


def test_attached_plan_with_a_number_is_refused(tmp_path):
    ws = make_workspace(tmp_path, replace_once(PLAN, "ngay: 2023-01-04\n", ""))
    ws.write("content/xa/2023/qd.yaml", DECISION)
    result = ws.run("render", "content/xa/2023/qd.yaml")
    assert result.returncode != 0
    assert "qd.yaml:14: ke_hoach:" in result.stderr and "Traceback" not in result.stderr


def test_bases_are_italic(numbered):
    """Căn cứ ban hành in italic (Nghị định 30, Phụ lục I), in both outputs; the
    articles stay upright."""
    paragraphs = docx.Document(str(numbered.path("output/xa/2023/qd.docx"))).paragraphs
    decision = paragraphs[:[p.text for p in paragraphs].index("QUYẾT ĐỊNH:")]
    bases = [p for p in decision if p.text.startswith(("Căn cứ", "Theo đề nghị"))]
    assert len(bases) == 2
    for p in bases:
        assert all(run.italic for run in p.runs if run.text.strip()), p.text
    article = next(p for p in paragraphs if p.text.startswith("Điều 2."))
    assert not any(run.italic for run in article.runs)
    with pdfplumber.open(str(numbered.path("output/xa/2023/qd.pdf"))) as pdf:
        lines = pdf.pages[0].extract_text_lines(return_chars=True)
    for line in lines:
        fonts = {c["fontname"].split("+")[-1] for c in line["chars"] if c["text"].strip()}
        if line["text"].startswith(("Căn cứ", "Theo đề nghị")):
            assert fonts == {"Liberation-Serif-Italic"}, (line["text"], fonts)
        if line["text"].startswith("Điều 2."):
            assert "Liberation-Serif-Italic" not in fonts and fonts
