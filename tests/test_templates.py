"""User templates: a ``templates/`` folder beside ``content/`` overrides ours, and a
mistake in it is reported with the template file and line, not a traceback.

The real command runs as a process in a temporary workspace (see helpers_ws.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from generator.compose.templates import builtin_dir
from helpers_ws import (DOCX, PDF, docx_text, has_vietnamese, make_workspace, snapshot, squeeze)

TEMPLATE = "templates/ke-hoach.j2"
OLD_HEADING = "MỤC ĐÍCH, YÊU CẦU"
NEW_HEADING = "MỤC ĐÍCH VÀ YÊU CẦU"


def builtin_plan_template() -> str:
    return (builtin_dir() / "ke-hoach.j2").read_text(encoding="utf-8")


# -- an override ------------------------------------------------------------------

@pytest.fixture(scope="module")
def override(tmp_path_factory):
    source = builtin_plan_template()
    assert source.count(OLD_HEADING) == 1, "the built-in heading this test changes moved"
    ws = make_workspace(tmp_path_factory.mktemp("override"))
    ws.write(TEMPLATE, source.replace(OLD_HEADING, NEW_HEADING))
    return ws.render_and_read()


def test_override_renders(override):
    result, _ = override
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_override_heading_is_printed(override, fmt):
    _, texts = override
    assert squeeze(NEW_HEADING) in squeeze(texts.get(fmt, "")), texts.get(fmt)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_builtin_heading_is_gone(override, fmt):
    _, texts = override
    assert fmt in texts and squeeze(OLD_HEADING) not in squeeze(texts[fmt]), texts.get(fmt)


def test_without_override_builtin_heading_is_printed(tmp_path, rendered_plan):
    """The premise of the override tests: our template prints the old heading."""
    ws = rendered_plan(tmp_path)
    assert OLD_HEADING in docx_text(ws.path(DOCX))


# -- a broken template ----------------------------------------------------------------

def insert_line(source: str, number: int, line: str) -> str:
    """``source`` with ``line`` inserted so that it becomes line ``number``."""
    lines = source.splitlines(keepends=True)
    return "".join(lines[:number - 1] + [line + "\n"] + lines[number - 1:])


def syntax_error() -> tuple[str, int]:
    return insert_line(builtin_plan_template(), 3, "{% if %}"), 3


def runtime_error() -> tuple[str, int]:
    """An unknown variable in the body, on the line right after ``{% block noi_dung %}``."""
    source = builtin_plan_template()
    lines = source.splitlines()
    number = lines.index("{% block noi_dung %}") + 2
    return insert_line(source, number, "@doan {{ khong_co_bien }}"), number


@dataclass(frozen=True)
class Broken:
    id: str
    make: object  # () -> (template text, line number of the mistake)


BROKEN = [Broken("cu-phap", syntax_error), Broken("bien-khong-co", runtime_error)]
IDS = [b.id for b in BROKEN]


@dataclass
class Outcome:
    line: int
    result: object
    before: dict
    after: dict


@pytest.fixture(scope="module")
def outcome(tmp_path_factory, rendered_plan):
    """A copy of the rendered valid plan, then the broken template, then render
    again; once per case."""
    cache: dict[str, Outcome] = {}

    def get(case: Broken) -> Outcome:
        if case.id not in cache:
            root = tmp_path_factory.mktemp(case.id)
            ws = rendered_plan(root)
            before = snapshot(root)
            text, line = case.make()
            ws.write(TEMPLATE, text)
            result = ws.render()
            after = snapshot(root)
            after.pop(f"ws/{TEMPLATE}")  # the one file the test added itself
            cache[case.id] = Outcome(line, result, before, after)
        return cache[case.id]

    return get


@pytest.mark.parametrize("case", BROKEN, ids=IDS)
def test_broken_template_exits_1(case, outcome):
    assert outcome(case).result.returncode == 1, outcome(case).result.stderr


@pytest.mark.parametrize("case", BROKEN, ids=IDS)
def test_broken_template_names_file_and_line(case, outcome):
    o = outcome(case)
    assert f"{TEMPLATE}:{o.line}:" in o.result.stderr, o.result.stderr


@pytest.mark.parametrize("case", BROKEN, ids=IDS)
def test_broken_template_message_is_vietnamese(case, outcome):
    o = outcome(case)
    lines = [line for line in o.result.stderr.splitlines() if line.startswith(TEMPLATE)]
    assert lines and all(has_vietnamese(line) for line in lines), o.result.stderr


@pytest.mark.parametrize("case", BROKEN, ids=IDS)
def test_broken_template_no_traceback(case, outcome):
    assert "Traceback" not in outcome(case).result.stderr


@pytest.mark.parametrize("case", BROKEN, ids=IDS)
def test_broken_template_keeps_old_outputs(case, outcome):
    o = outcome(case)
    for rel in (DOCX, PDF):
        assert o.after.get(f"ws/{rel}") == o.before[f"ws/{rel}"], f"{rel} was changed"


@pytest.mark.parametrize("case", BROKEN, ids=IDS)
def test_broken_template_writes_no_other_file(case, outcome):
    o = outcome(case)
    assert sorted(o.after) == sorted(o.before)
