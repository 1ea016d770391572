"""Compile a rule tree (the generic node kinds of rules_model) to one SQL expression.

SQL's NULL logic is Kleene's three-valued logic, the engine's logic: ``AND``,
``OR`` and ``NOT`` over TRUE / FALSE / NULL behave exactly like ``all``,
``any`` and ``not`` over met / not met / indeterminate. A count rule becomes

    CASE WHEN count_true >= n THEN TRUE
         WHEN count_true + count_null < n THEN FALSE END      -- else NULL

The leaves come from :class:`Bindings`: an item is ``value >= threshold`` on a
column (NULL when the cell is missing), a fact is a comparison on a column, a
criterion is the column already computed for it. A leaf with no column is
NULL (not assessed). A reference to a criterion that the data cannot assess at
all is replaced by the value that lets the rule through (TRUE, or FALSE under a
``not``): that is what makes a result *provisional*, and the caller lists such
criteria. Only standard SQL is produced (CASE, AND/OR/NOT, comparisons,
COALESCE, IN, arithmetic); score/dialects.py translates the whole query for
other engines (Spark, PostgreSQL, SQLite, BigQuery, Snowflake, T-SQL).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, final

from dsm5check.engine.kinds import NodeVisitor, visit
from dsm5check.engine.rules_model import (
    AllNode,
    AnyNode,
    AtLeastNode,
    CriterionNode,
    FactNode,
    ForAnyNode,
    ItemNode,
    MonthsNode,
    NodeModel,
    NotNode,
)

TRUE = "(1=1)"
FALSE = "(1=0)"
NULL = "NULL"


def ident(name: str) -> str:
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    """A SQL literal; booleans become 1 / 0 (how boolean columns are given)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class Sql:
    text: str
    data: bool  # reads at least one input column
    gaps: tuple[str, ...] = ()  # leaves that had no column


class Bindings(Protocol):
    def item(self, item_id: str) -> str | None:
        """SQL boolean 'item present', or None when no column holds the item."""

    def fact(self, path: str) -> str | None:
        """SQL value of a fact (NULL when the cell is missing), or None without a column."""

    def criterion(self, cid: str) -> str | None:
        """SQL boolean of an assessed criterion, or None when the data cannot assess it."""


_OPS = {">": ">", ">=": ">=", "<": "<", "<=": "<="}


def comparison(value: str, op: str, expected: Any) -> str:
    if op == "==":
        return f"({value} = {literal(expected)})"
    if op == "in":
        return f"({value} IN ({', '.join(literal(e) for e in expected)}))"
    if op in _OPS:
        return f"({value} {_OPS[op]} {literal(expected)})"
    raise ValueError(f"comparison {op!r} cannot be compiled to SQL")


def _all(parts: list[Sql]) -> Sql:
    kept = [p for p in parts if p.text != TRUE]
    data = any(p.data for p in parts)
    gaps = tuple(g for p in parts for g in p.gaps)
    if any(p.text == FALSE for p in kept):
        return Sql(FALSE, data, gaps)
    if not kept:
        return Sql(TRUE, data, gaps)
    if len(kept) == 1:
        return Sql(kept[0].text, data, gaps)
    return Sql("(" + " AND ".join(p.text for p in kept) + ")", data, gaps)


def _any(parts: list[Sql]) -> Sql:
    kept = [p for p in parts if p.text != FALSE]
    data = any(p.data for p in parts)
    gaps = tuple(g for p in parts for g in p.gaps)
    if any(p.text == TRUE for p in kept):
        return Sql(TRUE, data, gaps)
    if not kept:
        return Sql(FALSE, data, gaps)
    if len(kept) == 1:
        return Sql(kept[0].text, data, gaps)
    return Sql("(" + " OR ".join(p.text for p in kept) + ")", data, gaps)


def count_true(parts: list[str]) -> str:
    return " + ".join(f"(CASE WHEN {p} THEN 1 ELSE 0 END)" for p in parts)


def count_null(parts: list[str]) -> str:
    return " + ".join(f"(CASE WHEN {p} IS NULL THEN 1 ELSE 0 END)" for p in parts)


def at_least(n: int, parts: list[str]) -> str:
    if not parts:
        return TRUE if n <= 0 else FALSE
    t, u = count_true(parts), count_null(parts)
    return (
        f"(CASE WHEN {t} >= {n} THEN {TRUE}"
        f" WHEN {t} + {u} < {n} THEN {FALSE} ELSE NULL END)"
    )


def compile_rule(node: NodeModel, b: Bindings, positive: bool = True) -> Sql:
    """SQL for one rule node; ``positive`` is False under an odd number of ``not``."""
    return visit(node, _Compiler(b, positive))


@final
class _Compiler(NodeVisitor[Sql]):
    def __init__(self, b: Bindings, positive: bool) -> None:
        self.b, self.positive = b, positive

    def visit_all(self, node: AllNode) -> Sql:
        return _all([compile_rule(k, self.b, self.positive) for k in node.all])

    def visit_any(self, node: AnyNode) -> Sql:
        return _any([compile_rule(k, self.b, self.positive) for k in node.any])

    def visit_at_least(self, node: AtLeastNode) -> Sql:
        kids = [compile_rule(k, self.b, self.positive) for k in node.of]
        return Sql(
            at_least(node.at_least, [k.text for k in kids]),
            any(k.data for k in kids),
            tuple(g for k in kids for g in k.gaps),
        )

    def visit_not(self, node: NotNode) -> Sql:
        kid = compile_rule(node.not_, self.b, not self.positive)
        text = {TRUE: FALSE, FALSE: TRUE, NULL: NULL}.get(kid.text, f"(NOT {kid.text})")
        return Sql(text, kid.data, kid.gaps)

    def visit_item(self, node: ItemNode) -> Sql:
        sql = self.b.item(node.item)
        return Sql(sql, True) if sql else Sql(NULL, False, (f"item {node.item}",))

    def visit_criterion(self, node: CriterionNode) -> Sql:
        sql = self.b.criterion(node.criterion)
        if sql is None:  # not assessed: let the rule through, the caller says so
            return Sql(TRUE if self.positive else FALSE, False)
        return Sql(sql, True)

    def visit_fact(self, node: FactNode) -> Sql:
        return _fact(node, self.b)

    def visit_months(self, node: MonthsNode) -> Sql:
        op, limit = node.comparison()
        path = node.months.or_fact
        value = self.b.fact(path) if path else None
        if value is None:
            return Sql(NULL, False, (f"months {node.months.from_} to {node.months.to}",))
        return Sql(comparison(value, op, limit), True)

    def visit_for_any(self, node: ForAnyNode) -> Sql:
        # a collection (e.g. events) cannot come from one flat row
        return Sql(NULL, False, (node.for_any,))


def _fact(node: FactNode, b: Bindings) -> Sql:
    op, expected = node.comparison()
    value = b.fact(node.fact) if op != "includes_any" else None
    if value is None:
        if node.default is not None and op != "includes_any":
            return Sql(comparison(literal(node.default), op, expected), False)
        return Sql(NULL, False, (node.fact,))
    if node.default is not None:
        value = f"COALESCE({value}, {literal(node.default)})"
    return Sql(comparison(value, op, expected), True)


def fact_kind(nodes: list[FactNode | MonthsNode]) -> str:
    """How a fact's column is read: bool, number, text or list (not readable)."""
    kinds = set()
    for node in nodes:
        if isinstance(node, MonthsNode):
            kinds.add("number")
            continue
        op, expected = node.comparison()
        probe = expected[0] if op in ("in", "includes_any") and expected else expected
        if op == "includes_any":
            kinds.add("list")
        elif isinstance(probe, bool):
            kinds.add("bool")
        elif isinstance(probe, int | float):
            kinds.add("number")
        else:
            kinds.add("text")
    for kind in ("list", "text", "bool", "number"):
        if kind in kinds:
            return kind
    return "text"
