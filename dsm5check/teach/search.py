"""Candidate change sets for one node of a result tree, built bottom-up.

``Options.of(node, target, budget)`` lists sets of atomic changes (each of at
most ``budget`` changes) that should bring ``node`` to ``target`` (met or not
met), read from the node kinds of :mod:`dsm5check.engine.rules_model` only:

- a leaf (item, fact, months) gives its atomic changes;
- "every child" (all met, any not met, for_any not met) is a cross product of
  the children's sets; "one child" (any met, all not met) is their union;
- at_least n: every choice of the children still needed, as a cross product;
- not flips the target; a criterion reference follows into that criterion;
- an item read through a crosswalk (from another set's answers: "from DSM-5 B2")
  follows into the crosswalk rule's result, so the changes are made to the inputs
  the case gives (an input that several items are read from is one change).

Sets that are larger than the budget, change one path twice, or contain another
set are dropped as early as possible. The sets are candidates: the engine is
the judge (see :mod:`dsm5check.teach.whatif`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from itertools import combinations
from typing import Any, assert_never

from dsm5check.engine.results import MET, NOT_MET, UNKNOWN, NodeResult, Status
from dsm5check.engine.ruleset import Ruleset
from dsm5check.teach.changes import Change, leaf_changes

#: Option sets kept per node; beyond this the smallest are kept.
LIMIT = 400
ChangeSet = frozenset[Change]


def flip(target: Status) -> Status:
    return NOT_MET if target == MET else MET


def minimal(sets: Iterable[ChangeSet], limit: int = LIMIT) -> list[ChangeSet]:
    """Distinct sets, smallest first, without any set that contains another."""
    if not isinstance(sets, list):
        sets = list(sets)
    if len(sets) <= 1:
        return sets
    out: list[ChangeSet] = []
    for s in sorted(set(sets), key=lambda s: (len(s), sorted(c.text for c in s))):
        if not any(kept <= s for kept in out):
            out.append(s)
            if len(out) >= limit:
                break
    return out


def _conflict(s: ChangeSet) -> bool:
    return len({c.path for c in s}) != len(s)


def product(groups: list[list[ChangeSet]], budget: int) -> list[ChangeSet]:
    if all(len(g) == 1 for g in groups):  # one way each: a single union
        union = frozenset().union(*(g[0] for g in groups))
        return [union] if len(union) <= budget and not _conflict(union) else []
    out: list[ChangeSet] = [frozenset()]
    for group in groups:
        nxt = [
            u for a in out for b in group
            if len(u := a | b) <= budget and not _conflict(u)
        ]
        out = minimal(nxt)
        if not out:
            return []
    return out


class Options:
    """Change sets per node; ``only_unknown`` limits leaves to unanswered ones."""

    def __init__(
        self,
        rules: Ruleset | None = None,
        data: dict[str, Any] | None = None,
        *,
        only_unknown: bool = False,
        blank: dict[str, NodeResult] | None = None,
        via: str = "",
    ) -> None:
        self.rules = rules
        self.data = data
        self.only_unknown = only_unknown
        self.blank = blank or {}  # for_any path -> result of a new, empty element
        self.via = via  # the item of another set these options are read for
        self.memo: dict[tuple[int, str, int], list[ChangeSet]] = {}

    def of(self, node: NodeResult, target: Status, budget: int, where: str,
           crit: str = "") -> list[ChangeSet]:
        """Change sets bringing ``node`` to ``target``; ``where`` names it in texts."""
        if node.status == target:
            return [frozenset()]
        if budget <= 0:
            return []
        key = (id(node), target, budget)
        found = self.memo.get(key)
        if found is None:
            found = self._of(node, target, budget, node.title if node.id else where, crit)
            self.memo[key] = found
        return found

    def _named(self, node: NodeResult) -> str:
        """A referenced criterion as people see it named ("AD (affect dysregulation)");
        from a result alone, the engine's label for it is its plain name."""
        from dsm5check.render.names import criterion_name

        found = self.rules.criterion_map.get(node.name) if self.rules is not None else None
        return criterion_name(node.name, found.name if found is not None else node.label)

    def _source(self, node: NodeResult) -> Options | None:
        """Options over the set a crosswalked item is read from (its rules name the
        case's items); without a ruleset and case, the item itself is the input."""
        if self.rules is None or self.data is None:
            return None
        from dsm5check.engine.crosswalk import source_of
        from dsm5check.teach.why import item_name

        vocab = self.data.get("coded_in") or self.data.get("ruleset") or ""
        source = source_of(self.rules, str(vocab))
        if source is None:  # pragma: no cover - a crosswalked item has a source set
            return None
        return Options(source, self.data, only_unknown=self.only_unknown, blank=self.blank,
                       via=item_name(self.rules, node.name, node.label))

    def _of(self, node: NodeResult, target: Status, budget: int, where: str, crit: str
            ) -> list[ChangeSet]:
        kind, kids = node.kind, node.children
        match kind:  # every result kind (mypy checks that none is left out)
            case "item" if kids and "crosswalk" in node.detail and (
                    source := self._source(node)) is not None:
                return source.of(kids[0], target, budget, where, crit)
            case "item" | "fact" | "months":
                if self.only_unknown and node.status != UNKNOWN:
                    return []
                return [
                    frozenset({c})
                    for c in leaf_changes(node, target, where, self.rules, self.data, crit,
                                          self.via)
                ]
            case "criterion":
                return self.of(node.detail["reason"], target, budget, self._named(node),
                               node.name)
            case "element" | "not":
                want = target if kind == "element" else flip(target)
                return self.of(kids[0], want, budget, where, crit)
            case "at_least":
                return self._count(node, target, budget, where, crit)
            case "all" | "any" | "for_any":
                return self._group(node, target, budget, where, crit)
            case _:
                assert_never(kind)

    def _group(self, node: NodeResult, target: Status, budget: int, where: str, crit: str
               ) -> list[ChangeSet]:
        """all, any and for_any: every child to the target, or one of them."""
        kind, kids = node.kind, node.children
        every = (kind == "all") == (target == MET)
        if kind == "for_any":
            if node.detail.get("missing"):  # the collection is not given at all
                return self._missing(node, target, budget, where, crit)
            every = target == NOT_MET
        todo = [k for k in kids if k.status != target]
        if every:
            spare = budget - (len(todo) - 1)
            return product([self.of(k, target, spare, where, crit) for k in todo], budget)
        sets = [s for k in todo for s in self.of(k, target, budget, where, crit)]
        new = self.blank.get(node.name) if kind == "for_any" else None
        if new is not None and not self.only_unknown and not sets:
            # a new element only when no element there can be brought to the target
            noun = node.detail.get("as", "element")
            sets.extend(
                frozenset(replace(c, text=f"{c.text} (a new {noun})") for c in s)
                for s in self.of(new, target, budget, where, crit)
            )
        return minimal(sets)

    def _missing(self, node: NodeResult, target: Status, budget: int, where: str,
                 crit: str) -> list[ChangeSet]:
        """A collection the case leaves out is not assessed (unknown), unlike an empty
        one: it is not met once the case says there are none; met with a new element
        (when a blank one is known)."""
        from dsm5check.teach.changes import change
        from dsm5check.teach.why import field_name

        named = field_name(node.name)
        if target == NOT_MET:
            text = f"{where}: {named}: now not given; say there were none"
            made = change(node.name, [], text, named, "given as none")
            object.__setattr__(made, "criterion", crit)
            return [frozenset({made})]
        new = self.blank.get(node.name)
        if new is None or self.only_unknown:
            return []
        noun = node.detail.get("as", "element")
        return minimal(
            frozenset(replace(c, text=f"{c.text} (a new {noun})") for c in s)
            for s in self.of(new, target, budget, where, crit)
        )

    def _count(self, node: NodeResult, target: Status, budget: int, where: str, crit: str
               ) -> list[ChangeSet]:
        d = node.detail
        if target == MET:
            need = d["needed"] - d["met"]
        else:
            need = d["met"] + d["unknown"] - d["needed"] + 1
        todo = [k for k in node.children if k.status != target]
        if need > budget or need > len(todo):
            return []
        spare = budget - (need - 1)
        sets: list[ChangeSet] = []
        for chosen in combinations(todo, need):
            sets.extend(
                product([self.of(k, target, spare, where, crit) for k in chosen], budget)
            )
        return minimal(sets)
