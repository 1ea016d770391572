"""Benchmark reading through a crosswalk against native reading, in one run.

Prints ratios (only ratios against a baseline of the same run mean anything on a
noisy machine), each the fastest of --repeat interleaved rounds, over N random
DSM-5-coded cases (bench_check.make_case):

* icd11 crosswalked / dsm5 native: ``evaluate(icd11-ptsd, case)`` on the DSM-5
  cases (items read through the YAML crosswalk) versus ``evaluate(dsm5-ptsd, case)``.
* icd11 native / dsm5 native: the same cases rewritten in ITQ items (P1 from B2 ...)
  and evaluated natively by icd11-ptsd, the cost of the set without the crosswalk.

Usage: python benchmarks/bench_crosswalk.py [--cases 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_api import interleaved
from bench_check import make_case

from dsm5check.cases.case import Case
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped

MAP = {"P1": "B2", "P2": "B3", "P3": "C1", "P4": "C2", "P5": "E3", "P6": "E4"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(11)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    dicts = [yaml.load(make_case(i, rng), Loader=loader) for i in range(args.cases)]
    dsm = [Case.model_validate(d) for d in dicts]
    itq = []
    for d in dicts:
        native = {k: v for k, v in d.items() if k not in ("symptoms", "expected", "dissociation")}
        native["ruleset"] = "icd11-ptsd"
        symptoms = d.get("symptoms") or {}
        native["symptoms"] = {p: symptoms[b] for p, b in MAP.items() if b in symptoms}
        itq.append(Case.model_validate(native))
    d5, i11 = shipped("dsm5-ptsd"), shipped("icd11-ptsd")
    base, cross, nat = interleaved([
        lambda: [evaluate(d5, c) for c in dsm],
        lambda: [evaluate(i11, c) for c in dsm],
        lambda: [evaluate(i11, c) for c in itq],
    ], args.repeat)
    print(f"{args.cases} cases, fastest of {args.repeat} rounds;"
          f" dsm5 native {base / args.cases * 1e6:.0f} us per case")
    print(f"icd11 crosswalked / dsm5 native: {cross / base:.2f}")
    print(f"icd11 native      / dsm5 native: {nat / base:.2f}")


if __name__ == "__main__":
    main()
