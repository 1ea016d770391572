"""Benchmark ITQ scoring and multi-set scoring against baselines from the same run.

Prints, from one run (the machine is shared and noisy: only ratios against a
baseline measured in the same run mean anything; each command runs --repeat
times, alternating, and the MEDIAN counts -- the fastest is shown too, with the CPU
time and the load average before and after):

* ITQ: N rows (default 1,000,000) of an id and 18 ITQ items 0-4 (numpy, seed
  2018), written as CSV to benchmarks/out/ (git-ignored). Baseline: a minimal
  numpy reference in a child process that reads the same CSV
  (``numpy.loadtxt``) and applies the ITQ rule (item >= 2; Re, Av, Th, PTSD
  impairment; AD, NSC, DR, DSO impairment; Complex PTSD first), counting the
  categories and the PTSD / DSO totals -- no output, no missing-data handling.
  Then ``dsm5check score DATA --instrument itq`` with ``--summary-only`` and
  with ``--out scored.parquet`` (every row written), with peak RSS of each child.
  Targets (issue 11): summary-only <= 2x, Parquet <= 3x the reference, peak
  memory < 300 MB.
* Several sets in one pass: N rows of PCL-5 data (seed 2013, as
  bench_score.py), ``--rules dsm5-ptsd`` against ``--rules
  dsm5-ptsd,icd11-ptsd`` (summary-only and Parquet). Target: <= 1.5x one set.

Usage: python benchmarks/bench_itq.py [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_score import OUT, generate, load, measure, prepare
from bench_score import report as report_all

ITQ = [f"itq{n}" for n in range(1, 19)]
#: issue 11: summary-only at most 2x the reference, every row to Parquet at most 3x
TARGETS = {"score --instrument itq --summary-only": 2.0,
           "score --instrument itq --out .parquet": 3.0}

REFERENCE = """
import sys
import numpy as np
a = np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, dtype=np.int32)
x = a[:, 1:]
e = x >= 2
ptsd = ((e[:, 0] | e[:, 1]) & (e[:, 2] | e[:, 3]) & (e[:, 4] | e[:, 5])
        & e[:, 6:9].any(1))
dso = ((e[:, 9] | e[:, 10]) & (e[:, 11] | e[:, 12]) & (e[:, 13] | e[:, 14])
       & e[:, 15:18].any(1))
cptsd = ptsd & dso
only = ptsd & ~dso
ptsd_total = x[:, 0:6].sum(1)
dso_total = x[:, 9:15].sum(1)
print(len(x), int(cptsd.sum()), int(only.sum()), float(ptsd_total.mean()),
      float(dso_total.mean()))
"""


def generate_itq(path: Path, rows: int) -> None:
    import numpy as np

    rng = np.random.default_rng(2018)
    with path.open("w") as fh:
        fh.write("id," + ",".join(ITQ) + "\n")
        done = 0
        while done < rows:
            n = min(200_000, rows - done)
            level = rng.gamma(2.0, 0.6, size=(n, 1))
            items = np.clip(np.rint(rng.normal(level, 1.1, size=(n, 18))), 0, 4).astype(np.int8)
            ids = np.arange(done + 1, done + n + 1)
            lines = [f"{i}," + ",".join(map(str, r)) for i, r in zip(ids, items.tolist(),
                                                                       strict=True)]
            fh.write("\n".join(lines) + "\n")
            done += n


def ensure(path: Path, gen: Callable[[Path, int], None], rows: int) -> None:
    """Generate the data file unless an earlier run left it in benchmarks/out/."""
    if not path.exists():
        t = time.perf_counter()
        gen(path, rows)
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in"
              f" {time.perf_counter() - t:.1f} s")


def report(title: str, walls: dict[str, list[float]], peak: dict[str, float],
           base: str) -> None:
    """Wall times only (bench_multi.py's report; bench_score.report adds CPU time)."""
    report_all(title, walls, {}, peak, base, {})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", choices=("itq", "sets"), help="run one of the two parts")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    prepare()
    py = sys.executable
    itq = OUT / f"itq-{args.rows}.csv"
    pcl = OUT / f"pcl5-{args.rows}.csv"
    for path, gen in ((itq, generate_itq), (pcl, generate)):
        ensure(path, gen, args.rows)

    if args.only != "sets":
        bench_itq_part(py, itq, args)
    if args.only != "itq":
        bench_sets_part(py, pcl, args)
    return 0


def bench_itq_part(py: str, itq: Path, args: argparse.Namespace) -> None:
    score = [py, "-m", "dsm5check", "score", str(itq), "--instrument", "itq"]
    runs = {
        "numpy ITQ reference": [py, "-c", REFERENCE, str(itq)],
        "score --instrument itq --summary-only": [*score, "--summary-only", "--format",
                                                  "json"],
        "score --instrument itq --out .parquet": [*score, "--out",
                                                  str(OUT / "itq-scored.parquet"),
                                                  "--no-summary"],
    }
    print(f"before: {load()}")
    walls, cpus, peak, outputs = measure(runs, args.repeat)
    report_all(f"ITQ, {args.rows:,} rows ({itq.stat().st_size / 1e6:.0f} MB CSV)", walls, cpus,
           peak, "numpy ITQ reference", TARGETS)
    print(f"after: {load()}")
    _, cptsd, ptsd, _, _ = outputs["numpy ITQ reference"].split()
    import json

    doc = json.loads(outputs["score --instrument itq --summary-only"])
    counts = doc["categories"]["counts"]
    same = counts["cptsd"] == int(cptsd) and counts["ptsd"] == int(ptsd)
    print(f"  reference: {int(cptsd):,} Complex PTSD, {int(ptsd):,} PTSD;"
          f" dsm5check: {counts['cptsd']:,} and {counts['ptsd']:,}"
          f" -> {'the same' if same else 'DIFFERENT'}")


def bench_sets_part(py: str, pcl: Path, args: argparse.Namespace) -> None:
    pscore = [py, "-m", "dsm5check", "score", str(pcl), "--instrument", "pcl5"]
    two = "dsm5-ptsd,icd11-ptsd"
    check = subprocess.run([*pscore, "--rules", two, "--summary-only"], capture_output=True,
                           text=True, check=False)
    if check.returncode:
        print(f"\n--rules {two} cannot run here: {check.stderr.strip()}")
        return
    runs = {
        "one set --summary-only": [*pscore, "--rules", "dsm5-ptsd", "--summary-only"],
        f"{two} --summary-only": [*pscore, "--rules", two, "--summary-only"],
        "one set --out .parquet": [*pscore, "--rules", "dsm5-ptsd", "--out",
                                   str(OUT / "pcl-one.parquet"), "--no-summary"],
        f"{two} --out .parquet": [*pscore, "--rules", two, "--out",
                                  str(OUT / "pcl-two.parquet"), "--no-summary"],
    }
    walls, cpus, peak, _ = measure(runs, args.repeat)
    report_all(f"PCL-5, {args.rows:,} rows: one set against two in one pass", walls, cpus, peak,
           "one set --summary-only", {})
    one_p = statistics.median(walls["one set --out .parquet"])
    two_p = statistics.median(walls[f"{two} --out .parquet"])
    print(f"  --out .parquet: two sets / one set = {two_p / one_p:.2f}x")


if __name__ == "__main__":
    raise SystemExit(main())
