"""Per-file cost of each stage of `check`, against PyYAML's C-loader parse, in one run.

Issue 12 (point 3) asks for `check` of 10,000 files in at most 1.3x the time
PyYAML's C loader takes merely to parse them, single process. This prints, for
each stage of a `check --format jsonl` run, the CPU microseconds per file (best of
``--repeat`` passes over the same files, each result dropped at once as in a run)
and the ratio to the C-loader parse measured in the same process and run:

* parse: ``yaml.load(bytes, CSafeLoader)`` (the baseline)
* read: our reader (duplicate keys, positions, bounds)
* validate + case checks
* evaluate (the engine), with shared results (``engine.shared``) and lazy
  specifiers (``evaluate.LAZY_SPECIFIERS``), and "off": both turned off, the
  engine as it was before them
* record + JSON, the same two ways; and its part for undecided diagnoses (the
  "still needed" answers)
* all stages together (what one process does per file, start-up excluded)

Each configuration is timed in alternating passes (parse, shared, off, ...)
so that drifting load on a shared machine hits them alike; the load average is
printed before and after. The cases are the seeded ones of bench_check.py.

Usage: python benchmarks/bench_stages.py [--cases 2000] [--repeat 5] [--dir DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import generate, load_average


def _cpu(fn: Callable[[Any], object], items: Sequence[Any]) -> float:
    """CPU microseconds per item of one pass."""
    start = time.process_time()
    for item in items:
        fn(item)
    return (time.process_time() - start) / len(items) * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", type=Path, default=None, help="case files (generated if empty)")
    args = ap.parse_args()

    import yaml

    from dsm5check.cases.case import Case
    from dsm5check.cases.loading import RulesetResolver, check_document
    from dsm5check.cases.streams import iter_documents
    from dsm5check.cases.yamlio import Document
    from dsm5check.engine import evaluate as engine
    from dsm5check.engine import shared
    from dsm5check.engine.evaluate import evaluate
    from dsm5check.engine.registry import shipped
    from dsm5check.engine.results import UNKNOWN
    from dsm5check.render.records import record_json

    tmp = Path(tempfile.mkdtemp(prefix="dsm5check-stages-"))
    folder = args.dir or tmp / "cases"
    try:
        if not folder.exists() or not any(folder.rglob("*.yaml")):
            generate(folder, args.cases)
        files = sorted(folder.rglob("*.yaml"))[: args.cases]
        raws = [(str(f), f.read_bytes()) for f in files]
        rules = shipped("dsm5-ptsd")
        docs = [d for n, _ in raws for d in iter_documents(n) if isinstance(d, Document)]
        resolver, today = RulesetResolver(), dt.date.today()
        cases = [Case.model_validate(d.data) for d in docs]
        results = [evaluate(rules, c) for c in cases]
        undecided = [r for r in results if r.diagnosis == UNKNOWN]

        def whole(raw: tuple[str, bytes]) -> None:
            for doc in iter_documents(raw[0]):
                if isinstance(doc, Document):
                    item, _ = check_document(doc, resolver, today)
                    if item is not None:
                        record_json(evaluate(rules, item.case, file=doc.file, line=doc.line))

        stages: dict[str, tuple[Callable[[Any], object], Sequence[Any], bool | None]] = {
            "parse: PyYAML C loader (baseline)": (
                lambda r: yaml.load(Path(r[0]).read_bytes(), Loader=yaml.CSafeLoader), raws,
                None),
            "read (ours)": (lambda r: list(iter_documents(r[0])), raws, None),
            "validate + case checks": (lambda d: check_document(d, resolver, today), docs, None),
            "evaluate, shared results": (lambda c: evaluate(rules, c), cases, True),
            "evaluate, off": (lambda c: evaluate(rules, c), cases, False),
            "record + JSON, shared": (record_json, results, True),
            "record + JSON, off": (record_json, results, False),
            f"  of which undecided ({len(undecided)} cases), shared": (
                record_json, undecided, True),
            f"  of which undecided ({len(undecided)} cases), off": (
                record_json, undecided, False),
            "all stages in one pass, shared": (whole, raws, True),
            "all stages in one pass, off": (whole, raws, False),
        }
        best: dict[str, float] = {}
        print(f"{len(raws)} case files in {folder}; {len(undecided)} with an undecided"
              " diagnosis")
        print(f"load average before: {load_average()}")
        for _ in range(args.repeat):
            for label, (fn, items, share) in stages.items():
                if share is not None:
                    shared.set_sharing(share)
                    engine.LAZY_SPECIFIERS = share
                    # results of the other setting: the record stage must use the
                    # engine's results of its own setting
                    if fn is record_json:
                        fresh = [evaluate(rules, r_case) for r_case in
                                 (cases if len(items) == len(results) else
                                  [c for c, r in zip(cases, results, strict=True)
                                   if r.diagnosis == UNKNOWN])]
                        items = fresh
                gc.collect()
                us = _cpu(fn, items)
                best[label] = min(us, best.get(label, us))
        shared.set_sharing(True)
        engine.LAZY_SPECIFIERS = True
        print(f"load average after:  {load_average()}")
        base = best["parse: PyYAML C loader (baseline)"]
        print(f"per-file CPU cost, best of {args.repeat} alternating passes, ratio to the"
              " C-loader parse:")
        for label, us in best.items():
            print(f"  {label:48s} {us:7.1f} us  {us / base:5.2f}x")
        print("(the undecided lines are per undecided case; `check` adds start-up and"
              " output writing to the all-stages line)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
