"""The signature block (issue 13): authority lines as a list, checked against the
decree's forms, and a closing that never leaves its page without the body.

A plan grows one short paragraph at a time (1 to 40); on every step the page that
carries the signer's name also carries the authority lines, the title and at least
two body lines above them, in vanban's PDF and in LibreOffice's PDF of the DOCX.
"""

from __future__ import annotations

import pdfplumber
import pytest

from conftest import CONTENT, libreoffice_pdfs, output_for
from helpers_ws import PLAN, make_workspace, replace_once
from pdfview import segments

LEFT, TOP = 30.0, 20.0
AUTHORITY = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"]
TITLE, NAME = "PHÓ CHỦ TỊCH", "Nguyễn Văn A"
STEPS = range(1, 41)

COMMITTEE_SIGNER = """nguoi_ky:
  tham_quyen:
    - TM. ỦY BAN NHÂN DÂN
    - KT. CHỦ TỊCH
  chuc_vu: PHÓ CHỦ TỊCH
  ho_ten: Nguyễn Văn A
"""


def plan_with(paragraphs: int) -> str:
    text = replace_once(PLAN, """nguoi_ky:
  tham_quyen: KT. CHỦ TỊCH
  chuc_vu: PHÓ CHỦ TỊCH
  ho_ten: Nguyễn Văn A
""", COMMITTEE_SIGNER)
    closing = "".join(f"  - Nội dung thứ {i} của Kế hoạch được triển khai đúng tiến độ.\n"
                      for i in range(1, paragraphs + 1))
    return text + "ket_thuc:\n" + closing


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """Forty plans, 1 to 40 closing paragraphs, rendered by one command and
    converted by one LibreOffice call: step → (vanban's PDF, LibreOffice's PDF)."""
    root = tmp_path_factory.mktemp("grow")
    ws = make_workspace(root, plan_with(1))
    ws.path("content/xa/2023/kh.yaml").unlink()
    for n in STEPS:
        ws.write(f"content/xa/2023/kh-{n:02d}.yaml",
                 replace_once(plan_with(n), "so: 5", f"so: {n}"))
    result = ws.run("render", "content")
    assert result.returncode == 0, result.stderr
    docx = [ws.path(f"output/xa/2023/kh-{n:02d}.docx") for n in STEPS]
    theirs = libreoffice_pdfs(docx, root / "lo")
    return {n: (d.with_suffix(".pdf"), theirs[d]) for n, d in zip(STEPS, docx)}


def closing_page(path, authority=AUTHORITY) -> tuple[int, list[str], list[str]]:
    """(page number, the block's right-column lines, the body lines above the block)
    of the page holding the signer's name. A heading's line is a body line too."""
    with pdfplumber.open(str(path)) as pdf:
        pages = [segments(page) for page in pdf.pages]
    for number, segs in enumerate(pages, start=1):
        names = [s for s in segs if s.text == NAME]
        if not names:
            continue
        right = [s.text for s in segs if s.x0 > LEFT + 55 and s.bottom <= names[0].bottom
                 and s.text in authority + [TITLE, NAME]]
        label = [s for s in segs if s.text.startswith("Nơi nhận")]
        top = label[0].top if label else names[0].top
        body = [s.text for s in segs if TOP < s.bottom < top and s.sizes == {14.0}
                and s.x0 < LEFT + 13.5]
        return number, right, body
    raise AssertionError(f"{path}: the signer's name is on no page")


@pytest.mark.parametrize("who", ["vanban", "LibreOffice"])
def test_closing_never_stands_alone(grown, who):
    failures = []
    for n, pdfs in grown.items():
        page, right, body = closing_page(pdfs[0 if who == "vanban" else 1])
        if right != AUTHORITY + [TITLE, NAME] or len(body) < 2:
            failures.append(f"{n} đoạn: trang {page}, khối ký {right}, "
                            f"{len(body)} dòng thân bài ở trên")
    assert failures == []


def test_some_step_puts_the_closing_on_a_later_page(grown):
    """The growth does cross a page: the test is about page breaks."""
    assert len({closing_page(ours)[0] for ours, _ in grown.values()}) >= 2


def test_phan_rang_closing_keeps_body_lines(built, referee):
    """The shipped Phan Rang - Tháp Chàm plan: its closing had a page of its own."""
    example = CONTENT / "phan-rang-thap-cham/2021/ke-hoach.yaml"
    docx = output_for(built, example, ".docx")
    for path in (docx.with_suffix(".pdf"), referee[docx]):
        with pdfplumber.open(str(path)) as pdf:
            last = segments(pdf.pages[-1])
        label = [s for s in last if s.text.startswith("Nơi nhận")]
        assert label, path
        body = [s for s in last if TOP < s.bottom < label[0].top and s.x0 < LEFT + 13.5]
        assert len(body) >= 2, (path, [s.text for s in last])


# -- a body that ends in list items, headings or a unit's tasks -------------------------
# The body's last paragraphs keep with the closing block. LibreOffice did not carry a
# chain of such paragraphs along when the block moved on: with the body ending in
# items, the signature page could hold one item, or none, above the block. Each kind
# grows across a page break, from three starting heights (a two-line paragraph added
# before, 0 to 2 times), so the break falls at every place in the last lines.

ITEM = "Nội dung công việc số {i} được giao cho các đơn vị thực hiện."
FILLER = ("Các sở, ban, ngành, đoàn thể tỉnh và Ủy ban nhân dân các huyện, thị xã, "
          "thành phố tổ chức quán triệt, triển khai Kế hoạch này.")
NHIEM_VU = """nhiem_vu:
  - tieu_de: Công tác thông tin, tuyên truyền
    noi_dung:
      - Đẩy mạnh tuyên truyền về phòng, chống tệ nạn xã hội.
"""
KINH_PHI = "kinh_phi: Kinh phí thực hiện từ nguồn ngân sách nhà nước theo phân cấp hiện hành.\n"
TO_CHUC = """to_chuc_thuc_hien:
  - don_vi: Sở Lao động - Thương binh và Xã hội
    nhiem_vu: Chủ trì, phối hợp với các sở, ngành, địa phương triển khai Kế hoạch.
"""
ENDINGS = {"gach": range(1, 7), "cong": range(1, 7), "so": range(1, 7),
           "tieu-de": range(1, 5), "to-chuc": range(10, 17)}
FILLS = range(3)


def items(kind: str, count: int, indent: str = "  ") -> str:
    return "".join(f'{indent}- {{{kind}: "{ITEM.format(i=i)}"}}\n' for i in range(1, count + 1))


def ending_with(kind: str, count: int, fill: int) -> str:
    """The plan of helpers_ws whose body ends in ``count`` items of ``kind``:
    ``tieu-de`` headings of two items each, ``to-chuc`` units of one task each."""
    plan = replace_once(PLAN, "muc_dich:\n", "muc_dich:\n" + f'  - "{FILLER}"\n' * fill)
    if kind == "to-chuc":
        units = "".join(f"  - don_vi: Đơn vị số {k}\n    nhiem_vu:\n" + items("gach", 1, "      ")
                        for k in range(1, count + 1))
        return replace_once(plan, TO_CHUC, "to_chuc_thuc_hien:\n" + units)
    if kind == "tieu-de":
        body = "".join(f"  - tieu_de: Nhóm nhiệm vụ thứ {k}\n    noi_dung:\n"
                       + items("gach", 2, "      ") for k in range(1, count + 1))
    else:
        body = items(kind, count)
    plan = replace_once(plan, NHIEM_VU, "nhiem_vu:\n" + body)
    return replace_once(replace_once(plan, KINH_PHI, ""), TO_CHUC, "")


@pytest.fixture(scope="module")
def endings(tmp_path_factory):
    """Every ending, count and starting height, rendered by one command and converted
    by one LibreOffice call: name → (vanban's PDF, LibreOffice's PDF)."""
    root = tmp_path_factory.mktemp("endings")
    ws = make_workspace(root)
    ws.path("content/xa/2023/kh.yaml").unlink()
    names = []
    for kind, counts in ENDINGS.items():
        for fill in FILLS:
            for count in counts:
                name = f"{kind}-{fill}-{count:02d}"
                ws.write(f"content/xa/2023/{name}.yaml", replace_once(
                    ending_with(kind, count, fill), "so: 5", f"so: {len(names) + 1}"))
                names.append(name)
    result = ws.run("render", "content")
    assert result.returncode == 0, result.stderr
    docx = [ws.path(f"output/xa/2023/{name}.docx") for name in names]
    theirs = libreoffice_pdfs(docx, root / "lo")
    return {name: (d.with_suffix(".pdf"), theirs[d]) for name, d in zip(names, docx)}


# LibreOffice 7.4 does not hold a chain of three keep-with-next paragraphs together
# (even with no table after them), nor carry the chain along when the table after it
# (the closing) moves to the next page: in a few of these layouts the signature page
# keeps one body line, or none. The DOCX asks for what Word does
# (keep-with-next on the last paragraphs, a closing row that cannot split); moving the
# last paragraphs into the closing table fixes LibreOffice but changes the document the
# clerk edits, so it is not done. Not strict: a LibreOffice that keeps them passes.
LIBREOFFICE_CHAIN = pytest.mark.xfail(
    reason="LibreOffice 7.4 lets a keep-with-next chain before a table fall apart")


@pytest.mark.parametrize("who", ["vanban", pytest.param("LibreOffice",
                                                        marks=LIBREOFFICE_CHAIN)])
def test_closing_keeps_body_lines_after_items(endings, who):
    """Authority, title and name on one page, with two body lines at least above
    them, whatever the body ends in and wherever the page breaks."""
    failures = []
    for name, pdfs in endings.items():
        page, right, body = closing_page(pdfs[0 if who == "vanban" else 1], ["KT. CHỦ TỊCH"])
        if right != ["KT. CHỦ TỊCH", TITLE, NAME] or len(body) < 2:
            failures.append(f"{name}: trang {page}, khối ký {right}, {body}")
    assert failures == []


def test_endings_break_just_above_the_closing(endings):
    """The growth is about page breaks: for each ending, in both PDFs, some step
    puts the page break within the last lines (three body lines or fewer above
    the block on its page)."""
    for kind in ENDINGS:
        for who in (0, 1):
            fewest = min(len(closing_page(pdfs[who], ["KT. CHỦ TỊCH"])[2])
                         for name, pdfs in endings.items() if name.startswith(kind + "-"))
            assert fewest <= 3, (kind, who, fewest)


# -- authority lines ---------------------------------------------------------------------

@pytest.mark.parametrize("lines, wrong", [
    (["KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"], "TM. ỦY BAN NHÂN DÂN"),
    (["THAY MẶT ỦY BAN NHÂN DÂN"], "THAY MẶT ỦY BAN NHÂN DÂN"),
    (["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "KT. PHÓ CHỦ TỊCH"], "KT. PHÓ CHỦ TỊCH"),
    (["kt. CHỦ TỊCH"], "kt. CHỦ TỊCH"),
])
def test_authority_lines_follow_the_decree(tmp_path, lines, wrong):
    listed = "".join(f"    - {line}\n" for line in lines)
    plan = replace_once(PLAN, "  tham_quyen: KT. CHỦ TỊCH\n", "  tham_quyen:\n" + listed)
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode != 0
    line = plan.splitlines().index(f"    - {wrong}") + 1
    assert f"kh.yaml:{line}: nguoi_ky.tham_quyen[{lines.index(wrong) + 1}]" in result.stderr, \
        result.stderr
    assert "Traceback" not in result.stderr


def test_authority_lines_print_one_per_line(tmp_path):
    plan = replace_once(PLAN, "  tham_quyen: KT. CHỦ TỊCH\n",
                        "  tham_quyen: [TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH]\n")
    ws = make_workspace(tmp_path, plan)
    result = ws.render()
    assert result.returncode == 0, result.stderr
    import docx
    document = docx.Document(str(ws.path("output/xa/2023/kh.docx")))
    right = [p.text for p in document.tables[-1].rows[-1].cells[1].paragraphs]
    assert right == AUTHORITY + [TITLE, NAME]
    page, lines, _ = closing_page(ws.path("output/xa/2023/kh.pdf"))
    assert lines == AUTHORITY + [TITLE, NAME]
