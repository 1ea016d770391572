"""Summary tables that stay readable at any width (80 columns piped included).

:class:`Fitted` is a table that decides its layout when it is drawn, from the
width it is given:

1. as a table, when every column that carries figures (``wrap=False``) fits
   whole and every text column (``wrap=True``) keeps at least ``WRAP_MIN``
   characters to wrap in;
2. else the same table without the columns marked ``optional`` (a bar chart);
3. else two or three tables, each with the key columns and some of the others;
4. else stacked: one block per row, headed by its key cells, one
   ``header: value`` line per other cell.

A cell that carries a number is never cut to an ellipsis: in a table it is
never wrapped or truncated, and a stacked line folds rather than cuts.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import combinations

from rich import box as boxes
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

#: Narrowest a wrapping text column is allowed to become before stacking.
WRAP_MIN = 18

Cell = str | Text


@dataclass(frozen=True)
class Column:
    header: str
    justify: str = "left"
    wrap: bool = False  # text that may wrap (never a number)
    optional: bool = False  # dropped first when the table is too wide (a bar)
    style: str | None = None


class Fitted:
    """A table, or its stacked form when the width does not allow one (see the module)."""

    def __init__(self, columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *,
                 title: str | None = None, keys: int = 1, boxed: bool = True,
                 split: bool = True) -> None:
        self.columns = list(columns)
        self.rows = [list(r) for r in rows]
        self.title = title
        self.keys = keys
        self.boxed = boxed
        self.split = split  # whether the columns may be shared out over tables

    def _table(self, keep: list[int], *, continued: bool = False) -> Table:
        title = "(continued)" if continued and self.title else self.title
        table = Table(title=title, title_justify="left", show_lines=False,
                      box=boxes.HEAVY_HEAD if self.boxed else None,
                      pad_edge=self.boxed, header_style="bold")
        for i in keep:
            c = self.columns[i]
            table.add_column(c.header, justify=c.justify,  # type: ignore[arg-type]
                             overflow="fold", min_width=self._width_of(i),
                             style=c.style)
        for r in self.rows:
            table.add_row(*(r[i] for i in keep))
        return table

    def _need(self, keep: list[int]) -> int:
        """Columns needed for the table: figures whole, text at ``WRAP_MIN``."""
        return sum(self._width_of(i) for i in keep) + self._frame(len(keep))

    def _width_of(self, i: int) -> int:
        c = self.columns[i]
        if c.wrap:
            widest = max([_width(r[i]) for r in self.rows] + [_longest_word(c.header)])
            return min(widest, WRAP_MIN)
        # figures are never wrapped (the column is never narrower than the widest);
        # a header may wrap between its words
        return max([_width(r[i]) for r in self.rows] + [_longest_word(c.header)])

    def _frame(self, n: int) -> int:
        return 3 * n + 1 if self.boxed else 2 * (n - 1)

    def fits(self, width: int) -> Table | None:
        """The table drawn at ``width`` without cutting a figure, if there is one."""
        every = list(range(len(self.columns)))
        narrower = [i for i in every if not self.columns[i].optional]
        for keep in (every, narrower):
            if self._need(keep) <= width:
                return self._table(keep)
        return None

    def parts(self, width: int, most: int = 3) -> list[Table] | None:
        """Two or three tables, each with the key columns and some of the others in
        order, when each fits (the most even split with the fewest tables)."""
        keys = list(range(self.keys))
        rest = [i for i in range(self.keys, len(self.columns)) if not self.columns[i].optional]
        for k in range(2, most + 1):
            splits = [[rest[a:b] for a, b in zip((0, *cuts), (*cuts, len(rest)), strict=True)]
                      for cuts in combinations(range(1, len(rest)), k - 1)]
            fitting = [sp for sp in splits
                       if max(self._need(keys + p) for p in sp) <= width]
            if fitting:
                best = min(fitting, key=lambda sp: max(self._need(keys + p) for p in sp))
                return [self._table(keys + p, continued=n > 0) for n, p in enumerate(best)]
        return None

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        table = self.fits(options.max_width)
        if table is not None:
            yield table
            return
        split = self.parts(options.max_width) if self.split else None
        if split is not None:
            yield from split
            return
        yield from self._stacked()

    def _stacked(self) -> Iterator[Table | Text]:
        if self.title:
            yield Text(self.title, style="bold")
        for r in self.rows:
            head = Text(" · ").join(_text(r[i]) for i in range(self.keys))
            head.stylize("bold")
            yield head
            grid = Table.grid(padding=(0, 1), pad_edge=False)
            grid.add_column(no_wrap=True)
            grid.add_column(overflow="fold")
            for i, c in enumerate(self.columns):
                if i >= self.keys and c.header and not c.optional:
                    grid.add_row(Text(f"  {c.header}:", style="dim"), _text(r[i]))
            yield grid


def _text(cell: Cell) -> Text:
    return cell.copy() if isinstance(cell, Text) else Text(cell)


def _width(cell: Cell) -> int:
    text = cell.plain if isinstance(cell, Text) else cell
    return max((len(line) for line in text.splitlines()), default=0)


def _longest_word(text: str) -> int:
    return max((len(w) for w in text.split()), default=0)
