"""What would change the verdict? Pure computation over any ruleset.

``what_if(ruleset, case)``:

- diagnosis met or not met: the smallest sets of changes (at most
  ``max_changes`` each) after which the diagnosis is the opposite. Candidates
  come from the rule tree (:mod:`dsm5check.teach.search`); each is applied
  (dropped when the changed case would fail the checks ``check`` makes, e.g.
  an assessment dated before the full picture: :func:`changes.valid_after`)
  and re-evaluated with the engine, and a set is kept only when it flips the
  verdict and none of its proper subsets does (minimal; for sets larger than
  ``EXACT``, none of the sets with one change left out does).
- indeterminate: per undecided criterion, which unanswered inputs decide it
  and how (``deciders``) — "met with any one of D3, D5, D6 present".

``still_needed(result)`` gives the deciders from a result alone (no case at
hand, nothing re-evaluated), for the output of ``check``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from dsm5check.cases.case import Case
from dsm5check.engine import shared
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.results import (
    MET,
    NOT_MET,
    UNKNOWN,
    CaseResult,
    CriterionResult,
    NodeResult,
    Status,
)
from dsm5check.engine.rules_model import ForAnyNode
from dsm5check.engine.ruleset import LoadedRuleset, walk
from dsm5check.render.names import criterion_name
from dsm5check.teach.changes import Change, apply_changes, base_data, parse_path, valid_after
from dsm5check.teach.search import ChangeSet, Options, flip, minimal
from dsm5check.teach.summaries import brief, ordered, summarize

#: Largest set considered when describing what decides an undecided criterion.
DECIDE_BUDGET = 8
#: Up to this size every proper subset of a found set is checked (minimality is
#: exact); larger sets are checked with each single change left out.
EXACT = 4
#: Largest --max-changes accepted.
MAX_CHANGES = 8


@dataclass(frozen=True, slots=True)
class Decider:
    """How an undecided criterion would be decided by the inputs it lacks."""

    criterion: str
    title: str
    reason: str
    to_met: tuple[tuple[Change, ...], ...]
    to_not_met: tuple[tuple[Change, ...], ...]
    label: str = ""  # how people see the criterion (its id, or plain words)

    @property
    def shown(self) -> str:
        return self.label or self.criterion

    @property
    def met_summary(self) -> str:
        return summarize(self.to_met)

    @property
    def not_met_summary(self) -> str:
        return summarize(self.to_not_met)

    def brief_sentence(self) -> str:
        """:meth:`sentence` in a few words for text screens (summaries.brief): a
        criterion read from others (Complex PTSD ruled out) otherwise lists every
        combination of their items."""
        parts = []
        if self.to_met:
            parts.append(f"met with {brief(self.to_met)}")
        if self.to_not_met:
            parts.append(f"not met with {brief(self.to_not_met)}")
        return "; ".join(parts) or "not decided by its own unanswered inputs alone"

    def sentence(self) -> str:
        parts = []
        if self.to_met:
            parts.append(f"met with {self.met_summary}")
        if self.to_not_met:
            parts.append(f"not met with {self.not_met_summary}")
        return "; ".join(parts) or "not decided by its own unanswered inputs alone"


@dataclass(frozen=True, slots=True)
class WhatIf:
    result: CaseResult
    target: Status | None  # the verdict sought; None when undecided
    max_changes: int
    sets: tuple[tuple[Change, ...], ...]  # minimal, verified, smallest first
    deciders: tuple[Decider, ...]
    checked: int  # change sets evaluated with the engine
    #: towards met: what each criterion that is not met needs, on its own
    needs: tuple[Decider, ...] = ()


def _blank_elements(loaded: LoadedRuleset, case: Case, data: dict[str, Any]
                    ) -> dict[str, NodeResult]:
    """For each collection a for_any runs over: the result for one new, empty element."""
    rules = loaded.rules
    roots = [c.rule for c in rules.criteria] + [rules.diagnosis.rule]
    paths = {n.for_any for r in roots for n in walk(r) if isinstance(n, ForAnyNode)}
    out: dict[str, NodeResult] = {}
    for path in sorted(paths):
        parts = parse_path(path)
        holder: Any = data
        for part in parts:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if holder is None:  # not given at all: a first element starts the list
            holder = []
        if not isinstance(holder, list):
            continue
        grown = apply_changes(data, [Change(f"{path}[{len(holder)}]", "{}", {}, "", "", "")])
        if grown is None:
            continue
        for crit in evaluate(loaded, grown).criteria:
            for node in _nodes(crit.node):
                if node.kind == "for_any" and node.name == path and node.children:
                    out[path] = node.children[-1]
    return out


def _nodes(node: NodeResult) -> Iterable[NodeResult]:
    yield node
    for kid in node.children:
        yield from _nodes(kid)


class _Judge:
    """Applies change sets and asks the engine; remembers every answer."""

    def __init__(self, loaded: LoadedRuleset, data: dict[str, Any],
                 ok: Callable[[CaseResult], bool]) -> None:
        self.loaded, self.data, self.ok = loaded, data, ok
        self.valid = valid_after(loaded.rules, data)
        self.seen: dict[ChangeSet, bool] = {}

    def __call__(self, s: ChangeSet) -> bool:
        found = self.seen.get(s)
        if found is None:
            case = apply_changes(self.data, s, self.valid)
            found = case is not None and self.ok(evaluate(self.loaded, case))
            self.seen[s] = found
        return found

    def minimal_sets(self, candidates: Iterable[ChangeSet]) -> list[ChangeSet]:
        """The candidates that work and none of whose smaller parts works."""
        pool = {s for s in candidates if s and self(s)}
        for s in list(pool):
            pool.update(t for t in _parts(s) if self(t))
        return [s for s in pool if not any(self(t) for t in _parts(s))]


def _parts(s: ChangeSet) -> Iterable[ChangeSet]:
    """Proper subsets to try: all of them up to EXACT changes, else each set less one."""
    sizes = range(1, len(s)) if len(s) <= EXACT else range(len(s) - 1, len(s))
    for k in sizes:
        for t in combinations(s, k):
            yield frozenset(t)


def what_if(loaded: LoadedRuleset, case: Case, *, max_changes: int = 3) -> WhatIf:
    result = evaluate(loaded, case)
    data = base_data(case)
    if result.diagnosis == UNKNOWN:
        return WhatIf(result, None, max_changes, (),
                      deciders(result, loaded, case), 0)
    target = flip(result.diagnosis)
    options = Options(loaded.rules, data, blank=_blank_elements(loaded, case, data))
    candidates = options.of(result.diagnosis_node, target, max_changes, "")
    judge = _Judge(loaded, data, lambda r: r.diagnosis == target)
    found = judge.minimal_sets(candidates)
    needs: list[Decider] = []
    if target == MET and found:
        for crit in result.criteria:
            if crit.status == MET:
                continue
            own = _Judge(loaded, data, _criterion_is(crit.id, MET))
            shown = criterion_name(crit.id, crit.name)
            sets = [s for s in options.of(crit.node, MET, max_changes, shown, crit.id)
                    if own(s)]
            needs.append(Decider(crit.id, crit.title, crit.reason, ordered(minimal(sets)), (),
                                 shown))
    return WhatIf(result, target, max_changes, ordered(found), (), len(judge.seen),
                  tuple(needs))


def deciders(result: CaseResult, loaded: LoadedRuleset | None = None,
             case: Case | None = None) -> tuple[Decider, ...]:
    """Per undecided criterion: the unanswered inputs that would decide it.

    With a ruleset and case, each set is also checked with the engine; with a
    result alone (as in ``check``) the sets are read from the tree.
    """
    data = base_data(case) if case is not None else None
    options = Options(loaded.rules if loaded else None, data, only_unknown=True)
    return tuple([_decider(crit, options, loaded, data) for crit in result.criteria
                  if crit.status == UNKNOWN])


def _decider(crit: CriterionResult, options: Options, loaded: LoadedRuleset | None,
             data: dict[str, Any] | None) -> Decider:
    per: dict[Status, list[ChangeSet]] = {}
    shown = criterion_name(crit.id, crit.name)
    for target in (MET, NOT_MET):
        sets = options.of(crit.node, target, DECIDE_BUDGET, shown, crit.id)
        if loaded is not None and data is not None:
            judge = _Judge(loaded, data, _criterion_is(crit.id, target))
            sets = [s for s in sets if judge(s)]
        # an empty set would say "decided already", which an undecided criterion is not
        per[target] = minimal([s for s in sets if s])
    return Decider(crit.id, crit.title, crit.reason,
                   ordered(per[MET]), ordered(per[NOT_MET]), shown)


def criterion_decider(crit: CriterionResult) -> Decider:
    """What decides one undecided criterion, read from its result alone (as in
    ``check``); worked out once for a criterion result shared between cases."""
    memo = shared.memo(crit)
    if memo is not None and memo.decider is not None:
        found: Decider = memo.decider
        return found
    decider = _decider(crit, Options(None, None, only_unknown=True), None, None)
    if memo is not None:
        memo.decider = decider
    return decider


def _criterion_is(cid: str, target: Status) -> Callable[[CaseResult], bool]:
    return lambda r: r.criterion(cid).status == target


def still_needed(result: CaseResult) -> tuple[Decider, ...]:
    """For an undecided diagnosis: what decides each undecided criterion."""
    if result.diagnosis != UNKNOWN:
        return ()
    return tuple([criterion_decider(c) for c in result.criteria if c.status == UNKNOWN])
