"""A build that survives anything a file or a clerk can do (issue 9).

Every case runs the real command as a process on a real workspace and reads the
real outputs. Workspaces that several tests read are built once per module.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pdfplumber
import pytest

from conftest import REPO
from generator.compose.templates import builtin_dir
from helpers_ws import AGENCIES, PLAN, replace_once, report

MM = 72 / 25.4
BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

RESULTS = {"CT01": 100, "CT02": 560, "CT02a": 510, "CT02b": 50}


# -- helpers ---------------------------------------------------------------------------

def write(ws: Path, rel: str, text: str | bytes) -> Path:
    path = ws / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def show(result) -> str:
    return f"exit {result.returncode}\n--- stdout\n{result.stdout}--- stderr\n{result.stderr}"


def summary(result) -> tuple[int, ...]:
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("Đã dựng "), show(result)
    return tuple(int(w.rstrip(",.")) for w in last.split() if w.rstrip(",.").isdigit())


def vanban(ws: Path, *args, env_extra: dict | None = None, timeout=300):
    env = dict(os.environ)
    env.pop("VANBAN_DEBUG", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=ws,
                          capture_output=True, text=True, env=env, timeout=timeout)


def clean(result) -> None:
    """What a clerk must never see."""
    for bad in ("Traceback", "Lỗi không mong đợi"):
        assert bad not in result.stderr + result.stdout, show(result)


def opens(path: Path) -> None:
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        assert document.paragraphs, path
    else:
        with pdfplumber.open(str(path)) as pdf:
            assert pdf.pages and pdf.pages[0].extract_text(), path


def all_outputs_open(out: Path) -> list[Path]:
    found = [p for p in out.rglob("*") if p.suffix in (".docx", ".pdf")
             and not p.name.startswith(".")]
    for path in found:
        opens(path)
    assert not list(out.rglob("*.part")), sorted(out.rglob("*.part"))
    return found


def manifest(out: Path) -> dict:
    return json.loads((out / ".vanban-build.json").read_text(encoding="utf-8"))["units"]


def base(ws: Path) -> Path:
    write(ws, "content/_co-quan.yaml", AGENCIES)
    return ws


def plan(**changes) -> str:
    text = PLAN
    for old, new in changes.items():
        text = replace_once(text, old, new)
    return text


def plan_with_cau(cau: str) -> str:
    return replace_once(PLAN, 'cau: "Cai nghiện ma túy cho {{ gia_tri }}"', f"cau: {cau}")


# -- 1. values are data, never structure --------------------------------------------------

FORGED = "NGƯỜI KÝ GIẢ"


@pytest.fixture(scope="module")
def forged(tmp_path_factory) -> Path:
    ws = base(tmp_path_factory.mktemp("forged"))
    write(ws, "content/xa/2023/cau.yaml",
          # YAML single quotes: Jinja itself reads the escape and prints a line feed.
          plan_with_cau("'Cai nghiện ma túy cho {{ gia_tri }}{{ \"\\n@ho-ten " + FORGED
                        + "\" }}'"))
    write(ws, "content/xa/2023/kh.yaml", PLAN)
    write(ws, "content/xa/2023/ban.yaml",
          "dua_tren: kh.yaml\ncho_moi: {bang: _ban.csv, ten_tep: '{ma}'}\n")
    write(ws, "content/xa/2023/_ban.csv",
          'ma,trich_yeu\nx1,"Phòng, chống tệ nạn\n@ho-ten ' + FORGED + '\n@muc GIẢ"\n')
    result = vanban(ws, "build", "content", "-o", "output", "-j", "2")
    assert result.returncode == 0, show(result)
    return ws


@pytest.mark.parametrize("stem", ["xa/2023/cau", "xa/2023/ban/x1"])
def test_a_value_cannot_add_a_signer_or_a_heading(forged, stem):
    document = docx.Document(str(forged / "output" / f"{stem}.docx"))
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs += [p.text for p in cell.paragraphs]
    # The forged name is printed, as written, inside the paragraph of its value …
    holding = [p for p in paragraphs if FORGED in p]
    assert len(holding) == 1, holding
    assert f"@ho-ten {FORGED}" in holding[0] and holding[0].index(FORGED) > 10, holding
    # … and the signature block holds the real signer only.
    assert paragraphs.count("Nguyễn Văn A") == 1
    assert not any(p.strip() in (FORGED, "GIẢ", "I. GIẢ", "II. GIẢ") for p in paragraphs)
    with pdfplumber.open(str(forged / "output" / f"{stem}.pdf")) as pdf:
        text = "\n".join(page.extract_text() for page in pdf.pages)
    assert text.count(FORGED) == 1 and "@ho-ten" in text


def test_check_passes_the_value_as_text(forged):
    result = vanban(forged, "check", "content")
    clean(result)
    assert result.returncode == 0, show(result)


# -- 2. output names are owned ---------------------------------------------------------

@pytest.fixture(scope="module")
def names(tmp_path_factory) -> tuple[Path, object]:
    ws = base(tmp_path_factory.mktemp("names"))
    write(ws, "content/xa/2023/a.yaml", PLAN)
    b = plan(**{"so: 5\n": "so: 5\nten_tep: a\n"})
    write(ws, "content/xa/2023/b.yaml", b)
    write(ws, "content/hoa/2023/kh.yaml", PLAN)
    write(ws, "content/hoa/2023/khac.yaml", plan(**{"so: 5\n": "so: 5\nten_tep: KH\n"}))
    write(ws, "content/dt/2023/du-thao.1.yaml", PLAN)
    write(ws, "content/dt/2023/du-thao.2.yaml",
          plan(**{"trich_yeu: Thực hiện": "trich_yeu: Bản hai thực hiện"}))
    write(ws, "content/bs/2023/ds.yaml",
          "dua_tren: ../../xa/2023/a.yaml\ncho_moi: {bang: _ds.csv, ten_tep: '{ma}'}\n")
    write(ws, "content/bs/2023/_ds.csv", "ma\nx1\nx2\n")
    write(ws, "content/bs/2023/ds/x1.yaml", PLAN)
    write(ws, "content/ok/2023/kh.yaml", PLAN)
    return ws, vanban(ws, "build", "content", "-o", "output", "-j", "2")


def test_two_documents_never_write_one_file(names):
    ws, result = names
    clean(result)
    assert result.returncode == 1, show(result)
    err = result.stderr
    b_line = line_of((ws / "content/xa/2023/b.yaml").read_text(), "ten_tep")
    # Each colliding document is refused, naming the other (and the line of ten_tep).
    assert f"content/xa/2023/b.yaml:{b_line}: ten_tep:" in err, show(result)
    assert "content/xa/2023/a.yaml" in err
    assert "content/hoa/2023/khac.yaml:" in err and "content/hoa/2023/kh.yaml" in err
    assert "content/bs/2023/_ds.csv:2" in err and "content/bs/2023/ds/x1.yaml" in err
    out = ws / "output"
    assert not (out / "xa/2023/a.docx").exists()  # neither wrote it
    # "du-thao.1" and "du-thao.2" are two names, two files.
    one, two = out / "dt/2023/du-thao.1.docx", out / "dt/2023/du-thao.2.docx"
    assert "Bản hai" not in "".join(p.text for p in docx.Document(str(one)).paragraphs)
    assert "Bản hai" in "".join(p.text for p in docx.Document(str(two)).paragraphs)
    assert (out / "bs/2023/ds/x2.docx").is_file() and (out / "ok/2023/kh.pdf").is_file()
    all_outputs_open(out)


def test_check_names_the_same_collisions(names):
    ws, _ = names
    result = vanban(ws, "check", "content")
    clean(result)
    assert result.returncode == 1
    assert "content/xa/2023/b.yaml:" in result.stderr and "trùng" in result.stderr, show(result)
    assert "content/hoa/2023/khac.yaml:" in result.stderr


def test_render_refuses_the_same_collisions(names):
    ws, _ = names
    result = vanban(ws, "render", "content/xa", "-o", "rendered", "--format", "docx")
    clean(result)
    assert result.returncode == 1
    assert "content/xa/2023/b.yaml:" in result.stderr and "content/xa/2023/a.yaml" in result.stderr
    assert not (ws / "rendered/xa/2023/a.docx").exists()


def test_stale_cleanup_removes_only_what_the_deleted_source_made(tmp_path):
    ws = base(tmp_path)
    write(ws, "content/xa/2023/a.yaml", PLAN)
    write(ws, "content/xa/2023/keep.yaml", PLAN)
    first = vanban(ws, "build", "content", "-o", "output", "--format", "docx")
    assert first.returncode == 0, show(first)
    # a.yaml is deleted; b.yaml takes its output name in the same step.
    (ws / "content/xa/2023/a.yaml").unlink()
    write(ws, "content/xa/2023/b.yaml",
          plan(**{"so: 5\n": "so: 5\nten_tep: a\n",
                  "trich_yeu: Thực hiện": "trich_yeu: Của tệp b thực hiện"}))
    second = vanban(ws, "build", "content", "-o", "output", "--format", "docx")
    assert second.returncode == 0, show(second)
    made = ws / "output/xa/2023/a.docx"
    assert made.is_file(), show(second)
    assert "Của tệp b" in "".join(p.text for p in docx.Document(str(made)).paragraphs)
    assert (ws / "output/xa/2023/keep.docx").is_file()
    # b.yaml deleted in turn: now its file goes, keep.yaml's stays.
    (ws / "content/xa/2023/b.yaml").unlink()
    third = vanban(ws, "build", "content", "-o", "output", "--format", "docx")
    assert third.returncode == 0, show(third)
    assert not made.exists() and (ws / "output/xa/2023/keep.docx").is_file()


# -- 3. forty documents, eight broken eight ways ------------------------------------------

GOOD_ROWS = [f"xa-{n:02d}" for n in range(1, 31)]
BROKEN = {  # file -> text that names it in a problem
    "content/hu/so-lon.yaml": "content/hu/so-lon.yaml:",
    "content/hu/long-nhau.yaml": "content/hu/long-nhau.yaml",
    "content/hu/ky-tu.yaml": "content/hu/_ky-tu.csv:2",
    "content/hu/tu-bao-cao.yaml": "content/hu/tu-bao-cao.yaml:",
    "content/hu/bang-gia.yaml": "content/hu/bang-gia.yaml:",
    "content/hu/ten-dai.yaml": "content/hu/ten-dai.yaml:",
    "content/hu/cau-pop.yaml": "content/hu/cau-pop.yaml:",
    "content/hu/bom.yaml": "content/hu/bom.yaml",
}


def forty(ws: Path) -> Path:
    base(ws)
    write(ws, "content/tot/kh.yaml", PLAN)
    write(ws, "content/tot/bc.yaml", report("kh.yaml", **RESULTS))
    write(ws, "content/tot/ban.yaml",
          "dua_tren: kh.yaml\ncho_moi: {bang: _ban.csv, ten_tep: '{ma}'}\nso: null\n")
    write(ws, "content/tot/_ban.csv", "ma\n" + "\n".join(GOOD_ROWS) + "\n")
    write(ws, "content/hu/so-lon.yaml", plan(**{"gia_tri: 550": "gia_tri: 1e26"}))
    write(ws, "content/hu/long-nhau.yaml",
          re.sub(r"(?m)^muc_tieu_chung: (.*)$",
                 lambda m: "muc_tieu_chung: " + "[" * 150 + m.group(1) + "]" * 150, PLAN))
    write(ws, "content/hu/ky-tu.yaml",
          "dua_tren: ../tot/kh.yaml\ncho_moi: {bang: _ky-tu.csv, ten_tep: '{ma}'}\n")
    write(ws, "content/hu/_ky-tu.csv", "ma,trich_yeu\nk1,Kế hoạch \uffff năm\n")
    write(ws, "content/hu/tu-bao-cao.yaml", report("tu-bao-cao.yaml", **RESULTS))
    write(ws, "content/hu/bang-gia.yaml",
          "dua_tren: ../tot/kh.yaml\ncho_moi: {bang: _gia.xlsx, ten_tep: '{ma}'}\n")
    write(ws, "content/hu/_gia.xlsx", "ma,trich_yeu\ng1,Giả\n")
    write(ws, "content/hu/ten-dai.yaml", plan(**{"so: 5\n": "so: 5\nten_tep: " + "đ" * 150 + "\n"}))
    write(ws, "content/hu/cau-pop.yaml", plan_with_cau('"{{ [].pop() }}"'))
    write(ws, "content/hu/bom.yaml", PLAN + BOMB)
    return ws


@pytest.fixture(scope="module", params=["1", "2"], ids=["j1", "j2"])
def forty_built(request, tmp_path_factory):
    ws = forty(tmp_path_factory.mktemp(f"forty-j{request.param}"))
    first = vanban(ws, "build", "content", "-o", "output", "-j", request.param)
    second = vanban(ws, "build", "content", "-o", "output", "-j", request.param)
    return ws, first, second


def test_eight_broken_documents_fail_alone(forty_built):
    ws, first, second = forty_built
    clean(first)
    assert first.returncode == 1, show(first)
    assert summary(first) == (32, 0, 8, 0), show(first)
    for file, named in BROKEN.items():
        assert f"Lỗi ở {file}" in first.stderr, (file, show(first))
        assert named in first.stderr, (file, show(first))
    units = manifest(ws / "output")
    assert len(units) == 32
    recorded = {o for entry in units.values() for o in entry["outputs"]}
    assert len(recorded) == 64
    made = all_outputs_open(ws / "output")
    assert {str(p.relative_to(ws / "output")) for p in made} == recorded
    # Nothing to redo: the good ones are unchanged, the broken ones still broken.
    clean(second)
    assert second.returncode == 1 and summary(second) == (0, 32, 8, 0), show(second)


def test_check_finds_every_broken_document(forty_built):
    ws, _, _ = forty_built
    result = vanban(ws, "check", "content")
    clean(result)
    assert result.returncode == 1
    for named in BROKEN.values():
        assert named in result.stderr, (named, show(result))
    assert "content/tot/" not in result.stderr.replace("cảnh báo", ""), show(result)


# -- 4. more broken inputs, each alone ------------------------------------------------------

CASES = {
    # name: (files to write, text naming the file in the problem)
    "ffff-in-yaml": ({"content/x/a.yaml": plan(**{
        "trich_yeu: Thực hiện": 'trich_yeu: "Thực \\uFFFF hiện'}).replace(
        "năm 2023\ncan_cu", 'năm 2023"\ncan_cu', 1)}, "content/x/a.yaml:"),
    "surrogate-in-yaml": ({"content/x/a.yaml": plan(**{
        "trich_yeu: Thực hiện": 'trich_yeu: "Thực \\uD800 hiện'}).replace(
        "năm 2023\ncan_cu", 'năm 2023"\ncan_cu', 1)}, "content/x/a.yaml:"),
    "vt-in-csv": ({"content/x/a.yaml": "dua_tren: ../ok/kh.yaml\ncho_moi: {bang: _a.csv}\n",
                   "content/x/_a.csv": "ma,trich_yeu\nv1,Kế hoạch\x0bnăm\n"},
                  "content/x/_a.csv:2"),
    "format-map-in-cau": ({"content/x/a.yaml": plan_with_cau(
        '"{{ \'{gia_tri}\'.format_map(42) }}"')}, "content/x/a.yaml:"),
    "recursive-report": ({"content/x/a.yaml": report("b.yaml", **RESULTS),
                          "content/x/b.yaml": report("a.yaml", **RESULTS)},
                         "content/x/a.yaml:"),
    "nan-number": ({"content/x/a.yaml": plan(**{"gia_tri: 550": "gia_tri: .nan"})},
                   "content/x/a.yaml:"),
    "huge-year": ({"content/x/a.yaml": plan(**{"nam: 2023": "nam: 99999"})},
                  "content/x/a.yaml:"),
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict:
    """Each case in its own workspace beside one good plan, checked then built."""
    out = {}
    for name, (files, _) in CASES.items():
        ws = base(tmp_path_factory.mktemp(name))
        write(ws, "content/ok/kh.yaml", PLAN)
        for rel, text in files.items():
            write(ws, rel, text)
        out[name] = (ws, vanban(ws, "check", "content"),
                     vanban(ws, "build", "content", "-o", "output", "--format", "docx"))
    return out


@pytest.mark.parametrize("name", CASES)
def test_a_broken_input_is_its_documents_problem(cases, name):
    ws, check, build = cases[name]
    named = CASES[name][1]
    for result in (check, build):
        clean(result)
        assert result.returncode == 1, show(result)
        assert named in result.stderr, show(result)
    assert (ws / "output/ok/kh.docx").is_file(), show(build)
    opens(ws / "output/ok/kh.docx")


def test_a_table_in_another_encoding_never_aborts_the_build(tmp_path):
    ws = base(tmp_path)
    write(ws, "content/ok/kh.yaml", PLAN)
    write(ws, "content/x/a.yaml", "dua_tren: ../ok/kh.yaml\ncho_moi: {bang: _a.csv}\n")
    write(ws, "content/x/_a.csv", "ma,trich_yeu\nw1,Đà La\u0323t\n".encode("cp1258"))
    result = vanban(ws, "build", "content", "-o", "output", "--format", "docx")
    clean(result)
    assert (ws / "output/ok/kh.docx").is_file(), show(result)
    # Read correctly, or refused naming the table: never a crash of the whole build.
    assert result.returncode == 0 or "content/x/" in result.stderr, show(result)


# -- 5. limits, measured -------------------------------------------------------------------

MEASURE = """
import json, resource, subprocess, sys
result = subprocess.run(sys.argv[1:], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": result.returncode, "stderr": result.stderr,
                  "cpu": usage.ru_utime + usage.ru_stime, "rss_kib": usage.ru_maxrss}))
"""

USER_LOOP = ('{% set ns = namespace(a=[1]) %}{% for x in ns.a %}'
             '{{ ns.a.append(1) }}{% endfor %}\n')
LIMITS = {
    "alias-bomb": ({"content/x/a.yaml": PLAN + BOMB}, "bí danh"),
    "string-repetition": ({"content/x/a.yaml": plan_with_cau(
        '"{{ (\'ab\'*(2*10**9))|length }}"')}, "giới hạn"),
    "format-width": ({"content/x/a.yaml": plan_with_cau(
        '"{{ \'{:>2000000000}\'.format(1) }}"')}, "độ rộng"),
    "nested-ranges": ({"content/x/a.yaml": plan_with_cau(
        '"{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}'
        '{% endfor %}x"')}, "vòng lặp"),
    "template-forever": ({"content/x/a.yaml": PLAN, "templates/ke-hoach.j2": USER_LOOP},
                         "templates/ke-hoach.j2"),
    "deep-nesting": ({"content/x/a.yaml": "muc_dich: " + "[" * 5000 + "]" * 5000 + "\n"},
                     "lồng nhau"),
    "huge-number": ({"content/x/a.yaml": plan(**{"gia_tri: 550": "gia_tri: 1e400"})},
                    "gia_tri"),
}


@pytest.mark.parametrize("name", LIMITS)
def test_resource_cases_stay_within_limits(tmp_path, name):
    files, said = LIMITS[name]
    ws = base(tmp_path)
    for rel, text in files.items():
        write(ws, rel, text)
    measured = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m",
                               "generator", "check", "content"], cwd=ws, capture_output=True,
                              text=True, timeout=120)
    usage = json.loads(measured.stdout)
    assert usage["code"] == 1, usage
    assert "content/x/a.yaml" in usage["stderr"] and said in usage["stderr"], usage
    assert "Traceback" not in usage["stderr"] and "Lỗi không mong đợi" not in usage["stderr"]
    assert usage["cpu"] < 10, usage
    assert usage["rss_kib"] < 500 * 1024, usage


def test_a_user_template_runs_in_the_sandbox(tmp_path):
    ws = base(tmp_path)
    write(ws, "content/x/a.yaml", PLAN)
    escape = tmp_path / "escaped"
    write(ws, "templates/ke-hoach.j2",
          '{{ cycler.__init__.__globals__.os.system("touch ' + str(escape) + '") }}\n')
    result = vanban(ws, "build", "content", "-o", "output")
    clean(result)
    assert result.returncode == 1 and "templates/ke-hoach.j2" in result.stderr, show(result)
    assert not escape.exists()
    write(ws, "templates/ke-hoach.j2",
          "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}\n")
    result = vanban(ws, "build", "content", "-o", "output")
    clean(result)
    assert result.returncode == 1 and "templates/ke-hoach.j2" in result.stderr, show(result)


def test_check_is_fast_on_the_shipped_examples():
    measured = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m",
                               "generator", "check", "content"], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
    usage = json.loads(measured.stdout)
    assert usage["code"] == 0, usage
    assert usage["cpu"] < 2, usage  # CPU seconds of the whole command


# -- 6. template dependencies --------------------------------------------------------------

def test_a_commented_include_does_not_hide_the_templates(tmp_path):
    ws = base(tmp_path)
    write(ws, "content/x/a.yaml", PLAN)
    own = (builtin_dir() / "ke-hoach.j2").read_text(encoding="utf-8")
    own = '{# {% include "khong-co.j2" %} #}\n' + own
    write(ws, "templates/ke-hoach.j2", own)
    first = vanban(ws, "build", "content", "-o", "output", "--format", "pdf")
    assert first.returncode == 0, show(first)
    write(ws, "templates/ke-hoach.j2",
          replace_once(own, '"MỤC ĐÍCH, YÊU CẦU"', '"MỤC ĐÍCH VÀ YÊU CẦU"'))
    second = vanban(ws, "build", "content", "-o", "output", "--format", "pdf")
    assert second.returncode == 0 and summary(second)[0] == 1, show(second)
    with pdfplumber.open(str(ws / "output/x/a.pdf")) as pdf:
        assert "MỤC ĐÍCH VÀ YÊU CẦU" in pdf.pages[0].extract_text()


# -- 7. one build per output folder; kills and signals ------------------------------------------

def small(ws: Path, rows: int = 3) -> Path:
    base(ws)
    write(ws, "content/xa/kh.yaml", PLAN)
    write(ws, "content/xa/ban.yaml",
          "dua_tren: kh.yaml\ncho_moi: {bang: _ban.csv, ten_tep: '{ma}'}\nso: null\n")
    write(ws, "content/xa/_ban.csv", "ma\n" + "\n".join(f"r{n}" for n in range(rows)) + "\n")
    return ws


def start(ws: Path, *args, env_extra=None) -> subprocess.Popen:
    env = dict(os.environ)
    env.pop("VANBAN_DEBUG", None)
    env.update(env_extra or {})
    return subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=ws, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def test_two_builds_on_one_folder(tmp_path):
    ws = small(tmp_path / "ws", rows=1)
    for trial in range(5):
        out = f"output-{trial}"
        procs = [start(ws, "build", "content", "-o", out, "-j", "2") for _ in range(2)]
        results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
        for stdout, stderr, code in results:
            assert code == 0, (trial, stdout, stderr)
            assert "Traceback" not in stderr
        waited = [stderr for _, stderr, _ in results if "đang chờ" in stderr]
        built = sorted(summary(subprocess.CompletedProcess([], 0, stdout, ""))[0]
                       for stdout, _, _ in results)
        # One made the 2 documents; the other waited for it, then had nothing to do.
        assert built == [0, 2], (trial, results)
        assert len(waited) <= 1
        assert len(all_outputs_open(ws / out)) == 4


def alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("phase", ["submitted", "rendered", "published", "saving"])
def test_sigkill_of_a_parallel_build(tmp_path, phase):
    ws = small(tmp_path / "ws")
    marker = tmp_path / "reached"
    proc = start(ws, "build", "content", "-o", "output", "-j", "2",
                 env_extra={"VANBAN_TEST_HOLD": f"{phase}:{marker}"})
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), proc.communicate()
    os.kill(proc.pid, signal.SIGKILL)  # the command only: its workers must follow
    proc.wait()
    deadline = time.monotonic() + 5
    while alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(proc.pid), subprocess.run(["ps", "-o", "pid,ppid,cmd", "-g",
                                                str(proc.pid)], capture_output=True,
                                               text=True).stdout
    out = ws / "output"
    for path in out.rglob("*"):
        if path.suffix in (".docx", ".pdf") and not path.name.startswith("."):
            opens(path)
    again = vanban(ws, "build", "content", "-o", "output", "-j", "2")
    assert again.returncode == 0, show(again)
    assert len(all_outputs_open(out)) == 8


@pytest.mark.parametrize("command,sig", [("render", signal.SIGTERM), ("build", signal.SIGINT),
                                         ("build", signal.SIGTERM)])
def test_a_stopped_command_leaves_no_part_file(tmp_path, command, sig):
    ws = small(tmp_path / "ws", rows=1)
    marker = tmp_path / "reached"
    args = ["render", "content/xa/kh.yaml"] if command == "render" else \
        ["build", "content", "-j", "1"]
    proc = start(ws, *args, "-o", "output",
                 env_extra={"VANBAN_TEST_HOLD": f"rendered:{marker}"})
    deadline = time.monotonic() + 120
    while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), proc.communicate()
    assert list((ws / "output").rglob("*.part")), "the hold is after the temporary files"
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert "Đã dừng" in stderr and "Traceback" not in stderr, stderr
    assert not list((ws / "output").rglob("*.part"))


def test_a_part_file_of_a_living_writer_is_kept(tmp_path):
    ws = small(tmp_path / "ws", rows=1)
    out = ws / "output" / "xa"
    out.mkdir(parents=True)
    living = out / f".kh.docx.{os.getpid()}.abcd1234.part"
    dead = out / ".kh.pdf.999999999.abcd1234.part"
    living.write_bytes(b"half")
    dead.write_bytes(b"half")
    result = vanban(ws, "build", "content", "-o", "output", "--format", "docx")
    assert result.returncode == 0, show(result)
    assert living.exists() and not dead.exists()


# -- 8. nothing leaves its box ----------------------------------------------------------------

WORD = "Đ" + "a" * 199
URL = "https://dichvucong.gov.vn/p/home/dvc-tthc-thu-tuc-hanh-chinh-chi-tiet.html?ma=123456"


@pytest.fixture(scope="module")
def overflow(tmp_path_factory) -> Path:
    ws = base(tmp_path_factory.mktemp("overflow"))
    text = plan(**{"trich_yeu: Thực hiện": f"trich_yeu: {WORD} {URL} Thực hiện",
                   "kinh_phi: Kinh phí": f"kinh_phi: {WORD} {URL} Kinh phí"})
    text += f"""phu_luc:
  - tieu_de: Danh sách
    bang:
      cot: [STT, Nội dung, Địa chỉ, Ghi chú]
      dong:
        - ["1", "{WORD}", "{URL}", "x"]
        - ["2", "Ngắn", "{URL}", "y"]
"""
    write(ws, "content/x/a.yaml", text)
    result = vanban(ws, "render", "content/x/a.yaml", "-o", "output")
    assert result.returncode == 0, show(result)
    return ws / "output/x/a"


def test_long_words_stay_inside_the_page_and_their_cells_in_the_pdf(overflow):
    from generator import style

    with pdfplumber.open(str(overflow.with_suffix(".pdf"))) as pdf:
        seen = ""
        for page in pdf.pages:
            landscape = page.width > page.height
            left = style.MARGIN_LEFT_MM * MM
            right = page.width - style.MARGIN_RIGHT_MM * MM
            chars = [c for c in page.chars if c["text"].strip()]
            seen += "".join(c["text"] for c in chars)
            outside = [c["text"] for c in chars if c["x0"] < left - 0.5 or c["x1"] > right + 0.5]
            assert not outside, (page.page_number, landscape, "".join(outside)[:60])
            for table in page.find_tables():
                for cell in (c for row in table.rows for c in row.cells if c):
                    x0, top, x1, bottom = cell
                    inside = [c for c in chars if top <= (c["top"] + c["bottom"]) / 2 <= bottom
                              and x0 - 1 < (c["x0"] + c["x1"]) / 2 < x1 + 1]
                    over = [c["text"] for c in inside if c["x0"] < x0 - 0.5 or c["x1"] > x1 + 0.5]
                    assert not over, (page.page_number, "".join(over)[:60])
        # Every character is printed: the word and the address, whole, several times.
        assert seen.count("a" * 30) >= 3 and seen.count("123456") >= 3


def test_long_words_keep_the_docx_cells_at_their_width(overflow):
    from docx.shared import Mm

    document = docx.Document(str(overflow.with_suffix(".docx")))
    table = document.tables[-1]
    layout = table._tbl.tblPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblLayout")
    assert layout is not None and layout.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type") == "fixed"
    widths = [col.width for col in table.columns]
    assert sum(widths) <= Mm(165) + Mm(1)
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            assert cell.width == width
    text = "\n".join(c.text for row in table.rows for c in row.cells)
    assert WORD in text and URL in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_long_words_stay_inside_the_page_when_the_docx_is_printed(overflow, tmp_path):
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(overflow.with_suffix(".docx"))], capture_output=True, timeout=180)
    with pdfplumber.open(str(tmp_path / "a.pdf")) as pdf:
        for page in pdf.pages:
            right = page.width - 14 * MM  # the 15 mm margin, less Word's rounding
            outside = [c["text"] for c in page.chars if c["text"].strip()
                       and (c["x1"] > right or c["x0"] < 29 * MM)]
            assert not outside, "".join(outside)[:60]
