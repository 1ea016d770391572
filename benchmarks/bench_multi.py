"""Benchmark scoring several criteria sets in one pass against one set, same run.

N rows (default 1,000,000) of PCL-5 data (numpy, seed 2013, as bench_score.py;
reused from benchmarks/out/ when already there). Each command runs in a child
process, --repeat times, alternating; the MEDIAN counts (the fastest in
brackets), peak RSS from the child's rusage. The baseline is one set,
``--rules dsm5-ptsd``, in the same run:

* ``--summary-only``: one set; ``dsm5-ptsd,icd11-ptsd``; the same with
  ``--format json`` (the summary every multi-set run computes); and three sets
  (``dsm5-ptsd,icd11-ptsd,icd11-cptsd``);
* ``--out .parquet`` (every row written): one set against two.

Besides the wall time, the CPU time of each child (user + system, every thread)
is summed from its rusage: on a machine shared with other jobs the wall time
mostly measures waiting for a core, the CPU time what the run itself costs.

Target (issue 11): two sets at most 1.5x one set. The multi-set summary counts
every criterion of every set in the same aggregate pass as the cross-tables.

Usage: python benchmarks/bench_multi.py [--rows 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_itq import ensure, report
from bench_score import OUT, generate, prepare

TWO = "dsm5-ptsd,icd11-ptsd"
THREE = "dsm5-ptsd,icd11-ptsd,icd11-cptsd"
TARGET = 1.5


def timed_cpu(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, all threads) and peak RSS (MB)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, use = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    if proc.returncode:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode()}")
    return wall, use.ru_utime + use.ru_stime, use.ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    prepare()
    pcl = OUT / f"pcl5-{args.rows}.csv"
    ensure(pcl, generate, args.rows)
    py = sys.executable
    score = [py, "-m", "dsm5check", "score", str(pcl), "--instrument", "pcl5"]
    runs = {
        "one set --summary-only": [*score, "--rules", "dsm5-ptsd", "--summary-only"],
        "two sets --summary-only": [*score, "--rules", TWO, "--summary-only"],
        "two sets --summary-only --format json": [*score, "--rules", TWO, "--summary-only",
                                                  "--format", "json"],
        "three sets --summary-only": [*score, "--rules", THREE, "--summary-only"],
        "one set --out .parquet": [*score, "--rules", "dsm5-ptsd", "--out",
                                   str(OUT / "multi-one.parquet"), "--no-summary"],
        "two sets --out .parquet": [*score, "--rules", TWO, "--out",
                                    str(OUT / "multi-two.parquet"), "--no-summary"],
    }
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    walls: dict[str, list[float]] = {k: [] for k in runs}
    cpus: dict[str, list[float]] = {k: [] for k in runs}
    peak: dict[str, float] = dict.fromkeys(runs, 0.0)
    for _ in range(args.repeat):
        for name, cmd in runs.items():
            wall, cpu, rss = timed_cpu(cmd)
            walls[name].append(wall)
            cpus[name].append(cpu)
            peak[name] = max(peak[name], rss)
    report(f"PCL-5, {args.rows:,} rows: several sets in one pass against one set", walls,
           peak, "one set --summary-only")
    for label, times in (("wall", walls), ("CPU", cpus)):
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"\nratios of the median {label} time (same run):")
        for mode in ("--summary-only", "--out .parquet"):
            one = med[f"one set {mode}"]
            print(f"  one set {mode}: {one:.2f} s")
            for k in med:
                if mode in k and not k.startswith("one set"):
                    r = med[k] / one
                    mark = "" if not k.startswith("two sets") or "json" in k else (
                        f"  (target <= {TARGET}x: {'met' if r <= TARGET else 'NOT met'})")
                    print(f"  {k} / one set {mode}: {r:.2f}x{mark}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
