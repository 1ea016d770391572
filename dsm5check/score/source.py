"""Reading DATA with DuckDB: CSV, Parquet or CSV on standard input.

Every column the rules read is taken as text first, then converted here
(``TRY_CAST``): a cell that cannot be read never stops the run, it becomes a
bad cell (reported with row and column) and counts as missing. Other columns
keep the types DuckDB finds and are carried through to the output.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dsm5check.errors import InputError, Problem
from dsm5check.score.cells import Checked
from dsm5check.score.compile_sql import ident, literal
from dsm5check.score.query import ROW

if TYPE_CHECKING:
    import duckdb

#: cell texts that mean "no answer" (besides the empty cell)
DEFAULT_MISSING = ("NA", "N/A", "NaN", "nan", ".", "null", "NULL")
CSV_BUFFER = 4 * 1024 * 1024
_YES = ("1", "true", "yes", "y", "t")
_NO = ("0", "false", "no", "n", "f")


@dataclass(frozen=True)
class Source:
    name: str  # shown in messages
    path: str  # read by DuckDB
    kind: str  # csv | parquet
    missing: tuple[str, ...]
    temp: str | None = None  # spooled standard input, removed at the end


def open_source(data: str, missing: Sequence[str]) -> Source:
    miss = tuple(dict.fromkeys([*DEFAULT_MISSING, *missing]))
    if data == "-":
        fd, temp = tempfile.mkstemp(prefix="dsm5check-stdin-", suffix=".csv")
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
        return Source("<stdin>", temp, "csv", miss, temp)
    if os.path.isdir(data):
        raise InputError([Problem(data, 1, 1, "is a folder; expected a CSV or Parquet file"
                                  " (score one file at a time)")])
    if not os.path.exists(data):
        raise InputError([Problem(data, 1, 1, "no such file (expected a CSV or Parquet file)")])
    if not os.path.isfile(data):
        raise InputError([Problem(data, 1, 1, "is not a regular file (a device, pipe or"
                                  " socket); expected a CSV or Parquet file, or - for standard"
                                  " input")])
    if os.path.getsize(data) == 0:
        raise InputError([Problem(data, 1, 1, "the file is empty (expected a header and rows)")])
    kind = "parquet" if data.lower().endswith((".parquet", ".pq")) else "csv"
    return Source(data, data, kind, miss)


def _reader(src: Source, types: dict[str, str] | None = None, all_varchar: bool = False) -> str:
    path = literal(src.path)
    if src.kind == "parquet":
        return f"read_parquet({path})"
    opts = [
        "nullstr = [" + ", ".join(literal(m) for m in ("", *src.missing)) + "]",
        "null_padding = true",
        "strict_mode = false",
        # small read buffers: less memory, and no slower (the default is 32 MB each)
        f"buffer_size = {CSV_BUFFER}",
    ]
    if all_varchar:
        opts.append("all_varchar = true")
    elif types:
        opts.append("types = {" + ", ".join(f"{literal(k)}: {literal(v)}"
                                           for k, v in types.items()) + "}")
    return f"read_csv({path}, {', '.join(opts)})"


_LINE = re.compile(r"\bLine: (\d+)")


def _bad_utf8_column(path: str, line: int) -> int | None:
    """1-based character column of the first byte on ``line`` that is not UTF-8."""
    try:
        with open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                if n == line:
                    try:
                        raw.decode("utf-8")
                    except UnicodeDecodeError as err:
                        return len(raw[:err.start].decode("utf-8")) + 1
                    return None
    except OSError:
        return None
    return None


def read_failure(src: Source, exc: Exception) -> InputError:
    """A reader's error as `file:line:col: ...` at the line (and column) it names."""
    text = str(exc).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    first = lines[0] if lines else type(exc).__name__
    line = col = 1
    m = _LINE.search(first)
    if m and src.kind == "csv":
        line = int(m.group(1))
        # DuckDB's own first line is "CSV Error on Line: N", then the line it
        # read (not always the right one), then what is wrong: keep the last
        reason = [ln for ln in lines[1:] if not ln.startswith("Original Line:")]
        first = reason[0] if reason else "the line cannot be read"
        if "unicode" in first.lower() or "utf-8" in first.lower():
            col = _bad_utf8_column(src.path, line) or 1
            first = "invalid UTF-8 (save the file as UTF-8)"
        first = first.rstrip(".")
    elif src.kind == "csv":
        first = first.removeprefix("Invalid Input Error: ")
    return InputError([Problem(src.name, line, col,
                               f"cannot read {src.kind.upper()} data: {first}")])


def _fail(src: Source, exc: Exception) -> InputError:
    return read_failure(src, exc)


def describe(con: duckdb.DuckDBPyConnection, src: Source) -> tuple[dict[str, str], int]:
    """Column names with their types, and the line of the first data row (0: Parquet)."""
    import duckdb

    try:
        if src.kind == "csv":  # one sniff gives the names, the types and the header
            opts = _reader(src).removeprefix("read_csv(").removesuffix(")")
            head, skip, columns = con.execute(
                f"SELECT HasHeader, SkipRows, Columns FROM sniff_csv({opts})").fetchone() or (
                True, 0, [])
            names = {str(c["name"]): str(c["type"]) for c in columns}
            first_line = int(skip) + (2 if head else 1)
        else:
            rows = con.execute(f"DESCRIBE SELECT * FROM {_reader(src)}").fetchall()
            names = {str(r[0]): str(r[1]) for r in rows}
            first_line = 0
    except duckdb.Error as exc:
        raise _fail(src, exc) from None
    clash = [n for n in names if n.startswith("__s_")]
    if clash:
        raise InputError([Problem(src.name, 1, 1, f"column name {clash[0]!r}: names starting"
                                  " with __s_ are reserved for dsm5check's own columns")])
    return names, first_line


def _typed(c: Checked, raw: str) -> str:
    if c.kind in ("rating", "number"):
        return f"TRY_CAST({raw} AS DOUBLE)"
    if c.kind == "bool":
        low = f"LOWER({raw})"
        return (f"CASE WHEN {low} IN ({', '.join(map(literal, _YES))}) THEN 1"
                f" WHEN {low} IN ({', '.join(map(literal, _NO))}) THEN 0"
                f" ELSE TRY_CAST({raw} AS DOUBLE) END")
    return raw


#: how a read column is typed by the CSV reader on the fast path (ratings as DOUBLE, not
#: INTEGER: DuckDB reads "2.5" and "0x3" as the integer 3, which would hide a bad cell)
_FAST = {"rating": "DOUBLE", "number": "DOUBLE", "bool": "VARCHAR", "text": "VARCHAR"}


_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "FLOAT", "DOUBLE",
            "DECIMAL", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


def source_select(src: Source, names: dict[str, str], checked: Sequence[Checked],
                  text: bool = False, numbered: bool = True) -> tuple[str, dict[str, str]]:
    """SELECT giving __s_row and every input column (read ones converted).

    Returns the SELECT and, per read column, SQL for its cell as read (for the
    bad-cell report). The fast path lets the CSV reader parse ratings as
    integers; a cell it cannot parse raises, and the caller retries with
    ``text=True``: every column read as text and converted with TRY_CAST.
    ``numbered=False`` leaves out the row numbers (they keep DuckDB from
    working in parallel; a summary without bad cells does not need them).
    """
    by_col = {c.column: c for c in checked}
    raw_of: dict[str, str] = {}
    extra: list[str] = []
    cols = [f"{'ROW_NUMBER() OVER ()' if numbered else 'NULL'} AS {ident(ROW)}"]
    for n in names:
        c = by_col.get(n)
        if c is None:
            cols.append(ident(n))
        elif not text and _FAST[c.kind] != "VARCHAR" and (
            src.kind == "csv" or names[n].startswith(_NUMERIC)
        ):
            cols.append(ident(n))
            raw_of[n] = f"CAST({ident(n)} AS VARCHAR)"
        else:
            raw = ident(c.clean.replace("__s_v", "__s_r"))
            extra.append(f"NULLIF(TRIM(CAST({ident(n)} AS VARCHAR)), '') AS {raw}")
            cols.append(f"{_typed(c, raw)} AS {ident(n)}")
            cols.append(raw)
            raw_of[n] = raw
    if text and src.kind == "csv":
        reader = _reader(src, all_varchar=True)
    elif src.kind == "parquet":
        reader = _reader(src)
    else:
        reader = _reader(src, {c.column: _FAST[c.kind] for c in checked})
    inner = f"SELECT *, {', '.join(extra)} FROM {reader}" if extra else f"SELECT * FROM {reader}"
    return f"SELECT {', '.join(cols)} FROM ({inner})", raw_of


def label(c: Checked) -> str:
    """The column's name as shown in bad_cells (no ';' or '=', so it splits cleanly)."""
    return c.column.replace(";", ",").replace("=", ":").strip() or "?"


def bad_cells_sql(checked: Sequence[Checked], raw_of: dict[str, str]) -> str:
    """`B3=7; D2=often` for the cells of a row that hold something unreadable."""
    if not checked:
        return "NULL"
    parts, tests = [], []
    for c in checked:
        raw = raw_of[c.column]
        given = ident(c.column) if raw.startswith("CAST(") else raw
        shown = f"LEFT(REPLACE(REPLACE({raw}, ';', ','), '=', ':'), 24)"
        test = f"({given} IS NOT NULL AND {ident(c.clean)} IS NULL)"
        tests.append(test)
        parts.append(f"CASE WHEN {test} THEN {literal(label(c) + '=')} || {shown} END")
    # the cheap test first: the text is built only for the rare rows with a bad cell
    return f"CASE WHEN {' OR '.join(tests)} THEN CONCAT_WS('; ', {', '.join(parts)}) END"


def peek(con: duckdb.DuckDBPyConnection, src: Source, columns: Sequence[str],
         rows: int = 100) -> list[str | None]:
    """The first cells of some columns, as text (to recognise an export of labels)."""
    import duckdb

    reader = _reader(src, all_varchar=True) if src.kind == "csv" else _reader(src)
    cols = ", ".join(f"CAST({ident(c)} AS VARCHAR)" for c in columns)
    try:
        got = con.execute(f"SELECT {cols} FROM {reader} LIMIT {rows}").fetchall()
    except duckdb.Error:
        return []  # the scoring pass reports what cannot be read
    return [cell for row in got for cell in row]
