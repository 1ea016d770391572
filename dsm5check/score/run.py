"""Running the compiled query with DuckDB embedded, streaming, with progress.

The rows never pass through Python: DuckDB reads the input in chunks, runs the
query and writes the output with ``COPY ... TO`` (CSV or Parquet, or JSON Lines
spooled to a temporary file and copied to standard output). The summary is
one aggregate query over the written rows. Memory is bounded by DuckDB's
``memory_limit``; what does not fit spills to a temporary folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

from dsm5check.errors import InputError, Problem
from dsm5check.score.compile_sql import ident, literal
from dsm5check.score.query import Compiled
from dsm5check.score.source import CSV_BUFFER, Source, label
from dsm5check.score.summary import Summary, aggregate_sql, bad_cells_sql, decode, decode_bad

if TYPE_CHECKING:
    import duckdb

    from dsm5check.score.cells import Checked

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet",
           ".jsonl": "json", ".ndjson": "json", ".json": "json"}


@dataclass(frozen=True)
class Engine:
    threads: int = 1
    memory_limit: str = "64MB"
    progress: bool = False
    #: rows written keep the input order (a summary alone does not need it; its bad-cell
    #: pass, which numbers rows, turns the order back on: see run_query)
    ordered: bool = True
    #: the memory limit in MB when it is dsm5check's default, which rows written in two
    #: passes may raise so that every thread writes (see first_pass_memory); None when
    #: --memory-limit was given (never raised)
    default_mb: int | None = None
    #: the input is longer than STAGE_MAX_BYTES: the limit is not raised (for_input)
    long_input: bool = False


#: most threads a run takes by default (10M rows to Parquet peak at ~165 MB with 2; 4
#: threads pass 300 MB)
DEFAULT_MAX_THREADS = 2
#: DuckDB's memory limit per thread when --memory-limit is not given
MEMORY_PER_THREAD_MB = 64


def default_threads() -> int:
    """Threads when --threads is not given: the cores this process may use, at most
    DEFAULT_MAX_THREADS. (The load average is not looked at: it counts the runs just
    before, and on a busy machine a process with two threads still gets a larger share
    of the cores than one with a single thread.)"""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(DEFAULT_MAX_THREADS, cores))


#: DuckDB's ordered Parquet writer (DuckDB 2.0, PhysicalFixedBatchCopy) runs a second
#: thread only when a quarter of the memory limit covers 4 MiB per column for each thread
#: after the first; short of that it writes on one thread (1M PCL-5 rows, 21 columns:
#: 1.10 s at 128 MB, 0.58 s at 384 MB; the numbered copy to CSV after it 0.81 s and
#: 0.43 s). The reservation is a ceiling, not memory used.
WRITER_MIB_PER_COLUMN = 4 * 4
#: the most the limit is raised to: 10M PCL-5 rows to CSV peak at about 300 MB with
#: 384 MB; wider rows (several sets, the ITQ) would need more, and keep the engine's limit
MAX_RAISED_MB = 384


def for_input(engine: Engine, path: str) -> Engine:
    """``engine`` for the input at ``path``: an input longer than STAGE_MAX_BYTES is
    marked, and its limit is not raised (first_pass_memory). As for staging, the
    ordered writer holds more rows back the longer the file: 10M PCL-5 rows (469 MB)
    written to CSV peaked at 323 MB with the limit raised to 384 MB (issue 12: under
    300 MB), 227 MB at the engine's own 128 MB. 1M rows (47 MB) keep every thread."""
    try:
        long_input = os.path.getsize(path) > STAGE_MAX_BYTES
    except OSError:
        return engine
    return dataclasses.replace(engine, long_input=long_input) if long_input else engine


def _writer_need_mb(threads: int, columns: int) -> int:
    """The memory limit (MB) at which the ordered writer uses every thread for rows of
    ``columns`` columns. DuckDB gives a query somewhat less than the limit (21 columns
    start a second thread at 360 MB, not 336): a tenth more, in steps of 32 MB."""
    raw = WRITER_MIB_PER_COLUMN * columns * (threads - 1) / 0.9
    return -(-int(raw) // 32) * 32


def first_pass_memory(engine: Engine, columns: int) -> str | None:
    """The memory limit that lets the ordered writer use every thread for rows of
    ``columns`` columns, when --memory-limit was not given and the engine's own limit
    is short of it (None: keep the engine's limit)."""
    have = engine.default_mb
    if have is None or engine.threads < 2 or engine.long_input:
        return None
    need = _writer_need_mb(engine.threads, columns)
    return f"{need}MB" if have < need <= MAX_RAISED_MB else None


#: a CSV file is staged (see Stage) only when it is at most this long. The staging
#: writer holds more rows back the longer the file: peak memory with 1M PCL-5 rows
#: (47 MB) 236 MB, 1.4M (66 MB) 268-274 MB, 2M (94 MB) 293-309 MB, 3M 282 MB, 10M
#: 305 MB; longer files are scored in one pass, whose memory stays flat (10M rows:
#: about 220 MB)
STAGE_MAX_BYTES = 64 * 1024 * 1024
#: the most the memory limit is raised to for staged rows (MAX_RAISED_MB, for files of
#: any length written to CSV, is lower): the limit is a ceiling DuckDB's ordered writer
#: reserves against, not memory used, and a staged file is short. Up to 57 columns are
#: written on every thread: 1M PCL-5 rows scored against two sets (34 columns) 0.43 s at
#: 608 MB against 0.80 s at 384 MB, the ITQ (38) 0.40 s at 704 MB against 0.66 s; peak
#: 237-257 MB
STAGE_MAX_RAISED_MB = 1024


@dataclass(frozen=True)
class Stage:
    """A CSV file's rows copied, in input order, to a Parquet file before they are
    scored into a Parquet file. ``ROW_NUMBER() OVER ()`` over the CSV reader keeps the
    whole scoring query on one thread (1M PCL-5 rows: 0.99 s); staged, the rows are
    read back numbered by the Parquet reader (``file_row_number``) and the copy and
    the scoring each run on every thread (0.43 s + 0.29 s)."""

    path: str
    #: the memory limit for the copy (None: the engine's own)
    memory: str | None
    #: the COPY that writes ``path``, at the level of reading being tried
    copy: str = ""

    def at_level(self, src: Source, checked: Sequence[Checked], level: str) -> Stage:
        """The stage with the COPY of one level of reading (score/app.LEVELS)."""
        from dsm5check.score.source import stage_sql

        return dataclasses.replace(self, copy=stage_sql(src, checked, self.path, level))


def staged_memory(engine: Engine, columns: int) -> str | None:
    """The memory limit for writing staged rows of ``columns`` columns on every thread,
    at most STAGE_MAX_RAISED_MB (None: the engine's own limit is enough)."""
    have = engine.default_mb or 0
    need = min(_writer_need_mb(engine.threads, columns), STAGE_MAX_RAISED_MB)
    return f"{need}MB" if need > have else None


def plan_stage(engine: Engine, src: Source, out: str | None, columns: int,
               tmpdir: str) -> Stage | None:
    """A Stage when the rows of CSV data of ``columns`` columns are staged before they
    are scored into ``out`` (None: scored straight from the CSV file): only into a
    Parquet file (CSV and JSON Lines are numbered on a copy of their own, see
    write_rows), with several threads and dsm5check's default memory limit, which is
    raised (staged_memory) for the writers to use every thread, from a file no longer
    than STAGE_MAX_BYTES and not so wide that the copy would be written on one thread."""
    if (src.kind != "csv" or out is None or engine.default_mb is None or engine.threads < 2
            or FORMATS.get(os.path.splitext(out)[1].lower()) != "parquet"
            or os.path.getsize(src.path) > STAGE_MAX_BYTES):
        return None
    if _writer_need_mb(engine.threads, columns) > max(engine.default_mb, STAGE_MAX_RAISED_MB):
        return None
    return Stage(os.path.join(tmpdir, "staged.parquet"), staged_memory(engine, columns))


def default_memory_mb(threads: int) -> int:
    """--memory-limit when not given, in MB: MEMORY_PER_THREAD_MB for each thread."""
    return MEMORY_PER_THREAD_MB * max(1, threads)


def default_memory_limit(threads: int) -> str:
    """--memory-limit when not given, as DuckDB takes it."""
    return f"{default_memory_mb(threads)}MB"


def out_of_memory(exc: Exception, engine: Engine) -> InputError:
    """DuckDB ran out of the memory it was allowed: a problem naming --memory-limit."""
    first = str(exc).strip().splitlines()[0].removeprefix("Out of Memory Error: ")
    return InputError([Problem.about("--memory-limit", (
        f"DuckDB needed more than the {engine.memory_limit} it may use with"
        f" {engine.threads} thread{'s' if engine.threads != 1 else ''} ({first});"
        " give more with --memory-limit (e.g. --memory-limit 1GB) or use fewer threads"
        " (--threads 1)"))])


def connect(engine: Engine, tmpdir: str) -> duckdb.DuckDBPyConnection:
    import duckdb

    try:
        con = duckdb.connect(config={
            "threads": max(1, engine.threads),
            "memory_limit": engine.memory_limit,
            "temp_directory": tmpdir,
            # several threads keep the rows in input order through DuckDB's ordered
            # writers (10M rows to Parquet with 2 threads peak at 165 MB, see
            # docs/scoring.md); one thread keeps them in order by itself
            "preserve_insertion_order": engine.ordered and engine.threads > 1,
        })
    except duckdb.Error as exc:  # settings checked before; this is the last word
        first = str(exc).strip().splitlines()[0]
        raise InputError([Problem.about("--memory-limit", f"DuckDB refused the settings:"
                                  f" {first}")]) from None
    if engine.progress:  # progress is polled by rich, DuckDB must not print its own bar
        con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false;"
                    " SET progress_bar_time = 0")
    return con


def create_enums(con: duckdb.DuckDBPyConnection, compiled: Compiled) -> None:
    """The ENUM types the query writes its status words as (much faster than text)."""
    for name, values in compiled.enums.items():
        con.execute(f"CREATE TYPE {name} AS ENUM ({', '.join(literal(v) for v in values)})")


def out_format(path: str) -> str:
    if os.path.isdir(path):
        raise InputError([Problem(path, 1, 1, "--out names a folder; expected a file to"
                                  " write (.csv, .parquet or .jsonl), e.g. "
                                  + os.path.join(path, "scored.csv"))])
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise InputError([Problem(path, 1, 1, f"--out: no folder {folder}; create it first")])
    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise InputError([Problem(path, 1, 1, f"unknown output type {ext or '(none)'!r};"
                                  " expected .csv, .parquet or .jsonl")])
    return FORMATS[ext]


def _copy_options(fmt: str) -> str:
    if fmt == "parquet":
        return "(FORMAT parquet, COMPRESSION zstd)"
    if fmt == "csv":
        return "(FORMAT csv, HEADER true)"
    return "(FORMAT json)"


def execute(con: duckdb.DuckDBPyConnection, sql: str, engine: Engine,
            what: str = "scoring") -> list[tuple[Any, ...]]:
    """Run one statement; with a progress bar on a terminal when asked for. DuckDB
    running out of its memory limit is a problem naming --memory-limit."""
    import duckdb

    try:
        return _execute(con, sql, engine, what)
    except duckdb.OutOfMemoryException as exc:
        raise out_of_memory(exc, engine) from None


def _execute(con: duckdb.DuckDBPyConnection, sql: str, engine: Engine,
             what: str) -> list[tuple[Any, ...]]:
    if not engine.progress:
        return con.execute(sql).fetchall()
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from dsm5check.render.console import make_console

    box: dict[str, Any] = {}

    def work() -> None:
        try:
            box["rows"] = con.execute(sql).fetchall()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    console = make_console(sys.stderr)
    with Progress(TextColumn(what), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task(what, total=100.0)
        worker.start()
        try:
            while worker.is_alive():
                worker.join(0.1)
                done = con.query_progress()
                if done >= 0:
                    bar.update(task, completed=done)
        except KeyboardInterrupt:
            con.interrupt()
            worker.join()
            raise
    if "error" in box:
        raise box["error"]
    rows: list[tuple[Any, ...]] = box["rows"]
    return rows


def _reader_of(path: str, fmt: str) -> str:
    if fmt == "parquet":
        return f"read_parquet({literal(path)})"
    if fmt == "csv":
        return (f"read_csv({literal(path)}, header = true, all_varchar = true,"
                f" buffer_size = {CSV_BUFFER})")
    return f"read_json({literal(path)}, format = 'newline_delimited')"


def quiet(engine: Engine) -> Engine:
    """The engine without a progress bar (for the short queries after the scoring)."""
    return dataclasses.replace(engine, progress=False)


def numbered_relation(path: str) -> str:
    """The scored rows of a Parquet file written without row numbers (``row`` NULL),
    numbered by their place in the file: ``file_row_number`` is read in parallel, where
    ``ROW_NUMBER() OVER ()`` keeps DuckDB on one thread. The rows were written in input
    order (preserve_insertion_order), so the numbers are the input's."""
    row = ident("row")
    return (f"(SELECT file_row_number + 1 AS {row}, * EXCLUDE ({row}, file_row_number)"
            f" FROM read_parquet({literal(path)}, file_row_number = true))")


def write_rows(con: duckdb.DuckDBPyConnection, sql: str, out: str | None, tmpdir: str,
               engine: Engine, unnumbered: str | None = None,
               stage: Stage | None = None) -> tuple[str, str]:
    """Every scored row of ``sql`` to ``out`` (or a temporary Parquet file): the file
    written, and a relation the summary reads (``SELECT * FROM`` it gives the rows, in
    order, numbered). ``out`` is written beside itself, then put in place at once: never
    half-written, never left behind.

    The query runs once, into Parquet (cheap to write, and cheap for the summary to
    read back a few columns of); a CSV or JSON Lines file is then copied from it (reading
    a CSV file back for the summary costs about as much as writing it).
    ``unnumbered``: the same query without row numbers; the first pass then runs on
    every thread and the copy numbers the rows (see numbered_relation). Writing Parquet
    on one thread, the numbered query is written at once (one pass instead of two).
    ``stage``: ``sql`` reads the staged rows of the CSV file, which ``stage.copy``
    writes first (see Stage).
    """
    scored = os.path.join(tmpdir, "scored.parquet")
    fmt = out_format(out) if out is not None else "parquet"
    target = scored
    if out is not None:
        target = os.path.join(os.path.dirname(os.path.abspath(out)),
                              f".{os.path.basename(out)}.{os.getpid()}.partial")
    # (rows numbered by the Parquet reader are numbered in parallel already)
    # Parquet written in one pass whatever the threads: measured on 1M rows (quiet, 2
    # cores), two passes cost more than the numbering saves (ITQ 4.2 s against 2.2 s,
    # PCL-5 2.7 s against 2.0 s); CSV and JSON Lines go through Parquet anyway
    two_pass = unnumbered is not None and "ROW_NUMBER() OVER ()" in sql and (
        "file_row_number" not in unnumbered and (fmt != "parquet" or out is None))
    relation = None
    try:
        if stage is not None:
            with _memory(con, stage.memory, engine.memory_limit):
                execute(con, stage.copy, _with_memory(engine, stage.memory), "reading")
            # the scored rows are wider than the input: the writer's own limit
            raised = staged_memory(engine, len(con.sql(sql).columns))
            with _memory(con, raised, engine.memory_limit):
                execute(con, f"COPY ({sql}) TO {literal(target)} {_copy_options(fmt)}",
                        _with_memory(engine, raised))
        elif two_pass and unnumbered is not None:
            raised = first_pass_memory(engine, len(con.sql(unnumbered).columns))
            with _memory(con, raised, engine.memory_limit):
                wide = _with_memory(engine, raised)
                execute(con, f"COPY ({unnumbered}) TO {literal(scored)} (FORMAT parquet,"
                        " COMPRESSION uncompressed, ROW_GROUP_SIZE 32768)", wide)
                relation = numbered_relation(scored)
                if out is not None:
                    execute(con, f"COPY (SELECT * FROM {relation}) TO {literal(target)}"
                            f" {_copy_options(fmt)}", wide, "writing")
                    if fmt == "parquet":  # the summary reads the file written
                        relation = None
        elif fmt == "parquet":
            execute(con, f"COPY ({sql}) TO {literal(target)} {_copy_options(fmt)}", engine)
        else:
            execute(con, f"COPY ({sql}) TO {literal(scored)} (FORMAT parquet,"
                    " COMPRESSION uncompressed, ROW_GROUP_SIZE 32768)", engine)
            execute(con, f"COPY (SELECT * FROM read_parquet({literal(scored)})) TO"
                    f" {literal(target)} {_copy_options(fmt)}", engine, "writing")
        if out is not None:
            os.replace(target, out)
            target = out
    finally:
        if out is not None and os.path.exists(target) and target != out:
            os.unlink(target)
    if relation is None:
        relation = _reader_of(target if fmt == "parquet" else scored, "parquet")
    return target, relation


@contextlib.contextmanager
def _memory(con: duckdb.DuckDBPyConnection, during: str | None, after: str) -> Iterator[None]:
    """DuckDB's memory limit set to ``during`` (None: unchanged), then back to ``after``."""
    if during is None:
        yield
        return
    con.execute(f"SET memory_limit = {literal(during)}")
    try:
        yield
    finally:
        con.execute(f"SET memory_limit = {literal(after)}")


def _with_memory(engine: Engine, memory: str | None) -> Engine:
    """The engine as a problem about running out of memory names it."""
    return engine if memory is None else dataclasses.replace(engine, memory_limit=memory)


def refuse_overwriting_input(out: str, data: str) -> None:
    """Scoring into the data file itself would destroy the item ratings."""
    if data != "-" and os.path.exists(out) and os.path.exists(data) and os.path.samefile(
        out, data
    ):
        raise InputError([Problem(out, 1, 1, (
            f"--out names the input data file {data}: writing the scores there would"
            " destroy the ratings; choose another file"
        ))])


def run_query(con: duckdb.DuckDBPyConnection, compiled: Compiled, engine: Engine,
              out: str | None, summary_only: bool, stdout: TextIO, tmpdir: str,
              unnumbered: str | None = None, known: Summary | None = None,
              held: bool = False, stage: Stage | None = None) -> Summary:
    """Score every row; write the rows (unless summary_only); return the summary.

    ``unnumbered``: the same query without row numbers, for the summary-only pass and
    for the first pass of the rows written (see write_rows).
    ``known``: the summary an earlier pass over the same data found (summary-only:
    only the bad cells are looked up again, with their text as the file holds it).
    ``held``: rows going to standard output are held back when there are bad cells
    (the caller scores again, reading them as text).
    ``stage``: the CSV rows are staged first (see Stage, write_rows).
    """
    if summary_only:  # aggregate straight over the scoring query: nothing is written
        if known is None:
            relation = f"({unnumbered or compiled.sql})"
            # counts need no row order: the threads need not keep one
            con.execute("SET preserve_insertion_order = false")
            try:
                summary = decode(compiled, execute(con, aggregate_sql(compiled, relation),
                                                   engine))
            finally:
                con.execute(f"SET preserve_insertion_order = {engine.threads > 1}")
        else:
            summary = dataclasses.replace(known, bad_by_column={}, first_bad=[])
        if summary.bad_rows:  # a second pass, with row numbers, only for data with bad cells
            bad = execute(con, bad_cells_sql(compiled, f"({compiled.sql})"), engine,
                          "finding bad cells")
            decode_bad(summary, compiled, bad[0])
        return summary
    _, relation = write_rows(con, compiled.sql, out, tmpdir, engine, unnumbered, stage)
    summary = decode(compiled, execute(con, aggregate_sql(compiled, relation), quiet(engine)))
    if summary.bad_rows:
        decode_bad(summary, compiled,
                   execute(con, bad_cells_sql(compiled, relation), quiet(engine))[0])
    if out is None and not (held and summary.bad_rows):  # JSON Lines on standard output
        rows_to_stdout(con, relation, tmpdir, engine, stdout)
    return summary


def rows_to_stdout(con: duckdb.DuckDBPyConnection, relation: str, tmpdir: str,
                   engine: Engine, stdout: TextIO) -> None:
    """The scored rows of ``relation`` as JSON Lines on standard output (one set and
    several alike): DuckDB writes them to a temporary file, copied out in blocks."""
    jsonl = os.path.join(tmpdir, "scored.jsonl")
    execute(con, f"COPY (SELECT * FROM {relation}) TO {literal(jsonl)}"
            f" {_copy_options('json')}", engine, "writing")
    with open(jsonl, encoding="utf-8") as fh:
        shutil.copyfileobj(fh, stdout, 1 << 20)
    stdout.flush()


def bad_cell_problems(summary: Summary, compiled: Compiled, src: Source,
                      positions: dict[str, int], first_line: int) -> list[Problem]:
    """`file:line:col: ...` for the first bad cells: the line of the CSV and the
    character column where the cell starts (Parquet: the row and the column's place)."""
    from dsm5check.score.source import cell_columns, record_cells

    by_label = {label(c): c for c in compiled.checked}
    found: list[tuple[int, int, int, str]] = []  # row, line, cell, message
    for row, text in summary.first_bad:
        for cell in text.split("; "):
            name, _, value = cell.partition("=")
            c = by_label.get(name)
            if c is None:
                continue
            line = row - 1 + first_line if first_line else row
            where = f"row {row}, column {c.column!r} ({c.role})"
            found.append((row, line, positions.get(c.column, 1),
                          f"{where}: {value!r} is not {c.expected()}; counted as missing"))
    if src.serial:  # a cell holding a line break moves the rows after it down the file
        placed = record_cells(src, {(row, cell) for row, _, cell, _ in found}, first_line)
        return [Problem(src.name, *placed.get((row, cell), (line, cell)), message)
                for row, line, cell, message in found]
    columns = cell_columns(src, {(line, cell) for _, line, cell, _ in found})
    return [Problem(src.name, line, columns.get((line, cell), cell), message)
            for _, line, cell, message in found]


def temp_folder() -> str:
    return tempfile.mkdtemp(prefix="dsm5check-score-")


def cleanup(tmpdir: str, src: Source | None) -> None:
    shutil.rmtree(tmpdir, ignore_errors=True)
    if src is not None and src.temp:
        with contextlib.suppress(OSError):
            os.unlink(src.temp)

