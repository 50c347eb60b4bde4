"""Inline marks: ``**đậm**``, ``*nghiêng*`` and ``\\*``, read as CommonMark emphasis;
everything else literal (issue 10, content-format.md "Parsing rules").

Each string of the table is one paragraph of one plan, rendered once. For each, the
DOCX paragraph's runs and the PDF's characters must carry exactly the specified
text, bold and italic.
"""

from __future__ import annotations

import json
import unicodedata

import docx
import pdfplumber
import pytest

from helpers_ws import AGENCIES, Workspace

B, I, BI, N = (True, False), (False, True), (True, True), (False, False)

# (what the clerk writes, the printed pieces as (text, (bold, italic)))
CASES = [
    ("**đậm** và *nghiêng*", [("đậm", B), (" và ", N), ("nghiêng", I)]),
    ("{{ 7*7 }}", [("{{ 7*7 }}", N)]),
    ("{{ 7*7 }} và {{ 7*7 }}", [("{{ 7*7 }} và {{ 7*7 }}", N)]),
    ("{{ 7**2 }} và {{ 3*3*3 }}", [("{{ 7**2 }} và {{ 3*3*3 }}", N)]),
    ("phòng họp 5*3 m và 2*4 m", [("phòng họp 5*3 m và 2*4 m", N)]),
    ("số liệu (*) ước tính", [("số liệu (*) ước tính", N)]),
    ("(*) **đậm** và *nghiêng*", [("(*) ", N), ("đậm", B), (" và ", N), ("nghiêng", I)]),
    ("a*b*c và *d*", [("a*b*c và ", N), ("d", I)]),
    ("*a **b** c*", [("a ", I), ("b", BI), (" c", I)]),
    ("***cả hai***", [("cả hai", BI)]),
    ("**đậm *nghiêng trong* đậm**", [("đậm ", B), ("nghiêng trong", BI), (" đậm", B)]),
    (r"\*không nghiêng\*", [("*không nghiêng*", N)]),
    (r"giá \*\*không đậm\*\*", [("giá **không đậm**", N)]),
    (r"*nghiêng có \* sao*", [("nghiêng có * sao", I)]),
    ("* không phải nghiêng *", [("* không phải nghiêng *", N)]),
    ("** không phải đậm **", [("** không phải đậm **", N)]),
    ("một sao * lẻ loi", [("một sao * lẻ loi", N)]),
    ("*chưa đóng", [("*chưa đóng", N)]),
    ("**chưa đóng đậm", [("**chưa đóng đậm", N)]),
    ("_gạch dưới_ và __hai gạch__", [("_gạch dưới_ và __hai gạch__", N)]),
    ("<b>thẻ HTML</b> <script>alert(1)</script>", [("<b>thẻ HTML</b> <script>alert(1)</script>", N)]),
    ("&amp; &lt; &#42; &nbsp;", [("&amp; &lt; &#42; &nbsp;", N)]),
    ("`mã` và [liên kết](http://x.vn)", [("`mã` và [liên kết](http://x.vn)", N)]),
    ("{a} {{ b }} {% c %} {# d #}", [("{a} {{ b }} {% c %} {# d #}", N)]),
    (r"đường dẫn C:\thư mục\tệp và \{ \}", [(r"đường dẫn C:\thư mục\tệp và \{ \}", N)]),
    (r"hai gạch \\ rồi *nghiêng*", [("hai gạch \\\\ rồi ", N), ("nghiêng", I)]),
    ("# không phải tiêu đề", [("# không phải tiêu đề", N)]),
    ("1. không phải danh sách", [("1. không phải danh sách", N)]),
    ("> không phải trích dẫn", [("> không phải trích dẫn", N)]),
    ("**Điều 1.** Phạm vi *điều chỉnh*", [("Điều 1.", B), (" Phạm vi ", N), ("điều chỉnh", I)]),
    ("Nói “có” và ‘không’", [("Nói “có” và ‘không’", N)]),
]


def marker(i: int) -> str:
    return f"M{i + 1:02d}» "


def paragraphs_yaml() -> str:
    return "".join(f"  - {json.dumps(marker(i) + text, ensure_ascii=False)}\n"
                   for i, (text, _) in enumerate(CASES))


PLAN = """\
loai: ke-hoach
co_quan: ubnd-quang-ninh
nam: 2023
trich_yeu: Thử dấu đậm, nghiêng
muc_dich:
{paragraphs}kinh_phi: Ngân sách nhà nước.
nguoi_ky:
  chuc_vu: CHỦ TỊCH
  ho_ten: Nguyễn Văn A
noi_nhan:
  - "Lưu: VT"
"""


def merged(pieces):
    """Adjacent pieces of the same style as one: how a reader sees them."""
    out = []
    for text, style in pieces:
        if not text:
            continue
        if out and out[-1][1] == style:
            out[-1] = (out[-1][0] + text, style)
        else:
            out.append((text, style))
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    ws = Workspace(tmp_path_factory.mktemp("dau") / "ws")
    ws.write("content/_co-quan.yaml", AGENCIES)
    ws.write("content/xa/2023/kh.yaml", PLAN.format(paragraphs=paragraphs_yaml()))
    result = ws.run("render", "content")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return ws.root / "output/xa/2023/kh.docx", ws.root / "output/xa/2023/kh.pdf"


@pytest.fixture(scope="module")
def docx_runs(outputs):
    """Marker → the paragraph's pieces after the marker, from the DOCX runs."""
    found = {}
    for para in docx.Document(str(outputs[0])).paragraphs:
        pieces = merged([(r.text.replace("\xa0", " "), (bool(r.bold), bool(r.italic)))
                         for r in para.runs])
        if pieces and pieces[0][0].startswith("M") and "» " in pieces[0][0]:
            head, _, rest = pieces[0][0].partition("» ")
            found[head + "» "] = merged([(rest, pieces[0][1])] + pieces[1:])
    return found


@pytest.fixture(scope="module")
def pdf_chars(outputs):
    """Every printed character of the PDF, in reading order, with (bold, italic)."""
    chars = []
    with pdfplumber.open(str(outputs[1])) as pdf:
        for page in pdf.pages:
            for c in page.chars:
                font = c["fontname"].split("+")[-1]
                chars.append((unicodedata.normalize("NFC", c["text"]),
                              ("Bold" in font, "Italic" in font)))
    return [(t, s) for t, s in chars if t.strip()]


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0][:30] for c in CASES])
def test_docx_text_and_runs(docx_runs, index):
    text, expected = CASES[index]
    assert docx_runs.get(marker(index)) == merged(expected), text


@pytest.mark.parametrize("index", range(len(CASES)), ids=[c[0][:30] for c in CASES])
def test_pdf_text_and_styles(pdf_chars, index):
    """The case's characters (spaces aside, as PDF text has none) and their styles,
    right after its marker and up to the next paragraph's marker."""
    text, expected = CASES[index]
    flat = "".join(t for t, _ in pdf_chars)
    head = marker(index).strip()
    start = flat.index(head) + len(head)
    wanted = [(ch, style) for piece, style in expected for ch in piece if ch.strip()]
    got = pdf_chars[start:start + len(wanted)]
    assert got == wanted, text


def test_the_table_is_large_enough():
    assert len(CASES) >= 25
