"""Writing files so that a reader never sees half of one.

Every file vanban writes (documents, the build manifest, a numbered YAML file,
the register book, a skeleton) is written in full under a temporary ``.part``
name in the same folder, flushed to disk, then moved into place in one step.
An interruption leaves the old file, or none, never a broken one.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def _umask() -> int:
    """The process umask, read once without changing it: os.umask can only set
    it, and setting it even for an instant changes the mode of files other threads
    create meanwhile. Linux says it in /proc; elsewhere a probe file shows it."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with tempfile.TemporaryDirectory() as folder:
        probe = os.path.join(folder, "probe")
        os.close(os.open(probe, os.O_CREAT | os.O_WRONLY, 0o777))
        return 0o777 & ~os.stat(probe).st_mode


PART = ".part"


def temp_beside(target: Path) -> Path:
    """A new empty ``.<name>.<pid>.<random>.part`` file in the target's folder. The
    writer's process id in the name tells whether the file is abandoned: see
    :func:`abandoned`. (The name is cut so the whole stays within 255 bytes.)"""
    target.parent.mkdir(parents=True, exist_ok=True)
    name = target.name.encode()[:150].decode(errors="ignore")
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=PART,
                               dir=target.parent)
    os.close(fd)
    return Path(tmp)


def writer_pid(part: Path) -> int | None:
    """The process that made a ``.part`` file (None for a name we did not make)."""
    pieces = part.name[: -len(PART)].split(".")
    if len(pieces) >= 3 and pieces[-2].isdigit():
        return int(pieces[-2])
    return None


def abandoned(part: Path) -> bool:
    """A ``.part`` file whose writer is gone (or unknown, from an older vanban):
    nobody will finish or remove it, so it may be deleted."""
    pid = writer_pid(part)
    if pid is None or pid == os.getpid():
        return pid is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, someone else's
    return False


def remove_abandoned(folder: Path) -> list[Path]:
    """Delete the ``.part`` files under ``folder`` that their writer left behind
    (killed mid-write); another living writer's files are left alone."""
    found = []
    if Path(folder).is_dir():
        for part in Path(folder).rglob(f".*{PART}"):
            if abandoned(part):
                part.unlink(missing_ok=True)
                found.append(part)
    return found


def publish(tmp: Path, target: Path, mode: int | None = None, overwrite: bool = True) -> None:
    """Move a finished temporary file into place, with ordinary permissions
    (mkstemp makes files private) or ``mode``. Without ``overwrite`` an existing
    target is never replaced (FileExistsError)."""
    with open(tmp, "rb+") as handle:
        os.fsync(handle.fileno())
    os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
    if overwrite:
        os.replace(tmp, target)
    else:
        os.link(tmp, target)  # fails if the target exists, even under a race
        os.unlink(tmp)


@contextmanager
def replacing(target: Path, mode: int | None = None, overwrite: bool = True):
    """``with replacing(path) as tmp: write tmp`` — on success ``path`` is replaced
    in one step; on any error the temporary file is removed and ``path`` kept."""
    target = Path(target)
    tmp = temp_beside(target)
    try:
        yield tmp
        publish(tmp, target, mode, overwrite)
    finally:
        tmp.unlink(missing_ok=True)


LOCK_NAME = ".vanban.lock"
LOCK_WAIT_SECONDS = 600


class Busy(Exception):
    """Another vanban kept the folder's lock for longer than we wait."""


@contextmanager
def exclusive(folder: Path, on_wait=None):
    """One writer per output folder at a time: hold ``<folder>/.vanban.lock`` (an
    OS file lock, released even when the holder is killed). If another process
    holds it, ``on_wait()`` is called once and we wait for it, at most
    LOCK_WAIT_SECONDS, then raise Busy. Under the lock, ``.part`` files whose
    writer is gone are removed (they can belong to nobody still writing)."""
    from filelock import FileLock, Timeout

    folder = Path(folder)
    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(folder / LOCK_NAME))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait()
        try:
            lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout:
            raise Busy(str(folder)) from None
    try:
        remove_abandoned(folder)
        yield
    finally:
        _tidy(folder, created)
        lock.release()


def _tidy(folder: Path, created: bool) -> None:
    """A run that wrote nothing leaves nothing, not even its lock file (removed while
    still held: a waiting process then sees the file gone and takes a new one)."""
    try:
        if [p.name for p in folder.iterdir()] == [LOCK_NAME]:
            (folder / LOCK_NAME).unlink()
            if created:
                folder.rmdir()
    except OSError:
        pass  # someone else's file appeared meanwhile: keep everything
