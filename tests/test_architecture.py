"""The package's layout: stages import only earlier stages, and nothing imports in a circle.

The imports of every module of ``generator/`` are read with ``ast`` (lazy imports
inside functions included, since a lazy import is still a dependency) and checked
against the order of the data flow below. Nothing is imported or run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "generator"

# The data flow, first to last. A module may import its own stage or an earlier
# one, never a later one. Modules at the top of the package (errors, model, tree,
# style, fonts, vnformat, workspace) are shared by every stage and import none.
# office (the register, numbers, the archive, the record of issued documents) comes
# before build because build consults it: an issued document is never rewritten.
STAGES = ["", "content", "compose", "render", "office", "build", "cli", "__main__"]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))
           if "__pycache__" not in p.parts}


def stage(module: str) -> int:
    """``generator.content.validate`` → 1; ``generator.errors``, ``generator`` → 0."""
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else 0


def imports(module: str) -> set[str]:
    """The modules of ``generator`` that ``module`` imports, anywhere in its code."""
    path = MODULES[module]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            bases = [a.name for a in node.names]
            names: list[str] = []
        elif isinstance(node, ast.ImportFrom):
            base_parts = package[:len(package) - node.level + 1] if node.level else []
            base = ".".join(base_parts + ([node.module] if node.module else []))
            bases, names = [base], [a.name for a in node.names]
        else:
            continue
        for base in bases:
            if base.split(".")[0] != "generator":
                continue
            submodules = [f"{base}.{n}" for n in names if f"{base}.{n}" in MODULES]
            found.update(submodules)
            if len(submodules) < len(names) or not names:
                found.add(base)
    found.discard(module)
    return found


GRAPH = {m: imports(m) for m in MODULES}


def test_every_import_names_a_module_of_the_package():
    unknown = {(m, i) for m, targets in GRAPH.items() for i in targets if i not in MODULES}
    assert not unknown


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_of_a_later_stage(module):
    later = sorted(i for i in GRAPH[module] if stage(i) > stage(module))
    assert not later, f"{module} (stage {STAGES[stage(module)] or 'top'}) imports " \
                      f"{later}, of a later stage"


def test_no_import_cycle():
    cycles, state = [], {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(GRAPH[module]):
            if state.get(target) == "open":
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert not cycles, " ; ".join(" → ".join(c) for c in cycles)


def test_every_subpackage_is_installed():
    """pyproject lists packages by hand: a new stage folder must be in the list,
    or an installed vanban would lack it."""
    tomllib = pytest.importorskip("tomllib")
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    packages = {module_name(p.parent / "__init__.py") for p in PACKAGE.rglob("__init__.py")
                if "__pycache__" not in p.parts}
    assert packages <= listed, sorted(packages - listed)


def test_the_graph_is_read():
    """The checks above pass vacuously if imports are not found."""
    assert "generator.errors" in GRAPH["generator.content.validate"]
    assert any(i.startswith("generator.compose") for i in GRAPH["generator.build.unit"])
