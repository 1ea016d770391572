"""The generic three-valued rule engine: ``evaluate(ruleset, case)``.

Pure: it reads a validated ruleset and case and returns a frozen result tree.
It never prints and knows no criterion ids. Each rule tree is compiled once per
ruleset into closures (one factory per node kind, in the dispatch table
``_COMPILE``), so a batch of cases pays for the tree walk only once. Logic is
Kleene's strong three-valued logic: an unanswered item or a missing fact is
*unknown*, never quietly false.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from dsm5check.case import Case, ImpairmentRatings, ItemDetail, section_values
from dsm5check.dates import add_months
from dsm5check.results import (
    MET,
    NOT_MET,
    UNKNOWN,
    CaseResult,
    CriterionResult,
    Mismatch,
    NodeResult,
    SpecifierResult,
    Status,
)
from dsm5check.rules_model import (
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
from dsm5check.ruleset import DIAGNOSIS, LoadedRuleset, Ruleset

_MISSING = object()


class _Ctx:
    """What one evaluation needs: the case, the ruleset, memoised criteria."""

    __slots__ = ("answers", "base_paths", "base_scope", "case", "memo", "plan", "scope",
                 "scope_paths")

    def __init__(self, plan: _Plan, case: Case) -> None:
        self.plan = plan
        self.case = case
        self.memo: dict[str, NodeResult] = {}
        self.scope: dict[str, Any] = {}
        self.scope_paths: dict[str, str] = {}
        self.base_scope: dict[str, Any] = {}
        self.base_paths: dict[str, str] = {}
        self.answers: dict[str, Mapping[str, Any] | None] = {}

    def answer(self, item_id: str, section: str) -> tuple[Any, bool]:
        """The value a case gives for an item, and whether it was listed at all."""
        if section not in self.answers:
            self.answers[section] = section_values(self.case, section)
        values = self.answers[section]
        if values is None:
            value = getattr(self.case, item_id, None)
            return value, value is not None
        if item_id in values:
            return values[item_id], True
        return None, False

    def resolve(self, path: tuple[str, ...], text: str) -> tuple[Any, str]:
        """Value at a split fact path (or _MISSING), and the path shown to users."""
        head = path[0]
        if head in self.scope:
            obj: Any = self.scope[head]
            shown = self.scope_paths[head]
            rest = path[1:]
            if rest:
                shown = f"{shown}.{'.'.join(rest)}"
        else:
            obj = self.case
            rest = path
            shown = text
        for part in rest:
            if obj is None or obj is _MISSING:
                return _MISSING, shown
            # type() is faster than an ABC check, on the hot path
            obj = obj.get(part, _MISSING) if type(obj) is dict else getattr(obj, part, _MISSING)
        return (_MISSING if obj is None else obj), shown


def kleene_all(statuses: list[Status]) -> Status:
    if NOT_MET in statuses:
        return NOT_MET
    if UNKNOWN in statuses:
        return UNKNOWN
    return MET


def kleene_any(statuses: list[Status]) -> Status:
    if MET in statuses:
        return MET
    if UNKNOWN in statuses:
        return UNKNOWN
    return NOT_MET


# --- compiling: each node kind becomes a closure once per ruleset ----------------

Evaluator = Callable[[_Ctx], NodeResult]
_NO_DETAIL: dict[str, Any] = {}


def _compile(node: NodeModel, rules: Ruleset) -> Evaluator:
    return _COMPILE[type(node)](node, rules)


def _c_all(node: AllNode, rules: Ruleset) -> Evaluator:
    kids = [_compile(c, rules) for c in node.all]
    name, nid, label = node.label or "all of", node.id, node.label

    def ev(ctx: _Ctx) -> NodeResult:
        res = tuple(k(ctx) for k in kids)
        return NodeResult("all", kleene_all([r.status for r in res]), name, res, nid, label,
                          _NO_DETAIL)
    return ev


def _c_any(node: AnyNode, rules: Ruleset) -> Evaluator:
    kids = [_compile(c, rules) for c in node.any]
    name, nid, label = node.label or "any of", node.id, node.label

    def ev(ctx: _Ctx) -> NodeResult:
        res = tuple(k(ctx) for k in kids)
        return NodeResult("any", kleene_any([r.status for r in res]), name, res, nid, label,
                          _NO_DETAIL)
    return ev


def _c_at_least(node: AtLeastNode, rules: Ruleset) -> Evaluator:
    kids = [_compile(c, rules) for c in node.of]
    need, total = node.at_least, len(node.of)
    name, nid, label = node.label or f"at least {need}", node.id, node.label

    def ev(ctx: _Ctx) -> NodeResult:
        res = tuple(k(ctx) for k in kids)
        statuses = [r.status for r in res]
        met = statuses.count(MET)
        unknown = statuses.count(UNKNOWN)
        status: Status = MET if met >= need else NOT_MET if met + unknown < need else UNKNOWN
        return NodeResult("at_least", status, name, res, nid, label,
                          {"needed": need, "met": met, "unknown": unknown, "total": total})
    return ev


_NEGATE: dict[Status, Status] = {MET: NOT_MET, NOT_MET: MET, UNKNOWN: UNKNOWN}


def _c_not(node: NotNode, rules: Ruleset) -> Evaluator:
    kid = _compile(node.not_, rules)
    name, nid, label = node.label or "not", node.id, node.label

    def ev(ctx: _Ctx) -> NodeResult:
        res = kid(ctx)
        return NodeResult("not", _NEGATE[res.status], name, (res,), nid, label, _NO_DETAIL)
    return ev
def item_status(value: Any, listed: bool, threshold: int, unlisted_absent: bool) -> tuple[
    Status, dict[str, Any]
]:
    """Whether one answer counts as present, and what it was decided on."""
    if not listed:
        if unlisted_absent:
            return NOT_MET, {"value": "absent", "why": "unlisted"}
        return UNKNOWN, {"value": None, "why": "not_assessed"}
    if value is None or value == "unknown":
        return UNKNOWN, {"value": None, "why": "not_assessed"}
    if value is True or value == "present":
        return MET, {"value": True}
    if value is False or value == "absent":
        return NOT_MET, {"value": False}
    if isinstance(value, int):
        return (MET if value >= threshold else NOT_MET), {"value": value, "threshold": threshold}
    if isinstance(value, ItemDetail):
        return _detail_status(value, threshold)
    if isinstance(value, ImpairmentRatings):
        ratings = {k: getattr(value, k) for k in ("distress", "social", "occupational")}
        info: dict[str, Any] = {"ratings": ratings, "threshold": threshold}
        given = [v for v in ratings.values() if v is not None]
        if any(v >= threshold for v in given):
            return MET, info
        return (NOT_MET if len(given) == len(ratings) else UNKNOWN), info
    raise TypeError(f"unexpected answer {value!r}")  # pragma: no cover - models forbid it


def _detail_status(value: ItemDetail, threshold: int) -> tuple[Status, dict[str, Any]]:
    base: Status
    info: dict[str, Any]
    if value.present is not None:
        base, info = (MET if value.present else NOT_MET), {"value": value.present}
    elif value.severity is not None:
        base = MET if value.severity >= threshold else NOT_MET
        info = {"value": value.severity, "threshold": threshold}
    else:
        base, info = UNKNOWN, {"value": None, "why": "not_assessed"}
    if value.note:
        info["note"] = value.note
    if base == NOT_MET or value.trauma_related is True:
        return base, info
    info["trauma_related"] = value.trauma_related
    if value.trauma_related is False:
        return NOT_MET, info  # present, but does not count
    return UNKNOWN, info  # present (or unknown), and its relation to the event unknown


def _c_item(node: ItemNode, rules: Ruleset) -> Evaluator:
    item = rules.item_map[node.item]
    item_id, nid, label = node.item, node.id, node.label or item.short
    section = item.section
    threshold = rules.symptom_threshold
    may_be_unlisted = section != "case"

    def ev(ctx: _Ctx) -> NodeResult:
        value, listed = ctx.answer(item_id, section)
        status, info = item_status(
            value, listed, threshold,
            may_be_unlisted and ctx.case.unlisted_symptoms == "absent",
        )
        return NodeResult("item", status, item_id, (), nid, label, info)
    return ev


def _c_criterion(node: CriterionNode, rules: Ruleset) -> Evaluator:
    cid, nid, label = node.criterion, node.id, node.label

    def ev(ctx: _Ctx) -> NodeResult:
        target = _criterion(cid, ctx)
        return NodeResult("criterion", target.status, cid, (), nid, label, {"reason": target})
    return ev


def _criterion(cid: str, ctx: _Ctx) -> NodeResult:
    found = ctx.memo.get(cid)
    if found is None:
        # a criterion means the same wherever it is referred to: evaluate it at
        # top level, where only the index element is in scope
        saved = ctx.scope, ctx.scope_paths
        ctx.scope, ctx.scope_paths = dict(ctx.base_scope), dict(ctx.base_paths)
        found = ctx.plan.criteria[cid](ctx)
        ctx.scope, ctx.scope_paths = saved
        ctx.memo[cid] = found
    return found


def compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "==":
        if isinstance(actual, bool) or isinstance(expected, bool):
            return actual is expected  # true is not 1
        return bool(actual == expected)
    if op == "in":
        return any(compare(actual, "==", e) for e in expected)
    if op == "includes_any":
        return any(a in expected for a in actual)
    if op == ">":
        return bool(actual > expected)
    if op == ">=":
        return bool(actual >= expected)
    if op == "<":
        return bool(actual < expected)
    if op == "<=":
        return bool(actual <= expected)
    raise ValueError(op)  # pragma: no cover - the model allows no other


def _c_fact(node: FactNode, rules: Ruleset) -> Evaluator:
    path, text = tuple(node.fact.split(".")), node.fact
    op, expected = node.comparison()
    default, nid, label = node.default, node.id, node.label

    def ev(ctx: _Ctx) -> NodeResult:
        value, shown = ctx.resolve(path, text)
        if value is _MISSING and default is not None:
            value = default
        if value is _MISSING:
            status: Status = UNKNOWN
            value = None
        else:
            status = MET if compare(value, op, expected) else NOT_MET
        return NodeResult("fact", status, shown, (), nid, label,
                          {"value": value, "op": op, "expected": expected})
    return ev


def _c_months(node: MonthsNode, rules: Ruleset) -> Evaluator:
    spec = node.months
    start_p, end_p = tuple(spec.from_.split(".")), tuple(spec.to.split("."))
    alt_p = tuple(spec.or_fact.split(".")) if spec.or_fact else None
    op, limit = node.comparison()
    nid, label, if_unknown = node.id, node.label, node.if_unknown

    def ev(ctx: _Ctx) -> NodeResult:
        start, start_path = ctx.resolve(start_p, spec.from_)
        end, end_path = ctx.resolve(end_p, spec.to)
        info: dict[str, Any] = {"op": op, "limit": limit, "from": start_path, "to": end_path}
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            bound = add_months(start, limit)
            info.update(start=start, end=end, bound=bound)
            status: Status = MET if compare(end, op, bound) else NOT_MET
            return NodeResult("months", status, end_path, (), nid, label, info)
        if alt_p is not None:
            months, months_path = ctx.resolve(alt_p, spec.or_fact or "")
            info["or_fact"] = months_path
            if months is not _MISSING:
                info["months"] = months
                status = MET if compare(months, op, limit) else NOT_MET
                return NodeResult("months", status, months_path, (), nid, label, info)
        info["missing"] = [p for p, v in ((start_path, start), (end_path, end)) if v is _MISSING]
        if if_unknown is not None:
            info["if_unknown"] = if_unknown
            return NodeResult("months", if_unknown, end_path, (), nid, label, info)
        return NodeResult("months", UNKNOWN, end_path, (), nid, label, info)
    return ev


def _c_for_any(node: ForAnyNode, rules: Ruleset) -> Evaluator:
    where = _compile(node.where, rules)
    path, text, name = tuple(node.for_any.split(".")), node.for_any, node.as_
    nid, label = node.id, node.label

    def ev(ctx: _Ctx) -> NodeResult:
        elements, shown = ctx.resolve(path, text)
        if elements is _MISSING:  # not given at all: not assessed, unlike an empty list
            return NodeResult("for_any", UNKNOWN, shown, (), nid, label,
                              {"count": 0, "as": name, "missing": True})
        had = ctx.scope.get(name, _MISSING)
        had_path = ctx.scope_paths.get(name, name)
        kids: list[NodeResult] = []
        for i, element in enumerate(elements):
            ctx.scope[name] = element
            ctx.scope_paths[name] = f"{shown}[{i}]"
            kid = where(ctx)
            title = getattr(element, "id", None) or f"{name} {i + 1}"
            kids.append(NodeResult("element", kid.status, title, (kid,), None, None,
                                   {"index": i}))
        if had is _MISSING:
            ctx.scope.pop(name, None)
            ctx.scope_paths.pop(name, None)
        else:
            ctx.scope[name] = had
            ctx.scope_paths[name] = had_path
        return NodeResult("for_any", kleene_any([k.status for k in kids]), shown, tuple(kids),
                          nid, label, {"count": len(kids), "as": name})
    return ev


_COMPILE: dict[type, Callable[[Any, Ruleset], Evaluator]] = {
    AllNode: _c_all,
    AnyNode: _c_any,
    AtLeastNode: _c_at_least,
    NotNode: _c_not,
    ItemNode: _c_item,
    CriterionNode: _c_criterion,
    FactNode: _c_fact,
    MonthsNode: _c_months,
    ForAnyNode: _c_for_any,
}


class _Plan:
    """A ruleset compiled to evaluators, built once and reused for every case."""

    __slots__ = ("criteria", "rules", "specifiers")

    def __init__(self, rules: Ruleset) -> None:
        self.rules = rules
        self.criteria: dict[str, Evaluator] = {
            c.id: _compile(c.rule, rules) for c in rules.criteria
        }
        self.criteria[DIAGNOSIS] = _compile(rules.diagnosis.rule, rules)
        self.specifiers = [(s, _compile(s.rule, rules)) for s in rules.specifiers]


_PLANS: dict[int, _Plan] = {}


def _plan(rules: Ruleset) -> _Plan:
    plan = _PLANS.get(id(rules))
    if plan is None or plan.rules is not rules:
        plan = _PLANS[id(rules)] = _Plan(rules)
    return plan


_RULES: dict[int, tuple[NodeModel, Evaluator]] = {}


def evaluate_rule(rules: Ruleset, rule: NodeModel, case: Case) -> NodeResult:
    """Evaluate one rule of a ruleset (e.g. its applies_to rule) on a case."""
    found = _RULES.get(id(rule))
    if found is None or found[0] is not rule:
        found = _RULES[id(rule)] = (rule, _compile(rule, rules))
    return found[1](_Ctx(_plan(rules), case))


def _index_element(ctx: _Ctx) -> tuple[Any, str | None]:
    spec = ctx.plan.rules.index_element
    if spec is None:
        return None, None
    elements, shown = ctx.resolve(tuple(spec.collection.split(".")), spec.collection)
    if elements is _MISSING or not elements:
        return None, None
    if spec.flag:
        for i, el in enumerate(elements):
            if getattr(el, spec.flag, False) is True:
                return el, f"{shown}[{i}]"
    if spec.first_meeting:
        res = _criterion(spec.first_meeting, ctx)
        for kid in res.children:
            if kid.status == UNKNOWN:
                return None, None  # an earlier element may qualify: the index is unknown
            if kid.status == MET:
                i = kid.detail["index"]
                return elements[i], f"{shown}[{i}]"
    return None, None


def evaluate(loaded: LoadedRuleset | Ruleset, case: Case, *, file: str = "", line: int = 1
             ) -> CaseResult:
    """Evaluate one case against one ruleset. Pure: no I/O, no printing."""
    if isinstance(loaded, Ruleset):
        rules, digest = loaded, ""
    else:
        rules, digest = loaded.rules, loaded.sha256
    plan = _plan(rules)
    ctx = _Ctx(plan, case)
    index_label = None
    spec = rules.index_element
    if spec is not None:
        element, path = _index_element(ctx)
        if element is not None and path is not None:
            ctx.base_scope = {spec.name: element}
            ctx.base_paths = {spec.name: path}
            ctx.scope, ctx.scope_paths = dict(ctx.base_scope), dict(ctx.base_paths)
            index_label = getattr(element, "id", None) or path
    criteria = tuple(
        CriterionResult(c.id, c.title, (n := _criterion(c.id, ctx)).status, n)
        for c in rules.criteria
    )
    diagnosis = _criterion(DIAGNOSIS, ctx)
    specs = []
    for s, ev in plan.specifiers:
        node = ev(ctx)
        status = kleene_all([diagnosis.status, node.status])
        specs.append(SpecifierResult(s.id, s.title, s.source, status, node, diagnosis.status))
    mismatches = tuple(_mismatches(case, criteria, diagnosis.status, specs))
    return CaseResult(
        case.id, rules.id, rules.version, digest, diagnosis.status, diagnosis,
        criteria, tuple(specs), index_label, case.expected is not None, mismatches, file, line,
        rules.diagnosis.title,
    )


def _mismatches(
    case: Case, criteria: tuple[CriterionResult, ...], diagnosis: Status,
    specifiers: list[SpecifierResult],
) -> list[Mismatch]:
    exp = case.expected
    if exp is None:
        return []
    out: list[Mismatch] = []
    if exp.diagnosis is not None and exp.diagnosis != diagnosis:
        out.append(Mismatch("diagnosis", exp.diagnosis, diagnosis))
    by_id = {c.id: c.status for c in criteria}
    for cid, want in exp.criteria.items():
        got = by_id.get(cid)
        if got != want:
            out.append(Mismatch(f"criteria.{cid}", want, got))
    if exp.specifiers is not None:
        got_specs = sorted(s.id for s in specifiers if s.status == MET)
        if sorted(exp.specifiers) != got_specs:
            out.append(Mismatch("specifiers", sorted(exp.specifiers), got_specs))
    return out
