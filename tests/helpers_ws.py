"""Shared helpers for test_errors.py and test_templates.py.

A *workspace* is a temporary folder laid out as a clerk's: ``content/`` with the
agency list ``_co-quan.yaml`` and one plan at ``content/xa/2023/kh.yaml``, maybe a
``templates/`` folder. The real command runs in it as a separate process
(``python -m generator``), exactly as a clerk would run ``vanban``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

DOC = "content/xa/2023/kh.yaml"
DOCX = "output/xa/2023/kh.docx"
PDF = "output/xa/2023/kh.pdf"

AGENCIES = """\
ubnd-quang-ninh:
  ten: [Ủy ban nhân dân, tỉnh Quảng Ninh]
  ten_day_du: Ủy ban nhân dân tỉnh Quảng Ninh
  viet_tat: UBND
  dia_danh: Quảng Ninh
"""

# "A complete plan" of the spec (content-format.md), with co_quan as a key of _co-quan.yaml.
PLAN = """\
loai: ke-hoach
co_quan: ubnd-quang-ninh
nam: 2023
so: 5
ngay: 2023-01-04
trich_yeu: Thực hiện công tác phòng, chống mại dâm, cai nghiện ma túy và hỗ trợ nạn nhân bị mua bán trở về năm 2023
can_cu:
  - Căn cứ Luật Phòng, chống ma túy ngày 30 tháng 3 năm 2021;
  - Theo đề nghị của Sở Lao động - Thương binh và Xã hội,
mo_dau: "Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện công tác phòng, chống tệ nạn xã hội năm 2023 như sau:"
muc_dich:
  - Tăng cường sự lãnh đạo của các cấp ủy đảng, hiệu lực quản lý, điều hành của chính quyền.
yeu_cau: Phân công, phân cấp rõ ràng, cụ thể trách nhiệm của các sở, ngành, đơn vị, địa phương.
muc_tieu_chung: Kiềm chế sự gia tăng, làm giảm tác hại của tệ nạn xã hội.
chi_tieu:
  - ma: CT01
    ten: Xã, phường, thị trấn tổ chức hoạt động truyền thông
    gia_tri: 100
    don_vi: "%"
    cau: "Phấn đấu {{ gia_tri }} các xã, phường, thị trấn tổ chức được ít nhất 01 hoạt động truyền thông về phòng, chống tệ nạn xã hội"
  - ma: CT02
    ten: Lượt người được cai nghiện ma túy
    gia_tri: 550
    don_vi: lượt người
    cau: "Cai nghiện ma túy cho {{ gia_tri }}"
    chi_tiet:
      - {ma: CT02a, ten: Cai nghiện tập trung, gia_tri: 500, don_vi: lượt người}
      - {ma: CT02b, ten: Cai nghiện tại gia đình và cộng đồng, gia_tri: 50, don_vi: lượt người}
nhiem_vu:
  - tieu_de: Công tác thông tin, tuyên truyền
    noi_dung:
      - Đẩy mạnh tuyên truyền về phòng, chống tệ nạn xã hội.
kinh_phi: Kinh phí thực hiện từ nguồn ngân sách nhà nước theo phân cấp hiện hành.
to_chuc_thuc_hien:
  - don_vi: Sở Lao động - Thương binh và Xã hội
    nhiem_vu: Chủ trì, phối hợp với các sở, ngành, địa phương triển khai Kế hoạch.
nguoi_ky:
  tham_quyen: KT. CHỦ TỊCH
  chuc_vu: PHÓ CHỦ TỊCH
  ho_ten: Nguyễn Văn A
noi_nhan:
  - Bộ Lao động - Thương binh và Xã hội (b/c)
  - TT Tỉnh ủy, TT HĐND tỉnh (b/c)
  - Lưu: VT, VX
"""

# A report on the plan above (``ke_hoach: kh.yaml`` beside it), its results given as
# keyword arguments: ``report(**PLAN_RESULTS)``.
REPORT = """\
loai: bao-cao
co_quan: ubnd-quang-ninh
nam: 2023
ke_hoach: {plan}
trich_yeu: Kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
ket_qua:
{ket_qua}nguoi_ky:
  chuc_vu: CHỦ TỊCH
  ho_ten: Nguyễn Văn A
noi_nhan:
  - "Lưu: VT"
"""
PLAN_RESULTS = {"CT01": 85, "CT02": 550, "CT02a": 500, "CT02b": 50}


def report(plan: str = "kh.yaml", **results) -> str:
    return REPORT.format(plan=plan,
                         ket_qua="".join(f"  {k}: {v}\n" for k, v in results.items()))


# -- editing the text of a content file -------------------------------------------

def replace_once(text: str, old: str, new: str) -> str:
    """``text`` with its single occurrence of ``old`` replaced: a mistake is made
    exactly where the test says, or the test itself is wrong."""
    count = text.count(old)
    assert count == 1, f"{old!r} occurs {count} times in the test text, expected once"
    return text.replace(old, new)


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the ``nth`` line of ``text`` that contains ``needle``."""
    found = [i for i, line in enumerate(text.splitlines(), start=1) if needle in line]
    assert len(found) >= nth, f"{needle!r} is on {len(found)} lines, wanted the {nth}."
    return found[nth - 1]


def value_on_line(text: str, number: int) -> str:
    """What the clerk wrote after ``key:`` on a line (echoed back by error messages)."""
    line = text.splitlines()[number - 1]
    _, _, value = line.partition(": ")
    return value.strip().strip('"')


# -- running the command ------------------------------------------------------------

class Workspace:
    def __init__(self, root: Path):
        self.root = root

    def path(self, rel: str) -> Path:
        return self.root / rel

    def write(self, rel: str, text: str) -> None:
        target = self.path(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def run(self, *args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ)
        env.pop("VANBAN_DEBUG", None)  # the clerk's view: no tracebacks on purpose
        return subprocess.run([sys.executable, "-m", "generator", *args], cwd=self.root,
                              capture_output=True, text=True, env=env, timeout=300)

    def render_and_read(self) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
        """Render, then the text a reader sees in each output (none if it failed)."""
        result = self.render()
        texts = {}
        if result.returncode == 0:
            texts = {"docx": docx_text(self.path(DOCX)), "pdf": pdf_text(self.path(PDF))}
        return result, texts

    def render(self) -> subprocess.CompletedProcess:
        return self.run("render", "content")


def make_workspace(root: Path, plan: str = PLAN) -> Workspace:
    """``root/ws`` holding content/; ``root`` itself is the tree watched for stray files."""
    ws = Workspace(root / "ws")
    ws.write("content/_co-quan.yaml", AGENCIES)
    ws.write(DOC, plan)
    return ws


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` (hidden ones too): relative path → (bytes, mtime)."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def file_lines(stderr: str, rel: str) -> list[str]:
    """The lines of ``stderr`` that report on the file ``rel``."""
    return [line for line in stderr.splitlines() if line.startswith(rel + ":")]


def names_field(text: str, field: str) -> bool:
    """``field`` appears as a whole name (``chi_tieu[2].chi_tiet`` names ``chi_tiet``)."""
    return re.search(rf"(?<![\w]){re.escape(field)}(?![\w])", text) is not None


# -- reading the outputs ----------------------------------------------------------

def docx_text(path: Path) -> str:
    """All paragraph texts of a DOCX, table cells (header, signature grids) included."""
    import docx

    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]

    def cells(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    texts.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(document.tables)
    return "\n".join(texts)


def pdf_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def nfc(text) -> str:
    return unicodedata.normalize("NFC", str(text))


def flat(text) -> str:
    """Whitespace collapsed (no-break spaces too): a table cell wraps where its
    column ends."""
    return " ".join(nfc(text if text is not None else "").split())


def row_cells(row) -> list[str]:
    """A DOCX table row's cell texts as Word shows them: a merged cell said once."""
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(flat(cell.text))
    return cells


def squeeze(text: str) -> str:
    """Without whitespace: PDF text extraction breaks lines where the layout did."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


def has_vietnamese(text: str) -> bool:
    """At least one Vietnamese letter with a diacritic (đ, ă, â, ê, ô, ơ, ư, tones)."""
    return any(ch in "đĐ" or (ch.isalpha() and not ch.isascii()
                              and unicodedata.decomposition(ch) != "")
               for ch in unicodedata.normalize("NFC", text))


def vn(value: Decimal, decimals: int | None = None) -> str:
    """Vietnamese number: thousands ``.``, decimals ``,`` (``1.250``, ``27,5``), computed
    here, never by vanban, so a test compares against its own reading."""
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    elif value == value.to_integral_value():
        value = value.quantize(Decimal(1))
    else:
        value = value.normalize()
    text = format(abs(value), "f")
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ("-" if value < 0 else "") + ".".join(groups) + ("," + fraction if fraction else "")


# -- signing ---------------------------------------------------------------------------

def sign(pdf: Path, target: Path, files) -> Path:
    """``pdf`` digitally signed (pyHanko) with ``files`` = (key, certificate) or
    (key, certificate, CA certificate), written to ``target``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    key_file, cert_file, *chain = files
    signer = signers.SimpleSigner.load(str(key_file), str(cert_file),
                                       ca_chain_files=tuple(str(c) for c in chain))
    with open(pdf, "rb") as source:
        writer = IncrementalPdfFileWriter(source)
        with open(target, "wb") as out:
            signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="ChuKy1"),
                             signer=signer, output=out)
    return target
