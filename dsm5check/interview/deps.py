"""What each criterion depends on, read from its rule tree.

Items, fact paths and the collection a ``for_any`` walks are matched with the
answer keys each block of the plan can produce, giving the block after which
the criterion is decided by the interview so far.
"""

from __future__ import annotations

from dsm5check.engine.rules_model import (
    CriterionNode,
    FactNode,
    ForAnyNode,
    ItemNode,
    MonthsNode,
    NodeModel,
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
    out: set[str] = set()

    def path(p: str) -> str:
        head = p.split(".", 1)[0]
        return aliases.get(head, p)

    for n in walk(node):
        if isinstance(n, ItemNode) and n.item in rules.item_map:
            out.add(item_key(rules.item_map[n.item]))
        elif isinstance(n, FactNode):
            out.add(path(n.fact))
        elif isinstance(n, MonthsNode):
            out.update((path(n.months.from_), path(n.months.to)))
        elif isinstance(n, ForAnyNode):
            out.add(n.for_any)
        elif isinstance(n, CriterionNode) and n.criterion not in seen:
            crit = rules.criterion_map.get(n.criterion)
            if crit is not None:
                out |= _deps(plan, crit.rule, seen | {n.criterion})
    return out


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
