"""The Jinja environment for document templates, and template error reporting.

Built-in templates live in the top-level ``templates/`` folder (installed as the
package data ``generator/templates``). A ``templates/`` folder beside the user's
``content/`` is searched first, so a file of the same name overrides ours.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
import traceback
from pathlib import Path

from jinja2 import (ChoiceLoader, Environment, FileSystemLoader, StrictUndefined,
                    TemplateError, TemplateNotFound, TemplateSyntaxError, meta)

from .. import vnformat
from ..errors import Problem, display_path
from ..sandbox import LimitedSandbox

# Where a substituted value begins in a template's output. compose.parse_lines
# reads ``@role`` only where the template itself wrote the ``@``, so no value
# (a ``cau``, a batch cell, any field) can start a paragraph or a signature line.
# A noncharacter (U+FDD0) is never in a clerk's text: source.py refuses them.
DATA = "\ufdd0"
# Line breaks inside a value stay inside its paragraph (printed as a break).
_BREAKS = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2029]")


class Structure(str):
    """Text a template wrote itself (what a macro, a block or ``super()`` returns):
    its ``@role`` lines are markup. Anything else printed is a value, i.e. data."""


def builtin_dir() -> Path:
    """``templates/`` of the source tree, or the copy installed with the package."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here.parent / "templates", here / "templates"):
        if (candidate / "_van-ban.j2").is_file():
            return candidate
    raise FileNotFoundError("built-in templates not found")


def _finalize(value):
    """Every ``{{ … }}``: a value becomes data (see DATA); template text stays markup."""
    if value is None:
        return ""
    if isinstance(value, Structure):
        return value
    text = str(value)
    return DATA + _BREAKS.sub("\u2028", text.replace(DATA, "")) if text else ""


class DocumentSandbox(LimitedSandbox):
    """The sandbox (with its limits) for document templates, built-in or the clerk's."""

    @staticmethod
    def concat(parts) -> str:
        return Structure(LimitedSandbox.concat(parts))


@lru_cache(maxsize=None)
def environment(user_dirs: tuple[Path, ...]) -> Environment:
    """One environment per override folder set, kept for the process: Jinja then
    compiles each template once (and recompiles it if the file changes)."""
    loader = ChoiceLoader([FileSystemLoader([str(d) for d in user_dirs]),
                           FileSystemLoader(str(builtin_dir()))])
    env = DocumentSandbox(loader=loader, undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, finalize=_finalize,
                      keep_trailing_newline=True)
    env.filters.update(
        so=vnformat.number, dem=vnformat.count, gia_tri=vnformat.quantity,
        ngay=vnformat.day, thang=vnformat.month, so_vb=vnformat.doc_number,
        bang_chu=vnformat.words, tien_bang_chu=vnformat.money_words, la_ma=vnformat.roman,
    )
    return env


def template_files(env: Environment, name: str) -> list[Path]:
    """The files a template is built from (itself, what it extends, imports or
    includes), as resolved through the override order: used to hash a document's
    inputs. Found by Jinja itself on the parsed template; a name computed at run
    time (None) could be any template, so then every template file counts.
    Raises TemplateNotFound or TemplateSyntaxError like the render would."""
    seen: list[Path] = []
    pending = [name]
    while pending:
        current = pending.pop()
        assert env.loader is not None  # environment() always sets one
        source, filename, _ = env.loader.get_source(env, current)
        path = Path(filename or current)
        if path in seen:
            continue
        seen.append(path)
        for found in meta.find_referenced_templates(env.parse(source, current, filename)):
            if found is None:
                return _every_template(env)
            pending.append(found)
    return seen


def _every_template(env: Environment) -> list[Path]:
    paths = []
    for name in env.list_templates(filter_func=lambda n: n.endswith(".j2")):
        try:
            paths.append(Path(str(env.loader.get_source(env, name)[1])))  # type: ignore[union-attr]
        except TemplateNotFound:
            continue
    return sorted(set(paths))


def template_problem(exc: Exception, doc_file: str, template: str | None = None) -> Problem:
    """Name the template file and line of a template error, not our Python code
    (``template``: the file rendered, when no line of a template is to blame)."""
    if isinstance(exc, TemplateSyntaxError):
        name, line = exc.filename or exc.name, exc.lineno
    else:
        name, line = template, None
        for frame in reversed(traceback.extract_tb(sys.exc_info()[2] or exc.__traceback__)):
            if frame.filename.endswith(".j2"):
                name, line = frame.filename, frame.lineno
                break
    where = display_path(Path(name)) if name else "mẫu văn bản"
    if isinstance(exc, TemplateError):
        message = getattr(exc, "message", None) or str(exc)
    else:  # a Python error inside the template: a wrong operation on a value
        message = f"phép tính trong mẫu không thực hiện được ({type(exc).__name__}: {exc})"
    return Problem(where, line, None,
                   f"lỗi mẫu văn bản khi dựng {doc_file}: {message}")
