"""Shared fixtures: the shipped examples rendered once by the real command, and
readers that give what a person sees in a DOCX (python-docx) or a PDF (pdfplumber)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"
# One document per file; batch files (cho_moi) yield many and are tested in test_build.
EXAMPLES = sorted(p for p in CONTENT.rglob("*.yaml")
                  if not p.name.startswith("_") and "\ncho_moi:" not in p.read_text("utf-8"))


def run_vanban(*args, cwd=REPO) -> subprocess.CompletedProcess:
    """The whole command, as a clerk runs it."""
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """Every example rendered into a fresh output folder, once per test run."""
    out = tmp_path_factory.mktemp("output")
    result = run_vanban("render", "content", "-o", out)
    assert result.returncode == 0, result.stderr
    # Missing fonts or glyphs are reported as warnings naming the font or
    # WeasyPrint; none may appear. (A report's "no data yet" warning may.)
    for line in result.stderr.splitlines():
        assert "cảnh báo" in line, line
        assert "phông" not in line and "WeasyPrint" not in line, line
    return out


def output_for(built: Path, example: Path, ext: str) -> Path:
    return built / example.relative_to(CONTENT).with_suffix(ext)


def example_id(path: Path) -> str:
    return str(path.relative_to(CONTENT).with_suffix(""))


# -- LibreOffice, the referee -----------------------------------------------------------
# A clerk edits the DOCX in a word processor; LibreOffice (headless) plays that part.
# Without it these tests are skipped, unless VANBAN_REQUIRE_LIBREOFFICE=1 (CI sets it
# after installing LibreOffice Writer), where a missing LibreOffice is a failure.

LIBREOFFICE_REQUIRED = os.environ.get("VANBAN_REQUIRE_LIBREOFFICE") == "1"


def soffice() -> str:
    """The LibreOffice command, or skip (fail where it is required)."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    reason = ("LibreOffice (soffice) is not installed; the tests that open the DOCX in a "
              "word processor need it (apt-get install libreoffice-writer-nogui)")
    if LIBREOFFICE_REQUIRED:
        pytest.fail(reason + "; VANBAN_REQUIRE_LIBREOFFICE=1 requires it")
    pytest.skip(reason)


def libreoffice_pdfs(docx_files: list[Path], folder: Path) -> dict[Path, Path]:
    """Convert every DOCX to PDF with one LibreOffice process (one start-up for all
    files), its own profile, and the shipped font as Times New Roman's stand-in
    (fontconfig maps Times New Roman to the metric-compatible Liberation Serif):
    a clerk's machine has Times New Roman, this one may have no such font at all."""
    command = soffice()
    inbox, outbox = folder / "docx", folder / "pdf"
    inbox.mkdir(parents=True)
    names = {}
    for i, path in enumerate(docx_files):  # batch rows share file names: number them
        name = f"{i:03d}-{path.stem}.docx"
        shutil.copyfile(path, inbox / name)
        names[path] = outbox / f"{i:03d}-{path.stem}.pdf"
    fonts_conf = folder / "fonts.conf"
    fonts_conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{REPO / 'generator' / 'fonts'}</dir>\n"
        f"  <cachedir>{folder / 'fontcache'}</cachedir>\n</fontconfig>\n", encoding="utf-8")
    env = dict(os.environ, FONTCONFIG_FILE=str(fonts_conf), HOME=str(folder))
    result = subprocess.run(
        [command, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
         "--norestore", "--convert-to", "pdf", "--outdir", str(outbox),
         *sorted(str(p) for p in inbox.iterdir())],
        capture_output=True, text=True, env=env, timeout=600)
    missing = [str(p) for p in names.values() if not p.is_file()]
    assert not missing, (missing, result.stdout, result.stderr)
    return names


@pytest.fixture(scope="session")
def referee(built, tmp_path_factory) -> dict[Path, Path]:
    """LibreOffice's PDF of every DOCX under ``built``, converted once per run."""
    return libreoffice_pdfs(sorted(built.rglob("*.docx")), tmp_path_factory.mktemp("lo"))


@pytest.fixture(scope="session")
def rendered_plan(tmp_path_factory):
    """The valid plan of helpers_ws rendered once per test run; ``fresh(root)``
    gives each test its own copy of that workspace (content and outputs), as
    ``make_workspace(root)`` followed by a successful render would."""
    from helpers_ws import Workspace, make_workspace

    template = tmp_path_factory.mktemp("rendered-plan")
    good = make_workspace(template).render()
    assert good.returncode == 0, f"the valid plan must render:\n{good.stderr}"

    def fresh(root: Path) -> Workspace:
        shutil.copytree(template, root, dirs_exist_ok=True)
        return Workspace(root / "ws")

    return fresh
