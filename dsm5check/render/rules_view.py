"""Rendering rulesets for people: `rules list` and `rules show`."""

from __future__ import annotations

from typing import final

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from dsm5check.engine.kinds import NodeVisitor, children, visit
from dsm5check.engine.registry import shipped, shipped_ids
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
from dsm5check.engine.ruleset import Ruleset

_OPS = {
    "==": "is",
    "in": "is one of",
    "includes_any": "includes any of",
    ">": ">",
    ">=": ">=",
    "<": "<",
    "<=": "<=",
}


def list_table() -> Table:
    table = Table(title="Shipped rulesets", title_justify="left")
    for col in ("id", "version", "title", "criteria", "specifiers"):
        table.add_column(col)
    for rid in shipped_ids():
        r = shipped(rid).rules
        table.add_row(
            r.id, r.version, escape(r.title), str(len(r.criteria)), str(len(r.specifiers))
        )
    return table


def _value(v: object) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(map(str, v)) + "]"
    if isinstance(v, bool):
        return str(v).lower()
    return str(v)


def describe(node: NodeModel) -> str:
    """One line for a rule node, as a reader of the YAML would say it."""
    head = f"{node.id} " if node.id else ""
    label = f" ({node.label})" if node.label else ""
    return f"{head}{visit(node, _DESCRIBE)}{label}"


@final
class _Describe(NodeVisitor[str]):
    """What a node says, between its id and its label."""

    def visit_all(self, node: AllNode) -> str:
        return "all of"

    def visit_any(self, node: AnyNode) -> str:
        return "any of"

    def visit_at_least(self, node: AtLeastNode) -> str:
        return f"at least {node.at_least} of {len(node.of)}"

    def visit_not(self, node: NotNode) -> str:
        return "not"

    def visit_item(self, node: ItemNode) -> str:
        return f"item {node.item} present"

    def visit_criterion(self, node: CriterionNode) -> str:
        return f"criterion {node.criterion} met"

    def visit_fact(self, node: FactNode) -> str:
        op, value = node.comparison()
        return f"{node.fact} {_OPS[op]} {_value(value)}"

    def visit_months(self, node: MonthsNode) -> str:
        op, value = node.comparison()
        m = node.months
        alt = f" (or {m.or_fact})" if m.or_fact else ""
        return f"months from {m.from_} to {m.to}{alt} {_OPS[op]} {_value(value)}"

    def visit_for_any(self, node: ForAnyNode) -> str:
        return f"some {node.as_} in {node.for_any}"


_DESCRIBE = _Describe()


def rule_tree(node: NodeModel, tree: Tree) -> None:
    kids = children(node)
    if kids and all(isinstance(k, ItemNode) for k in kids):
        tree.add(Text("items " + ", ".join(k.item for k in kids if isinstance(k, ItemNode))))
        return
    for kid in kids:
        rule_tree(kid, tree.add(Text(describe(kid))))


def ruleset_view(r: Ruleset) -> RenderableType:
    parts: list[RenderableType] = [
        Text(f"{r.title}", style="bold"),
        Text(f"{r.id} {r.version}. Source: {r.source.citation}", style="dim"),
        Text(f"An item counts as present at a rating of {r.symptom_threshold} or more."),
    ]
    if r.disclaimer:
        parts.append(Text(r.disclaimer, style="italic"))
    overview = Table(title="Criteria", title_justify="left")
    overview.add_column("id")
    overview.add_column("title")
    overview.add_column("rule")
    for c in r.criteria:
        overview.add_row(c.id, escape(c.title), escape(describe(c.rule)))
    overview.add_row("", escape(r.diagnosis.title), escape(describe(r.diagnosis.rule)))
    parts.append(overview)
    for c in r.criteria:
        tree = Tree(Text(f"{c.id}  {c.title}", style="bold"))
        tree.add(Text(c.text))
        rule_tree(c.rule, tree.add(Text("rule: " + describe(c.rule), style="cyan")))
        for item in _items_of(r, c.rule):
            tree.add(Text(f"{item}: {r.item_map[item].text}", style="dim"))
        for note in c.interpretation:
            tree.add(Text("our reading: " + note, style="magenta"))
        parts.append(tree)
    if r.specifiers:
        specs = Table(title="Specifiers", title_justify="left")
        for col in ("id", "source", "meaning"):
            specs.add_column(col)
        for s in r.specifiers:
            specs.add_row(s.id, s.source, escape(s.text))
        parts.append(specs)
    from dsm5check.engine.crosswalk import describe as crosswalk_source

    for cw in r.crosswalks:  # how a case coded in another set's items is read
        table = Table(title=f"Reading a case coded in {cw.from_} ({cw.label})",
                      title_justify="left", caption=escape(" ".join((cw.note or "").split())),
                      caption_justify="left")
        for col in ("item", "read from"):
            table.add_column(col)
        for target in r.items:
            rule = cw.items.get(target.id)
            if target.section != "case":
                shown = ("not assessed: code it natively" if rule is None
                         else crosswalk_source(rule, cw.label))
                table.add_row(f"{target.id} {escape(target.short or '')}", escape(shown))
        parts.append(table)
    return Group(*parts)


def _items_of(r: Ruleset, node: NodeModel) -> list[str]:
    from dsm5check.engine.ruleset import walk

    return [n.item for n in walk(node) if isinstance(n, ItemNode)]
