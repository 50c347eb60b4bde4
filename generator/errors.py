"""Problems found in a clerk's input, reported with file, line and field.

A :class:`Problem` is one message; a :class:`ContentError` carries every problem
of a run so the clerk fixes them all at once instead of one per attempt. Every
refusal of every stage is a :class:`VanbanError`, caught once by the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    field: str | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        prefix = "cảnh báo: " if self.warning else ""
        if self.field:
            return f"{where}: {prefix}{self.field}: {self.message}"
        return f"{where}: {prefix}{self.message}"


class VanbanError(Exception):
    """A refusal, from any stage, in the clerk's words: ``problems`` (file, line,
    field) or a one-line message. The CLI prints :meth:`lines` and exits with
    ``exit_code``, as click's own exceptions carry ``exit_code``."""

    exit_code = 1

    def __init__(self, message: str = "", problems: list[Problem] | None = None):
        problems = list(problems or [])
        self.problems = [p for p in problems if not p.warning]
        self.warnings = [p for p in problems if p.warning]
        super().__init__(message or "\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems] or [str(self)]


class ContentError(VanbanError):
    """Raised when input cannot be turned into a document; holds all problems."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems=problems)


def display_path(path: Path) -> str:
    """The path as the clerk typed it: relative to the working folder when possible."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class Collector:
    """Gathers problems for one file; ``raise_if_any`` ends validation."""

    def __init__(self, file: Path):
        self.file = display_path(file)
        self.problems: list[Problem] = []

    def error(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))

    def warn(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message, warning=True))

    @property
    def has_errors(self) -> bool:
        return any(not p.warning for p in self.problems)

    def raise_if_any(self) -> None:
        if self.has_errors:
            raise ContentError(self.in_order())

    def in_order(self) -> list[Problem]:
        """The problems as the clerk reads the file, top to bottom: this file's by
        line (those without a line first), then those of the files it names."""
        return sorted(self.problems, key=lambda p: (p.file != self.file, p.file, p.line or 0))
