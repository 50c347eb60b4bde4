"""A Quyết định that issues an attached plan (issue 13): the decision's header,
issuing authority, bases, articles Điều 1 … Điều n and signature, then the plan
captioned "(Ban hành kèm theo Quyết định số …)" with no number of its own; the
register numbers the whole as one QĐ document."""

from __future__ import annotations

import sqlite3

import docx
import pdfplumber
import pytest

from helpers_ws import PLAN, docx_text, line_of, make_workspace, replace_once, squeeze

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


# -- an attached plan belongs to its decision (adversarial findings) -------------------

KH = "content/xa/2023/kh.yaml"
QD = "content/xa/2023/qd.yaml"
KE_HOACH_LINE = 14  # of DECISION
AN_PHU = """
ubnd-xa-an-phu:
  ten: [Ủy ban nhân dân, xã An Phú]
  ten_day_du: Ủy ban nhân dân xã An Phú
  viet_tat: UBND
  dia_danh: An Phú
"""


def decision_ws(tmp_path, plan: str = ATTACHED, decision: str = DECISION):
    ws = make_workspace(tmp_path, plan)
    ws.write(QD, decision)
    return ws


def outputs_of(ws) -> list[str]:
    return sorted(p.name for p in ws.path("output").rglob("*")
                  if p.suffix in (".docx", ".pdf"))


def register_rows(ws) -> list:
    book = ws.path("archive/so-dang-ky.sqlite")
    if not book.exists():
        return []
    with sqlite3.connect(book) as db:
        return db.execute("SELECT so, ky_hieu, nguon FROM van_ban_di").fetchall()


def test_attached_plan_is_not_numbered_alone(tmp_path):
    """`number` on the plan a decision issues: refused, naming the decision; the
    file, the outputs and the register stay untouched; the decision then gets 01."""
    ws = decision_ws(tmp_path)
    before = ws.path(KH).read_bytes()
    result = ws.run("number", KH, "--date", "2023-01-04")
    assert result.returncode == 1, result.stdout
    said = result.stderr + result.stdout
    assert "Traceback" not in said and "đã ghi vào sổ" not in said
    assert QD in result.stderr and "ban hành kèm theo quyết định" in result.stderr
    assert f"vanban number {QD}" in result.stderr
    assert ws.path(KH).read_bytes() == before
    assert not ws.path("output").exists() and register_rows(ws) == []
    result = ws.run("number", QD, "--date", "2023-01-04")
    assert result.returncode == 0, result.stderr
    assert register_rows(ws) == [(1, "QĐ-UBND", QD)]


def test_build_does_not_make_the_attached_plan_alone(tmp_path):
    """A plan named by a decision, whatever its file name, is built only inside that
    decision; rendering it alone says which decision to render."""
    ws = decision_ws(tmp_path)
    result = ws.run("build")
    assert result.returncode == 0, result.stderr
    assert outputs_of(ws) == ["qd.docx", "qd.pdf"]
    result = ws.run("render", KH)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = next(x for x in result.stderr.splitlines() if x.startswith(KH + ":"))
    assert f"{QD}:{KE_HOACH_LINE}" in line and f"vanban render {QD}" in line
    assert outputs_of(ws) == ["qd.docx", "qd.pdf"]


def test_a_draft_plan_once_built_alone_is_removed_when_attached(tmp_path):
    ws = make_workspace(tmp_path, ATTACHED)
    assert ws.run("build").returncode == 0
    assert outputs_of(ws) == ["kh.docx", "kh.pdf"]
    ws.write(QD, DECISION)
    result = ws.run("build")
    assert result.returncode == 0, result.stderr
    assert outputs_of(ws) == ["qd.docx", "qd.pdf"]


def second_decision_refused(ws, second: str, refused: str) -> list[str]:
    """Write a second decision attaching the same plan, build: the decision named
    ``refused`` (``qd`` or ``qd2``) is refused on its ke_hoach line naming the other."""
    ws.write(second, replace_once(DECISION, "Ban hành Kế hoạch phòng",
                                  "Ban hành lại Kế hoạch phòng"))
    result = ws.run("build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [x.strip() for x in result.stderr.splitlines()]
    loser, other = (QD, second) if refused == "qd" else (second, QD)
    assert any(x.startswith(f"{loser}:{KE_HOACH_LINE}: ke_hoach:")
               and f"{other}:{KE_HOACH_LINE}" in x for x in lines), result.stderr
    return lines


def test_a_plan_attached_by_two_decisions(tmp_path):
    """The second decision (by file name) is refused on its ke_hoach line, naming the
    first; the first is built."""
    ws = decision_ws(tmp_path)
    lines = second_decision_refused(ws, "content/xa/2023/qd2.yaml", refused="qd2")
    assert not [x for x in lines if x.startswith(QD + ":")]
    assert outputs_of(ws) == ["qd.docx", "qd.pdf"]


@pytest.mark.parametrize("where", ["absolute", "../../../../../../../../etc/passwd"])
def test_attached_plan_outside_the_content_folder(tmp_path, where):
    outside = tmp_path / "ngoai" / "kh.yaml"
    outside.parent.mkdir()
    outside.write_text(ATTACHED, encoding="utf-8")
    name = str(outside) if where == "absolute" else where
    ws = decision_ws(tmp_path, decision=replace_once(DECISION, "ke_hoach: kh.yaml",
                                                     f"ke_hoach: {name}"))
    result = ws.run("render", QD)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = next(x for x in result.stderr.splitlines()
                if x.startswith(f"{QD}:{KE_HOACH_LINE}: ke_hoach:"))
    assert "ngoài thư mục content" in line and "ke_hoach:" in line.split("ke_hoach:", 1)[1]
    assert not ws.path("output").exists() or outputs_of(ws) == []


@pytest.mark.parametrize("key,other,named", [
    ("co_quan: ubnd-quang-ninh", "co_quan: ubnd-xa-an-phu",
     ["Ủy ban nhân dân xã An Phú", "Ủy ban nhân dân tỉnh Quảng Ninh"]),
    ("nam: 2023", "nam: 2024", ["2024", "2023"]),
])
def test_attached_plan_of_another_agency_or_year(tmp_path, key, other, named):
    ws = decision_ws(tmp_path, plan=replace_once(ATTACHED, key, other))
    ws.write("content/_co-quan.yaml", ws.path("content/_co-quan.yaml").read_text("utf-8")
             + AN_PHU)
    result = ws.run("render", QD)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = next(x for x in result.stderr.splitlines()
                if x.startswith(f"{QD}:{KE_HOACH_LINE}: ke_hoach:"))
    assert all(n in line for n in named), line
    assert other.split(":")[0] + ":" in line.split("ke_hoach:", 1)[1]


def test_attached_plan_with_its_own_date_is_refused(tmp_path):
    plan = replace_once(PLAN, "so: 5\n", "")
    ws = decision_ws(tmp_path, plan=plan)
    result = ws.run("render", QD)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = next(x for x in result.stderr.splitlines()
                if x.startswith(f"{QD}:{KE_HOACH_LINE}: ke_hoach:"))
    assert "không có số, ngày riêng" in line and "xóa dòng ngay:" in line
    assert f"{KH}:{line_of(plan, 'ngay:')} (ngay:)" in line


def test_changed_attached_plan_is_named_after_issue(tmp_path):
    """After `number`, a change in the attached plan leaves the issued files as they
    are, and the build says the plan changed (not "nguồn không đổi")."""
    ws = decision_ws(tmp_path)
    assert ws.run("number", QD, "--date", "2023-01-04").returncode == 0
    issued = {n: ws.path(f"output/xa/2023/{n}").read_bytes() for n in ("qd.docx", "qd.pdf")}
    ws.write(KH, replace_once(ATTACHED, "gia_tri: 100", "gia_tri: 90"))
    result = ws.run("build")
    said = [x for x in result.stderr.splitlines() if x.startswith(QD + ":")]
    assert said and "Traceback" not in result.stderr
    assert not any("nguồn không đổi" in x.lower() for x in said), said
    assert any(KH in x and "đã đổi" in x and "CT01: 100 → 90" in x for x in said), said
    assert {n: ws.path(f"output/xa/2023/{n}").read_bytes() for n in issued} == issued
    # A register written before attached plans were recorded: read as before.
    with sqlite3.connect(ws.path("archive/so-dang-ky.sqlite")) as db:
        db.execute("UPDATE van_ban_di SET kem_theo = ''")
    ws.write(KH, ATTACHED)
    result = ws.run("build", "--force")
    said = [x for x in result.stderr.splitlines() if x.startswith(QD + ":")]
    assert any("nguồn không đổi" in x.lower() for x in said) and "Traceback" not in result.stderr


def test_a_second_decision_added_later_is_seen_by_the_next_build(tmp_path):
    """The rule "one decision per plan" is an input of the build: a decision added
    later that takes the plan first (by file name) makes the next build refuse the
    unchanged one, instead of leaving it as built."""
    ws = decision_ws(tmp_path)
    assert ws.run("build").returncode == 0
    second_decision_refused(ws, "content/xa/2023/a-qd.yaml", refused="qd")


@pytest.mark.parametrize("article", ['{gach: "Giao Sở Tài chính bố trí kinh phí."}',
                                     '{so: "Giao Sở Tài chính bố trí kinh phí."}',
                                     "{noi_dung: Kinh phí, so_tien: 1.000.000}"])
def test_an_article_of_another_kind_is_refused(tmp_path, article):
    """A "- " item or a sum of money would silently become "Điều 2."."""
    decision = replace_once(DECISION, "  - Quyết định này có hiệu lực kể từ ngày ký.\n",
                            f"  - {article}\n")
    ws = make_workspace(tmp_path, ATTACHED)
    ws.write("content/xa/2023/qd.yaml", decision)
    result = ws.run("render", "content/xa/2023/qd.yaml")
    assert result.returncode == 1
    assert f"qd.yaml:{line_of(decision, article[:8])}: dieu" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_line_break_in_the_issuing_authority_is_refused(tmp_path):
    decision = replace_once(DECISION, "tham_quyen_ban_hanh: Chủ tịch Ủy ban nhân dân tỉnh "
                            "Quảng Ninh", 'tham_quyen_ban_hanh: "Chủ tịch\\nQUYẾT ĐỊNH:"')
    ws = make_workspace(tmp_path, ATTACHED)
    ws.write("content/xa/2023/qd.yaml", decision)
    result = ws.run("render", "content/xa/2023/qd.yaml")
    assert result.returncode == 1
    assert f"qd.yaml:{line_of(decision, 'tham_quyen_ban_hanh')}: tham_quyen_ban_hanh: phải " \
           "viết trên một dòng" in result.stderr, result.stderr
