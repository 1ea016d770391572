"""Benchmark the PostgreSQL dialect: layers MATERIALIZED (as emitted) against inlined.

Starts a throw-away PostgreSQL server (its binaries must be installed, e.g.
Debian's ``postgresql``), loads N rows of CAPS-5 data (tests/sql_support.py,
with bad and text cells) as a table of text, and times ``psql`` running the
SQL of ``score --emit-sql --dialect postgres --missing prorate`` as emitted
(every layer ``AS MATERIALIZED``) and with the word removed (PostgreSQL then
inlines the layers). Prints both wall times and their ratio, measured in one
run; the materialized query is run ``--repeat`` times (median), the inlined
one once, stopped after ``--timeout`` seconds (then the ratio is a lower bound).

Usage: python benchmarks/bench_sql.py [--rows 1500] [--repeat 5] [--timeout 300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sql_support import HEADER, make_rows, write_csv  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1500)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--timeout", type=int, default=300)
    args = ap.parse_args()
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not bins or shutil.which("psql") is None:
        print("no PostgreSQL server binaries (Debian: apt-get install postgresql)")
        return 1
    pg = bins[-1].parent
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    work = Path(tempfile.mkdtemp(prefix="dsm5check-bench-pg-"))
    if run_as:
        shutil.chown(work, "postgres")
    db = work / "pg"
    data = write_csv(work / "caps.csv", make_rows(99, args.rows))
    subprocess.run([*run_as, str(pg / "initdb"), "-D", str(db), "-A", "trust", "-U",
                    "postgres", "--no-sync"], check=True, capture_output=True)
    subprocess.run([*run_as, str(pg / "pg_ctl"), "-D", str(db), "-w", "-l", str(work / "log"),
                    "-o", f"-k {work} -c listen_addresses='' -F", "start"],
                   check=True, capture_output=True)
    psql = ["psql", "-h", str(work), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
    try:
        columns = ", ".join(f'"{c}" text' for c in HEADER)
        subprocess.run([*psql, "-c", f"CREATE TABLE score_input ({columns})", "-c",
                        f"\\copy score_input FROM '{data}' CSV HEADER"], check=True,
                       capture_output=True)
        sql = subprocess.run(
            [sys.executable, "-m", "dsm5check", "score", str(data), "--instrument", "caps5",
             "--missing", "prorate", "--emit-sql", "--dialect", "postgres"],
            check=True, capture_output=True, text=True).stdout
        emitted = work / "materialized.sql"
        emitted.write_text(sql)
        inlined = work / "inlined.sql"
        inlined.write_text(sql.replace(" AS MATERIALIZED (", " AS ("))

        def once(path: Path, timeout: int | None = None) -> float | None:
            start = time.perf_counter()
            try:
                subprocess.run([*psql, "--csv", "-f", str(path)], check=True,
                               capture_output=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                return None
            return time.perf_counter() - start

        fast = statistics.median(t for t in (once(emitted) for _ in range(args.repeat))
                                 if t is not None)
        slow = once(inlined, args.timeout)
    finally:
        subprocess.run([*run_as, str(pg / "pg_ctl"), "-D", str(db), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"PostgreSQL ({pg.parent.name}), {args.rows:,} CAPS-5 rows, --missing prorate")
    print(f"  layers MATERIALIZED (emitted): {fast:8.2f} s  (median of {args.repeat})")
    if slow is None:
        print(f"  layers inlined:                > {args.timeout} s (stopped)"
              f"  ratio > {args.timeout / fast:.0f}x")
    else:
        print(f"  layers inlined:                {slow:8.2f} s  ratio {slow / fast:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
