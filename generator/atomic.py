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
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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
