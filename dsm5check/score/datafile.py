"""Opening the data of a scoring run, for one set (app.py) and several (multi.py).

The engine settings are checked before anything is read; DATA is opened, --out
checked, DuckDB connected and the columns described; the temporary folder and
the source are cleaned up however the run ends. Bad cells found while scoring
are reported here too, the same way for both.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from dsm5check.errors import InputError, Problem
from dsm5check.score.mapfile import ColumnMap

if TYPE_CHECKING:
    import duckdb

    from dsm5check.score.query import Compiled
    from dsm5check.score.run import Engine
    from dsm5check.score.source import Source
    from dsm5check.score.summary import Summary

MAX_REPORTED = 20
MAX_THREADS = 256
_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?\s*$", re.IGNORECASE)


def engine_settings(args: argparse.Namespace) -> None:
    """Refuse settings DuckDB would choke on, before anything is read."""
    if args.memory_limit is not None and not _SIZE.match(args.memory_limit):
        raise InputError([Problem.about("--memory-limit", f"{args.memory_limit!r} is not a"
                                  " memory size; expected a number with a unit, e.g. 64MB or"
                                  " 2GB")])
    if not 0 <= args.threads <= MAX_THREADS:
        raise InputError([Problem.about("--threads", f"{args.threads} threads: expected a"
                                  f" number from 1 to {MAX_THREADS} (0: the default)")])


@dataclass
class Opened:
    """The data of a scoring run, opened: DuckDB, its columns and where they start."""

    engine: Engine
    tmpdir: str
    src: Source
    con: duckdb.DuckDBPyConnection
    types: dict[str, str]
    first_line: int


@contextlib.contextmanager
def open_data(args: argparse.Namespace, cmap: ColumnMap, threads: int,
              progress: bool, ordered: bool = True) -> Iterator[Opened]:
    """Check the engine settings and --out, open DATA and read its columns (``ordered``:
    rows written keep the input order; a summary alone does not need it); the
    temporary folder and the source are cleaned up however the run ends (one-set
    and multi-set scoring alike)."""
    from dsm5check.score import run as runner
    from dsm5check.score.source import describe, open_source

    engine_settings(args)
    memory = args.memory_limit or runner.default_memory_limit(threads)
    engine = runner.Engine(threads=threads, memory_limit=memory, progress=progress,
                           ordered=ordered,
                           default_mb=(None if args.memory_limit
                                       else runner.default_memory_mb(threads)))
    src: Source | None = None
    tmpdir = runner.temp_folder()
    try:
        src = open_source(args.data, [*args.na, *cmap.missing_values])
        engine = runner.for_input(engine, src.path)
        if args.out:
            runner.out_format(args.out)
            runner.refuse_overwriting_input(args.out, args.data)
        con = runner.connect(engine, tmpdir)
        types, first_line = describe(con, src)
        yield Opened(engine, tmpdir, src, con, types, first_line)
    finally:
        runner.cleanup(tmpdir, src)


def summary_stream(args: argparse.Namespace) -> TextIO:
    """Where the summary goes: standard output when the rows are not written there
    (``--summary-only``, or the rows written to ``--out``), so that a script can
    read it there; else standard error, beside the rows on standard output."""
    return sys.stdout if args.summary_only or args.out else sys.stderr


def report_bad_cells(summary: Summary, compiled: Compiled, src: Source,
                     positions: dict[str, int], first_line: int) -> None:
    """The first bad cells as `file:line:col: ...` on standard error, then a count."""
    from dsm5check.score.run import bad_cell_problems

    if summary.rows == 0:  # a header alone: not an error (a filter may leave no rows)
        print(f"{src.name}: no rows to score: the file holds a header and no data rows",
              file=sys.stderr)
    for p in bad_cell_problems(summary, compiled, src, positions, first_line)[:MAX_REPORTED]:
        print(p, file=sys.stderr)
    if summary.bad_rows > len(summary.first_bad):
        print(f"{src.name}: bad cells in {summary.bad_rows - len(summary.first_bad):,}"
              " more rows (see the bad_cells column)", file=sys.stderr)
