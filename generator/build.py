"""``vanban build``: rebuild exactly the documents whose inputs changed.

The build keeps a manifest, ``<output>/.vanban-build.json``, recording for each
unit of work (a document, or one row of a batch) the digest of every input, the
files it made and its target values. A unit is rebuilt when the key of its inputs
differs from the recorded one or one of its files is missing. Each unit is a pure
function of its inputs (``writer.render_unit``), run in worker processes.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from . import atomic, workspace
from .errors import ContentError, Problem, display_path
from .inputs import Hasher, key_of, unit_inputs
from .batch import Unit, units_of

MANIFEST = ".vanban-build.json"
MANIFEST_VERSION = 2


@dataclass
class Job:
    unit: Unit
    id: str
    key: str
    inputs: dict
    reasons: list[str]


@dataclass
class Outcome:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, list[Problem]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)  # id -> ["CT02: 550 → 600"]
    warnings: list[Problem] = field(default_factory=list)


def unit_id(unit: Unit) -> str:
    path = str(Path(unit.path).resolve())
    return f"{path}#{unit.name}" if unit.row is not None else path


# -- manifest ---------------------------------------------------------------------------

def load_manifest(out_dir: Path) -> dict:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        if data.get("version") == MANIFEST_VERSION:
            return data
    except (OSError, ValueError):
        pass  # missing or unreadable: everything is rebuilt, nothing is lost
    return {"version": MANIFEST_VERSION, "units": {}, "references": {}}


def save_manifest(out_dir: Path, manifest: dict) -> None:
    with atomic.replacing(Path(out_dir) / MANIFEST) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")),
                       encoding="utf-8")


# -- planning ---------------------------------------------------------------------------

def plan(paths: list[Path], out_dir: Path, formats, force: bool, manifest: dict,
         outcome: Outcome) -> tuple[list[Job], set[str]]:
    """Decide what to rebuild. Returns the jobs and the ids of every current unit."""
    hasher = Hasher(manifest.setdefault("references", {}))
    jobs, current = [], set()
    for path in workspace.find_documents(paths):
        try:
            # Only a batch file needs reading to know its units; a plain file's
            # references come from the manifest while its bytes are unchanged.
            units = units_of(path) if hasher.references(path)["batch"] else [Unit(Path(path))]
        except ContentError as exc:
            outcome.failed[str(Path(path).resolve())] = exc.problems
            current.update(i for i in manifest["units"]
                           if i.split("#")[0] == str(Path(path).resolve()))
            continue
        for unit in units:
            uid = unit_id(unit)
            current.add(uid)
            inputs = unit_inputs(unit, formats, hasher)
            key = key_of(inputs)
            reasons = _reasons(manifest["units"].get(uid), inputs, key, out_dir, force)
            if reasons:
                jobs.append(Job(unit, uid, key, inputs, reasons))
            else:
                outcome.unchanged.append(uid)
    return jobs, current


def _reasons(entry: dict | None, inputs: dict, key: str, out_dir: Path, force: bool):
    """Why a unit must be rebuilt, in the clerk's words; empty when it need not."""
    if force:
        return ["--force"]
    if entry is None:
        return ["văn bản mới"]
    if entry["key"] != key:
        old = entry.get("inputs", {})
        changed = [name for name in sorted(set(old) | set(inputs))
                   if old.get(name) != inputs.get(name)]
        return [f"đổi {_label(name)}" for name in changed] or ["đổi đầu vào"]
    missing = [o for o in entry["outputs"] if not (out_dir / o).is_file()]
    return [f"thiếu {o}" for o in missing]


def _label(name: str) -> str:
    return display_path(Path(name)) if os.path.isabs(name) else name


# -- running ----------------------------------------------------------------------------

def _work(unit: Unit, out_dir: str, formats) -> dict:
    """One unit in a worker process: render, and report back plain data."""
    from .writer import render_unit

    try:
        outputs, warnings, doc = render_unit(unit, Path(out_dir), formats)
    except ContentError as exc:
        return {"ok": False, "problems": exc.problems}
    plan_ = getattr(doc, "ke_hoach", None) or doc
    targets = {t.ma: str(t.gia_tri) for t in plan_.targets()} \
        if hasattr(plan_, "targets") else {}
    return {"ok": True, "outputs": [str(Path(o).relative_to(Path(out_dir).resolve()))
                                    for o in outputs],
            "warnings": warnings, "targets": targets}


def run(jobs: list[Job], out_dir: Path, formats, workers: int, manifest: dict,
        outcome: Outcome, progress=None) -> None:
    """Run the jobs; record each result in the manifest as it arrives and save the
    manifest every second, so an interrupted build keeps what it finished."""
    if not jobs:
        return  # nothing built: the manifest stays as it is
    out_dir = Path(out_dir).resolve()
    last_save = time.monotonic()

    def record(job: Job, result: dict) -> None:
        nonlocal last_save
        if result["ok"]:
            old = manifest["units"].get(job.id, {})
            manifest["units"][job.id] = {"key": job.key, "inputs": job.inputs,
                                         "outputs": result["outputs"],
                                         "targets": result["targets"]}
            outcome.built.append(job.id)
            outcome.warnings += result["warnings"]
            diff = [f"{code}: {old_value} → {result['targets'].get(code, '(bỏ)')}"
                    for code, old_value in old.get("targets", {}).items()
                    if result["targets"].get(code) != old_value]
            diff += [f"{code}: (mới) {value}" for code, value in result["targets"].items()
                     if old and code not in old.get("targets", {})]
            if diff:
                outcome.changes[job.id] = diff
        else:
            outcome.failed[job.id] = result["problems"]
        if progress:
            progress(job, result)
        if time.monotonic() - last_save > 1.0:
            save_manifest(out_dir, manifest)
            last_save = time.monotonic()

    try:
        if workers <= 1 or len(jobs) <= 1:
            for job in jobs:
                record(job, _work(job.unit, str(out_dir), formats))
            return
        with ProcessPoolExecutor(max_workers=workers) as pool:
            pending = {pool.submit(_work, job.unit, str(out_dir), formats): job for job in jobs}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    record(pending.pop(future), future.result())
    finally:
        save_manifest(out_dir, manifest)


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Temporary ``.<name>.….part`` files left by a killed run: never a result,
    always ours (atomic.py names them so), safe to delete."""
    found = list(Path(out_dir).rglob(".*.part")) if Path(out_dir).is_dir() else []
    for path in found:
        path.unlink(missing_ok=True)
    return found


def remove_stale(out_dir: Path, manifest: dict, current: set[str], scope: list[Path],
                 outcome: Outcome, dry_run: bool) -> None:
    """Delete what the build made for units that no longer exist (a deleted file,
    a removed batch row) — only files recorded in the manifest, only in scope."""
    roots = [str(Path(p).resolve()) for p in scope]
    for uid in list(manifest["units"]):
        source = uid.split("#")[0]
        in_scope = any(source == r or source.startswith(r.rstrip(os.sep) + os.sep)
                       for r in roots)
        if uid in current or not in_scope:
            continue
        outcome.removed.append(uid)
        if dry_run:
            continue
        for output in manifest["units"][uid]["outputs"]:
            target = (out_dir / output).resolve()
            if Path(out_dir).resolve() in target.parents:
                target.unlink(missing_ok=True)
        del manifest["units"][uid]
    if outcome.removed and not dry_run:
        save_manifest(out_dir, manifest)


def describe(uid: str) -> str:
    path, _, name = uid.partition("#")
    return f"{display_path(Path(path))} [{name}]" if name else display_path(Path(path))
