"""Time `vanban render` of one example as a whole process (start-up included).

    .venv/bin/python bench/render_one.py [CONTENT_FILE] [--runs N]

Prints each run and the median, in seconds. Nothing here is asserted: it is a
measurement to compare before and after a change, on the same machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default="content/quang-ninh/2023/ke-hoach.yaml")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as out:
        for i in range(args.runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "generator", "render", args.file, "-o", out],
                           cwd=REPO, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
            print(f"run {i + 1}: {times[-1]:.3f} s")
    print(f"vanban render {args.file} (DOCX + PDF), median of {args.runs}: "
          f"{statistics.median(times):.3f} s")


if __name__ == "__main__":
    main()
