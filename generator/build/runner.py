"""``vanban build``: rebuild exactly the documents whose inputs changed.

The build keeps a manifest, ``<output>/.vanban-build.json``, recording for each
unit of work (a document, or one row of a batch) the digest of every input, the
files it made and its target values. A unit is rebuilt when the key of its inputs
differs from the recorded one or one of its files is missing. Each unit is a pure
function of its inputs (``unit.render_unit``), run in worker processes.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import unicodedata
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from .. import atomic, faults, workspace
from ..errors import ContentError, Problem, display_path
from .inputs import Hasher, key_of, unit_inputs
from ..content import attached
from ..content.batch import Unit, units_of

MANIFEST = ".vanban-build.json"
MANIFEST_VERSION = 3  # 3: references record ten_tep (who writes which output)
MAX_REASONS = 10  # changed inputs named by --explain for one document


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
    jobs: list[Job] = []
    current: set[str] = set()
    owners = Owners(out_dir, manifest)
    # A plan a decision attaches is built inside that decision only.
    for path in attached.documents(paths):
        resolved = str(Path(path).resolve())
        try:
            # Only a batch file needs reading to know its units; a plain file's
            # references come from the manifest while its bytes are unchanged.
            refs = hasher.references(path)
            units = units_of(path) if refs["batch"] else [Unit(Path(path))]
            planned = [(unit, unit_inputs(unit, formats, hasher)) for unit in units]
        except Exception as exc:  # noqa: BLE001 - any failure is this file's, the rest go on
            outcome.failed[resolved] = problems_of(exc, path)
            current.update(i for i in manifest["units"] if i.split("#")[0] == resolved)
            continue
        for unit, inputs in planned:
            uid = unit_id(unit)
            current.add(uid)
            owners.claim(uid, unit, refs)
            key = key_of(inputs)
            reasons = _reasons(manifest["units"].get(uid), inputs, key, out_dir, force)
            if reasons:
                jobs.append(Job(unit, uid, key, inputs, reasons))
            else:
                outcome.unchanged.append(uid)
    for uid, problem in owners.collisions().items():
        outcome.failed[uid] = [problem]
    jobs = [job for job in jobs if job.id not in outcome.failed]
    outcome.unchanged = [uid for uid in outcome.unchanged if uid not in outcome.failed]
    return jobs, current


def problems_of(exc: BaseException, path) -> list[Problem]:
    """Any exception met while handling one document, as that document's problems:
    a ContentError already says file, line and field; anything else says the file."""
    from jinja2 import TemplateError

    if isinstance(exc, ContentError):
        return exc.problems
    if isinstance(exc, TemplateError):
        from ..compose.templates import template_problem
        return [template_problem(exc, display_path(Path(path)))]
    if isinstance(exc, MemoryError):
        message = "không đủ bộ nhớ để dựng văn bản này; hãy kiểm tra các tệp nó dùng"
    elif isinstance(exc, RecursionError):
        message = "các tệp dựa vào nhau thành vòng hoặc lồng nhau quá sâu"
    elif isinstance(exc, OSError):
        message = f"không ghi hoặc đọc được tệp ({exc.strerror or exc}: {exc.filename or ''})"
    else:
        message = f"không dựng được văn bản ({type(exc).__name__}: {exc})"
    return [Problem(display_path(Path(path)), None, None,
                    message + "; hãy sửa tệp, hoặc báo nhóm phát triển kèm tệp này")]


def _fold(relative: str) -> str:
    """Two output names that are one file on Windows or macOS: same letters
    whatever their case, same Unicode normalisation."""
    return unicodedata.normalize("NFC", relative).casefold()


class Owners:
    """Which unit writes which output. Two units that would write the same file
    (case-insensitively) are both refused, each message naming the other; so is a
    unit taking a file the manifest gives to another source that still exists."""

    def __init__(self, out_dir: Path, manifest: dict):
        self.out_dir = Path(out_dir).resolve()
        self.manifest = manifest
        # folded output stem -> [(uid, file, line, field)] of the units that would write it
        self.claims: dict[str, list[tuple[str, str, int | None, str]]] = {}

    def claim(self, uid: str, unit: Unit, refs: dict) -> None:
        name = unit.name if unit.row is not None else refs.get("ten_tep")
        try:
            stem = workspace.output_stem(unit.path, self.out_dir, name,
                                         batch=unit.row is not None)
        except workspace.UnsafeOutputPath:
            return  # the render says why, with the line of ten_tep
        where: tuple
        if unit.row is not None:
            where = (unit.row.table, unit.row.number, "cho_moi.ten_tep")
        else:
            where = (display_path(unit.path), refs.get("ten_tep_line") if name else None,
                     "ten_tep")
        key = _fold(str(stem.relative_to(self.out_dir)))
        self.claims.setdefault(key, []).append((uid, *where))

    def _recorded(self) -> dict[str, tuple[str, str, None, str]]:
        """Stems the manifest gives to units not planned now whose file still exists."""
        planned = {claim[0] for claims in self.claims.values() for claim in claims}
        out = {}
        for uid, entry in self.manifest["units"].items():
            if uid in planned or not Path(uid.split("#")[0]).is_file():
                continue
            for output in entry.get("outputs", []):
                out[_fold(str(Path(output).with_suffix("")))] = (uid, describe(uid), None,
                                                                  "ten_tep")
        return out

    def collisions(self) -> dict[str, Problem]:
        recorded = self._recorded()
        found = {}
        for key, claims in self.claims.items():
            everyone = claims + ([recorded[key]] if key in recorded else [])
            if len(everyone) < 2:
                continue
            for uid, file, line, field_name in claims:
                others = "; ".join(f"{f}:{n}" if n else f
                                   for u, f, n, _ in everyone if u != uid)
                found[uid] = Problem(file, line, field_name,
                                     f"tệp kết quả '{key}' (.docx, .pdf) trùng với tệp kết quả "
                                     f"của {others}: hai văn bản sẽ ghi đè lên nhau; hãy đặt "
                                     "ten_tep khác cho một trong hai")
        return found


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
        said = [f"đổi {_label(name)}{_values(old.get(name), inputs.get(name))}"
                for name in changed[:MAX_REASONS]]
        if len(changed) > MAX_REASONS:  # a whole new sheet of unit figures
            said.append(f"và {len(changed) - MAX_REASONS} thay đổi khác")
        return said or ["đổi đầu vào"]
    missing = [o for o in entry["outputs"] if not (out_dir / o).is_file()]
    return [f"thiếu {o}" for o in missing]


def _values(old, new) -> str:
    """`` (10 → 12)`` for a value the clerk wrote (a unit's figure); nothing for
    a digest, which would say nothing to the clerk."""
    if any(isinstance(v, str) and len(v) == 64 for v in (old, new)):
        return ""
    return f" ({old if old is not None else '(không có)'} → " \
           f"{new if new is not None else '(bỏ)'})"


def _label(name: str) -> str:
    return display_path(Path(name)) if os.path.isabs(name) else name


# -- running ----------------------------------------------------------------------------

def _work(unit: Unit, out_dir: str, formats) -> dict:
    """One unit in a worker process: render, and report back plain data."""
    from .unit import render_unit

    try:
        outputs, warnings, doc = render_unit(unit, Path(out_dir), formats)
        plan_ = getattr(doc, "ke_hoach", None) or doc
        targets = {t.ma: str(t.gia_tri) for t in plan_.targets()} \
            if hasattr(plan_, "targets") else {}
        return {"ok": True, "outputs": [str(Path(o).relative_to(Path(out_dir).resolve()))
                                        for o in outputs],
                "warnings": warnings, "targets": targets}
    except Exception as exc:  # noqa: BLE001 - any failure is this document's alone
        where = unit.row.table if unit.row is not None else unit.path
        problems = problems_of(exc, where)
        if unit.row is not None and not isinstance(exc, ContentError):
            problems = [Problem(p.file, p.line or unit.row.number, p.field, p.message)
                        for p in problems]
        return {"ok": False, "problems": problems}


def _worker_start(parent: int) -> None:
    """In each worker: die with the parent. The kernel sends SIGKILL when the
    parent dies (Linux); a thread watching the parent's id does it elsewhere, and
    also covers a parent that died before this ran. Ctrl-C goes to the parent,
    which stops the build; a worker finishes the document it is writing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


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
        pool = ProcessPoolExecutor(max_workers=workers, initializer=_worker_start,
                                   initargs=(os.getpid(),))
        try:
            pending = {pool.submit(_work, job.unit, str(out_dir), formats): job
                       for job in jobs}
            faults.hold("submitted")
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    try:
                        result = future.result()
                    except Exception as exc:  # noqa: BLE001 - a worker died: this job failed
                        result = {"ok": False, "problems": [Problem(
                            job.unit.label, None, None,
                            "tiến trình dựng văn bản này bị dừng bất thường "
                            f"({type(exc).__name__}); hãy dựng lại")]}
                    record(job, result)
        finally:
            # Interrupted: queued documents are dropped, the ones being written
            # finish (their files are complete or absent).
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        faults.hold("saving")
        save_manifest(out_dir, manifest)
        atomic.remove_abandoned(out_dir)  # a worker killed mid-write left its .part


def output_collisions(paths: list[Path], out_dir: Path = Path("output")) -> dict[str, Problem]:
    """For ``check`` and ``render``: documents among ``paths`` that would write the
    same output, by unit id. (A file that cannot be read is reported by its own check.)"""
    hasher = Hasher()
    owners = Owners(out_dir, {"units": {}})
    for path in paths:
        try:
            refs = hasher.references(path)
            units = units_of(path) if refs["batch"] else [Unit(Path(path))]
        except Exception:  # noqa: BLE001 - reported by the file's own check
            continue
        for unit in units:
            owners.claim(unit_id(unit), unit, refs)
    return owners.collisions()


def remove_stale(out_dir: Path, manifest: dict, current: set[str], scope: list[Path],
                 outcome: Outcome, dry_run: bool) -> None:
    """Delete what the build made for units that no longer exist (a deleted file,
    a removed batch row) — only files recorded in the manifest, only in scope."""
    roots = [str(Path(p).resolve()) for p in scope]

    def kept_by_others(uid: str) -> set[str]:
        return {_fold(o) for other, entry in manifest["units"].items() if other != uid
                for o in entry.get("outputs", [])}

    for uid in list(manifest["units"]):
        source = uid.split("#")[0]
        in_scope = any(source == r or source.startswith(r.rstrip(os.sep) + os.sep)
                       for r in roots)
        if uid in current or not in_scope:
            continue
        outcome.removed.append(uid)
        if dry_run:
            continue
        shared = kept_by_others(uid)
        for output in manifest["units"][uid]["outputs"]:
            if _fold(output) in shared:
                continue  # another document's file now (it took the name over)
            target = (out_dir / output).resolve()
            if Path(out_dir).resolve() in target.parents:
                target.unlink(missing_ok=True)
        del manifest["units"][uid]
    if outcome.removed and not dry_run:
        save_manifest(out_dir, manifest)


def describe(uid: str) -> str:
    path, _, name = uid.partition("#")
    return f"{display_path(Path(path))} [{name}]" if name else display_path(Path(path))
