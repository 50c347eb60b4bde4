"""Deterministic interruption points for the tests of kills and signals.

``VANBAN_TEST_HOLD=<phase>:<marker file>`` makes the process that reaches
``hold(<phase>)`` write its id to the marker file and wait there (60 s), so a test
can kill it at exactly that moment instead of guessing with sleeps. Unset (always,
outside the tests) it does nothing.

For the register and the archive, :func:`point` names the moments of ``number``
and ``archive add``: ``VANBAN_FAULT=archive-after-commit`` makes the process kill
itself with SIGKILL there; ``VANBAN_PAUSE=archive-signed-staged:/tmp/flag`` first
writes ``/tmp/flag`` and waits until the test deletes it (to run ``archive list``
exactly then). Unset, :func:`point` does nothing.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

ENV = "VANBAN_FAULT"
PAUSE_ENV = "VANBAN_PAUSE"


def hold(phase: str) -> None:
    spec = os.environ.get("VANBAN_TEST_HOLD")
    if not spec:
        return
    wanted, _, marker = spec.partition(":")
    if wanted != phase:
        return
    Path(marker).write_text(str(os.getpid()))
    time.sleep(60)


def point(name: str) -> None:
    """Pause (if asked) then kill (if asked) at the moment ``name``: both together
    let a test run another command exactly there, then see this one die."""
    pause = os.environ.get(PAUSE_ENV, "")
    if pause.partition(":")[0] == name:
        flag = Path(pause.partition(":")[2])
        flag.write_text(str(os.getpid()))
        while flag.exists():
            time.sleep(0.02)
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
