"""Which plans are issued with a decision: a plan named by a ``loai: quyet-dinh``'s
``ke_hoach`` is part of that decision, never a document of its own.

A plan does not say that it is attached; the decisions of its workspace do. So the
content folder is scanned for decisions (files are parsed only when their bytes can
name ``quyet-dinh``, and once per version of the file), and ``build``, ``render``
and ``number`` ask here before treating a plan as a document: it is built, rendered
and numbered only inside its decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import source
from .. import workspace
from ..errors import Collector, display_path


@dataclass(frozen=True)
class Attachment:
    """A decision naming a plan: where, and whether it is numbered already."""

    decision: Path  # resolved
    line: int | None  # of its ``ke_hoach``
    numbered: bool

    def where(self) -> str:
        name = display_path(self.decision)
        return f"{name}:{self.line}" if self.line else name


# file -> ((size, mtime_ns), (resolved plan or None, line, numbered))
_seen: dict[Path, tuple[tuple[int, int], tuple[Path | None, int | None, bool]]] = {}


def _named_plan(path: Path) -> tuple[Path | None, int | None, bool]:
    """The plan a decision file attaches (inside its content folder), or None."""
    try:
        stat = path.stat()
        signature = (stat.st_size, stat.st_mtime_ns)
        if path in _seen and _seen[path][0] == signature:
            return _seen[path][1]
        raw = path.read_bytes()
    except OSError:
        return None, None, False
    found: tuple[Path | None, int | None, bool] = (None, None, False)
    # UTF-16 files cannot be told by their bytes; every other encoding we read can.
    if b"quyet-dinh" in raw or raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        src = source.load(path, Collector(path))
        data = src.data if src is not None and isinstance(src.data, dict) else {}
        name = data.get("ke_hoach")
        if data.get("loai") == "quyet-dinh" and isinstance(name, str) and name.strip() \
                and src is not None:
            target = path.parent / name.strip()
            if workspace.inside_content(path, target):
                found = (target.resolve(), src.line(("ke_hoach",)),
                         data.get("so") is not None)
    _seen[path] = (signature, found)
    return found


def _by_plan(root: Path) -> dict[Path, list[Attachment]]:
    """Every attached plan under the content folder ``root`` → the decisions naming
    it: numbered ones first, then by file name; the first is the one it belongs to."""
    found: dict[Path, list[Attachment]] = {}
    for path in workspace.find_documents([root]):
        path = path.resolve()
        target, line, numbered = _named_plan(path)
        if target is not None and target != path:
            found.setdefault(target, []).append(Attachment(path, line, numbered))
    for decisions in found.values():
        decisions.sort(key=lambda a: (not a.numbered, str(a.decision)))
    return found


def attachments(plan: Path) -> list[Attachment]:
    """The decisions of the plan's workspace that attach it, the owner first."""
    plan = Path(plan).resolve()
    return _by_plan(workspace.content_root(plan)).get(plan, [])


def owner(plan: Path) -> Attachment | None:
    """The decision the plan is issued with, or None for a plan of its own."""
    found = attachments(plan)
    return found[0] if found else None


def not_alone(plan: Path, by: Attachment, command: str) -> str:
    """Why ``command`` does not take an attached plan alone, and what to run instead."""
    return (f"kế hoạch này ban hành kèm theo quyết định {by.where()} (ke_hoach), không "
            "phải văn bản riêng: nó được dựng, cấp số cùng quyết định đó và mang số của "
            f"quyết định. Hãy chạy: vanban {command} {display_path(by.decision)}")


def documents(paths: list[Path]) -> list[Path]:
    """``workspace.find_documents`` without the attached plans found in a folder
    (they are built inside their decision); a file named by itself is kept, and
    the command says why it does not take it alone."""
    out: list[Path] = []
    for p in paths:
        if Path(p).is_dir():
            found = workspace.find_documents([Path(p)])
            attached: set[Path] = set()
            for root in {workspace.content_root(f) for f in found}:
                attached.update(_by_plan(root))
            out += [f for f in found if Path(f).resolve() not in attached]
        else:
            out.append(Path(p))
    return out
