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


def temp_beside(target: Path) -> Path:
    """A new empty ``.<name>.<random>.part`` file in the target's folder."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    return Path(tmp)


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
