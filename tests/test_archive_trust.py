"""The archive judged strictly, the register exported as data, and kills at named
moments (VANBAN_FAULT) with a concurrent ``archive list``.

Certificates are made here (cryptography): a CA the office trusts (its root is in
the workspace's ``chung-thu-goc/``), a CA it does not, and signer certificates that
are valid, expired, not yet valid, or issued by the untrusted CA.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers_ws import has_vietnamese, pdf_text, sign, squeeze
from test_archive import (DRAFT, REGISTER, assert_clear_refusal, doc_path, entries, numbered,
                          plan, png_scan, sha256, stored, workspace, yaml_number)

NOW = dt.datetime.now(dt.timezone.utc)


# -- certificates -------------------------------------------------------------------

def _name(cn: str):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _key():
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1())


def _cert(subject, key, issuer, issuer_key, start, end, ca: bool):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    usage = x509.KeyUsage(digital_signature=not ca, content_commitment=not ca,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=ca, crl_sign=ca, encipher_only=False, decipher_only=False)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .sign(issuer_key, hashes.SHA256()))


def _pem(folder: Path, name: str, obj) -> Path:
    from cryptography.hazmat.primitives import serialization

    path = folder / name
    if hasattr(obj, "public_bytes"):
        path.write_bytes(obj.public_bytes(serialization.Encoding.PEM))
    else:
        path.write_bytes(obj.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return path


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """{kind: (key.pem, cert.pem, ca.pem)} and the trusted root's PEM."""
    folder = tmp_path_factory.mktemp("pki")
    day, year = dt.timedelta(days=1), dt.timedelta(days=365)
    cas = {}
    for ca in ("tin-cay", "la"):
        key = _key()
        name = _name(f"CA thử nghiệm {ca}")
        cas[ca] = (key, name, _cert(name, key, name, key, NOW - 10 * year, NOW + 10 * year, True))
        _pem(folder, f"ca-{ca}.pem", cas[ca][2])
    windows = {"hop-le": ("tin-cay", NOW - day, NOW + year),
               "het-han": ("tin-cay", NOW - 3 * year, NOW - 2 * year),
               "chua-hieu-luc": ("tin-cay", NOW + year, NOW + 2 * year),
               "khong-tin-cay": ("la", NOW - day, NOW + year)}
    out = {}
    for kind, (ca, start, end) in windows.items():
        ca_key, ca_name, ca_cert = cas[ca]
        key = _key()
        cert = _cert(_name(f"Người ký {kind}"), key, ca_name, ca_key, start, end, False)
        out[kind] = (_pem(folder, f"{kind}.key", key), _pem(folder, f"{kind}.pem", cert),
                     folder / f"ca-{ca}.pem")
    return out, folder / "ca-tin-cay.pem"


def env(**extra) -> dict:
    out = dict(os.environ)
    out.pop("VANBAN_DEBUG", None)
    out.update(extra)
    return out


# =====================================================================================
# Signature statuses, twins, unknown files, search, several files per document
# =====================================================================================

KINDS = ["hop-le", "het-han", "chua-hieu-luc", "khong-tin-cay"]
INJECTION = '=HYPERLINK("http://vi-du.invalid/x","Bấm vào đây")'


@pytest.fixture(scope="module")
def office(tmp_path_factory, pki):
    """Five numbered plans; 1–4 signed with the four certificates and archived.
    Plan 5's signer name is a spreadsheet formula."""
    certs, root_pem = pki
    docs = {doc_path(i): plan(i) for i in range(1, 5)}
    docs[doc_path(5)] = plan(5, signer=INJECTION)
    ws = workspace(tmp_path_factory.mktemp("office"), docs)
    ws.write("chung-thu-goc/ca.pem", root_pem.read_text())
    for i in range(1, 6):
        numbered(ws, doc_path(i), f"2023-03-{i + 1:02d}")
    results = {}
    for i, kind in enumerate(KINDS, start=1):
        signed = sign(ws.path(f"output/xa/2023/kh{i}.pdf"), ws.path(f"ky{i}.pdf"), certs[kind])
        results[kind] = ws.run("archive", "add", signed.name, "--doc", doc_path(i))
    return ws, results


def test_four_certificates_four_statuses(office):
    ws, results = office
    for i, kind in enumerate(KINDS, start=1):
        result = results[kind]
        assert result.returncode == 0, (kind, result.stderr)
        row = next(r for r in stored(ws) if r["vai_tro"] == "ban-ky"
                   and r["duong_dan"].startswith(f"2023/{i:02d}-KH-UBND/"))
        assert row["chu_ky"] == kind, (kind, row["chu_ky"], row["giai_thich"])
        assert row["tin_cay"] == (kind == "hop-le")
        assert f"Người ký {kind}" in row["nguoi_ky_so"]
        # The clerk is told, in Vietnamese, what the status means.
        assert f"chữ ký số: {kind} — " in result.stdout, result.stdout
        assert has_vietnamese(row["giai_thich"])
    explained = {kind: next(r["giai_thich"] for r in stored(ws) if r["chu_ky"] == kind)
                 for kind in KINDS}
    assert "hết hạn" in explained["het-han"]
    assert "chưa có hiệu lực" in explained["chua-hieu-luc"]
    assert "chứng thư gốc" in explained["khong-tin-cay"]
    assert len(set(explained.values())) == 4


def test_the_same_signed_file_twice_is_detected(office):
    ws, _ = office
    before = stored(ws)
    again = ws.run("archive", "add", "ky1.pdf", "--doc", doc_path(1), "--dinh-kem")
    assert_clear_refusal(again, "đã được lưu trữ")
    other = ws.run("archive", "add", "ky1.pdf", "--doc", doc_path(2), "--replace",
                   "--reason", "nhầm")
    assert_clear_refusal(other, "đã được lưu trữ")
    assert stored(ws) == before


def test_several_files_per_document_and_search(office):
    ws, _ = office
    png_scan(ws.path("phu-luc.png"))
    added = ws.run("archive", "add", "phu-luc.png", "--doc", doc_path(1), "--dinh-kem")
    assert added.returncode == 0, added.stderr
    listed = ws.run("archive", "list", "--search", "01/kh")
    assert listed.returncode == 0, listed.stderr
    roles = sorted(line.split("\t")[2] for line in listed.stdout.splitlines() if "\t" in line)
    assert roles == ["ban-ky", "dinh-kem", "pdfa"], listed.stdout
    # Case and diacritics do not matter.
    for needle in ("ĐỢT 2 THỰC HIỆN", "dot 2 thuc hien", "Đợt 2 thực hiện"):
        found = ws.run("archive", "list", "--search", needle)
        assert "02/KH-UBND" in found.stdout and "01/KH-UBND" not in found.stdout, needle
    assert ws.run("archive", "verify").returncode == 0


def test_verify_reports_a_file_no_row_knows(office):
    ws, _ = office
    extra = ws.path("archive/2023/01-KH-UBND/them-bang-tay.pdf")
    extra.write_bytes(ws.path("ky1.pdf").read_bytes())
    try:
        result = ws.run("archive", "verify")
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert "2023/01-KH-UBND/them-bang-tay.pdf" in result.stderr
        assert "tệp lạ" in result.stderr
    finally:
        extra.unlink()
    assert ws.run("archive", "verify").returncode == 0


# =====================================================================================
# Exports are data, never formulas
# =====================================================================================

def test_xlsx_export_holds_text_and_numbers_never_formulas(office):
    from openpyxl import load_workbook

    ws, _ = office
    result = ws.run("register", "export", "--year", "2023", "--format", "xlsx", "-o", "so.xlsx")
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(ws.path("so.xlsx")).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    signer = [c for c in cells if c.value == INJECTION]
    assert len(signer) == 1 and signer[0].data_type == "s"
    line = [c for c in sheet[signer[0].row]]
    assert line[0].value == "05/KH-UBND"
    assert isinstance(line[6].value, int) and line[6].data_type == "n"  # copies: a number


def test_csv_export_neutralises_formula_starts(office):
    ws, _ = office
    result = ws.run("register", "export", "--year", "2023", "--format", "csv", "-o", "so.csv")
    assert result.returncode == 0, result.stderr
    with open(ws.path("so.csv"), encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    line = next(r for r in rows if r[0] == "05/KH-UBND")
    assert line[3] == "'" + INJECTION
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_pdf_export_of_the_book_opens(office):
    import pdfplumber

    ws, _ = office
    result = ws.run("register", "export", "--year", "2023", "--format", "pdf", "-o", "so.pdf")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(str(ws.path("so.pdf"))) as pdf:
        page = pdf.pages[0]
        assert page.width > page.height  # landscape, as the book is
    text = squeeze(pdf_text(ws.path("so.pdf")))
    assert "SỔĐĂNGKÝVĂNBẢNĐI" in text.upper()
    assert "Từsố01đếnsố05;từngày02/03/2023đếnngày06/03/2023" in text
    raw = pdf_text(ws.path("so.pdf"))
    # Five lines, in number order (narrow columns may wrap their last letters).
    assert [raw.index(f"0{i}/KH-UBN") for i in range(1, 6)] == \
        sorted(raw.index(f"0{i}/KH-UBN") for i in range(1, 6))
    assert '=HYPERLINK("' in raw  # the value printed as text


# =====================================================================================
# Concurrency: ``archive list`` during ``archive add`` deletes nothing
# =====================================================================================

@pytest.fixture(scope="module")
def ready_to_archive(tmp_path_factory, pki):
    """A numbered plan and its signed PDF, copied for each test that archives it."""
    certs, root_pem = pki
    ws = workspace(tmp_path_factory.mktemp("ready"), {doc_path(1): DRAFT, doc_path(2): plan(2)})
    ws.write("chung-thu-goc/ca.pem", root_pem.read_text())
    numbered(ws, doc_path(1), "2023-03-02")
    sign(ws.path("output/xa/2023/kh1.pdf"), ws.path("ky.pdf"), certs["hop-le"])
    return ws


def copy_of(ws, tmp_path):
    from helpers_ws import Workspace

    target = tmp_path / "ws"
    shutil.copytree(ws.root, target)
    return Workspace(target)


def test_list_during_add_deletes_no_staging_file(ready_to_archive, tmp_path):
    """``archive list`` ran ``recover``, which deleted another process's ``.part``."""
    ws = copy_of(ready_to_archive, tmp_path)
    flag = tmp_path / "paused"
    add = subprocess.Popen([sys.executable, "-m", "generator", "archive", "add", "ky.pdf",
                            "--doc", doc_path(1)], cwd=ws.root, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True,
                           env=env(VANBAN_PAUSE=f"archive-signed-staged:{flag}"))
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert add.poll() is None, add.communicate()
            assert time.monotonic() < deadline, "archive add never reached the staging step"
            time.sleep(0.02)
        parts = list(ws.path("archive").rglob(".*.part"))
        assert parts
        listed = ws.run("archive", "list")
        assert listed.returncode == 0, listed.stderr
        assert all(p.exists() for p in parts), "archive list deleted a file being written"
    finally:
        flag.unlink(missing_ok=True)
    out, err = add.communicate(timeout=300)
    assert add.returncode == 0, err
    assert sorted(r["vai_tro"] for r in stored(ws)) == ["ban-ky", "pdfa"]
    assert ws.run("archive", "verify").returncode == 0


# =====================================================================================
# SIGKILL at ten moments each, with ``archive list`` run at that very moment
# =====================================================================================

NUMBER_MOMENTS = ["number-start", "number-after-lock", "number-in-transaction",
                  "number-before-commit", "number-after-commit", "number-yaml-staged",
                  "number-after-yaml", "number-before-render", "number-before-record",
                  "number-after-render"]
ARCHIVE_MOMENTS = ["archive-start", "archive-after-lock", "archive-after-recover",
                   "archive-signed-staged", "archive-copy-staged", "archive-in-transaction",
                   "archive-before-commit", "archive-after-commit",
                   "archive-after-first-settle", "archive-after-settle"]


def killed(ws, tmp_path, moment: str, *args) -> subprocess.CompletedProcess:
    """Run the command until ``moment``; there, run ``archive list`` (which must
    succeed and delete no file being written); then the command kills itself."""
    flag = tmp_path / "at-moment"
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=ws.root,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env(VANBAN_FAULT=moment, VANBAN_PAUSE=f"{moment}:{flag}"))
    try:
        deadline = time.monotonic() + 300
        while not flag.exists():
            assert proc.poll() is None, (moment, proc.communicate())
            assert time.monotonic() < deadline, f"never reached {moment}"
            time.sleep(0.02)
        before = {p: p.stat().st_size for p in ws.root.rglob("*") if p.is_file()
                  and p.suffix == ".part"}
        listed = ws.run("archive", "list")
        assert listed.returncode == 0 and "Traceback" not in listed.stderr, listed.stderr
        assert all(p.exists() for p in before), "archive list deleted a file being written"
    finally:
        flag.unlink(missing_ok=True)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def assert_archive_consistent(ws, verify: bool = True) -> None:
    if verify:
        result = ws.run("archive", "verify")
        assert result.returncode == 0, (result.stdout, result.stderr)
    for row in stored(ws):  # no committed file is missing
        path = ws.path("archive") / row["duong_dan"]
        assert path.is_file() and sha256(path) == row["sha256"], row["duong_dan"]
    db = sqlite3.connect(ws.path(REGISTER))
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


@pytest.mark.parametrize("moment", NUMBER_MOMENTS)
def test_number_killed_at_a_moment(tmp_path, moment):
    ws = workspace(tmp_path, {doc_path(1): DRAFT})
    result = killed(ws, tmp_path, moment, "number", doc_path(1), "--date", "2023-03-02")
    assert result.returncode == -9, (moment, result.stderr)
    if ws.path(REGISTER).exists():
        assert_archive_consistent(ws)
    # The next command completes: numbering again finishes the job (or says it is done).
    again = ws.run("number", doc_path(1), "--date", "2023-03-02")
    if moment == "number-after-render":
        assert_clear_refusal(again, "đã có số")
    else:
        assert again.returncode == 0, (moment, again.stderr)
    rows = entries(ws)
    assert [(r["so"], r["ngay"]) for r in rows] == [(1, "2023-03-02")], rows
    assert yaml_number(ws, doc_path(1)) == 1
    assert ws.path("output/xa/2023/kh1.docx").is_file()
    assert_archive_consistent(ws, verify=False)


@pytest.mark.parametrize("moment", ARCHIVE_MOMENTS)
def test_archive_add_killed_at_a_moment(ready_to_archive, tmp_path, moment):
    ws = copy_of(ready_to_archive, tmp_path)
    result = killed(ws, tmp_path, moment, "archive", "add", "ky.pdf", "--doc", doc_path(1))
    assert result.returncode == -9, (moment, result.stderr)
    assert_archive_consistent(ws)
    rows = stored(ws)
    assert sorted(r["vai_tro"] for r in rows) in ([], ["ban-ky", "pdfa"]), rows
    again = ws.run("archive", "add", "ky.pdf", "--doc", doc_path(1))
    if rows:
        assert_clear_refusal(again, "đã được lưu trữ", "đã có bản ký")
    else:
        assert again.returncode == 0, (moment, again.stderr)
    assert sorted(r["vai_tro"] for r in stored(ws)) == ["ban-ky", "pdfa"]
    assert_archive_consistent(ws, verify=False)
