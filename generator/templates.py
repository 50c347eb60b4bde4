"""The Jinja environment for document templates, and template error reporting.

Built-in templates live in the top-level ``templates/`` folder (installed as the
package data ``generator/templates``). A ``templates/`` folder beside the user's
``content/`` is searched first, so a file of the same name overrides ours.
"""

from __future__ import annotations

import sys
from functools import lru_cache
import traceback
from pathlib import Path

from jinja2 import (ChoiceLoader, Environment, FileSystemLoader, StrictUndefined,
                    TemplateError, TemplateSyntaxError)

from . import vnformat
from .errors import Problem, display_path


def builtin_dir() -> Path:
    """``templates/`` of the source tree, or the copy installed with the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "templates", here / "templates"):
        if (candidate / "_van-ban.j2").is_file():
            return candidate
    raise FileNotFoundError("built-in templates not found")


def _finalize(value):
    return "" if value is None else value


@lru_cache(maxsize=None)
def environment(user_dirs: tuple[Path, ...]) -> Environment:
    """One environment per override folder set, kept for the process: Jinja then
    compiles each template once (and recompiles it if the file changes)."""
    loader = ChoiceLoader([FileSystemLoader([str(d) for d in user_dirs]),
                           FileSystemLoader(str(builtin_dir()))])
    env = Environment(loader=loader, undefined=StrictUndefined, autoescape=False,
                      trim_blocks=True, lstrip_blocks=True, finalize=_finalize,
                      keep_trailing_newline=True)
    env.filters.update(
        so=vnformat.number, dem=vnformat.count, gia_tri=vnformat.quantity,
        ngay=vnformat.day, thang=vnformat.month, so_vb=vnformat.doc_number,
        bang_chu=vnformat.words, la_ma=vnformat.roman,
    )
    return env


def template_files(env: Environment, name: str) -> list[Path]:
    """The files a template is built from (itself, what it extends or imports),
    as resolved through the override order: used to hash a document's inputs."""
    import re

    seen: list[Path] = []
    pending = [name]
    while pending:
        current = pending.pop()
        source, filename, _ = env.loader.get_source(env, current)
        path = Path(filename)
        if path in seen:
            continue
        seen.append(path)
        pending.extend(re.findall(r"{%-?\s*(?:extends|import|include|from)\s+['\"]([^'\"]+)",
                                  source))
    return seen


def template_problem(exc: TemplateError, doc_file: str) -> Problem:
    """Name the template file and line of a template error, not our Python code."""
    if isinstance(exc, TemplateSyntaxError):
        name, line = exc.filename or exc.name, exc.lineno
    else:
        name, line = None, None
        for frame in reversed(traceback.extract_tb(sys.exc_info()[2] or exc.__traceback__)):
            if frame.filename.endswith(".j2"):
                name, line = frame.filename, frame.lineno
                break
    where = display_path(Path(name)) if name else "mẫu văn bản"
    message = getattr(exc, "message", None) or str(exc)
    return Problem(where, line, None,
                   f"lỗi mẫu văn bản khi dựng {doc_file}: {message}")
