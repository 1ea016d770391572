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

Target (issue 11): two sets at most 1.5x one set. The multi-set summary counts
every criterion of every set in the same aggregate pass as the cross-tables.

Usage: python benchmarks/bench_multi.py [--rows 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_itq import measure, report
from bench_score import OUT, generate

TWO = "dsm5-ptsd,icd11-ptsd"
THREE = "dsm5-ptsd,icd11-ptsd,icd11-cptsd"
TARGET = 1.5


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    pcl = OUT / f"pcl5-{args.rows}.csv"
    if not pcl.exists():
        t = time.perf_counter()
        generate(pcl, args.rows)
        print(f"generated {pcl} ({pcl.stat().st_size / 1e6:.0f} MB) in"
              f" {time.perf_counter() - t:.1f} s")
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
    walls, peak, _ = measure(runs, args.repeat)
    report(f"PCL-5, {args.rows:,} rows: several sets in one pass against one set", walls,
           peak, "one set --summary-only")
    med = {k: statistics.median(v) for k, v in walls.items()}
    print("\nratios (medians, same run):")
    for mode in ("--summary-only", "--out .parquet"):
        one = med[f"one set {mode}"]
        for k in med:
            if k.endswith(mode) and not k.startswith("one set"):
                r = med[k] / one
                mark = "" if not k.startswith("two sets") else (
                    "  (target <= 1.5x: met)" if r <= TARGET else "  (target <= 1.5x: NOT met)")
                print(f"  {k} / one set {mode}: {r:.2f}x{mark}")
    print(f"  two sets --summary-only --format json / one set --summary-only:"
          f" {med['two sets --summary-only --format json'] / med['one set --summary-only']:.2f}x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
