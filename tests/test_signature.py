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


def closing_page(path) -> tuple[int, list[str], list[str]]:
    """(page number, the block's right-column lines, the body lines above the block)
    of the page holding the signer's name."""
    with pdfplumber.open(str(path)) as pdf:
        pages = [segments(page) for page in pdf.pages]
    for number, segs in enumerate(pages, start=1):
        names = [s for s in segs if s.text == NAME]
        if not names:
            continue
        right = [s.text for s in segs if s.x0 > LEFT + 55 and s.bottom <= names[0].bottom
                 and s.text in AUTHORITY + [TITLE, NAME]]
        label = [s for s in segs if s.text.startswith("Nơi nhận")]
        top = label[0].top if label else names[0].top
        body = [s.text for s in segs if TOP < s.bottom < top and s.sizes == {14.0}
                and s.x0 < LEFT + 13.5 and not s.bold]
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
    right = [p.text for p in document.tables[-1].rows[0].cells[1].paragraphs]
    assert right == AUTHORITY + [TITLE, NAME]
    page, lines, _ = closing_page(ws.path("output/xa/2023/kh.pdf"))
    assert lines == AUTHORITY + [TITLE, NAME]
