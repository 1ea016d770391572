"""Benchmark streams of cases: one JSON Lines file against the same cases as files.

Prints, from one run (ratios against baselines measured in the same run):

* ``check cases.jsonl --format jsonl`` versus ``check DIR --format jsonl --jobs 1``
  on the same N cases written one per file (YAML, and JSON), all single-process.
  Target: the JSONL run takes at most the time of the files (ratio <= 1).
* peak memory (GNU time's maximum resident set) of each run, and of the same cases
  as one YAML stream and one JSON list. Target: under 150 MB whatever N.

Usage: python benchmarks/bench_streams.py [--cases 100000] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check import make_case

PY = sys.executable


def generate(folder: Path, n: int) -> dict[str, Path]:
    """The same n cases as: YAML files, JSON files, one JSONL, one YAML stream, one JSON list."""
    rng = random.Random(20261204)
    yaml_dir, json_dir = folder / "yaml", folder / "json"
    out = {"yaml files": yaml_dir, "json files": json_dir, "jsonl": folder / "cases.jsonl",
           "yaml stream": folder / "stream.yaml", "json list": folder / "list.json"}
    with open(out["jsonl"], "w", encoding="utf-8") as jsonl, \
            open(out["yaml stream"], "w", encoding="utf-8") as stream, \
            open(out["json list"], "w", encoding="utf-8") as array:
        array.write("[\n")
        for i in range(n):
            text = make_case(i, rng)
            data = yaml.load(text, Loader=yaml.CSafeLoader)
            line = json.dumps(data, default=str)
            sub = f"b{i // 1000:03d}"
            (yaml_dir / sub).mkdir(parents=True, exist_ok=True)
            (json_dir / sub).mkdir(parents=True, exist_ok=True)
            (yaml_dir / sub / f"c{i:06d}.yaml").write_text(text, encoding="utf-8")
            (json_dir / sub / f"c{i:06d}.json").write_text(line, encoding="utf-8")
            jsonl.write(line + "\n")
            stream.write(("---\n" if i else "") + text)
            array.write((",\n" if i else "") + line)
        array.write("\n]\n")
    return out


def measure(target: Path) -> tuple[float, int, int]:
    """(seconds, peak RSS in MB, result lines) of a single-process check."""
    cmd = [PY, "-m", "dsm5check", "check", str(target), "--format", "jsonl", "--jobs", "1"]
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss.name, *cmd],
                              capture_output=True, check=False)
        elapsed = time.perf_counter() - start
        if proc.returncode not in (0, 1):
            raise SystemExit(f"{cmd} failed ({proc.returncode}): {proc.stderr[-2000:]!r}")
        peak = int(rss.read().strip().splitlines()[-1]) // 1024
    return elapsed, peak, proc.stdout.count(b"\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dir", type=Path, help="keep the generated inputs here")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dsm5check-streams-"))
    folder = args.dir or tmp
    try:
        start = time.perf_counter()
        inputs = generate(folder, args.cases)
        print(f"{args.cases:,} cases written in {time.perf_counter() - start:.0f} s to {folder}")
        times: dict[str, list[float]] = {k: [] for k in inputs}
        peaks: dict[str, int] = dict.fromkeys(inputs, 0)
        for _ in range(args.repeat):  # interleaved: machine noise hits all alike
            for label, target in inputs.items():
                t, peak, lines = measure(target)
                if lines != args.cases:
                    raise SystemExit(f"{label}: {lines} results for {args.cases} cases")
                times[label].append(t)
                peaks[label] = max(peaks[label], peak)
        med = {k: statistics.median(v) for k, v in times.items()}
        base = med["yaml files"]
        print(f"{'input (single process)':24s} {'time':>9s} {'per case':>9s} {'ratio':>6s}"
              f" {'peak RSS':>9s}")
        for label in inputs:
            print(f"{label:24s} {med[label]:8.2f}s {med[label] / args.cases * 1e6:7.0f}us"
                  f" {med[label] / base:6.2f} {peaks[label]:6d} MB")
        print(f"ratio jsonl / yaml files: {med['jsonl'] / base:.2f} (target <= 1);"
              f" jsonl / json files: {med['jsonl'] / med['json files']:.2f}")
        worst = max(peaks[k] for k in ("jsonl", "yaml stream", "json list"))
        print(f"largest peak memory of a one-file stream: {worst} MB (target < 150 MB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
