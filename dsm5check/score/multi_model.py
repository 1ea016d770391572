"""The records of a multi-set `score` run: each set scored, and the whole query.

Below ``multi.py`` (which builds them) and ``multi_summary.py`` (which counts
by them), so that neither imports the other back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from dsm5check.engine.ruleset import LoadedRuleset, Ruleset
from dsm5check.score.cells import Checked
from dsm5check.score.columns import ColumnPlan
from dsm5check.score.query import Compiled


@dataclass(frozen=True)
class ScoredSet:
    """One criteria set of a multi-set run and how its columns are named."""

    loaded: LoadedRuleset
    plan: ColumnPlan
    prefix: str
    estimate: str | None = None  # how the set is read from another set's items

    @property
    def rules(self) -> Ruleset:
        return self.loaded.rules

    @property
    def status(self) -> str:
        return f"{self.prefix}status"


@dataclass(frozen=True)
class Multi:
    sql: str  # the whole query, rows in input order with `row`
    sets: tuple[ScoredSet, ...]
    compiled: tuple[Compiled, ...]
    outputs: tuple[tuple[str, str], ...]  # (name, kind) of the final columns
    checked: tuple[Checked, ...]  # every input column read, by any set
    category: str | None  # name of the category column, if any
    enums: dict[str, tuple[str, ...]]
    #: (set index, criterion id) -> its status column
    criterion_columns: dict[tuple[int, str], str] = dataclasses.field(default_factory=dict)

    def status_columns(self) -> list[str]:
        """The columns the summary counts by: each set's status, the category, the
        cut-point (criteria statuses are in the rows; counting them too would double
        the cost of a summary)."""
        wanted = {s.status for s in self.sets} | {self.category, "cutpoint"}
        return [n for n, kind in self.outputs if kind in ("status", "category")
                and n in wanted]

    def as_compiled(self) -> Compiled:
        """A Compiled standing for the whole run (for the bad-cell report helpers)."""
        return dataclasses.replace(self.compiled[0], checked=self.checked)


