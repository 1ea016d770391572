"""Benchmark start-up: `dsm5check --version` and `--help` against `python3 -c pass`.

Prints ratios measured in one run: every command is run ``--repeat`` times,
interleaved with the baseline (so a busy moment hits both), and the medians
are compared. Target (issue 12): at most 2.5x for --version and --help.

Two baselines are printed: the interpreter that runs dsm5check
(``sys.executable -c pass``, which pays the same site start-up, e.g. an
editable install's import hook) and the system ``python3 -c pass``.
The ratio that counts is against the same interpreter.

Usage: python benchmarks/bench_startup.py [--repeat 31]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def once(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=31, help="runs of each command (median)")
    args = ap.parse_args()
    py = sys.executable
    script = Path(py).with_name("dsm5check")
    runs: dict[str, list[str]] = {
        "python -c pass (same interpreter)": [py, "-c", "pass"],
        "dsm5check --version": [str(script), "--version"],
        "dsm5check --help": [str(script), "--help"],
        "python -m dsm5check --version": [py, "-m", "dsm5check", "--version"],
        "python -m dsm5check --help": [py, "-m", "dsm5check", "--help"],
        "dsm5check check --help": [str(script), "check", "--help"],
    }
    system = shutil.which("python3")
    if system:
        runs["python3 -c pass (system)"] = [system, "-c", "pass"]
    if not script.exists():
        for name in [n for n in runs if n.startswith("dsm5check")]:
            del runs[name]
    times: dict[str, list[float]] = {name: [] for name in runs}
    for argv in runs.values():  # warm the file cache once
        once(argv)
    for _ in range(args.repeat):
        for name, argv in runs.items():
            times[name].append(once(argv))
    med = {name: statistics.median(t) for name, t in times.items()}
    base = med["python -c pass (same interpreter)"]
    print(f"{args.repeat} runs each, interleaved; medians; python {sys.version.split()[0]}")
    for name, t in med.items():
        print(f"  {name:38} {t * 1000:7.1f} ms  {t / base:5.2f}x")
    if system:
        sys_base = med["python3 -c pass (system)"]
        print(f"against the system python3 -c pass ({sys_base * 1000:.1f} ms):")
        for name in [n for n in med if "dsm5check" in n]:
            print(f"  {name:38} {med[name] / sys_base:5.2f}x")
    heavy = subprocess.run(
        [py, "-c", "import sys; from dsm5check.cli import main\n"
         "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
         "print(','.join(m for m in ('argparse', 'pydantic', 'rich', 'yaml', 'questionary',"
         " 'duckdb') if m in sys.modules), file=sys.stderr)"],
        capture_output=True, text=True, check=True,
    ).stderr.strip()
    print(f"modules loaded by --help: {heavy or 'none of the heavy ones'}")


if __name__ == "__main__":
    main()
