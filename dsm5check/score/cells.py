"""The input cells the rules read: how each column is checked, and the leaves.

Every column feeding an item, criterion or fact becomes one checked value
(``__s_v0``, ``__s_v1``, ...): NULL when the cell is missing or not what the
column must hold. :class:`Bind` gives compile_sql the SQL of each leaf.
"""

from __future__ import annotations

from dataclasses import dataclass

from dsm5check.engine.rules_model import CriterionNode, FactNode, MonthsNode
from dsm5check.engine.ruleset import DIAGNOSIS, Ruleset, walk
from dsm5check.score.columns import ColumnPlan, all_rules
from dsm5check.score.compile_sql import fact_kind, ident


@dataclass(frozen=True, slots=True)
class Checked:
    """An input column the rules read and what its cells must hold."""

    column: str
    kind: str  # rating | bool | number | text
    low: int | None
    high: int | None
    role: str
    clean: str  # internal name of the checked value

    def expected(self) -> str:
        if self.kind == "rating":
            return f"a whole number {self.low}-{self.high}"
        if self.kind == "bool":
            return "yes/no (1/0, true/false, yes/no)"
        if self.kind == "number":
            return "a number >= 0"
        return "text"


def checked_columns(rules: Ruleset, plan: ColumnPlan) -> dict[str, Checked]:
    out: dict[str, Checked] = {}

    def add(col: str, kind: str, low: int | None, high: int | None, role: str) -> None:
        if col not in out:
            out[col] = Checked(col, kind, low, high, role, f"__s_v{len(out)}")

    for item, cols in plan.items.items():
        scale = rules.scale_of(rules.item_map[item])
        for col in cols:
            add(col, "rating", scale.min, scale.max, f"item {item}")
    for cid, col in plan.criteria.items():
        add(col, "bool", None, None, f"criterion {cid}")
    nodes: dict[str, list[FactNode | MonthsNode]] = {}
    for rule in all_rules(rules):
        for n in walk(rule):
            if isinstance(n, FactNode):
                nodes.setdefault(n.fact, []).append(n)
            elif isinstance(n, MonthsNode) and n.months.or_fact:
                nodes.setdefault(n.months.or_fact, []).append(n)
    for path, col in plan.facts.items():
        add(col, fact_kind(nodes.get(path, [])), None, None, f"fact {path}")
    return out


def clean_sql(c: Checked) -> str:
    x = ident(c.column)
    if c.kind == "rating":
        return (f"CASE WHEN {x} >= {c.low} AND {x} <= {c.high} AND ROUND({x}) = {x}"
                f" THEN CAST({x} AS INTEGER) END")
    if c.kind == "bool":
        return f"CASE WHEN {x} = 1 THEN 1 WHEN {x} = 0 THEN 0 END"
    if c.kind == "number":
        return f"CASE WHEN {x} >= 0 THEN {x} END"
    return x


class Bind:
    def __init__(self, rules: Ruleset, plan: ColumnPlan, checked: dict[str, Checked],
                 values: dict[str, str]) -> None:
        self.rules, self.plan, self.checked, self.values = rules, plan, checked, values
        self.columns: dict[str, str] = {}  # criterion id -> assessed boolean column

    def item(self, item_id: str) -> str | None:
        thr = self.rules.symptom_threshold
        if item_id in self.plan.not_assessed_items:
            return None
        if item_id in self.values:
            return f"({ident(self.values[item_id])} >= {thr})"
        cols = self.plan.items.get(item_id, ())
        if not cols:
            return None
        parts = [f"({ident(self.checked[c].clean)} >= {thr})" for c in cols]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def fact(self, path: str) -> str | None:
        col = self.plan.facts.get(path)
        return ident(self.checked[col].clean) if col else None

    def criterion(self, cid: str) -> str | None:
        col = self.columns.get(cid)
        return ident(col) if col else None


def criterion_levels(rules: Ruleset) -> dict[str, int]:
    level: dict[str, int] = {}

    def of(cid: str) -> int:
        if cid not in level:
            refs = [n.criterion for n in walk(rules.criterion_map[cid].rule)
                    if isinstance(n, CriterionNode) and n.criterion != DIAGNOSIS]
            level[cid] = 1 + max((of(r) for r in refs), default=-1)
        return level[cid]

    for c in rules.criteria:
        of(c.id)
    return level
