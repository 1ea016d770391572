"""Benchmark `dsm5check check DIR --format jsonl` against merely parsing the files.

Prints ratios measured in one run (this machine is noisy: only ratios against a
baseline taken in the same run mean anything). Each run is what a user feels:
the whole command line process, from launch (interpreter start and imports
included) to exit, its output written to a file.

* check / parse: ``dsm5check check DIR --format jsonl --jobs 1 > FILE`` on N
  generated case files versus loading the same files with PyYAML's C loader in one
  Python process. Target (issue 12): at most 1.3, single process.
* check -j 2 / parse: the same spread over two worker processes (output order
  unchanged). Target on this 2-core machine: at most 0.8 of the parse time.
* --version and --help versus ``python3 -c pass``: start-up cost, no heavy imports.

Two ratios per run: wall-clock time (what a user waits for) and CPU time (user +
system of the process and its workers, which other load on a shared machine
disturbs less). The load average (``/proc/loadavg``) is printed before and after.

With ``--before DIR`` (a checkout of the code before a change), that code's
``check --jobs 1`` runs in the same rounds (PYTHONPATH=DIR, a ruleset cache of its
own): a before/after ratio from one run.

Usage: python benchmarks/bench_check.py [--cases 10000] [--repeat 3] [--dir DIR]
                                        [--runs-only] [--before DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

NATURES = ["actual_or_threatened_death", "serious_injury", "sexual_violence", "other"]
ROUTES = ["direct", "witnessed", "learned_about_close_other", "repeated_aversive_details"]
ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)
]


def make_case(i: int, rng: random.Random) -> str:
    event = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(0, 1500))
    onset = event + dt.timedelta(days=rng.randrange(0, 400))
    assessed = onset + dt.timedelta(days=rng.randrange(1, 500))
    full = onset + dt.timedelta(days=rng.randrange(0, max(1, (assessed - onset).days)))
    lines = [
        f"id: gen-{i:06d}",
        "ruleset: dsm5-ptsd",
        f"subject: {{age_years: {rng.randrange(18, 80)}}}",
        "events:",
        f"  - id: ev-{i}",
        f"    date: {event.isoformat()}",
        f"    nature: [{rng.choice(NATURES)}]",
        f"    exposure: [{rng.choice(ROUTES)}]",
        f"    violent_or_accidental: {rng.choice(['true', 'false'])}",
        f"    via_media: {rng.choice(['true', 'false'])}",
        "symptoms:",
    ]
    for item in ITEMS:
        r = rng.random()
        if r < 0.1:
            continue  # not assessed
        if r < 0.15:
            lines.append(f"  {item}: {{severity: {rng.randrange(0, 5)}, trauma_related: false}}")
        else:
            lines.append(f"  {item}: {rng.randrange(0, 5)}")
    lines += [
        "dissociation:",
        f"  depersonalization: {rng.randrange(0, 5)}",
        f"  derealization: {rng.randrange(0, 5)}",
        "  attributable_to_substance_or_medical: false",
        "timeline:",
        f"  symptom_onset: {onset.isoformat()}",
        f"  full_criteria_met: {full.isoformat()}",
        f"  assessed: {assessed.isoformat()}",
        f"impairment: {{distress: {rng.randrange(0, 5)}, social: {rng.randrange(0, 5)}}}",
        f"attributable_to_substance_or_medical: {rng.choice(['false', 'false', 'true'])}",
    ]
    return "\n".join(lines) + "\n"


def generate(folder: Path, n: int, seed: int = 20261128) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        sub = folder / f"batch{i // 1000:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"case-{i:06d}.yaml").write_text(make_case(i, rng), encoding="utf-8")


PARSE_ONLY = """
import os, sys, yaml
n = 0
for root, dirs, files in os.walk(sys.argv[1]):
    dirs.sort()
    for name in sorted(files):
        with open(os.path.join(root, name), 'rb') as fh:
            yaml.load(fh.read(), Loader=yaml.CSafeLoader)
        n += 1
print(n)
"""


#: the environment of each command by its label (see --before); such a command runs
#: in a folder of its own (``python -m`` puts the current folder first on the path)
ENVS: dict[str, dict[str, str]] = {}


def measure(cmd: list[str], out: Path | None = None, env: dict[str, str] | None = None
            ) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one run, its
    standard output written to ``out`` (a file, as a user would redirect it)."""
    cwd = env["DSM5CHECK_CACHE_DIR"] if env else None
    before = os.times()
    start = time.perf_counter()
    if out is None:
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              check=False, env=env, cwd=cwd)
    else:
        with out.open("wb") as fh:
            proc = subprocess.run(cmd, stdout=fh, stderr=subprocess.PIPE, check=False,
                                  env=env, cwd=cwd)
    elapsed = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd} failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return elapsed, cpu


def timed(cmd: list[str], *, stdout: int | None = subprocess.DEVNULL) -> float:
    """Wall seconds of one run (output thrown away)."""
    return measure(cmd)[0]


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def median_of(cmd: list[str], repeat: int) -> float:
    return statistics.median(timed(cmd) for _ in range(repeat))


def interleaved(runs: dict[str, list[str]], repeat: int, out: Path
                ) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of each command, the commands taking turns so that
    drifting load on the machine hits all alike; outputs go to files under ``out``."""
    walls: dict[str, list[float]] = {label: [] for label in runs}
    cpus: dict[str, list[float]] = {label: [] for label in runs}
    for _ in range(repeat):
        for i, (label, cmd) in enumerate(runs.items()):
            wall, cpu = measure(cmd, out / f"run{i}.out", ENVS.get(label))
            walls[label].append(wall)
            cpus[label].append(cpu)
    return {label: (statistics.median(walls[label]), statistics.median(cpus[label]))
            for label in runs}


def report(med: dict[str, tuple[float, float]], base: str, n: int,
           targets: dict[str, str]) -> None:
    bw, bc = med[base]
    print(f"{'':32s}{'wall':>9s}{'ratio':>7s}{'CPU':>9s}{'ratio':>7s}")
    for label, (wall, cpu) in med.items():
        print(f"{label:32s}{wall:8.2f}s{wall / bw:7.2f}{cpu:8.2f}s{cpu / bc:7.2f}"
              f"  ({wall / n * 1e6:5.0f} us/file){targets.get(label, '')}")


T = TypeVar("T")


def per_file(fn: Callable[[T], object], items: Sequence[T]) -> float:
    """Best of three, in CPU microseconds per item (CPU time: other processes on a
    shared machine disturb it less than the clock)."""
    times = []
    for _ in range(3):
        start = time.process_time()
        for item in items:
            fn(item)
        times.append(time.process_time() - start)
    return min(times) / len(items) * 1e6


def stages(folder: Path, limit: int) -> None:
    """In-process cost of each stage per file: evaluation must cost less than reading."""
    import yaml

    from dsm5check.cases.case import Case
    from dsm5check.cases.case_checks import case_problems
    from dsm5check.cases.loading import RulesetResolver, check_document
    from dsm5check.cases.streams import iter_documents
    from dsm5check.cases.yamlio import Document
    from dsm5check.check.batch import record_text
    from dsm5check.engine.evaluate import evaluate
    from dsm5check.engine.registry import shipped

    files = sorted(folder.rglob("*.yaml"))[:limit]
    raws = [(str(f), f.read_bytes()) for f in files]
    rules = shipped("dsm5-ptsd")

    docs = [d for n, _ in raws for d in iter_documents(n) if isinstance(d, Document)]
    resolver, today = RulesetResolver(), dt.date.today()
    cases = [Case.model_validate(d.data) for d in docs]
    results = [evaluate(rules, c) for c in cases]
    # each result is dropped at once, as in a run: holding thousands alive would
    # make the garbage collector's work part of the figure
    figures = {
        "PyYAML C safe_load (read bytes)": per_file(
            lambda r: yaml.load(Path(r[0]).read_bytes(), Loader=yaml.CSafeLoader), raws),
        "read (open, split, build, dup. keys)": per_file(
            lambda r: list(iter_documents(r[0])), raws),
        "validate (pydantic)": per_file(lambda d: Case.model_validate(d.data), docs),
        "case checks (names, dates, scope)": per_file(
            lambda dc: case_problems(dc[0].data, dc[1], rules.rules, today),
            list(zip(docs, cases, strict=True))),
        "validate + case checks": per_file(lambda d: check_document(d, resolver, today), docs),
        "evaluate (engine)": per_file(lambda c: evaluate(rules, c), cases),
        "record + JSON (with reasons)": per_file(lambda r: record_text(r, docs[0], False),
                                                 results),
    }
    base = figures["PyYAML C safe_load (read bytes)"]
    print(f"per-file stage costs (CPU), in one process, best of 3 over {len(raws)} files:")
    for label, us in figures.items():
        print(f"  {label:36s} {us:7.1f} us  {us / base:5.2f}x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=None, help="keep generated files here")
    ap.add_argument("--runs-only", action="store_true",
                    help="only the command-line runs (no per-stage costs, no start-up)")
    ap.add_argument("--before", type=Path, default=None,
                    help="another checkout (the code before a change, e.g. a git worktree):"
                    " its check --jobs 1 runs in the same rounds, with a ruleset cache of"
                    " its own")
    args = ap.parse_args()
    py = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="dsm5check-bench-"))
    folder = args.dir or tmp / "cases"
    try:
        if not folder.exists() or not any(folder.rglob("*.yaml")):
            generate(folder, args.cases)
        n = sum(1 for _ in folder.rglob("*.yaml"))
        print(f"{n} case files in {folder}")
        check = [py, "-m", "dsm5check", "check", str(folder), "--format", "jsonl"]
        runs = {
            "parse only (PyYAML C loader)": [py, "-c", PARSE_ONLY, str(folder)],
            "check --jobs 1": [*check, "--jobs", "1"],
            "check --jobs 2": [*check, "--jobs", "2"],
            "check (default jobs)": check,
        }
        if args.before is not None:
            label = "check --jobs 1, --before"
            runs[label] = [*check, "--jobs", "1"]
            ENVS[label] = {**os.environ, "PYTHONPATH": str(args.before.resolve()),
                           "DSM5CHECK_CACHE_DIR": str(tmp / "before-cache")}
            (tmp / "before-cache").mkdir()
        print(f"load average before: {load_average()}")
        med = interleaved(runs, args.repeat, tmp)
        print(f"load average after:  {load_average()}")
        print(f"medians of {args.repeat} interleaved rounds, output to a file:")
        report(med, "parse only (PyYAML C loader)", n,
               {"check --jobs 1": "  (target <= 1.3, one process)",
                "check --jobs 2": "  (target <= 0.8 on 2 cores)"})
        if args.runs_only:
            return 0
        stages(folder, min(n, 2000))
        one = str(next(iter(sorted(folder.rglob("*.yaml")))))
        starts = [measure([*check[:4], one, "--format", "jsonl"]) for _ in range(5)]
        print(f"check of one file (start-up): {statistics.median(w for w, _ in starts):6.3f} s"
              f" wall, {statistics.median(c for _, c in starts):6.3f} s CPU")

        base = median_of([py, "-c", "pass"], 15)
        version = median_of([py, "-m", "dsm5check", "--version"], 15)
        helptime = median_of([py, "-m", "dsm5check", "--help"], 15)
        print(f"python -c pass:               {base * 1000:8.1f} ms")
        for label, t in (("--version", version), ("--help", helptime)):
            print(f"dsm5check {label:20s}{t * 1000:8.1f} ms  ratio {t / base:5.2f}")
        heavy = subprocess.run(
            [py, "-X", "importtime", "-m", "dsm5check", "--help"],
            capture_output=True, text=True, check=False,
        ).stderr
        loaded = [m for m in ("pydantic", "rich", "yaml", "questionary", "duckdb")
                  if f" {m}\n" in heavy or f" {m}." in heavy]
        print(f"heavy modules imported by --help: {', '.join(loaded) or 'none'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
