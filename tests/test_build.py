"""``vanban build``: incremental, parallel, interruption-safe builds, and batches.

Everything runs the real command as a separate process in a temporary workspace
(``content/`` + maybe ``templates/``), and reads the real outputs with python-docx
and pdfplumber. What must be rebuilt is decided by the test from what it changed,
never by asking the generator: a unit's outputs changed when their bytes or
``st_mtime_ns`` changed.

The workspace (see ``workspace`` below):

- ``content/xa/2023/ke-hoach.yaml``: a plan (CT01; CT02 = CT02a + CT02b), agency by key;
- ``content/xa/2023/bao-cao.yaml``: the year-end report on it;
- ``content/xa/2023/ban-sao.yaml``: ``dua_tren`` the plan, one copy per row of ``_xa.csv``;
- ``content/khac/2023/ke-hoach.yaml``: an unrelated plan with an inline agency.

That is 6 documents (plan, report, 3 batch copies, unrelated plan), 12 output files.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pdfplumber
import pytest

from conftest import run_vanban
from generator.compose.templates import builtin_dir
from helpers_ws import AGENCIES, PLAN, docx_text, line_of, pdf_text, replace_once, squeeze

# -- the workspace ------------------------------------------------------------------

PLAN_FILE = "content/xa/2023/ke-hoach.yaml"
REPORT_FILE = "content/xa/2023/bao-cao.yaml"
BATCH_FILE = "content/xa/2023/ban-sao.yaml"
TABLE_FILE = "content/xa/2023/_xa.csv"
OTHER_FILE = "content/khac/2023/ke-hoach.yaml"

REPORT = """\
loai: bao-cao
co_quan: ubnd-quang-ninh
nam: 2023
ke_hoach: ke-hoach.yaml
trich_yeu: Kết quả thực hiện công tác phòng, chống tệ nạn xã hội năm 2023
ket_qua:
  CT01: 100
  CT02: 560
  CT02a: 510
  CT02b: 50
nguoi_ky:
  tham_quyen: KT. CHỦ TỊCH
  chuc_vu: PHÓ CHỦ TỊCH
  ho_ten: Nguyễn Văn A
noi_nhan:
  - Bộ Lao động - Thương binh và Xã hội (b/c)
  - "Lưu: VT, VX"
"""

BATCH = """\
dua_tren: ke-hoach.yaml
cho_moi: {bang: _xa.csv, ten_tep: "{ma}"}
so: null
"""

ROWS = {  # ma -> (co_quan.ten, co_quan.dia_danh), in table order
    "tan-an": ("Ủy ban nhân dân|xã Tân An", "Tân An"),
    "binh-minh": ("Ủy ban nhân dân|xã Bình Minh", "Bình Minh"),
    "hoa-lac": ("Ủy ban nhân dân|xã Hòa Lạc", "Hòa Lạc"),
}


def table(rows: dict) -> str:
    lines = ["ma,co_quan.ten,co_quan.dia_danh"]
    lines += [f"{ma},{ten},{dia_danh}" for ma, (ten, dia_danh) in rows.items()]
    return "\n".join(lines) + "\n"


OTHER = """\
loai: ke-hoach
co_quan:
  ten: [Sở Y tế, tỉnh Quảng Ninh]
  viet_tat: SYT
  dia_danh: Quảng Ninh
nam: 2023
so: 7
ngay: 2023-03-01
trich_yeu: Phòng, chống dịch bệnh truyền nhiễm năm 2023
muc_tieu_chung: Giảm số ca mắc bệnh truyền nhiễm so với năm 2022.
chi_tieu:
  - ma: YT01
    ten: Tỷ lệ trẻ em được tiêm chủng đầy đủ
    gia_tri: 95
    don_vi: "%"
nguoi_ky:
  chuc_vu: GIÁM ĐỐC
  ho_ten: Trần Thị B
noi_nhan:
  - Ủy ban nhân dân tỉnh (b/c)
  - "Lưu: VT, NVY"
"""

# Unit label (as printed by the command) -> output stem under output/.
PLAN_U = PLAN_FILE
REPORT_U = REPORT_FILE
OTHER_U = OTHER_FILE


def row_u(ma: str) -> str:
    return f"{BATCH_FILE} [{ma}]"


ROW_US = [row_u(ma) for ma in ROWS]
ALL_US = [PLAN_U, REPORT_U, *ROW_US, OTHER_U]


def stem_of(label: str) -> str:
    if label.endswith("]"):
        path, _, name = label[:-1].partition(" [")
        return str(Path(path).relative_to("content").with_suffix("") / name)
    return str(Path(label).relative_to("content").with_suffix(""))


def files_of(*labels: str, formats=("docx", "pdf")) -> set[str]:
    return {f"{stem_of(label)}.{fmt}" for label in labels for fmt in formats}


def write(ws: Path, rel: str, text: str) -> None:
    path = ws / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def read(ws: Path, rel: str) -> str:
    return (ws / rel).read_text(encoding="utf-8")


def make_ws(root: Path, rows: dict = ROWS) -> Path:
    ws = root / "ws"
    write(ws, "content/_co-quan.yaml", AGENCIES)
    write(ws, PLAN_FILE, PLAN)
    write(ws, REPORT_FILE, REPORT)
    write(ws, BATCH_FILE, BATCH)
    write(ws, TABLE_FILE, table(rows))
    write(ws, OTHER_FILE, OTHER)
    return ws


# -- running and reading --------------------------------------------------------------

def build(ws: Path, *extra: str) -> subprocess.CompletedProcess:
    return run_vanban("build", "content", "-o", "output", "-j", "2", *extra, cwd=ws)


def show(result: subprocess.CompletedProcess) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"


SUMMARY = re.compile(r"^Đã dựng (\d+), không đổi (\d+), lỗi (\d+), xóa (\d+)\.$")


def summary(result) -> tuple[int, int, int, int]:
    """(built, unchanged, failed, removed) from the final line of stdout."""
    lines = result.stdout.strip().splitlines()
    assert lines, show(result)
    match = SUMMARY.match(lines[-1])
    assert match, f"last line is not the summary:\n{show(result)}"
    return tuple(int(n) for n in match.groups())


def built_labels(result) -> set[str]:
    return {line[len("đã dựng "):] for line in result.stdout.splitlines()
            if line.startswith("đã dựng ")}


def explained(result, verb: str = "dựng") -> dict[str, str]:
    """``dựng <label>: <reasons>`` lines: label -> reasons."""
    out = {}
    for line in result.stdout.splitlines():
        if line.startswith(verb + " ") and ": " in line:
            label, _, reasons = line[len(verb) + 1:].partition(": ")
            out[label] = reasons
    return out


def outputs(ws: Path) -> dict[str, tuple[bytes, int]]:
    """Every result file under output/ (not the manifest, not hidden temporaries)."""
    root = ws / "output"
    if not root.is_dir():
        return {}
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)}


def everything(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root``, hidden ones included."""
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def touched(before: dict, after: dict) -> set[str]:
    """Files added, removed, rewritten or re-dated."""
    return {name for name in set(before) | set(after) if before.get(name) != after.get(name)}


def opens(path: Path) -> None:
    """The file is a whole document: python-docx reads a DOCX, pdfplumber finds a page."""
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        assert document.paragraphs or document.tables, path
    else:
        data = path.read_bytes()
        assert data.startswith(b"%PDF-"), path
        assert b"%%EOF" in data[-1024:], f"{path}: no %%EOF at the end (truncated?)"
        with pdfplumber.open(str(path)) as pdf:
            assert len(pdf.pages) >= 1, path


def manifest(ws: Path) -> dict:
    return json.loads((ws / "output" / ".vanban-build.json").read_text(encoding="utf-8"))


def uid(ws: Path, rel: str, row: str | None = None) -> str:
    path = str((ws / rel).resolve())
    return f"{path}#{row}" if row else path


@pytest.fixture
def ws(tmp_path) -> Path:
    """A workspace built once: every document made, the manifest written."""
    ws = make_ws(tmp_path)
    result = build(ws)
    assert result.returncode == 0, show(result)
    assert summary(result) == (6, 0, 0, 0), show(result)
    return ws


# -- 1. first build, then nothing to do ------------------------------------------------

def test_first_build_makes_everything_and_second_build_nothing(tmp_path):
    ws = make_ws(tmp_path)
    first = build(ws)
    assert first.returncode == 0, show(first)
    assert built_labels(first) == set(ALL_US), show(first)
    assert summary(first) == (6, 0, 0, 0), show(first)
    made = outputs(ws)
    assert set(made) == files_of(*ALL_US), sorted(made)
    for name in made:
        opens(ws / "output" / name)

    # The batch copies carry their row: agency lines and the date line's place.
    for ma, (ten, dia_danh) in ROWS.items():
        document = docx.Document(str(ws / "output" / f"xa/2023/ban-sao/{ma}.docx"))
        agency = document.tables[0].cell(0, 0).text.split("\n")
        assert agency[:2] == [line.upper() for line in ten.split("|")], agency
        dates = [p.text for t in document.tables[:2] for c in t._cells for p in c.paragraphs
                 if ", ngày" in p.text]
        assert dates and dates[0].startswith(f"{dia_danh}, ngày"), dates

    # The manifest: one entry per unit, by absolute content path (+ #row).
    data = manifest(ws)
    expected_ids = {uid(ws, PLAN_FILE), uid(ws, REPORT_FILE), uid(ws, OTHER_FILE),
                    *(uid(ws, BATCH_FILE, ma) for ma in ROWS)}
    assert set(data["units"]) == expected_ids
    for label in ALL_US:
        path, _, row = label.rstrip("]").partition(" [")
        entry = data["units"][uid(ws, path, row or None)]
        assert {"key", "inputs", "outputs", "targets"} <= set(entry), entry.keys()
        assert {str(Path(o)) for o in entry["outputs"]} == files_of(label)
        assert str((ws / path).resolve()) in entry["inputs"]
    report_inputs = data["units"][uid(ws, REPORT_FILE)]["inputs"]
    assert str((ws / PLAN_FILE).resolve()) in report_inputs  # a report's plan is an input
    row_inputs = data["units"][uid(ws, BATCH_FILE, "tan-an")]["inputs"]
    assert str((ws / PLAN_FILE).resolve()) in row_inputs  # the dua_tren base
    # A row depends on its own values, not on the whole table (one changed row
    # rebuilds one document).
    assert "dòng của bảng" in row_inputs
    assert str((ws / TABLE_FILE).resolve()) not in row_inputs

    second = build(ws)
    assert second.returncode == 0, show(second)
    assert summary(second) == (0, 6, 0, 0), show(second)
    assert built_labels(second) == set(), show(second)
    assert touched(made, outputs(ws)) == set()


# -- 2 and 5. a target of the plan changes; --dry-run and --explain first -------------

def test_plan_change_rebuilds_its_dependants_only(ws):
    before = outputs(ws)
    write(ws, PLAN_FILE, replace_once(read(ws, PLAN_FILE), "gia_tri: 100\n", "gia_tri: 90\n"))
    dependants = [PLAN_U, REPORT_U, *ROW_US]

    # --dry-run: says what it would do, writes nothing at all (manifest included).
    whole = everything(ws / "output")
    dry = build(ws, "--dry-run")
    assert dry.returncode == 0, show(dry)
    would = explained(dry, "sẽ dựng")
    assert set(would) == set(dependants), show(dry)
    for label in dependants:
        assert f"đổi {PLAN_FILE}" in would[label], show(dry)
    assert touched(whole, everything(ws / "output")) == set(), "--dry-run wrote files"
    assert not any("đã dựng" in line for line in dry.stdout.splitlines()), show(dry)

    # --explain: names the changed input of each rebuilt unit.
    result = build(ws, "--explain")
    assert result.returncode == 0, show(result)
    reasons = explained(result)
    assert set(reasons) == set(dependants), show(result)
    for label in dependants:
        assert f"đổi {PLAN_FILE}" in reasons[label], show(result)

    assert built_labels(result) == set(dependants), show(result)
    assert summary(result) == (5, 1, 0, 0), show(result)
    assert touched(before, outputs(ws)) == files_of(*dependants)

    # What changed in the targets, per rebuilt document.
    lines = result.stdout.splitlines()
    changed = [line for line in lines if line.startswith(f"{PLAN_FILE}: ")]
    assert changed and "CT01: 100 → 90" in changed[0], show(result)
    assert "CT02" not in changed[0], show(result)  # unchanged targets are not listed
    assert any(line.startswith(f"{REPORT_FILE}: ") and "CT01: 100 → 90" in line
               for line in lines), show(result)
    assert not any(line.startswith(f"{OTHER_FILE}: ") for line in lines), show(result)

    # The new value is in the documents: the report's table, the plan's sentence.
    report = docx.Document(str(ws / "output/xa/2023/bao-cao.docx"))
    rows = [[c.text for c in row.cells] for t in report.tables for row in t.rows]
    ct01 = [r for r in rows if len(r) == 7 and r[1] == "Xã, phường, thị trấn tổ chức hoạt động truyền thông"]
    assert len(ct01) == 1, rows
    assert ct01[0][3] == "90", ct01[0]  # Kế hoạch
    assert ct01[0][4] == "100", ct01[0]  # Thực hiện, from the report
    assert ct01[0][6] == "Vượt", ct01[0]
    for stem in ("xa/2023/ke-hoach", "xa/2023/ban-sao/hoa-lac"):
        assert "Phấn đấu 90%" in docx_text(ws / "output" / f"{stem}.docx"), stem

    again = build(ws)
    assert summary(again) == (0, 6, 0, 0), show(again)


# -- 3. rows and files come and go ----------------------------------------------------

def test_changing_one_row_rebuilds_that_row_only(ws):
    before = outputs(ws)
    rows = dict(ROWS)
    rows["binh-minh"] = ("Ủy ban nhân dân|xã Bình Minh", "Bình Minh Hạ")
    write(ws, TABLE_FILE, table(rows))
    result = build(ws, "--explain")
    assert result.returncode == 0, show(result)
    # The changed row's document has the new place in its date line...
    document = docx.Document(str(ws / "output/xa/2023/ban-sao/binh-minh.docx"))
    dates = [p.text for t in document.tables[:2] for c in t._cells for p in c.paragraphs
             if ", ngày" in p.text]
    assert dates and dates[0].startswith("Bình Minh Hạ, ngày"), dates
    # ... and nothing else was rebuilt.
    assert built_labels(result) == {row_u("binh-minh")}, show(result)
    assert set(explained(result)) == {row_u("binh-minh")}, show(result)
    assert summary(result) == (1, 5, 0, 0), show(result)
    assert touched(before, outputs(ws)) == files_of(row_u("binh-minh"))


def test_removing_a_row_deletes_its_outputs_only(ws):
    hand = ws / "output/xa/2023/ban-sao/tu-lam.docx"  # the clerk's own file
    hand.write_bytes(b"not ours")
    before = outputs(ws)

    rows = {ma: value for ma, value in ROWS.items() if ma != "binh-minh"}
    write(ws, TABLE_FILE, table(rows))
    result = build(ws)
    assert result.returncode == 0, show(result)
    gone = files_of(row_u("binh-minh"))
    after = outputs(ws)
    assert not gone & set(after), sorted(after)  # outputs of the removed row deleted
    assert hand.read_bytes() == b"not ours"
    assert uid(ws, BATCH_FILE, "binh-minh") not in manifest(ws)["units"]
    # The other rows, and everything else, untouched.
    assert built_labels(result) == set(), show(result)
    assert summary(result) == (0, 5, 0, 1), show(result)
    assert touched(before, after) == gone


def test_adding_a_row_builds_that_row_only(ws):
    rows = dict(ROWS)
    rows["song-cau"] = ("Ủy ban nhân dân|xã Sông Cầu", "Sông Cầu")
    write(ws, TABLE_FILE, table(rows))
    before = outputs(ws)
    result = build(ws, "--explain")
    assert result.returncode == 0, show(result)
    opens(ws / "output/xa/2023/ban-sao/song-cau.docx")
    opens(ws / "output/xa/2023/ban-sao/song-cau.pdf")
    assert "văn bản mới" in explained(result).get(row_u("song-cau"), ""), show(result)
    assert built_labels(result) == {row_u("song-cau")}, show(result)
    assert summary(result) == (1, 6, 0, 0), show(result)
    assert touched(before, outputs(ws)) == files_of(row_u("song-cau"))


def test_deleted_document_loses_its_outputs_but_not_the_clerks_files(ws):
    own = {ws / "output/ghi-chu.txt": b"ghi chu", ws / "output/khac/2023/ban-in-tay.docx": b"x",
           ws / "output/khac/2023/ke-hoach-cu.pdf": b"%PDF-1.4 old"}
    for path, data in own.items():
        path.write_bytes(data)
    before = outputs(ws)
    (ws / OTHER_FILE).unlink()

    # --dry-run announces the removal and removes nothing.
    dry = build(ws, "--dry-run")
    assert dry.returncode == 0, show(dry)
    assert any("sẽ xóa" in line and OTHER_FILE in line for line in dry.stdout.splitlines()), \
        show(dry)
    assert touched(before, outputs(ws)) == set()

    result = build(ws)
    assert result.returncode == 0, show(result)
    assert summary(result) == (0, 5, 0, 1), show(result)
    assert touched(before, outputs(ws)) == files_of(OTHER_U)
    assert not (ws / "output/khac/2023/ke-hoach.docx").exists()
    assert not (ws / "output/khac/2023/ke-hoach.pdf").exists()
    for path, data in own.items():
        assert path.read_bytes() == data, path
    assert uid(ws, OTHER_FILE) not in manifest(ws)["units"]

    # The agency list is an input of every document using one of its keys.
    write(ws, "content/_co-quan.yaml",
          AGENCIES.replace("dia_danh: Quảng Ninh", "dia_danh: Hạ Long"))
    before = outputs(ws)
    result = build(ws, "--explain")
    assert result.returncode == 0, show(result)
    assert built_labels(result) == {PLAN_U, REPORT_U, *ROW_US}, show(result)
    assert "đổi content/_co-quan.yaml" in explained(result).get(PLAN_U, ""), show(result)
    assert touched(before, outputs(ws)) == files_of(PLAN_U, REPORT_U, *ROW_US)
    for path, data in own.items():
        assert path.read_bytes() == data, path


# -- 4. templates, --force, formats -----------------------------------------------------

OLD_HEADING = "MỤC TIÊU, CHỈ TIÊU"
NEW_HEADING = "MỤC TIÊU VÀ CHỈ TIÊU CỤ THỂ"


def test_user_template_force_and_formats_are_inputs(ws):
    builtin = (builtin_dir() / "ke-hoach.j2").read_text(encoding="utf-8")
    write(ws, "templates/ke-hoach.j2", replace_once(builtin, OLD_HEADING, NEW_HEADING))
    plans = [PLAN_U, *ROW_US, OTHER_U]  # every ke-hoach document; the report is not one
    before = outputs(ws)
    result = build(ws, "--explain")
    assert result.returncode == 0, show(result)
    assert built_labels(result) == set(plans), show(result)
    assert "templates/ke-hoach.j2" in explained(result).get(PLAN_U, ""), show(result)
    assert summary(result) == (5, 1, 0, 0), show(result)
    assert touched(before, outputs(ws)) == files_of(*plans)
    for stem in ("xa/2023/ke-hoach", "xa/2023/ban-sao/tan-an", "khac/2023/ke-hoach"):
        text = docx_text(ws / "output" / f"{stem}.docx")
        assert NEW_HEADING in text and OLD_HEADING not in text, stem
        assert squeeze(NEW_HEADING) in squeeze(pdf_text(ws / "output" / f"{stem}.pdf")), stem

    before = outputs(ws)
    forced = build(ws, "--force", "--explain")
    assert forced.returncode == 0, show(forced)
    assert built_labels(forced) == set(ALL_US), show(forced)
    assert all("--force" in reasons for reasons in explained(forced).values()), show(forced)
    assert set(explained(forced)) == set(ALL_US), show(forced)
    assert summary(forced) == (6, 0, 0, 0), show(forced)
    assert touched(before, outputs(ws)) == files_of(*ALL_US)

    before = outputs(ws)
    pdf_only = build(ws, "--format", "pdf")
    assert pdf_only.returncode == 0, show(pdf_only)
    assert built_labels(pdf_only) == set(ALL_US), show(pdf_only)
    assert summary(pdf_only) == (6, 0, 0, 0), show(pdf_only)
    assert files_of(*ALL_US, formats=("pdf",)) <= touched(before, outputs(ws))
    again = build(ws, "--format", "pdf")
    assert summary(again) == (0, 6, 0, 0), show(again)


# -- 6. killed mid-build ------------------------------------------------------------------

# Enough rows for the build to take a few seconds at -j 2, so that every delay
# below kills it while workers are writing.
KILL_ROWS = {f"xa-{n:02d}": (f"Ủy ban nhân dân|xã Số {n}", f"Xã Số {n}") for n in range(1, 49)}


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5])
def test_sigkill_never_leaves_a_broken_file(tmp_path, delay):
    ws = make_ws(tmp_path, KILL_ROWS)
    (ws / REPORT_FILE).unlink()
    (ws / OTHER_FILE).unlink()
    labels = [PLAN_U, *(row_u(ma) for ma in KILL_ROWS)]
    env = dict(os.environ)
    env.pop("VANBAN_DEBUG", None)
    log = tmp_path / "killed.log"
    with open(log, "w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "generator", "build", "content",
                                 "-o", "output", "-j", "2"], cwd=ws, stdout=sink,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)
        time.sleep(delay)
        running = proc.poll() is None  # for the messages only: no timing assertion
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the command and its workers
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
    # Wait for the workers of the group to be gone before looking at the files.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)

    out = ws / "output"
    for path in sorted(out.rglob("*")) if out.is_dir() else []:
        if path.suffix in (".docx", ".pdf") and not path.name.startswith("."):
            opens(path)
    if (out / ".vanban-build.json").exists():
        json.loads((out / ".vanban-build.json").read_text(encoding="utf-8"))

    result = build(ws)
    killed = f"\n--- run killed after {delay} s (still running: {running})\n{log.read_text()}"
    assert result.returncode == 0, show(result) + killed
    assert summary(result)[2:] == (0, 0), show(result) + killed
    made = outputs(ws)
    assert set(made) == files_of(*labels), sorted(made)
    for name in made:
        opens(out / name)
    assert not [str(p) for p in out.rglob("*.part")]
    again = build(ws)
    assert summary(again) == (0, len(labels), 0, 0), show(again)


# -- 7. one broken document among many ---------------------------------------------------

def test_broken_document_does_not_stop_the_others(tmp_path):
    ws = make_ws(tmp_path)
    text = replace_once(OTHER, "ngay: 2023-03-01", "ngay: 2023-02-30")
    write(ws, OTHER_FILE, text)
    result = build(ws)
    assert result.returncode == 1, show(result)
    assert built_labels(result) == {PLAN_U, REPORT_U, *ROW_US}, show(result)
    assert summary(result) == (5, 0, 1, 0), show(result)
    where = f"{OTHER_FILE}:{line_of(text, 'ngay:')}: ngay"
    assert where in result.stderr, show(result)
    assert "Traceback" not in result.stderr
    made = outputs(ws)
    assert set(made) == files_of(PLAN_U, REPORT_U, *ROW_US), sorted(made)


def test_broken_batch_rows_name_table_line_and_column(tmp_path):
    ws = make_ws(tmp_path)
    write(ws, TABLE_FILE,
          "ma,co_quan.ten,co_quan.dia_danh,chi_tieu.CT01,chi_tieu.CT99\n"
          "tan-an,Ủy ban nhân dân|xã Tân An,Tân An,95,\n"
          "binh-minh,Ủy ban nhân dân|xã Bình Minh,Bình Minh,nhiều,\n"
          "hoa-lac,Ủy ban nhân dân|xã Hòa Lạc,Hòa Lạc,,5\n")
    result = build(ws)
    assert result.returncode == 1, show(result)
    assert f"{TABLE_FILE}:3: chi_tieu.CT01" in result.stderr, show(result)  # not a number
    assert f"{TABLE_FILE}:4: chi_tieu.CT99" in result.stderr, show(result)  # no such target
    assert "Traceback" not in result.stderr
    assert built_labels(result) == {PLAN_U, REPORT_U, OTHER_U, row_u("tan-an")}, show(result)
    assert summary(result) == (4, 0, 2, 0), show(result)
    made = outputs(ws)
    assert set(made) == files_of(PLAN_U, REPORT_U, OTHER_U, row_u("tan-an")), sorted(made)
    # The good row's override of CT01 is in its document.
    assert "Phấn đấu 95%" in docx_text(ws / "output/xa/2023/ban-sao/tan-an.docx")


# -- 8. every commune of a province ------------------------------------------------------

def test_communes_of_lai_chau(tmp_path):
    from vietnam_provinces import Province, Ward

    province = next(p for p in Province.iter_all() if p.name.endswith("Lai Châu"))
    wards = list(Ward.iter_by_province(province.code))
    assert len(wards) == 38  # the official list this test was written against

    ws = tmp_path / "ws"
    plan = (PLAN.replace("co_quan: ubnd-quang-ninh",
                         "co_quan:\n  ten: [Ủy ban nhân dân, tỉnh Lai Châu]\n"
                         "  viet_tat: UBND\n  dia_danh: Lai Châu")
            .replace("nam: 2023", "nam: 2026").replace("ngay: 2023-01-04", "ngay: 2026-01-05"))
    write(ws, "content/lai-chau/2026/ke-hoach.yaml", plan)
    write(ws, "content/lai-chau/2026/xa.yaml",
          "dua_tren: ke-hoach.yaml\ncho_moi: {xa_cua_tinh: Lai Châu}\n")
    result = build(ws)
    assert result.returncode == 0, show(result)
    assert summary(result) == (len(wards) + 1, 0, 0, 0), show(result)

    folder = ws / "output/lai-chau/2026/xa"
    docxs = sorted(folder.glob("*.docx"))
    assert len(docxs) == len(wards), [p.name for p in docxs]
    assert len(list(folder.glob("*.pdf"))) == len(wards)
    by_code = {w.code.value: w for w in wards}
    assert {int(p.stem) for p in docxs} == set(by_code)  # ten_tep defaults to {ma_xa}

    for path in docxs:
        ward = by_code[int(path.stem)]
        own = re.sub(r"^(xã|phường|đặc khu)\s+", "", ward.name, flags=re.IGNORECASE)
        document = docx.Document(str(path))
        agency = [line for line in document.tables[0].cell(0, 0).text.split("\n") if line]
        assert agency == ["ỦY BAN NHÂN DÂN", ward.name.upper()], (path.name, agency)
        dates = [p.text for t in document.tables[:2] for c in t._cells for p in c.paragraphs
                 if ", ngày" in p.text]
        assert dates and dates[0].startswith(f"{own}, ngày "), (path.name, dates)
        assert dates[0].endswith("năm 2026"), (path.name, dates)

    for path in (docxs[0], docxs[len(docxs) // 2], docxs[-1]):
        ward = by_code[int(path.stem)]
        pdf = path.with_suffix(".pdf")
        opens(pdf)
        assert squeeze(ward.name.upper()) in squeeze(pdf_text(pdf)), pdf.name
