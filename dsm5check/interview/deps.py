"""What each criterion depends on, read from its rule tree.

Items, fact paths and the collection a ``for_any`` walks are matched with the
answer keys each block of the plan can produce, giving the block after which
the criterion is decided by the interview so far.
"""

from __future__ import annotations

from typing import final

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
from dsm5check.engine.ruleset import walk
from dsm5check.interview.questions import Plan, item_key


def _deps(plan: Plan, node: NodeModel, seen: set[str]) -> set[str]:
    rules = plan.loaded.rules
    aliases: dict[str, str] = {}
    if rules.index_element:
        aliases[rules.index_element.name] = rules.index_element.collection
    for n in walk(node):
        if isinstance(n, ForAnyNode):
            aliases[n.as_] = n.for_any
    reads = _Reads(plan, aliases, seen)
    out: set[str] = set()
    for n in walk(node):
        found: set[str] = visit(n, reads)
        out |= found
    return out


@final
class _Reads(NodeVisitor[set[str]]):
    """The answer keys one node reads itself (``walk`` reaches its children)."""

    def __init__(self, plan: Plan, aliases: dict[str, str], seen: set[str]) -> None:
        self.plan, self.aliases, self.seen = plan, aliases, seen

    def _path(self, p: str) -> str:
        head = p.split(".", 1)[0]
        return self.aliases.get(head, p)

    def visit_all(self, node: AllNode) -> set[str]:
        return set()

    def visit_any(self, node: AnyNode) -> set[str]:
        return set()

    def visit_at_least(self, node: AtLeastNode) -> set[str]:
        return set()

    def visit_not(self, node: NotNode) -> set[str]:
        return set()

    def visit_item(self, node: ItemNode) -> set[str]:
        item = self.plan.loaded.rules.item_map.get(node.item)
        return {item_key(item)} if item is not None else set()

    def visit_criterion(self, node: CriterionNode) -> set[str]:
        if node.criterion in self.seen:
            return set()
        crit = self.plan.loaded.rules.criterion_map.get(node.criterion)
        if crit is None:
            return set()
        return _deps(self.plan, crit.rule, self.seen | {node.criterion})

    def visit_fact(self, node: FactNode) -> set[str]:
        return {self._path(node.fact)}

    def visit_months(self, node: MonthsNode) -> set[str]:
        return {self._path(node.months.from_), self._path(node.months.to)}

    def visit_for_any(self, node: ForAnyNode) -> set[str]:
        return {node.for_any}


def _matches(dep: str, root: str) -> bool:
    return dep == root or dep.startswith(root + ".") or root.startswith(dep + ".")


def criterion_blocks(plan: Plan) -> dict[str, int]:
    """For each criterion, the block after which its running status is shown."""
    if plan.criterion_blocks is not None:
        return plan.criterion_blocks
    out: dict[str, int] = {}
    for crit in plan.loaded.rules.criteria:
        deps = _deps(plan, crit.rule, {crit.id})
        blocks = [i for i, b in enumerate(plan.blocks)
                  for dep in deps if any(_matches(dep, r) for r in b.roots)]
        if blocks:
            out[crit.id] = max(blocks)
    plan.criterion_blocks = out
    return out
