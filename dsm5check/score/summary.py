"""The summary for people: one aggregate query over the scored rows, then rich.

Rows read, how many rows have each status, each criterion's met rate, the
cut-point flag, the mean total with its distribution as a bar chart, missing
and bad cells (the first ones with row and column).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dsm5check.score.compile_sql import ident, literal
from dsm5check.score.query import Compiled
from dsm5check.score.source import label

if TYPE_CHECKING:
    from rich.console import Console

STATUSES = ("met", "not_met", "indeterminate")
BINS = 16
FIRST_BAD = 20


@dataclass
class Summary:
    rows: int = 0
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    total_n: int = 0
    total_mean: float | None = None
    histogram: dict[int, int] = field(default_factory=dict)
    bin_width: int = 5
    rows_missing: int = 0
    cells_missing: int = 0
    rows_prorated: int = 0
    bad_rows: int = 0
    bad_by_column: dict[str, int] = field(default_factory=dict)
    first_bad: list[tuple[int, str]] = field(default_factory=list)  # (row, bad_cells text)


def rows_text(n: int) -> str:
    """"1 row", "1,000 rows"."""
    return f"{n:,} row{'' if n == 1 else 's'}"


def _status_columns(c: Compiled) -> list[str]:
    return [n for n, kind in c.outputs if kind == "status"]


def aggregate_sql(c: Compiled, relation: str) -> str:
    """Counts per combination of statuses and total-severity bin, over ``relation``.

    One GROUP BY with few groups (at most 3 per status column times the bins)
    is cheaper than dozens of separate aggregates; decode() adds up the margins.
    """
    width = max(1, -(-c.total_max // BINS))
    total = f"TRY_CAST({ident('total')} AS DOUBLE)"
    missing = f"TRY_CAST({ident('items_missing')} AS BIGINT)"
    # status words group as they come (ENUM or text): no per-row cast to text
    keys = [ident(col) for col in _status_columns(c)]
    # (LEAST skips NULLs: a row without a total must stay out of the bins)
    keys.append(f"CASE WHEN {total} IS NOT NULL"
                f" THEN LEAST(CAST(FLOOR({total} / {width}) AS INTEGER), {BINS - 1}) END")
    aggs = ["COUNT(*)", f"SUM({total})", f"SUM({missing})",
            f"SUM(CASE WHEN {missing} > 0 THEN 1 ELSE 0 END)", f"COUNT({ident('bad_cells')})"]
    if any(n == "items_prorated" for n, _ in c.outputs):
        aggs.append(f"SUM(CASE WHEN TRY_CAST({ident('items_prorated')} AS BIGINT) > 0"
                    " THEN 1 ELSE 0 END)")
    else:
        aggs.append("0")
    return (f"SELECT {', '.join(keys + aggs)} FROM {relation}"
            f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}")


def bad_cells_sql(c: Compiled, relation: str) -> str:
    """Bad cells per column and the first rows holding some (run only when there are any)."""
    bad = ident("bad_cells")
    row = f"TRY_CAST({ident('row')} AS BIGINT)"
    parts = [f"SUM(CASE WHEN CONTAINS('; ' || {bad}, {literal('; ' + label(ch) + '=')})"
             " THEN 1 ELSE 0 END)" for ch in c.checked]
    parts.append(f"MIN_BY(STRUCT_PACK(r := {row}, b := {bad}), {row}, {FIRST_BAD})")
    return f"SELECT {', '.join(parts)} FROM {relation} WHERE {bad} IS NOT NULL"


def decode_bad(s: Summary, c: Compiled, row: Sequence[Any]) -> None:
    it = iter(row)
    for ch in c.checked:
        n = int(next(it) or 0)
        if n:
            s.bad_by_column[ch.column] = n
    first = next(it) or []
    s.first_bad = [(int(x["r"]), str(x["b"])) for x in first]


def decode(c: Compiled, groups: Sequence[Sequence[Any]]) -> Summary:
    cols = _status_columns(c)
    s = Summary(bin_width=max(1, -(-c.total_max // BINS)))
    s.statuses = {col: dict.fromkeys(STATUSES, 0) for col in cols}
    total_sum = 0.0
    for g in groups:
        words, rest = g[:len(cols)], g[len(cols):]
        b, n, tsum, cells, rows_missing, bad, prorated = rest
        n = int(n)
        s.rows += n
        for col, word in zip(cols, words, strict=True):
            if word in s.statuses[col]:
                s.statuses[col][word] += n
        if b is not None:
            s.histogram[int(b)] = s.histogram.get(int(b), 0) + n
            s.total_n += n
            total_sum += float(tsum or 0)
        s.cells_missing += int(cells or 0)
        s.rows_missing += int(rows_missing or 0)
        s.bad_rows += int(bad or 0)
        s.rows_prorated += int(prorated or 0)
    s.total_mean = total_sum / s.total_n if s.total_n else None
    return s


def _pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f}%" if d else "    -"


def render(s: Summary, c: Compiled, console: Console, *, instrument: str, mode: str,
           notes: Sequence[str] = (), names: Mapping[str, str] | None = None) -> None:
    """The summary for people; ``names`` gives criteria ids their plain names
    (duration -> Lasting several weeks) where the ruleset has them."""
    from rich.text import Text

    from dsm5check.render.fit import Column, Fitted

    named = names or {}

    console.print(Text(f"dsm5check score: {rows_text(s.rows)} ({instrument},"
                       f" missing data: {mode})",
                       style="bold"))
    if c.not_assessed:
        console.print(Text("Provisional: the data cannot assess "
                           + ", ".join(named.get(x, x) for x in c.not_assessed)
                           + "; the status assumes them met.", style="yellow"))
    for note in notes:
        console.print(Text(note, style="dim"))
    rows: list[list[str | Text]] = []
    for col, counts in s.statuses.items():
        if col.endswith("_status") and sum(counts.values()) == 0:
            continue  # a criterion the data cannot assess
        name = "diagnosis" if col == "status" else col.removesuffix("_status")
        name = named.get(name, name)
        if col == "cutpoint":
            name = f"total >= {c.cutpoint}"
        rows.append([name, *(f"{counts[st]:,} {_pct(counts[st], s.rows)}" for st in STATUSES)])
    console.print(Fitted([Column("", wrap=True),
                          *(Column(st.replace("_", " "), "right") for st in STATUSES)],
                         rows, boxed=False))
    if s.total_mean is not None:
        console.print(f"total severity: mean {s.total_mean:.2f} over {rows_text(s.total_n)}"
                      f" with every item answered" + (" or prorated" if mode == "prorate" else ""))
        _chart(s, console)
    else:
        console.print("total severity: no row has every item answered")
    console.print(f"missing or bad item cells: {s.cells_missing:,}"
                  f" in {rows_text(s.rows_missing)}"
                  + (f"; prorated rows: {s.rows_prorated:,}" if mode == "prorate" else ""))
    print_bad_cells(console, s.bad_rows, s.bad_by_column)


def print_bad_cells(console: Console, rows: int, by_column: dict[str, int]) -> None:
    """"bad cells (counted as missing) in 5 rows: B1 1, B3 2, ...", wrapped between
    the column-count pairs, never inside one ("pcl5_14" on a line, "1" on the next)."""
    if not rows:
        console.print("bad cells: none")
        return
    from rich.text import Text

    head = f"bad cells (counted as missing) in {rows_text(rows)}:"
    pairs = [f"{k} {v:,}" for k, v in by_column.items()]
    line, lines = head, []
    if len(head) >= console.width:  # a very narrow terminal: rich wraps the words
        console.print(Text(head, style="red"))
        line = " "
    for n, pair in enumerate(pairs):
        piece = pair + ("," if n < len(pairs) - 1 else "")
        if len(line) + 1 + len(piece) > console.width and line.strip():
            lines.append(line)
            line = " "
        line += " " + piece
    lines.append(line)
    for text in lines:
        console.print(Text(text, style="red"), soft_wrap=True)


def _chart(s: Summary, console: Console) -> None:
    from rich.text import Text

    peak = max(s.histogram.values(), default=0)
    if not peak:
        return
    width = 40
    for b in range(BINS):
        n = s.histogram.get(b, 0)
        lo = b * s.bin_width
        hi = lo + s.bin_width - 1 if b < BINS - 1 else None
        rng = f"{lo:>3}-{hi:<3}" if hi is not None else f"{lo:>3}+   "
        bar = "█" * round(width * n / peak) if n else ""
        line = Text(f"  {rng} ")
        line.append(bar.ljust(width), style="cyan")
        line.append(f" {n:,}")
        console.print(line)
