"""Benchmark the Python API against the engine it wraps, in one run.

Prints ratios (this machine is noisy: only ratios against a baseline taken in
the same run mean anything), each the fastest of --repeat interleaved rounds:

* api / pipeline: ``dsm5check.iter_results(dicts)`` (and ``evaluate_many``,
  which also holds every result) on N case mappings versus the same steps
  called directly — pydantic validation, the case-file checks and the engine —
  with no API around them, as ``check`` runs them. Target (issue 13): at most 1.2.
* api / engine: the same against ``engine.evaluate`` alone on already
  validated cases (what the API cannot skip: it must validate a mapping).

Usage: python benchmarks/bench_api.py [--cases 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import make_case

import dsm5check
from dsm5check.cases.case import Case
from dsm5check.cases.case_checks import case_problems
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped


def interleaved(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """Run the contenders in turn, ``repeat`` rounds, so drifting load hits all
    alike; the fastest round of each is its cost (noise only ever adds time)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return [min(t) for t in times]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(13)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    dicts = [yaml.load(make_case(i, rng), Loader=loader) for i in range(args.cases)]
    today = dt.date.today()
    loaded = shipped("dsm5-ptsd")
    rules = loaded.rules

    def pipeline() -> None:  # as `check` streams: each result dropped once used
        for d in dicts:
            case = Case.model_validate(d)
            if not case_problems(d, case, rules, today):
                evaluate(loaded, case)

    cases = [Case.model_validate(d) for d in dicts]

    def engine() -> None:
        for c in cases:
            evaluate(loaded, c)

    def api() -> None:
        dsm5check.evaluate_many(dicts, today=today)

    def api_stream() -> None:  # as check does: each result dropped once used
        for _ in dsm5check.iter_results(dicts, today=today):
            pass

    api()  # warm caches (ruleset plan) for all three alike
    t_engine, t_pipe, t_api, t_stream = interleaved(
        [engine, pipeline, api, api_stream], args.repeat)
    print(f"{args.cases} case mappings, fastest of {args.repeat} interleaved rounds")
    print(f"  engine alone       {t_engine:7.3f} s")
    print(f"  direct pipeline    {t_pipe:7.3f} s")
    print(f"  api evaluate_many  {t_api:7.3f} s   (keeps all {args.cases} results)")
    print(f"  api iter_results   {t_stream:7.3f} s   (one result at a time)")
    print(f"iter_results / pipeline   {t_stream / t_pipe:5.2f}x   (target <= 1.2)")
    print(f"evaluate_many / pipeline  {t_api / t_pipe:5.2f}x   (holding every result costs)")
    print(f"api / engine    {t_api / t_engine:5.2f}x   (validation included)")


if __name__ == "__main__":
    main()
