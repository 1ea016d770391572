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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from dsm5check.errors import InputError, Problem
from dsm5check.score.cells import Checked
from dsm5check.score.compile_sql import ident, literal
from dsm5check.score.query import ROW

if TYPE_CHECKING:
    import duckdb

#: cell texts that mean "no answer" (besides the empty cell)
DEFAULT_MISSING = ("NA", "N/A", "NaN", "nan", ".", "null", "NULL")
CSV_BUFFER = 4 * 1024 * 1024
#: rows per row group of a staged CSV file (stage_sql): small groups, little held at once
STAGE_ROW_GROUP = 32768
#: rows the CSV sniffer looks at for the dialect, the header and the column types
SNIFF_ROWS = 8192
_YES = ("1", "true", "yes", "y", "t")
_NO = ("0", "false", "no", "n", "f")


@dataclass(frozen=True)
class Layout:
    """A CSV file as sniffed once: the reader's dialect options (SQL text) and every
    column with its type, cut to the header's width."""

    options: dict[str, str]
    columns: dict[str, str]
    #: the line of the first data row (after the header and lines skipped)
    first_line: int = 2


@dataclass
class Source:
    name: str  # shown in messages
    path: str  # read by DuckDB
    kind: str  # csv | parquet
    missing: tuple[str, ...]
    temp: str | None = None  # spooled standard input, removed at the end
    #: set by :func:`describe` for CSV: later reads name every column and sniff nothing
    layout: Layout | None = None
    #: read on one thread (DuckDB's parallel CSV reader refuses a quoted line break in a
    #: file read with null_padding; see :func:`read_serially`)
    serial: bool = False


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
    if _blank(data):
        raise InputError([Problem(data, 1, 1, "the file holds only blank lines (expected a"
                                  " header and rows)")])
    kind = "parquet" if data.lower().endswith((".parquet", ".pq")) else "csv"
    return Source(data, data, kind, miss)


def _blank(path: str) -> bool:
    """Whether a short file holds nothing but white space (a longer one is read on)."""
    if os.path.getsize(path) > 4096:
        return False
    try:
        with open(path, "rb") as fh:
            return not fh.read().strip()
    except OSError:
        return False


def lean_codes(src: Source) -> tuple[str, ...]:
    """The missing-value codes a lean read still gives the reader: those it could
    otherwise take for a number (``-99``, ``inf``). The others (``NA``, ``.``) cannot
    be read as a rating: in a rating column they stop the lean pass, in a text column
    the query itself turns them into missing cells (see :func:`source_select`)."""
    return tuple(m for m in src.missing if any(ch.isdigit() for ch in m)
                 or m.strip().lower().lstrip("+-") in ("inf", "infinity"))


def _reader(src: Source, types: dict[str, str] | None = None, all_varchar: bool = False,
            lean: bool = False) -> str:
    """DuckDB's reader of the data. For a CSV file described already, every column is
    named with its type (``types`` overriding, or all text) and nothing is sniffed again:
    the reader is strict, so a row with more cells than the header is an error at its
    line; a row with fewer is padded with empty (missing) cells."""
    path = literal(src.path)
    if src.kind == "parquet":
        return f"read_parquet({path})"
    codes = lean_codes(src) if lean else src.missing
    opts = [
        "nullstr = [" + ", ".join(literal(m) for m in ("", *codes)) + "]",
        "null_padding = true",
        # small read buffers: less memory, and no slower (the default is 32 MB each)
        f"buffer_size = {CSV_BUFFER}",
    ]
    if src.serial:
        opts.append("parallel = false")
    if src.layout is not None:
        columns = {name: "VARCHAR" if all_varchar else (types or {}).get(name, kind)
                   for name, kind in src.layout.columns.items()}
        opts += [f"{k} = {v}" for k, v in src.layout.options.items()]
        opts += ["strict_mode = true", "columns = {" + ", ".join(
            f"{literal(k)}: {literal(v)}" for k, v in columns.items()) + "}"]
        return f"read_csv({path}, {', '.join(opts)})"
    opts.append("strict_mode = false")
    if all_varchar:
        opts.append("all_varchar = true")
    elif types:
        opts.append("types = {" + ", ".join(f"{literal(k)}: {literal(v)}"
                                           for k, v in types.items()) + "}")
    return f"read_csv({path}, {', '.join(opts)})"


_LINE = re.compile(r"\bLine: (\d+)")
#: what DuckDB's parallel CSV reader says of a quoted line break with null_padding
_QUOTED_NEWLINE = "null_padding in conjunction with quoted new lines"


def read_serially(src: Source, exc: Exception) -> bool:
    """Whether a failed read is worth trying again on one thread: DuckDB's parallel CSV
    reader refuses a cell holding a line break (a note typed over two lines) in a file
    read with null_padding (short rows padded with missing cells); the serial reader
    takes it. Sets ``src.serial`` (every later read of the file is serial too)."""
    if src.kind != "csv" or src.serial or _QUOTED_NEWLINE not in str(exc):
        return False
    src.serial = True
    return True


def _first_bad_utf8(path: str) -> tuple[int, int] | None:
    """Line and character column of the first byte of a file that is not UTF-8 (DuckDB
    names a line, not always the right one: with cells holding line breaks it counts
    rows)."""
    try:
        with open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    text = raw[:err.start].decode("utf-8", errors="replace")
                    return n, len(text.removeprefix("\ufeff") if n == 1 else text) + 1
    except OSError:
        return None
    return None


def read_failure(src: Source, exc: Exception) -> InputError:
    """A reader's error as `file:line:col: ...` at the line (and column) it names."""
    text = str(exc).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    first = lines[0] if lines else type(exc).__name__
    if first.startswith("Out of Memory Error"):  # not the file's fault: the setting's
        return InputError([Problem.about("--memory-limit", (
            f"DuckDB ran out of the memory it may use while reading {src.name}"
            f" ({first.removeprefix('Out of Memory Error: ')}); give more with"
            " --memory-limit (e.g. --memory-limit 1GB) or use fewer threads (--threads 1)"))])
    line = col = 1
    m = _LINE.search(first)
    if m and src.kind == "csv":
        line = int(m.group(1))
        # DuckDB's own first line is "CSV Error on Line: N", then the line it
        # read (not always the right one), then what is wrong: keep the last
        rest = lines[1:]
        fixes = [n for n, ln in enumerate(rest) if ln.startswith("Possible")]
        if fixes and fixes[0] > 0:  # what is wrong comes just before the possible fixes
            rest = rest[fixes[0] - 1:]  # (the line read may itself hold line breaks)
        elif rest and rest[0].startswith("Original Line:"):
            shown = rest[0].removeprefix("Original Line:").strip()
            # with CRLF line ends the line read comes on a line of its own
            rest = rest[2:] if not shown and len(rest) > 1 else rest[1:]
        first = rest[0] if rest else "the line cannot be read"
        if "unicode" in first.lower() or "utf-8" in first.lower():
            line, col = _first_bad_utf8(src.path) or (line, 1)
            first = "invalid UTF-8 (save the file as UTF-8)"
        elif (placed := _serial_failure(src, line, first)) is not None:
            line, col, first = placed  # cells hold line breaks: DuckDB's lines are rows
        elif first.startswith("Expected Number of Columns") and src.layout is not None:
            width = len(src.layout.columns)
            cells, col = _surplus(src, line, width)
            first = _wide_row_words(cells, width)
        first = first.rstrip(".")
    elif src.kind == "csv":
        first = first.removeprefix("Invalid Input Error: ")
        # DuckDB names no line (e.g. "The CSV Parser state machine reached an invalid
        # state"): the usual causes, a carriage return inside a line or a row wider
        # than the header, are looked for in the file and said at their place
        found = _stray_carriage_return(src.path) or _first_wide_row(src)
        if found is not None:
            line, col, first = found
    return InputError([Problem(src.name, line, col,
                               f"cannot read {src.kind.upper()} data: {first}")])


def _wide_row_words(cells: int | None, width: int) -> str:
    return (f"this row has {cells or 'more'} cells, the header {width}: the cells"
            " beyond the header's columns belong to no column (check the"
            " delimiters and quotes on this line)")


def _stray_carriage_return(path: str) -> tuple[int, int, str] | None:
    """(line, column, what is wrong) of the first carriage return inside a line of a
    file whose lines end in line feeds (line ends of two kinds mixed, e.g. a line
    edited on another system); None when there is none."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SCAN_BYTES)
    except OSError:
        return None
    if b"\n" not in data:
        return None  # old Mac files end every line with CR alone: DuckDB reads those
    at = data.find(b"\r")
    while at >= 0 and data[at + 1:at + 2] == b"\n":
        at = data.find(b"\r", at + 1)
    if at < 0 or at == len(data) - 1:
        return None
    line = data.count(b"\n", 0, at) + 1
    start = data.rfind(b"\n", 0, at) + 1
    col = len(data[start:at].decode("utf-8", errors="replace")) + 1
    return line, col, ("a carriage return (CR) inside the line: the file mixes two kinds"
                       " of line end; save it again with one kind (e.g. as CSV UTF-8)")


#: how much of a file is searched for a stray carriage return after a failed read
MAX_SCAN_BYTES = 64 << 20


def _first_wide_row(src: Source) -> tuple[int, int, str] | None:
    """(line, column, what is wrong) of the first CSV row with more cells than the
    header, read with Python's csv module (the sniffed dialect, else comma and double
    quote: the sniff itself may be what failed); None when every row fits."""
    import csv

    delim, quote = _delim_quote(src)
    if not delim:
        delim, quote = ",", '"'
    try:
        with open(src.path, encoding="utf-8", errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=delim, quotechar=quote)
            header = next(reader, None)
            if header is None or len(header) < 2:
                return None
            width = len(src.layout.columns) if src.layout is not None else len(header)
            for row in reader:
                if len(row) > width:
                    line = reader.line_num
                    text = _line_text(src.path, line) or ""
                    starts = field_starts(text, delim, quote)
                    col = starts[width] if len(starts) > width else 1
                    return line, col, _wide_row_words(len(row), width)
    except (OSError, csv.Error):
        return None
    return None


def _delim_quote(src: Source) -> tuple[str, str]:
    """The delimiter and quote character of a CSV source ("" when not one character)."""
    layout = src.layout
    delim = quote = ""
    if layout is not None:
        delim = layout.options.get("delim", "','")[1:-1].replace("''", "'")
        quote = layout.options.get("quote", "'\"'")[1:-1].replace("''", "'")
    if len(delim) != 1 or len(quote) != 1:
        return "", ""
    return delim, quote


def field_starts(text: str, delim: str, quote: str) -> list[int]:
    """The 1-based character column where each cell of a CSV line starts."""
    starts, inside = [1], False
    for i, ch in enumerate(text):
        if ch == quote:
            inside = not inside
        elif ch == delim and not inside:
            starts.append(i + 2)
    return starts


def _surplus(src: Source, line: int, width: int) -> tuple[int | None, int]:
    """Cells on CSV line ``line`` and the 1-based column where cell ``width + 1`` starts."""
    import csv
    import io

    delim, quote = _delim_quote(src)
    text = _line_text(src.path, line)
    if text is None or not delim:
        return None, 1
    try:
        cells = len(next(csv.reader(io.StringIO(text), delimiter=delim, quotechar=quote), []))
    except csv.Error:
        cells = 0
    starts = field_starts(text, delim, quote)
    return cells or None, starts[width] if len(starts) > width else 1


def cell_columns(src: Source, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """For (line, cell) pairs (both 1-based) of a CSV source, the character column where
    the cell starts, reading the file once up to the last line asked for; pairs it cannot
    place (Parquet, a line not found, an odd delimiter) are left out."""
    delim, quote = _delim_quote(src)
    if src.kind != "csv" or not delim or not wanted:
        return {}
    lines = {line for line, _ in wanted}
    last = max(lines)
    found: dict[tuple[int, int], int] = {}
    try:
        with open(src.path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                if n in lines:
                    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
                    starts = field_starts(text.rstrip("\r\n"), delim, quote)
                    for line, cell in wanted:
                        if line == n and cell <= len(starts):
                            found[(line, cell)] = starts[cell - 1]
                if n >= last:
                    break
    except OSError:
        return {}
    return found


def _records(src: Source, first_line: int) -> Iterator[tuple[int, int, str]]:
    """(row, line it starts on, its text without the line end) for each data row of a
    CSV file, read with the csv module: a cell may hold line breaks. Stops at the end
    of the file or where the file cannot be read."""
    import csv

    delim, quote = _delim_quote(src)
    if not delim or first_line < 1:
        return
    taken: list[str] = []  # the lines of the record being read

    def lines(fh: TextIO) -> Iterator[str]:
        for line in fh:
            taken.append(line)
            yield line

    try:
        with open(src.path, encoding="utf-8", errors="replace", newline="") as fh:
            reader = csv.reader(lines(fh), delimiter=delim, quotechar=quote)
            while reader.line_num < first_line - 1:  # the header (and lines skipped)
                next(reader)
            row = 0
            while True:
                start = reader.line_num + 1
                taken.clear()
                next(reader)
                row += 1
                yield row, start, "".join(taken).removeprefix("\ufeff").rstrip("\r\n")
    except (OSError, csv.Error, StopIteration):
        return


def _place(start: int, text: str, offset: int) -> tuple[int, int]:
    """Line and character column of the 1-based ``offset`` in a record's ``text`` that
    starts on line ``start``."""
    before = text[:offset - 1]
    breaks = before.count("\n")
    return start + breaks, (len(before) - before.rfind("\n") if breaks else len(before) + 1)


def record_cells(src: Source, wanted: set[tuple[int, int]],
                 first_line: int) -> dict[tuple[int, int], tuple[int, int]]:
    """For (row, cell) pairs (both 1-based) of a CSV file whose cells hold line breaks
    (``src.serial``: rows and lines no longer match one for one), the line and the
    character column where the cell starts, reading the file once up to the last row
    asked for; pairs it cannot place are left out. ``first_line``: the line of the
    first data row (after the header)."""
    if not wanted:
        return {}
    delim, quote = _delim_quote(src)
    found: dict[tuple[int, int], tuple[int, int]] = {}
    last = max(row for row, _ in wanted)
    for row, start, text in _records(src, first_line):
        starts = field_starts(text, delim, quote)
        for r, cell in wanted:
            if r == row and cell <= len(starts):
                found[(r, cell)] = _place(start, text, starts[cell - 1])
        if row >= last:
            break
    return found


def _serial_failure(src: Source, line: int, problem: str) -> tuple[int, int, str] | None:
    """Where a read failure really is in a CSV file whose cells hold line breaks (read
    serially, or one found in a cell up to the failing row): DuckDB counts one line a
    row there. The row's first line and the column of what is wrong (a cell beyond the
    header's), with the words for a row too wide; None when no cell before holds a line
    break or the row cannot be found."""
    layout = src.layout
    if layout is None:
        return None
    wanted = line - layout.first_line + 1
    delim, quote = _delim_quote(src)
    broken = src.serial
    for row, start, text in _records(src, layout.first_line):
        broken = broken or "\n" in text
        if row < wanted:
            continue
        if row > wanted or not broken:
            break
        if problem.startswith("Expected Number of Columns"):
            starts, width = field_starts(text, delim, quote), len(layout.columns)
            if len(starts) > width:
                at, col = _place(start, text, starts[width])
                return at, col, _wide_row_words(len(starts), width)
        return start, 1, problem
    return None


def _line_text(path: str, line: int) -> str | None:
    """Line ``line`` (1-based) of a text file, without its line end; None if unreadable."""
    try:
        with open(path, "rb") as fh:
            for n, raw in enumerate(fh, 1):
                if n == line:
                    text = raw.decode("utf-8", errors="replace")
                    return text.removeprefix("\ufeff").rstrip("\r\n")
    except OSError:
        return None
    return None


def _fail(src: Source, exc: Exception) -> InputError:
    return read_failure(src, exc)


def describe(con: duckdb.DuckDBPyConnection, src: Source) -> tuple[dict[str, str], int]:
    """Column names with their types, and the line of the first data row (0: Parquet).

    A CSV file is sniffed once here; its layout is kept on ``src`` so that every later
    read names the dialect and the columns (no second sniff, and a row with more
    cells than the header is an error at its line instead of new columns).
    """
    import duckdb

    try:
        if src.kind == "csv":  # one sniff gives the dialect, the names, types and header
            opts = _reader(src).removeprefix("read_csv(").removesuffix(")")
            # a sample of SNIFF_ROWS rows (DuckDB's default, 20,480, costs three times the
            # CPU): a column whose type changes further down stops the lean pass, and the
            # next level reads it as text (see app.LEVELS)
            cur = con.execute(f"SELECT * FROM sniff_csv({opts}, sample_size = {SNIFF_ROWS})")
            fields = [d[0] for d in cur.description or ()]
            got = dict(zip(fields, cur.fetchone() or (), strict=False))
            head, skip = bool(got.get("HasHeader", True)), int(got.get("SkipRows") or 0)
            names = {str(c["name"]): str(c["type"]) for c in got.get("Columns") or []}
            width = _first_row_width(src.path, str(got.get("Delimiter") or ","),
                                     _sniffed(got.get("Quote")) or '"', skip)
            if width is not None and 0 < width < len(names):  # cells of longer rows below
                names = dict(list(names.items())[:width])
            first_line = skip + (2 if head else 1)
            src.layout = Layout(_dialect(got, head, skip), dict(names), first_line)
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


def _sniffed(value: object) -> str:
    """A dialect field of sniff_csv ('(empty)' when it found none)."""
    text = "" if value is None else str(value)
    return "" if text == "(empty)" else text


def _dialect(got: dict[str, object], head: bool, skip: int) -> dict[str, str]:
    """read_csv options (SQL text) for the sniffed dialect, with auto-detection off."""
    opts = {"auto_detect": "false", "header": "true" if head else "false", "skip": str(skip),
            "delim": literal(str(got.get("Delimiter") or ","))}
    # none found in the sniffed sample: DuckDB's default ('"'), so that a quoted cell
    # further down still reads as the cell it holds
    for key, name in (("Quote", "quote"), ("Escape", "escape"), ("Comment", "comment")):
        value = _sniffed(got.get(key))
        if value:
            opts[name] = literal(value)
    for key, name in (("DateFormat", "dateformat"), ("TimestampFormat", "timestampformat")):
        if got.get(key):
            opts[name] = literal(str(got[key]))
    return opts


#: the first row is looked for in this many characters (a header is never this long)
_FIRST_ROW_CHARS = 1 << 20


def _first_row_width(path: str, delim: str, quote: str, skip: int) -> int | None:
    """How many cells the first row after ``skip`` lines holds (the header's width),
    read with Python's own CSV reader; None when it cannot tell."""
    import csv
    import io

    if len(delim) != 1 or len(quote) != 1:
        return None
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            for _ in range(skip):
                fh.readline(_FIRST_ROW_CHARS)
            text = fh.read(_FIRST_ROW_CHARS)
        if "\n" not in text and "\r" not in text and len(text) == _FIRST_ROW_CHARS:
            return None
        row = next(csv.reader(io.StringIO(text), delimiter=delim, quotechar=quote), None)
    except (OSError, csv.Error):
        return None
    return len(row) if row else None


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
                  text: bool = False, numbered: bool = True,
                  items_text: bool = False, lean: bool = False,
                  staged: str | None = None) -> tuple[str, dict[str, str]]:
    """SELECT giving __s_row and every input column (read ones converted).

    Returns the SELECT and, per read column, SQL for its cell as read (for the
    bad-cell report). The fast path lets the CSV reader parse ratings as
    numbers (DOUBLE); a cell it cannot parse raises, and the caller retries with
    ``items_text=True``: the columns the rules read are read as text, exactly as
    the file holds them, and converted with TRY_CAST (the other columns keep their
    types); ``text=True`` reads every column as text.
    ``numbered=False`` leaves out the row numbers (they keep DuckDB from
    working in parallel; a summary without bad cells does not need them).
    ``lean=True`` (a CSV file on the fast path): the reader is given only the
    missing-value codes that look like numbers (comparing every cell with every code
    costs a fifth of the reading); text columns turn the others into missing cells
    here, and a rating column holding one stops the pass (the caller reads again
    with every code).
    ``staged``: a CSV file's rows as this level reads them were copied, in order, to
    this Parquet file (:func:`stage_sql`); they are read from there, numbered by the
    Parquet reader in parallel.
    """
    text_cells = text or items_text
    lean = lean and src.kind == "csv" and not text_cells
    spelled = [m for m in src.missing if m not in lean_codes(src)] if lean else []
    codes = ", ".join(literal(m) for m in spelled)
    # Parquet has no reader to give the codes to: a cell the rules read is compared here
    # (the columns carried through keep what the file holds)
    item_codes = ", ".join(literal(m) for m in src.missing) if src.kind == "parquet" else codes
    by_col = {c.column: c for c in checked}
    raw_of: dict[str, str] = {}
    extra: list[str] = []
    # Parquet rows are numbered by the reader (in parallel); ROW_NUMBER() keeps DuckDB
    # on one thread (rows written from CSV are numbered on the copy: run.write_rows)
    staged = staged if src.kind == "csv" and "file_row_number" not in names else None
    by_reader = numbered and (staged is not None or numbered_by_reader(src, names))
    number = "file_row_number + 1" if by_reader else "ROW_NUMBER() OVER ()"
    cols = [f"{number if numbered else 'NULL'} AS {ident(ROW)}"]
    for n in names:
        c = by_col.get(n)
        if c is None:
            if spelled and names[n] == "VARCHAR":
                cols.append(f"CASE WHEN {ident(n)} IN ({codes}) THEN NULL ELSE {ident(n)} END"
                            f" AS {ident(n)}")
            else:
                cols.append(ident(n))
        elif not text_cells and _FAST[c.kind] != "VARCHAR" and (
            src.kind == "csv" or names[n].startswith(_NUMERIC)
        ):
            value = _parquet_number(n, names[n], src.missing) if src.kind == "parquet" else None
            cols.append(f"{value} AS {ident(n)}" if value else ident(n))
            raw_of[n] = f"CAST({ident(n)} AS VARCHAR)"
        else:
            raw = ident(c.clean.replace("__s_v", "__s_r"))
            cell = f"NULLIF(TRIM(CAST({ident(n)} AS VARCHAR)), '')"
            if item_codes:
                cell = f"CASE WHEN {ident(n)} IN ({item_codes}) THEN NULL ELSE {cell} END"
            extra.append(f"{cell} AS {raw}")
            cols.append(f"{_typed(c, raw)} AS {ident(n)}")
            cols.append(raw)
            raw_of[n] = raw
    if staged is not None:
        reader = f"read_parquet({literal(staged)}, file_row_number = {str(by_reader).lower()})"
    else:
        reader = level_reader(src, checked, text, items_text, lean)
        if src.kind == "parquet" and by_reader:
            reader = reader.removesuffix(")") + ", file_row_number = true)"
    inner = f"SELECT *, {', '.join(extra)} FROM {reader}" if extra else f"SELECT * FROM {reader}"
    return f"SELECT {', '.join(cols)} FROM ({inner})", raw_of


def _parquet_number(name: str, kind: str, missing: Sequence[str]) -> str | None:
    """A numeric Parquet column the rules read, with its missing values made NULL: NaN
    (what pandas writes for a missing number) and the missing-value codes that are
    numbers (``--na -99``); None when there is nothing to compare."""
    values: list[str] = []
    nan = False
    for m in missing:
        try:
            number = float(m)
        except ValueError:
            continue
        if number != number:
            nan = True
        elif abs(number) != float("inf"):
            values.append(repr(number))
    tests = [f"isnan({ident(name)})"] if nan and kind.startswith(("FLOAT", "DOUBLE")) else []
    if values:
        tests.append(f"{ident(name)} IN ({', '.join(dict.fromkeys(values))})")
    if not tests:
        return None
    return f"CASE WHEN {' OR '.join(tests)} THEN NULL ELSE {ident(name)} END"


def _level_flags(level: str) -> dict[str, bool]:
    """A level of reading by its name (score/app.LEVELS: "lean", "numbers",
    "items_text" or "text") as the flags of :func:`source_select`."""
    return {"text": level == "text", "items_text": level == "items_text",
            "lean": level == "lean"}


def select_at(src: Source, names: dict[str, str], checked: Sequence[Checked], level: str,
              numbered: bool = True, staged: str | None = None) -> tuple[str, dict[str, str]]:
    """:func:`source_select` at one level of reading, by its name."""
    return source_select(src, names, checked, numbered=numbered, staged=staged,
                         **_level_flags(level))


def level_reader(src: Source, checked: Sequence[Checked], text: bool = False,
                 items_text: bool = False, lean: bool = False) -> str:
    """DuckDB's reader of the data at one level of reading (see :func:`source_select`):
    every column as text, the read columns as text, or ratings parsed as numbers."""
    if text and src.kind == "csv":
        return _reader(src, all_varchar=True)
    if items_text and src.kind == "csv":
        return _reader(src, {c.column: "VARCHAR" for c in checked})
    if src.kind == "parquet":
        return _reader(src)
    return _reader(src, {c.column: _FAST[c.kind] for c in checked}, lean=lean)


def stage_sql(src: Source, checked: Sequence[Checked], path: str, level: str) -> str:
    """The COPY that stages a CSV file's rows, as one level reads them, in a Parquet file
    (``path``), in input order: read back with ``file_row_number`` (source_select's
    ``staged``), the rows are numbered on every thread, where ``ROW_NUMBER() OVER ()``
    over the CSV reader keeps the whole scoring query on one (see run.write_rows)."""
    reader = level_reader(src, checked, **_level_flags(level))
    return (f"COPY (SELECT * FROM {reader}) TO {literal(path)}"
            f" (FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE {STAGE_ROW_GROUP})")


def numbered_by_reader(src: Source, names: dict[str, str]) -> bool:
    """Whether the reader numbers the rows itself (Parquet's file_row_number, read in
    parallel), unless the data has a column of that name."""
    return src.kind == "parquet" and "file_row_number" not in names


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
