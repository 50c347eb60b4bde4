"""Benchmark of `vanban build` on a batch of commune plans (issue 4's goals).

    .venv/bin/python bench/build.py [--docs 200] [--noop-docs 1000] [--jobs N] [--no-baseline]

Prints, on this machine, in one run:
  (a) cold build throughput of N commune plans (DOCX + PDF), documents per second;
  (b) time of a no-op rebuild of 1,000 documents (built once as DOCX only to keep
      the benchmark short: the no-op path reads no format-specific file);
  (c) time to rebuild after one shared target of the plan changes;
  (d) peak memory (maximum resident set) of one worker process;
  (e) the same N documents made the way offices script it today, a docxtpl
      template converted to PDF by one warm LibreOffice process, and the ratio of
      the two throughputs (skipped, saying so, without docxtpl or LibreOffice: run
      bench/setup-baseline.sh first; CI never does);
  (f) the WeasyPrint floor: the time WeasyPrint alone needs to write the same
      HTML with as many warm workers (bench/floor.py), and vanban's overhead over it.
Nothing is asserted: these are figures to compare on the same machine.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PLAN = REPO / "content" / "quang-ninh" / "2023" / "ke-hoach.yaml"
BATCH = """# Một bản kế hoạch cho mỗi xã (benchmark)
dua_tren: ke-hoach.yaml
cho_moi:
  bang: _xa.csv
  ten_tep: "{ma}"
so: null
ngay: null
phu_luc: null
"""


def communes(n: int) -> list[dict]:
    from vietnam_provinces import Province, Ward

    provinces = {p.code: p.name for p in Province.iter_all()}
    rows = []
    for ward in list(Ward.iter_all())[:n]:
        kind = ward.division_type.value
        own = ward.name[len(kind):].strip() if ward.name.lower().startswith(kind) else ward.name
        rows.append({
            "ma": f"{ward.code.value:05d}", "co_quan.ten": f"Ủy ban nhân dân|{kind} {own}",
            "co_quan.ten_day_du": f"Ủy ban nhân dân {kind} {own}", "co_quan.dia_danh": own,
            "trich_yeu": f"Thực hiện công tác phòng, chống tệ nạn xã hội trên địa bàn {kind} "
                         f"{own}, {provinces[ward.province_code]} năm 2023",
        })
    return rows


def workspace(root: Path, n: int) -> Path:
    folder = root / "content" / "xa" / "2023"
    folder.mkdir(parents=True)
    shutil.copy(PLAN, folder / "ke-hoach.yaml")
    shutil.copy(REPO / "content" / "_co-quan.yaml", root / "content" / "_co-quan.yaml")
    (folder / "ke-hoach-xa.yaml").write_text(BATCH, encoding="utf-8")
    rows = communes(n)
    with open(folder / "_xa.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children. On a shared machine
    wall times depend on what else runs; CPU per document much less."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def vanban(root: Path, *args) -> tuple[float, float]:
    """Wall time and CPU time (all its processes) of one ``vanban build``."""
    start, cpu = time.perf_counter(), cpu_seconds()
    subprocess.run([sys.executable, "-m", "generator", "build", "content", "-o", "output",
                    *args], cwd=root, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, cpu_seconds() - cpu


def change_target(plan: Path) -> None:
    text = plan.read_text(encoding="utf-8")
    text = re.sub(r"(ma: CT12\n(?:.*\n)*?\s+gia_tri: )(\d+)", lambda m: m.group(1)
                  + str(int(m.group(2)) + 1), text, count=1)
    plan.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description="vanban build benchmark")
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--noop-docs", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline", action="store_true",
                        help="(the default; kept for older command lines)")
    parser.add_argument("--no-baseline", action="store_true", help="skip (e)")
    args = parser.parse_args()
    jobs = ["-j", str(args.jobs)]
    print(f"machine: {os.cpu_count()} cores; workers: {args.jobs}")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = workspace(root, args.docs)
        total = args.docs + 1  # the commune copies and the plan itself
        cold, cold_cpu = vanban(root, *jobs)
        rate = total / cold
        print(f"(a) cold build, {total} documents (DOCX + PDF): {cold:.1f} s, "
              f"{rate:.2f} documents/s; CPU {cold_cpu / total:.3f} s per document")
        change_target(folder / "ke-hoach.yaml")
        print(f"(c) rebuild after one shared target changed ({total} documents depend "
              f"on it): {vanban(root, *jobs)[0]:.1f} s")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"(d) peak memory of one worker process: {peak:.0f} MiB")
        sample = next((root / "output" / "xa" / "2023" / "ke-hoach-xa").glob("*.docx"))
        missing = [name for name, found in (("docxtpl", importlib.util.find_spec("docxtpl")),
                                            ("soffice", shutil.which("soffice"))) if not found]
        if args.no_baseline or missing:
            print("(e) skipped" + (f": {', '.join(missing)} not installed "
                                   "(bench/setup-baseline.sh)" if missing else ""))
        else:
            from baseline_docxtpl import measure

            cpu = cpu_seconds()
            base_rate = measure(sample, communes(args.docs), root / "baseline")
            base_cpu = (cpu_seconds() - cpu) / args.docs
            print(f"(e) docxtpl + one warm LibreOffice: {base_rate:.2f} documents/s; "
                  f"vanban is {rate / base_rate:.2f}× that. CPU {base_cpu:.3f} s per "
                  f"document: with {args.jobs} workers on an otherwise idle machine vanban "
                  f"would be about {args.jobs * base_cpu / (cold_cpu / total):.2f}× that")
        import floor

        os.chdir(root)
        html = floor.documents_html(sorted((root / "content").rglob("ke-hoach*.yaml")))
        os.chdir(REPO)
        weasy, weasy_cpu = floor.seconds(html, args.jobs, root / "floor")
        print(f"(f) WeasyPrint alone on the same {len(html)} documents' HTML, {args.jobs} "
              f"warm workers: {weasy:.1f} s, CPU {weasy_cpu / len(html):.3f} s per "
              f"document; vanban's cold build takes {(cold / weasy - 1) * 100:.0f}% longer "
              f"and {(cold_cpu / weasy_cpu - 1) * 100:.0f}% more CPU (DOCX included)")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workspace(root, args.noop_docs - 1)
        vanban(root, *jobs, "--format", "docx")
        times = sorted(vanban(root, *jobs, "--format", "docx")[0] for _ in range(5))
        print(f"(b) no-op rebuild of {args.noop_docs} documents, median of 5 "
              f"(whole process): {times[2]:.2f} s")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
