"""Engine cost per case of this checkout against another one (before a change), in one run.

For a refactoring that must not slow evaluation (issue 10 point 0: one dispatch
for node kinds, import circles broken). Each round runs both checkouts, one
after the other, in fresh processes; the figures are CPU time (this machine is
shared and loaded, so wall time says more about the neighbours than about the
code), the best of three passes within a process, and the median over rounds.
Printed: microseconds per case and the ratio after / before for

* evaluate: ``engine.evaluate`` on N generated cases (validated beforehand),
  for a set read natively (dsm5-ptsd) and one read through a crosswalk
  (icd11-ptsd on the same DSM-5-coded cases);
* record + JSON: the ``check --format json`` record of each result (reasons);
* load: parsing and checking ``rules/dsm5-ptsd.yaml`` (milliseconds).

Usage:
    git worktree add --detach /tmp/before lead   # the code before the change
    python benchmarks/bench_before_after.py --before /tmp/before [--cases 2000] [--rounds 9]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

INNER = r"""
import json, sys, time
from pathlib import Path
import dsm5check
from dsm5check.cases.case import Case
from dsm5check.cases.streams import iter_documents
from dsm5check.cases.yamlio import Document
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.engine.ruleset import load_ruleset_file
from dsm5check.render.records import case_record

def cpu(fn):
    best = None
    for _ in range(3):
        start = time.process_time()
        fn()
        took = time.process_time() - start
        best = took if best is None else min(best, took)
    return best

files = sorted(Path(sys.argv[1]).rglob("*.yaml"))
docs = [d for f in files for d in iter_documents(str(f)) if isinstance(d, Document)]
cases = [Case.model_validate(d.data) for d in docs]
out = {"package": str(Path(dsm5check.__file__).parent)}
for rid in ("dsm5-ptsd", "icd11-ptsd"):
    rules = shipped(rid)
    evaluate(rules, cases[0])
    took = cpu(lambda: [evaluate(rules, c) for c in cases])
    out[f"evaluate {rid} (us)"] = took / len(cases) * 1e6
    results = [evaluate(rules, c) for c in cases]
    out[f"record + JSON {rid} (us)"] = cpu(
        lambda: [json.dumps(case_record(r), default=str) for r in results]) / len(cases) * 1e6
rules_file = Path(dsm5check.__file__).parent.parent / "rules" / "dsm5-ptsd.yaml"
out["load dsm5-ptsd.yaml (ms)"] = cpu(lambda: load_ruleset_file(rules_file)) * 1e3
print(json.dumps(out))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--before", type=Path, required=True,
                    help="a checkout of the code before the change (its dsm5check/ and rules/)")
    ap.add_argument("--cases", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=9)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from bench_check import generate

    roots = {"before": args.before.resolve(), "after": ROOT}
    with tempfile.TemporaryDirectory(prefix="dsm5check-bench-") as tmp:
        folder = Path(tmp) / "cases"
        generate(folder, args.cases)
        runs: dict[str, list[dict[str, float]]] = {label: [] for label in roots}
        for _ in range(args.rounds):
            for label, root in roots.items():
                env = dict(os.environ, PYTHONPATH=str(root))
                proc = subprocess.run([sys.executable, "-c", INNER, str(folder)], env=env,
                                      cwd=root, capture_output=True, text=True, check=False)
                if proc.returncode:
                    raise SystemExit(f"{label} ({root}) failed:\n{proc.stderr[-2000:]}")
                runs[label].append(json.loads(proc.stdout))
    for label in roots:
        print(f"{label}: {runs[label][0]['package']}")
    print(f"CPU time, median of {args.rounds} rounds, {args.cases} cases:")
    for key in (k for k in runs["before"][0] if k != "package"):
        before = statistics.median(float(r[key]) for r in runs["before"])
        after = statistics.median(float(r[key]) for r in runs["after"])
        print(f"  {key:32s} before {before:8.1f}  after {after:8.1f}"
              f"  after / before {after / before:5.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
