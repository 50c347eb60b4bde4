"""Deterministic interruption points for the tests of kills and signals.

``VANBAN_TEST_HOLD=<phase>:<marker file>`` makes the process that reaches
``hold(<phase>)`` write its id to the marker file and wait there (60 s), so a test
can kill it at exactly that moment instead of guessing with sleeps. Unset (always,
outside the tests) it does nothing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def hold(phase: str) -> None:
    spec = os.environ.get("VANBAN_TEST_HOLD")
    if not spec:
        return
    wanted, _, marker = spec.partition(":")
    if wanted != phase:
        return
    Path(marker).write_text(str(os.getpid()))
    time.sleep(60)
