"""Issued documents are frozen: once numbered, a document's DOCX and PDF are never
rewritten by ``build``, ``render`` or a template change; the build names what
changed in its source (in Vietnamese number notation) and that a change needs a
new document. Drafts beside it keep rebuilding.

One workspace for the module: plan kh1 numbered and archived, plan kh2 a draft.
"""

from __future__ import annotations

import pytest

from helpers_ws import docx_text, pdf_text, squeeze
from test_archive import DRAFT, doc_path, numbered, plan, workspace

ISSUED = ("output/xa/2023/kh1.docx", "output/xa/2023/kh1.pdf")
DRAFT_OUT = ("output/xa/2023/kh2.docx", "output/xa/2023/kh2.pdf")


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    ws = workspace(tmp_path_factory.mktemp("frozen"), {doc_path(1): DRAFT, doc_path(2): plan(2)})
    first = ws.run("build")
    assert first.returncode == 0, first.stderr
    numbered(ws, doc_path(1), "2023-03-02")
    added = ws.run("archive", "add", ISSUED[1], "--doc", doc_path(1))
    assert added.returncode == 0, added.stderr
    files = {p: ws.path(p).read_bytes() for p in ISSUED}
    return ws, files


def _change_targets(ws, rel: str) -> None:
    """CT02 550 → 1550 (CT02a 500 → 1500, so the parts still add up)."""
    text = ws.path(rel).read_text("utf-8")
    assert "gia_tri: 550\n" in text and "gia_tri: 500," in text
    ws.write(rel, text.replace("gia_tri: 550\n", "gia_tri: 1550\n")
             .replace("gia_tri: 500,", "gia_tri: 1500,"))


def test_build_keeps_the_issued_files_and_names_the_change(issued):
    ws, files = issued
    draft_before = {p: ws.path(p).read_bytes() for p in DRAFT_OUT}
    _change_targets(ws, doc_path(1))
    _change_targets(ws, doc_path(2))
    result = ws.run("build")
    assert result.returncode == 0, result.stderr
    # The issued document: byte for byte as issued, still "550" on the page.
    assert {p: ws.path(p).read_bytes() for p in ISSUED} == files
    assert "550" in docx_text(ws.path(ISSUED[0])) and "1.550" not in docx_text(ws.path(ISSUED[0]))
    said = result.stdout + result.stderr
    line = next(x for x in said.splitlines() if "kh1.yaml" in x and "01/KH-UBND" in x)
    assert "CT02: 550 → 1.550" in line and "CT02a: 500 → 1.500" in line, line
    assert "văn bản mới" in line, line
    # The draft beside it is rebuilt with its new figure.
    assert {p: ws.path(p).read_bytes() for p in DRAFT_OUT} != draft_before
    assert "1.550" in docx_text(ws.path(DRAFT_OUT[0]))
    assert "1.550" in squeeze(pdf_text(ws.path(DRAFT_OUT[1])))


def test_render_and_a_template_change_leave_it_too(issued):
    ws, files = issued
    from generator.compose.templates import builtin_dir

    changed = (builtin_dir() / "ke-hoach.j2").read_text("utf-8").replace(
        "{% block noi_dung %}", "{% block noi_dung %}\nMẪU MỚI CỦA VĂN PHÒNG", 1)
    assert "MẪU MỚI" in changed
    ws.write("templates/ke-hoach.j2", changed)
    try:
        build = ws.run("build")
        assert build.returncode == 0, build.stderr
        render = ws.run("render", doc_path(1))
        assert render.returncode == 0, render.stderr
        assert "01/KH-UBND" in render.stderr and "không dựng lại" in render.stderr
        forced = ws.run("build", "--force")
        assert forced.returncode == 0, forced.stderr
        assert {p: ws.path(p).read_bytes() for p in ISSUED} == files
        assert "MẪU MỚI" in docx_text(ws.path(DRAFT_OUT[0]))  # drafts take the new template
        # Not into another folder either: no second copy headed 01/KH-UBND.
        elsewhere = ws.run("render", doc_path(1), "-o", "ban-sao")
        assert not ws.path("ban-sao/xa/2023/kh1.docx").exists()
        assert "01/KH-UBND" in elsewhere.stderr
    finally:
        ws.path("templates/ke-hoach.j2").unlink()


def test_a_draft_saved_over_an_issued_path_cannot_overwrite_it(issued, tmp_path):
    ws, files = issued
    original = ws.path(doc_path(1)).read_bytes()
    ws.write(doc_path(1), plan(9))  # the clerk reuses kh1.yaml for a new draft
    try:
        result = ws.run("build")
        assert result.returncode == 1, (result.stdout, result.stderr)
        assert "01/KH-UBND" in result.stderr and "Traceback" not in result.stderr
        assert {p: ws.path(p).read_bytes() for p in ISSUED} == files
    finally:
        ws.path(doc_path(1)).write_bytes(original)
