"""The văn thư's part, after the leader has signed: ``vanban number`` (the outgoing
register, Nghị định 30 Điều 15–16), ``vanban register export`` (the printed book,
Phụ lục IV) and ``vanban archive add|verify|list`` (the signed originals and their
PDF/A-3 copies).

Everything runs as a clerk runs it: the real command as separate processes in a
temporary workspace, real files, the real SQLite register. No mocks, no timing
assertions.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
import sqlite3
import stat
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from helpers_ws import (AGENCIES, PLAN, Workspace, docx_text, has_vietnamese, pdf_text,
                        replace_once, sign, squeeze)

REGISTER = "archive/so-dang-ky.sqlite"
AGENCY = "Ủy ban nhân dân tỉnh Quảng Ninh"
SIGNER_CN = "Nguyễn Thị Ký Số"

HEADINGS = [
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung văn bản",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
]
COLUMN_NUMBERS = [f"({i})" for i in range(1, 11)]

# A plan as the clerk leaves it for signing: no number, no date, with comments
# that numbering must keep.
DRAFT = replace_once(PLAN, "so: 5\nngay: 2023-01-04\n", "")
DRAFT = replace_once(DRAFT, "nam: 2023\n", "nam: 2023  # năm thực hiện kế hoạch\n")
DRAFT = "# Kế hoạch năm 2023 — bản trình ký (chú thích phải được giữ nguyên)\n" + DRAFT
DRAFT = replace_once(DRAFT, "kinh_phi:", "# phần kinh phí do Sở Tài chính góp ý\nkinh_phi:")


def plan(i: int = 1, *, agency: str = "ubnd-quang-ninh", year: int = 2023,
         signer: str = "Nguyễn Văn A") -> str:
    """A distinct unnumbered plan (its subject and signer carry ``i``)."""
    text = replace_once(DRAFT, "co_quan: ubnd-quang-ninh", f"co_quan: {agency}")
    text = replace_once(text, "nam: 2023  #", f"nam: {year}  #")
    text = replace_once(text, "trich_yeu: Thực hiện công tác",
                        f"trich_yeu: Đợt {i} thực hiện công tác")
    return replace_once(text, "ho_ten: Nguyễn Văn A", f"ho_ten: {signer}")


def report(plan_file: str, *, agency: str = "ubnd-quang-ninh") -> str:
    """A year-end report on the plan ``plan_file`` (its four target codes)."""
    return f"""\
loai: bao-cao
co_quan: {agency}
nam: 2023
ke_hoach: {plan_file}
trich_yeu: Kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
ket_qua:
  CT01: 100
  CT02: 560
  CT02a: 510
  CT02b: 50
tinh_hinh:
  - Tình hình tệ nạn xã hội trên địa bàn tỉnh cơ bản được kiềm chế.
nguoi_ky:
  tham_quyen: KT. CHỦ TỊCH
  chuc_vu: PHÓ CHỦ TỊCH
  ho_ten: Nguyễn Văn B
noi_nhan:
  - Bộ Lao động - Thương binh và Xã hội (b/c)
  - Lưu: VT, VX
"""


AGENCY_BY_KIND = """\
so-y-te:
  ten: [Sở Y tế]
  chu_quan: UBND TỈNH QUẢNG NINH
  ten_day_du: Sở Y tế tỉnh Quảng Ninh
  viet_tat: SYT
  dia_danh: Quảng Ninh
  so_theo_loai: true
"""


# -- workspace, register and archive ---------------------------------------------------

def workspace(tmp_path: Path, docs: dict[str, str], agencies: str = AGENCIES) -> Workspace:
    ws = Workspace(tmp_path / "ws")
    ws.write("content/_co-quan.yaml", agencies)
    for rel, text in docs.items():
        ws.write(rel, text)
    return ws


def doc_path(i: int) -> str:
    return f"content/xa/2023/kh{i}.yaml"


def number(ws: Workspace, rel: str, date: str, *extra: str) -> subprocess.CompletedProcess:
    return ws.run("number", rel, "--date", date, *extra)


def numbered(ws: Workspace, rel: str, date: str) -> None:
    result = number(ws, rel, date)
    assert result.returncode == 0, result.stderr


def query(ws: Workspace, sql: str, args=()) -> list[dict]:
    """Rows of the register (a fresh connection, closed before returning)."""
    path = ws.path(REGISTER)
    if not path.exists():
        return []
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute(sql, args)]
    finally:
        db.close()


def entries(ws: Workspace) -> list[dict]:
    return query(ws, "SELECT * FROM van_ban_di ORDER BY id")


def stored(ws: Workspace) -> list[dict]:
    return query(ws, "SELECT * FROM luu_tru ORDER BY id")


def yaml_number(ws: Workspace, rel: str) -> int | None:
    match = re.search(r"^so: (\d+)$", ws.path(rel).read_text("utf-8"), re.M)
    return int(match.group(1)) if match else None


def archive_files(ws: Workspace) -> dict[str, bytes]:
    """Every file under archive/ but the SQLite database itself (and its journal)."""
    root = ws.path("archive")
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and not p.name.startswith("so-dang-ky.sqlite")
            and p.name != ".so-dang-ky.lock" and ".locks" not in p.parts}


def state(ws: Workspace) -> dict:
    """What must not change after a refusal: register rows, archived files, the
    register file's existence."""
    return {"register exists": ws.path(REGISTER).exists(), "van_ban_di": entries(ws),
            "luu_tru": stored(ws), "files": archive_files(ws)}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_clear_refusal(result: subprocess.CompletedProcess, *needles: str) -> None:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert has_vietnamese(result.stderr), result.stderr
    low = result.stderr.lower()
    assert any(n.lower() in low for n in needles) if needles else True, result.stderr


# -- signed and scanned files -------------------------------------------------------

@pytest.fixture(scope="module")
def signer_files(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed RSA certificate and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("cert")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SIGNER_CN),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, AGENCY)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


def tamper_signed(signed: Path, target: Path) -> Path:
    """A copy with one byte changed inside the signed range: in a content stream
    in the middle of the file, well away from the /Contents hex."""
    data = bytearray(signed.read_bytes())
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert match, "the signed test PDF has no /ByteRange"
    start, length = int(match.group(1)), int(match.group(2))
    end_first = start + length  # the /Contents hex starts here
    at = None
    search = end_first // 3
    while at is None:
        found = data.find(b"stream", search, end_first)
        assert found != -1, "no stream in the signed range of the test PDF"
        end = data.find(b"endstream", found + 6)
        if data[found - 3:found] != b"end" and end - found > 80 and end < end_first:
            at = found + 40
        search = found + 6
    data[at] ^= 0x01
    target.write_bytes(bytes(data))
    return target


def png_scan(path: Path) -> Path:
    """A small real PNG (a white 8×8 image), as a scanner would give."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    raw = b"".join(b"\x00" + b"\xff" * 24 for _ in range(8))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


# =====================================================================================
# 1. Numbering: concurrent processes, never reused
# =====================================================================================

def test_concurrent_processes_get_consecutive_numbers_never_reused(tmp_path):
    """Two at once here; test_numbering.py runs 16 files and 8 on one file."""
    docs = {doc_path(i): plan(i) for i in range(1, 5)}
    ws = workspace(tmp_path, docs)
    env = dict(os.environ)
    env.pop("VANBAN_DEBUG", None)
    procs = [subprocess.Popen([sys.executable, "-m", "generator", "number", doc_path(i),
                               "--date", "2023-03-02"], cwd=ws.root, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(1, 3)]
    results = [(p, *p.communicate(timeout=600)) for p in procs]
    for p, _out, err in results:
        assert p.returncode == 0, err
    from_yaml = sorted(yaml_number(ws, doc_path(i)) for i in range(1, 3))
    assert from_yaml == list(range(1, 3))
    rows = entries(ws)
    assert sorted(r["so"] for r in rows) == list(range(1, 3))
    assert {r["co_quan"] for r in rows} == {AGENCY}
    assert {r["nam"] for r in rows} == {2023}
    # The register and the files agree, document by document.
    by_source = {r["nguon"]: r["so"] for r in rows}
    for i in range(1, 3):
        assert by_source[doc_path(i)] == yaml_number(ws, doc_path(i))
    db = sqlite3.connect(ws.path(REGISTER))
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()

    # Numbering succeeds, rendering fails (a user template with a runtime error):
    # the number is kept, in the file and in the register.
    from generator.compose.templates import builtin_dir
    broken = (builtin_dir() / "ke-hoach.j2").read_text("utf-8").replace(
        "{% block noi_dung %}", "{% block noi_dung %}\n{{ khong_co }}", 1)
    assert "khong_co" in broken
    ws.write("templates/ke-hoach.j2", broken)
    failed = number(ws, doc_path(3), "2023-03-03")
    assert failed.returncode == 1, (failed.stdout, failed.stderr)
    assert "Traceback" not in failed.stderr, failed.stderr
    assert has_vietnamese(failed.stderr), failed.stderr
    assert yaml_number(ws, doc_path(3)) == 3
    assert [r["so"] for r in entries(ws) if r["nguon"] == doc_path(3)] == [3]

    # The template is fixed; the next document gets the NEXT number.
    ws.path("templates/ke-hoach.j2").unlink()
    numbered(ws, doc_path(4), "2023-03-04")
    assert yaml_number(ws, doc_path(4)) == 4
    assert sorted(r["so"] for r in entries(ws)) == list(range(1, 5))
    # Running number again on the document whose render failed renders it now.
    again = number(ws, doc_path(3), "2023-03-03")
    assert again.returncode == 0, again.stderr
    assert "Số: 03/KH-UBND" in docx_text(ws.path("output/xa/2023/kh3.docx")).replace("\xa0", " ")


def test_number_writes_two_lines_and_renders_numbered_outputs(tmp_path):
    ws = workspace(tmp_path, {doc_path(1): DRAFT})
    before = ws.path(doc_path(1)).read_text("utf-8")
    result = number(ws, doc_path(1), "2023-03-02")
    assert result.returncode == 0, result.stderr
    after = ws.path(doc_path(1)).read_text("utf-8")
    expected = replace_once(before, "nam: 2023  # năm thực hiện kế hoạch\n",
                            "nam: 2023  # năm thực hiện kế hoạch\nso: 1\nngay: 2023-03-02\n")
    assert after == expected
    row, = entries(ws)
    assert (row["so"], row["ky_hieu"], row["ngay"], row["loai"]) == (1, "KH-UBND",
                                                                    "2023-03-02", "ke-hoach")
    assert row["nguoi_ky"] == "Nguyễn Văn A"
    assert row["ten_loai_trich_yeu"].startswith("Kế hoạch")
    assert row["nguon_sha256"] == sha256(ws.path(doc_path(1)))
    docx = ws.path("output/xa/2023/kh1.docx")
    pdf = ws.path("output/xa/2023/kh1.pdf")
    assert "Số: 01/KH-UBND" in docx_text(docx).replace("\xa0", " ")
    assert "Số:01/KH-UBND" in squeeze(pdf_text(pdf))
    assert "ngày 02 tháng 3 năm 2023" in docx_text(docx).replace("\xa0", " ")


def test_existing_so_and_ngay_lines_are_replaced_in_place(tmp_path):
    text = replace_once(DRAFT, "trich_yeu:", "so:      # văn thư ghi\nngay:\ntrich_yeu:")
    ws = workspace(tmp_path, {doc_path(1): text})
    numbered(ws, doc_path(1), "2023-05-06")
    after = ws.path(doc_path(1)).read_text("utf-8").splitlines()
    lines = text.splitlines()
    assert len(after) == len(lines)
    changed = [(a, b) for a, b in zip(lines, after) if a != b]
    # Only the values are added: the clerk's comment stays, in its column.
    assert [b for _, b in changed] == ["so: 1    # văn thư ghi", "ngay: 2023-05-06"], changed


def test_numbering_an_already_numbered_file_is_refused(tmp_path):
    ws = workspace(tmp_path, {doc_path(1): DRAFT})
    numbered(ws, doc_path(1), "2023-03-02")
    before_files = {p: ws.path(p).read_bytes() for p in
                    (doc_path(1), "output/xa/2023/kh1.docx", "output/xa/2023/kh1.pdf")}
    before = state(ws)
    again = number(ws, doc_path(1), "2023-03-05")
    assert_clear_refusal(again, "đã có số")
    assert state(ws) == before
    assert {p: ws.path(p).read_bytes() for p in before_files} == before_files


def test_numbers_restart_at_01_in_a_new_year(tmp_path):
    ws = workspace(tmp_path, {doc_path(1): plan(1), doc_path(2): plan(2),
                              "content/xa/2024/kh.yaml": plan(3, year=2024)})
    numbered(ws, doc_path(1), "2023-12-30")
    numbered(ws, doc_path(2), "2023-12-31")
    numbered(ws, "content/xa/2024/kh.yaml", "2024-01-02")
    assert yaml_number(ws, doc_path(2)) == 2
    assert yaml_number(ws, "content/xa/2024/kh.yaml") == 1
    assert sorted((r["nam"], r["so"]) for r in entries(ws)) == [(2023, 1), (2023, 2),
                                                                 (2024, 1)]
    assert "Số: 01/KH-UBND" in docx_text(ws.path("output/xa/2024/kh.docx")).replace("\xa0", " ")


def test_agency_numbering_by_kind_keeps_kh_and_bc_apart(tmp_path):
    ws = workspace(tmp_path, {
        "content/syt/2023/kh1.yaml": plan(1, agency="so-y-te"),
        "content/syt/2023/bc.yaml": report("kh1.yaml", agency="so-y-te"),
        "content/syt/2023/kh2.yaml": plan(2, agency="so-y-te"),
    }, agencies=AGENCIES + AGENCY_BY_KIND)
    numbered(ws, "content/syt/2023/kh1.yaml", "2023-02-01")
    numbered(ws, "content/syt/2023/bc.yaml", "2023-12-20")
    numbered(ws, "content/syt/2023/kh2.yaml", "2023-12-21")
    assert yaml_number(ws, "content/syt/2023/kh1.yaml") == 1
    assert yaml_number(ws, "content/syt/2023/bc.yaml") == 1
    assert yaml_number(ws, "content/syt/2023/kh2.yaml") == 2
    got = sorted((r["ky_hieu"], r["so"]) for r in entries(ws))
    assert got == [("BC-SYT", 1), ("KH-SYT", 1), ("KH-SYT", 2)]
    assert "Số: 01/BC-SYT" in docx_text(ws.path("output/syt/2023/bc.docx")).replace("\xa0", " ")


def test_agency_without_by_kind_numbers_kh_and_bc_in_one_series(tmp_path):
    ws = workspace(tmp_path, {"content/xa/2023/kh1.yaml": plan(1),
                              "content/xa/2023/bc.yaml": report("kh1.yaml")})
    numbered(ws, "content/xa/2023/kh1.yaml", "2023-02-01")
    numbered(ws, "content/xa/2023/bc.yaml", "2023-12-20")
    assert sorted((r["ky_hieu"], r["so"]) for r in entries(ws)) == [("BC-UBND", 2),
                                                                    ("KH-UBND", 1)]


def test_numbering_a_batch_file_is_refused(tmp_path):
    batch = replace_once(DRAFT, "loai: ke-hoach\n",
                         "loai: ke-hoach\ncho_moi:\n  bang: _xa.csv\n  ten_tep: \"{ma}\"\n")
    ws = workspace(tmp_path, {doc_path(1): batch,
                              "content/xa/2023/_xa.csv": "ma,trich_yeu\na,Kế hoạch A\nb,Kế hoạch B\n"})
    before = ws.path(doc_path(1)).read_bytes()
    result = number(ws, doc_path(1), "2023-03-02")
    assert_clear_refusal(result, "cho_moi")
    assert ws.path(doc_path(1)).read_bytes() == before
    assert entries(ws) == []


# =====================================================================================
# 2. A killed ``archive add`` leaves all or nothing: see test_archive_trust.py, which
#    kills it (and ``number``) at ten named moments each (VANBAN_FAULT), no timers.
# =====================================================================================

# =====================================================================================
# 3. Integrity: altered files found, digital signatures validated
# =====================================================================================

@pytest.fixture
def archived(tmp_path, signer_files):
    """A workspace with one numbered plan, digitally signed and archived."""
    ws = workspace(tmp_path, {doc_path(1): DRAFT, doc_path(2): plan(2)})
    numbered(ws, doc_path(1), "2023-03-02")
    signed = sign(ws.path("output/xa/2023/kh1.pdf"), ws.path("ky.pdf"), signer_files)
    # The office trusts the test certificate: it is in the workspace's trust roots.
    ws.write("chung-thu-goc/goc.pem", signer_files[1].read_text())
    yaml_at_archiving = ws.path(doc_path(1)).read_bytes()
    result = ws.run("archive", "add", "ky.pdf", "--doc", doc_path(1))
    assert result.returncode == 0, result.stderr
    return ws, signed, yaml_at_archiving


def test_add_stores_signed_pdf_and_records_the_signer(archived):
    ws, signed, _ = archived
    rows = stored(ws)
    assert sorted(r["vai_tro"] for r in rows) == ["ban-ky", "pdfa"]
    original = next(r for r in rows if r["vai_tro"] == "ban-ky")
    assert original["chu_ky"] == "hop-le"
    assert SIGNER_CN in original["nguoi_ky_so"]
    assert original["thoi_diem_ky"]
    assert original["hieu_luc"] == 1
    entry, = entries(ws)
    assert {r["van_ban_id"] for r in rows} == {entry["id"]}
    archive = ws.path("archive")
    for r in rows:
        assert r["duong_dan"].startswith("2023/01-KH-UBND/"), r["duong_dan"]
        path = archive / r["duong_dan"]
        assert sha256(path) == r["sha256"]
        assert r["kich_thuoc"] == path.stat().st_size
        assert stat.S_IMODE(path.stat().st_mode) == 0o444, r["duong_dan"]
    assert (archive / original["duong_dan"]).read_bytes() == signed.read_bytes()
    assert any(r["duong_dan"] == "2023/01-KH-UBND/01-KH-UBND-pdfa.pdf" for r in rows)
    verify = ws.run("archive", "verify")
    assert verify.returncode == 0, verify.stderr


def test_pdf_altered_after_signing_is_refused(archived, tmp_path, signer_files):
    ws, _, _ = archived
    numbered(ws, doc_path(2), "2023-03-03")
    signed = sign(ws.path("output/xa/2023/kh2.pdf"), ws.path("ky2.pdf"), signer_files)
    tamper_signed(signed, ws.path("ky2-sua.pdf"))
    before = state(ws)
    result = ws.run("archive", "add", "ky2-sua.pdf", "--doc", doc_path(2))
    assert_clear_refusal(result, "sửa", "nguyên vẹn")
    assert state(ws) == before
    # The untouched signed file is accepted.
    ok = ws.run("archive", "add", "ky2.pdf", "--doc", doc_path(2))
    assert ok.returncode == 0, ok.stderr


def test_verify_names_an_altered_file(archived):
    ws, _, _ = archived
    original = next(r for r in stored(ws) if r["vai_tro"] == "ban-ky")
    path = ws.path("archive") / original["duong_dan"]
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    result = ws.run("archive", "verify")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert original["duong_dan"] in result.stderr, result.stderr
    assert has_vietnamese(result.stderr)
    pdfa = next(r for r in stored(ws) if r["vai_tro"] == "pdfa")
    assert pdfa["duong_dan"] not in result.stderr, "an intact file is named as a problem"


def test_verify_names_a_missing_file(archived):
    ws, _, _ = archived
    pdfa = next(r for r in stored(ws) if r["vai_tro"] == "pdfa")
    (ws.path("archive") / pdfa["duong_dan"]).unlink()
    result = ws.run("archive", "verify")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert pdfa["duong_dan"] in result.stderr, result.stderr


def test_verify_recovers_part_files(archived):
    """A .part whose row was committed is moved into place; an orphan is deleted."""
    ws, _, _ = archived
    archive = ws.path("archive")
    original = next(r for r in stored(ws) if r["vai_tro"] == "ban-ky")
    final = archive / original["duong_dan"]
    content = final.read_bytes()
    part = final.with_name(f".{final.name}.part")
    final.chmod(0o644)
    final.rename(part)  # as if killed between COMMIT and the rename
    orphan = final.with_name(".01-KH-UBND-ban-ky-9.pdf.part")
    orphan.write_bytes(b"%PDF-1.7 half written")
    result = ws.run("archive", "verify")
    assert result.returncode == 0, result.stderr
    assert final.read_bytes() == content
    assert not part.exists() and not orphan.exists()


def test_unsigned_scan_is_accepted_as_khong_co(tmp_path):
    ws = workspace(tmp_path, {doc_path(1): DRAFT})
    numbered(ws, doc_path(1), "2023-03-02")
    png_scan(ws.path("quet.png"))
    result = ws.run("archive", "add", "quet.png", "--doc", doc_path(1))
    assert result.returncode == 0, result.stderr
    original = next(r for r in stored(ws) if r["vai_tro"] == "ban-ky")
    assert original["chu_ky"] == "khong-co"
    assert original["duong_dan"].endswith(".png")
    path = ws.path("archive") / original["duong_dan"]
    assert path.read_bytes() == ws.path("quet.png").read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_unsigned_pdf_is_accepted_as_khong_co(tmp_path):
    ws = workspace(tmp_path, {doc_path(1): DRAFT})
    numbered(ws, doc_path(1), "2023-03-02")
    result = ws.run("archive", "add", "output/xa/2023/kh1.pdf", "--doc", doc_path(1))
    assert result.returncode == 0, result.stderr
    original = next(r for r in stored(ws) if r["vai_tro"] == "ban-ky")
    assert original["chu_ky"] == "khong-co"


def test_second_add_refused_unless_replace_with_reason(archived, tmp_path):
    ws, _, _ = archived
    png_scan(ws.path("quet.png"))
    before = state(ws)
    refused = ws.run("archive", "add", "quet.png", "--doc", doc_path(1))
    assert_clear_refusal(refused, "--replace")
    assert state(ws) == before
    no_reason = ws.run("archive", "add", "quet.png", "--doc", doc_path(1), "--replace")
    assert_clear_refusal(no_reason, "--reason")
    assert state(ws) == before

    reason = "Bản ký cũ bị mờ, quét lại"
    replaced = ws.run("archive", "add", "quet.png", "--doc", doc_path(1), "--replace",
                      "--reason", reason)
    assert replaced.returncode == 0, replaced.stderr
    originals = [r for r in stored(ws) if r["vai_tro"] == "ban-ky"]
    assert len(originals) == 2
    old, new = originals
    assert old["hieu_luc"] == 0 and new["hieu_luc"] == 1
    assert new["ly_do"] == reason or old["ly_do"] == reason
    assert new["thay_the_id"] == old["id"] or old["thay_the_id"] == new["id"]
    archive = ws.path("archive")
    assert (archive / old["duong_dan"]).read_bytes() == before["files"][old["duong_dan"]]
    assert (archive / new["duong_dan"]).read_bytes() == ws.path("quet.png").read_bytes()
    assert len([r for r in stored(ws) if r["vai_tro"] == "pdfa"]) == 1
    assert ws.run("archive", "verify").returncode == 0


def test_archive_list(archived):
    ws, _, _ = archived
    listed = ws.run("archive", "list", "--year", "2023")
    assert listed.returncode == 0, listed.stderr
    assert "01/KH-UBND" in listed.stdout
    assert "2023/01-KH-UBND/01-KH-UBND-pdfa.pdf" in listed.stdout
    found = ws.run("archive", "list", "--search", "Thực hiện công tác phòng")
    assert "01/KH-UBND" in found.stdout
    none = ws.run("archive", "list", "--search", "không hề có chuỗi này")
    assert "01/KH-UBND" not in none.stdout
    reports = ws.run("archive", "list", "--kind", "bao-cao")
    assert reports.returncode == 0 and "01/KH-UBND" not in reports.stdout
    other_year = ws.run("archive", "list", "--year", "2024")
    assert "01/KH-UBND" not in other_year.stdout


# =====================================================================================
# 4. The archival PDF/A-3 copy
# =====================================================================================

def _fonts(resources, seen):
    """Every font dictionary reachable from a resource dictionary (form XObjects too)."""
    if resources is None:
        return
    resources = resources.get_object()
    fonts = resources.get("/Font")
    if fonts is not None:
        for font in fonts.get_object().values():
            font = font.get_object()
            if id(font) not in seen:
                seen.add(id(font))
                yield font
    xobjects = resources.get("/XObject")
    if xobjects is not None:
        for xobject in xobjects.get_object().values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                yield from _fonts(xobject.get("/Resources"), seen)


def test_archival_copy_is_pdfa3_with_fonts_and_attachments(archived):
    import docx
    from pypdf import PdfReader

    ws, _, yaml_at_archiving = archived
    pdfa = next(r for r in stored(ws) if r["vai_tro"] == "pdfa")
    reader = PdfReader(str(ws.path("archive") / pdfa["duong_dan"]))

    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    part = re.search(r"pdfaid:part(?:=\"|>)\s*(\d)", xmp)
    assert part and part.group(1) == "3", xmp
    assert re.search(r"pdfaid:conformance(?:=\"|>)\s*[Bb]", xmp), xmp

    fonts = []
    seen: set = set()
    for page in reader.pages:
        fonts.extend(_fonts(page.get("/Resources"), seen))
    assert fonts
    for font in fonts:
        targets = font["/DescendantFonts"] if font.get("/Subtype") == "/Type0" else [font]
        for target in targets:
            target = target.get_object()
            if target.get("/Subtype") == "/Type3":
                continue
            descriptor = target["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), \
                f"font not embedded: {target.get('/BaseFont')}"

    attachments = reader.attachments
    yaml_names = [n for n in attachments if n.endswith((".yaml", ".yml"))]
    docx_names = [n for n in attachments if n.endswith(".docx")]
    assert len(yaml_names) == 1 and len(docx_names) == 1, list(attachments)
    assert attachments[yaml_names[0]][0] == yaml_at_archiving
    document = docx.Document(io.BytesIO(attachments[docx_names[0]][0]))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    assert any("Số: 01/KH-UBND" in t.replace("\xa0", " ") for t in texts), texts[:20]


def test_archival_copy_metadata(archived):
    from pypdf import PdfReader

    ws, _, _ = archived
    pdfa = next(r for r in stored(ws) if r["vai_tro"] == "pdfa")
    info = PdfReader(str(ws.path("archive") / pdfa["duong_dan"])).metadata
    assert "01/KH-UBND" in (info.title or "")
    assert info.author == AGENCY
    assert (info.subject or "").startswith("Thực hiện công tác phòng, chống mại dâm")
    keys = f"Info keys: {sorted(info)}"
    # Custom keys are lower case (HTML <meta> names, as WeasyPrint writes them).
    custom = {k: info.get(k) for k in ("/sokyhieu", "/ngayvanban", "/coquan", "/trichyeu")}
    assert custom["/sokyhieu"] == "01/KH-UBND", keys
    assert custom["/ngayvanban"] in ("2023-03-02", "02/03/2023"), keys
    assert custom["/coquan"] == AGENCY, keys
    assert (custom["/trichyeu"] or "").startswith("Thực hiện công tác phòng"), keys


# =====================================================================================
# 5. The printed register
# =====================================================================================

SIGNERS = {1: "Nguyễn Văn An", 2: "Trần Thị Bình", 3: "Lê Văn Cường"}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """Three plans numbered in 2023 (out of file order) and one in 2024."""
    tmp = tmp_path_factory.mktemp("book")
    ws = workspace(tmp, {**{doc_path(i): plan(i, signer=SIGNERS[i]) for i in (1, 2, 3)},
                         "content/xa/2024/kh.yaml": plan(9, year=2024, signer="Phạm Văn Đông")})
    numbered(ws, doc_path(2), "2023-02-10")
    numbered(ws, doc_path(3), "2023-05-20")
    numbered(ws, doc_path(1), "2023-11-03")
    numbered(ws, "content/xa/2024/kh.yaml", "2024-01-05")
    # Number order: kh2 → 01, kh3 → 02, kh1 → 03.
    expected = [("01/KH-UBND", "10/02/2023", 2), ("02/KH-UBND", "20/05/2023", 3),
                ("03/KH-UBND", "03/11/2023", 1)]
    return ws, expected


def assert_book_lines(lines: list[list[str]], expected) -> None:
    assert len(lines) == len(expected), lines
    for line, (so, ngay, i) in zip(lines, expected):
        assert len(line) == 10, line
        assert line[0] == so
        assert line[1] == ngay
        assert line[2].startswith("Kế hoạch"), line[2]
        assert f"đợt {i} thực hiện công tác" in line[2].lower(), line[2]
        assert line[3] == SIGNERS[i]
        assert "Bộ Lao động - Thương binh và Xã hội" in line[4]
        assert "VT" in line[5]
        assert "Phạm Văn Đông" not in " ".join(line)


def test_register_export_csv(book):
    ws, expected = book
    result = ws.run("register", "export", "--year", "2023", "--format", "csv",
                    "-o", "so-2023.csv")
    assert result.returncode == 0, result.stderr
    with open(ws.path("so-2023.csv"), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = next(i for i, r in enumerate(rows) if r[:10] == HEADINGS)
    lines = [r for r in rows[header + 1:] if r and r != COLUMN_NUMBERS]
    assert_book_lines([r[:10] for r in lines], expected)


def test_register_export_xlsx(book):
    from openpyxl import load_workbook

    ws, expected = book
    result = ws.run("register", "export", "--year", "2023", "--format", "xlsx",
                    "-o", "so-2023.xlsx")
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(ws.path("so-2023.xlsx")).active
    rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r[:10] == HEADINGS)
    cover = " ".join(" ".join(r) for r in rows[:header])
    assert AGENCY in cover and "2023" in cover, cover
    assert "sổ đăng ký văn bản đi" in cover.lower(), cover
    lines = [r[:10] for r in rows[header + 1:] if any(r) and r[:10] != COLUMN_NUMBERS]
    assert_book_lines(lines, expected)


def test_register_export_docx(book):
    import docx
    from docx.enum.section import WD_ORIENT

    ws, expected = book
    result = ws.run("register", "export", "--year", "2023", "--format", "docx",
                    "-o", "so-2023.docx")
    assert result.returncode == 0, result.stderr
    document = docx.Document(str(ws.path("so-2023.docx")))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width > section.page_height
    text = docx_text(ws.path("so-2023.docx"))
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐI" in text.upper() and "2023" in text
    assert AGENCY.lower() in text.lower()

    def row_texts(row):
        return [c.text.replace("\xa0", " ").strip() for c in row.cells]

    table = next(t for t in document.tables if row_texts(t.rows[0]) == HEADINGS)
    assert row_texts(table.rows[1]) == COLUMN_NUMBERS
    assert_book_lines([row_texts(r) for r in table.rows[2:]], expected)

    normal = document.styles["Normal"].font.name

    def font_of(run, paragraph):
        if run.font.name:
            return run.font.name
        style = paragraph.style
        while style is not None:
            if style.font.name:
                return style.font.name
            style = style.base_style
        return normal

    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    if run.text.strip():
                        assert font_of(run, paragraph) == "Times New Roman", run.text


# =====================================================================================
# 6. Bad input: a clear Vietnamese message, exit 1, nothing changed
# =====================================================================================

@pytest.fixture
def ready(tmp_path):
    """Plan 1 numbered (and its register); plan 2 still a draft; a scan at hand."""
    ws = workspace(tmp_path, {doc_path(1): DRAFT, doc_path(2): plan(2)})
    numbered(ws, doc_path(1), "2023-03-02")
    png_scan(ws.path("quet.png"))
    return ws


def test_numbering_a_file_that_fails_check_creates_no_register(tmp_path):
    broken = replace_once(DRAFT, "loai: ke-hoach", "loai: ke-hoch")
    ws = workspace(tmp_path, {doc_path(1): broken})
    result = number(ws, doc_path(1), "2023-03-02")
    assert_clear_refusal(result, "kh1.yaml")
    assert ws.path(doc_path(1)).read_text("utf-8") == broken
    assert not ws.path(REGISTER).exists()
    assert not ws.path("output").exists()


def test_numbering_a_file_that_fails_check_leaves_register_unchanged(ready):
    ws = ready
    broken = replace_once(plan(2), "ho_ten: Nguyễn Văn A\n", "")
    ws.write(doc_path(2), broken)
    before = state(ws)
    result = number(ws, doc_path(2), "2023-03-03")
    assert_clear_refusal(result, "kh2.yaml")
    assert state(ws) == before
    assert ws.path(doc_path(2)).read_text("utf-8") == broken


@pytest.mark.parametrize("case", ["unnumbered", "txt", "yaml", "doc outside",
                                  "archive outside", "number archive outside"])
def test_bad_input_is_refused_and_changes_nothing(ready, tmp_path, case):
    ws = ready
    outside = tmp_path / "ngoai"
    outside.mkdir()
    if case == "unnumbered":
        args = ["archive", "add", "quet.png", "--doc", doc_path(2)]
        needles = ("chưa có số",)
    elif case == "txt":
        ws.write("ghi-chu.txt", "Bản ký đã gửi qua thư điện tử.\n")
        args = ["archive", "add", "ghi-chu.txt", "--doc", doc_path(1)]
        needles = ("không phải tệp pdf",)
    elif case == "yaml":
        args = ["archive", "add", doc_path(1), "--doc", doc_path(1)]
        needles = ("không phải tệp pdf",)
    elif case == "doc outside":
        copy = outside / "kh1.yaml"
        copy.write_bytes(ws.path(doc_path(1)).read_bytes())
        args = ["archive", "add", "quet.png", "--doc", str(copy)]
        needles = ("ngoài",)
    elif case == "archive outside":
        args = ["archive", "add", "quet.png", "--doc", doc_path(1), "--archive",
                str(outside / "luu-tru")]
        needles = ("lưu trữ",)
    else:
        args = ["number", doc_path(2), "--date", "2023-03-03", "--archive",
                str(outside / "luu-tru")]
        needles = ("lưu trữ",)
    before = state(ws)
    docs_before = {p: ws.path(p).read_bytes() for p in (doc_path(1), doc_path(2))}
    result = ws.run(*args)
    assert_clear_refusal(result, *needles)
    assert state(ws) == before
    assert {p: ws.path(p).read_bytes() for p in docs_before} == docs_before
    assert [p for p in outside.rglob("*") if p.name != "kh1.yaml"] == []


def test_bad_input_on_empty_archive_stores_nothing(ready):
    """The first refused add must not leave the year folder behind either."""
    ws = ready
    ws.write("ghi-chu.txt", "không phải bản ký\n")
    result = ws.run("archive", "add", "ghi-chu.txt", "--doc", doc_path(1))
    assert_clear_refusal(result, "pdf")
    # Only the register and its locks (held while numbering and archiving).
    assert [p for p in ws.path("archive").iterdir()
            if not p.name.startswith("so-dang-ky.sqlite")
            and p.name not in (".so-dang-ky.lock", ".locks")] == []
