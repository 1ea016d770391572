"""Benchmark `dsm5check compare` against merely parsing the same files, in one run.

Prints ratios (this machine is noisy: only ratios against a baseline taken in the
same run mean anything), of wall-clock and of CPU time, for the whole command line
process from launch, its output written to a file:

* compare / parse: ``dsm5check compare DIR --rules dsm5-ptsd,icd11-ptsd,icd11-cptsd,
  dsm4tr-ptsd --format jsonl`` on N generated DSM-5 case files (every other set reads
  them through its crosswalk) versus loading the same files with PyYAML's C loader
  in one Python process. Target (issue 10): at most 2.5.
* compare / check: the same against ``check DIR --format jsonl`` (one set).

Usage: python benchmarks/bench_compare.py [--cases 10000] [--repeat 3] [--dir DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import PARSE_ONLY, generate, interleaved, load_average, report

SETS = "dsm5-ptsd,icd11-ptsd,icd11-cptsd,dsm4tr-ptsd"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=None, help="keep generated files here")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp) / "cases"
        if not folder.exists() or not any(folder.rglob("*.yaml")):
            generate(folder, args.cases)
        n = sum(1 for _ in folder.rglob("*.yaml"))
        py = sys.executable
        runs = {
            "parse only (PyYAML C loader)": [py, "-c", PARSE_ONLY, str(folder)],
            "check --jobs 1 (one set)": [py, "-m", "dsm5check", "check", str(folder),
                                         "--format", "jsonl", "--jobs", "1"],
            "compare (4 sets)": [py, "-m", "dsm5check", "compare", str(folder),
                                 "--rules", SETS, "--format", "jsonl"],
        }
        print(f"{n} case files; load average before: {load_average()}")
        med = interleaved(runs, args.repeat, Path(tmp))
        print(f"load average after: {load_average()}")
    print(f"medians of {args.repeat} interleaved rounds, output to a file:")
    report(med, "parse only (PyYAML C loader)", n,
           {"compare (4 sets)": "  (target <= 2.5)"})
    (cw, cc), (kw, kc) = med["compare (4 sets)"], med["check --jobs 1 (one set)"]
    print(f"compare (4 sets) / check (one set): {cw / kw:5.2f} wall, {cc / kc:5.2f} CPU")


if __name__ == "__main__":
    main()
