"""What each criterion depends on, read from its rule tree.

Items, fact paths and the collection a ``for_any`` walks are matched with the
answer keys each block of the plan can produce, giving the block after which
the criterion is decided by the interview so far.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, final

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
from dsm5check.interview.questions import Plan, Question, item_key


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


def _rules_reading(plan: Plan, key: str) -> list[tuple[str, NodeModel]]:
    """The criteria, specifiers and diagnosis whose own rule reads answer ``key``
    (not through another criterion: a result that cannot change leaves those that
    refer to it as they are)."""
    rules = plan.loaded.rules
    every = {c.id for c in rules.criteria} | {"diagnosis"}
    tops = [(c.id, c.rule) for c in rules.criteria] + [("diagnosis", rules.diagnosis.rule)] + [
        (f"specifier {s.id}", s.rule) for s in rules.specifiers]
    return [(name, rule) for name, rule in tops
            if any(_matches(dep, key) for dep in _deps(plan, rule, every))]


def _refers_to_diagnosis(plan: Plan, node: NodeModel) -> bool:
    """Whether a rule reads the diagnosis, itself or through the criteria it names."""
    todo, seen = [node], set()
    while todo:
        for n in walk(todo.pop()):
            if isinstance(n, CriterionNode) and n.criterion not in seen:
                if n.criterion == "diagnosis":
                    return True
                seen.add(n.criterion)
                crit = plan.loaded.rules.criterion_map.get(n.criterion)
                if crit is not None:
                    todo.append(crit.rule)
    return False


def can_matter(plan: Plan, questions: Sequence[Question], answers: Mapping[str, Any],
               q: Question) -> bool:
    """Whether some answer to ``q`` would still change a result, given the answers so
    far (``questions``: those relevant now, ``q`` among them). Only the criteria,
    specifiers and diagnosis whose rules read its answer can change: each answer it
    offers, and *not known*, is tried on the engine and their results compared. An
    answer that makes no valid case counts as mattering: the question is asked."""
    import json

    from dsm5check.interview.answers import evaluate_answers

    reading = _rules_reading(plan, q.key)
    if not reading:
        return False  # no rule reads it
    names = {name for name, _ in reading}
    rules = [rule for _, rule in reading]
    if any(_refers_to_diagnosis(plan, rule) for rule in rules):
        rules.append(plan.loaded.rules.diagnosis.rule)  # (its reads, as for a criterion)
    read = set().union(*(_deps(plan, rule, set()) for rule in rules))
    relevant = {k: v for k, v in answers.items()
                if k != q.key and any(_matches(dep, k) for dep in read)}
    memo = json.dumps([q.key, relevant], sort_keys=True, default=str)
    if memo in plan.moot:
        return plan.moot[memo]
    seen: set[tuple[object, ...]] = set()
    matters = False
    for value in [*(c.value for c in q.choices), None]:
        result = evaluate_answers(plan, questions, {**answers, q.key: value})
        if result is None:
            matters = True
            break
        statuses = [(c.id, c.status) for c in result.criteria if c.id in names]
        statuses += [(s.id, s.status) for s in result.specifiers
                     if f"specifier {s.id}" in names]
        seen.add((result.diagnosis if "diagnosis" in names else None, *statuses))
        if len(seen) > 1:
            matters = True
            break
    if len(plan.moot) > 512:
        plan.moot.clear()
    plan.moot[memo] = matters
    return matters
