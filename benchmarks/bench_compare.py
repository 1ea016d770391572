"""Benchmark `dsm5check compare` against merely parsing the same files, in one run.

Prints ratios (this machine is noisy: only ratios against a baseline taken in the
same run mean anything):

* compare / parse: ``dsm5check compare DIR --rules dsm5-ptsd,icd11-ptsd,icd11-cptsd,
  dsm4tr-ptsd --format jsonl`` on N generated DSM-5 case files (every other set reads
  them through its crosswalk) versus loading the same files with PyYAML's C loader
  in one Python process. Target (issue 10): at most 2.5.
* compare / check: the same against ``check DIR --format jsonl`` (one set).

Usage: python benchmarks/bench_compare.py [--cases 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import PARSE_ONLY, generate, timed

SETS = "dsm5-ptsd,icd11-ptsd,icd11-cptsd,dsm4tr-ptsd"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "cases"
        generate(folder, args.cases)
        py = sys.executable
        runs: dict[str, list[float]] = {"parse": [], "check": [], "compare": []}
        for _ in range(args.repeat):  # interleaved: drifting load hits all alike
            runs["parse"].append(timed([py, "-c", PARSE_ONLY, str(folder)]))
            runs["check"].append(timed([py, "-m", "dsm5check", "check", str(folder),
                                        "--format", "jsonl", "--jobs", "1"]))
            runs["compare"].append(timed([py, "-m", "dsm5check", "compare", str(folder),
                                          "--rules", SETS, "--format", "jsonl"]))
    t = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{args.cases} case files, median of {args.repeat} interleaved rounds")
    for k, v in t.items():
        print(f"  {k:8} {v:7.2f} s")
    print(f"compare (4 sets) / parse  {t['compare'] / t['parse']:5.2f}x   (target <= 2.5)")
    print(f"compare (4 sets) / check  {t['compare'] / t['check']:5.2f}x")


if __name__ == "__main__":
    main()
