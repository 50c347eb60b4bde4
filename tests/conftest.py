"""Shared fixtures: the shipped examples rendered once by the real command, and
readers that give what a person sees in a DOCX (python-docx) or a PDF (pdfplumber)."""

from __future__ import annotations

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
