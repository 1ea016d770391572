"""The generic three-valued rule engine: ``evaluate(ruleset, case)``.

Pure: it reads a validated ruleset and case and returns a frozen result tree.
It never prints and knows no criterion ids; every node kind is in the
dispatch table ``_EVAL``. Logic is Kleene's strong three-valued logic: an
unanswered item or a missing fact is *unknown*, never quietly false.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from dsm5check.case import Case, ImpairmentRatings, ItemDetail, section_values
from dsm5check.dates import add_months, months_between
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

    __slots__ = (
        "answers", "base_paths", "base_scope", "case", "memo", "rules", "scope", "scope_paths"
    )

    def __init__(self, rules: Ruleset, case: Case) -> None:
        self.rules = rules
        self.case = case
        self.memo: dict[str, NodeResult] = {}
        self.scope: dict[str, Any] = {}
        self.scope_paths: dict[str, str] = {}
        self.base_scope: dict[str, Any] = {}
        self.base_paths: dict[str, str] = {}
        self.answers: dict[str, Mapping[str, Any] | None] = {}

    def answer(self, item_id: str) -> tuple[Any, bool]:
        """The value a case gives for an item, and whether it was listed at all."""
        item = self.rules.item_map[item_id]
        section = item.section
        if section not in self.answers:
            self.answers[section] = section_values(self.case, section)
        values = self.answers[section]
        if values is None:
            value = getattr(self.case, item_id, None)
            return value, value is not None
        if item_id in values:
            return values[item_id], True
        return None, False

    def resolve(self, path: str) -> tuple[Any, str]:
        """Value at a dotted fact path (or _MISSING), and the path shown to users."""
        head, _, rest = path.partition(".")
        if head in self.scope:
            obj: Any = self.scope[head]
            shown = self.scope_paths[head]
        else:
            obj = self.case
            rest = path
            shown = ""
        for part in rest.split(".") if rest else ():
            if obj is None or obj is _MISSING:
                return _MISSING, _join(shown, rest)
            if isinstance(obj, Mapping):
                obj = obj.get(part, _MISSING)
            else:
                obj = getattr(obj, part, _MISSING)
        return (_MISSING if obj is None else obj), _join(shown, rest)


def _join(prefix: str, rest: str) -> str:
    if not prefix:
        return rest
    return f"{prefix}.{rest}" if rest else prefix


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


def _ev(node: NodeModel, ctx: _Ctx) -> NodeResult:
    return _EVAL[type(node)](node, ctx)


def _ev_all(node: AllNode, ctx: _Ctx) -> NodeResult:
    kids = tuple(_ev(c, ctx) for c in node.all)
    return NodeResult(
        "all", kleene_all([k.status for k in kids]), node.label or "all of", kids, node.id, node.label
    )


def _ev_any(node: AnyNode, ctx: _Ctx) -> NodeResult:
    kids = tuple(_ev(c, ctx) for c in node.any)
    return NodeResult(
        "any", kleene_any([k.status for k in kids]), node.label or "any of", kids, node.id, node.label
    )


def _ev_at_least(node: AtLeastNode, ctx: _Ctx) -> NodeResult:
    kids = tuple(_ev(c, ctx) for c in node.of)
    met = sum(1 for k in kids if k.status == MET)
    unknown = sum(1 for k in kids if k.status == UNKNOWN)
    if met >= node.at_least:
        status: Status = MET
    elif met + unknown < node.at_least:
        status = NOT_MET
    else:
        status = UNKNOWN
    return NodeResult(
        "at_least",
        status,
        node.label or f"at least {node.at_least}",
        kids,
        node.id,
        node.label,
        {"needed": node.at_least, "met": met, "unknown": unknown, "total": len(kids)},
    )


def _ev_not(node: NotNode, ctx: _Ctx) -> NodeResult:
    kid = _ev(node.not_, ctx)
    status: Status = {MET: NOT_MET, NOT_MET: MET, UNKNOWN: UNKNOWN}[kid.status]
    return NodeResult("not", status, node.label or "not", (kid,), node.id, node.label)


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
        return (UNKNOWN, info)  # present (or unknown) and relation to the event unknown
    if isinstance(value, ImpairmentRatings):
        ratings = {
            k: getattr(value, k) for k in ("distress", "social", "occupational")
        }
        info = {"ratings": ratings, "threshold": threshold}
        given = [v for v in ratings.values() if v is not None]
        if any(v >= threshold for v in given):
            return MET, info
        return (NOT_MET if len(given) == len(ratings) else UNKNOWN), info
    raise TypeError(f"unexpected answer {value!r}")  # pragma: no cover - models forbid it


def _ev_item(node: ItemNode, ctx: _Ctx) -> NodeResult:
    value, listed = ctx.answer(node.item)
    status, info = item_status(
        value,
        listed,
        ctx.rules.symptom_threshold,
        ctx.case.unlisted_symptoms == "absent"
        and ctx.rules.item_map[node.item].section != "case",
    )
    return NodeResult("item", status, node.item, (), node.id, node.label, info)


def _ev_criterion(node: CriterionNode, ctx: _Ctx) -> NodeResult:
    target = _criterion(node.criterion, ctx)
    return NodeResult(
        "criterion", target.status, node.criterion, (), node.id, node.label,
        {"reason": target},
    )


def _criterion(cid: str, ctx: _Ctx) -> NodeResult:
    found = ctx.memo.get(cid)
    if found is None:
        rule = (
            ctx.rules.diagnosis.rule if cid == DIAGNOSIS else ctx.rules.criterion_map[cid].rule
        )
        # a criterion means the same wherever it is referred to: evaluate it
        # at top level, where only the index element is in scope
        saved = ctx.scope, ctx.scope_paths
        ctx.scope, ctx.scope_paths = dict(ctx.base_scope), dict(ctx.base_paths)
        found = _ev(rule, ctx)
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


def _ev_fact(node: FactNode, ctx: _Ctx) -> NodeResult:
    value, shown = ctx.resolve(node.fact)
    op, expected = node.comparison()
    if value is _MISSING and node.default is not None:
        value = node.default
    if value is _MISSING:
        status: Status = UNKNOWN
        value = None
    else:
        status = MET if compare(value, op, expected) else NOT_MET
    return NodeResult(
        "fact", status, shown, (), node.id, node.label,
        {"value": value, "op": op, "expected": expected},
    )


def _ev_months(node: MonthsNode, ctx: _Ctx) -> NodeResult:
    spec = node.months
    start, start_path = ctx.resolve(spec.from_)
    end, end_path = ctx.resolve(spec.to)
    op, limit = node.comparison()
    info: dict[str, Any] = {"op": op, "limit": limit, "from": start_path, "to": end_path}
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        info.update(start=start, end=end, months=months_between(start, end))
        bound = add_months(start, limit)
        status: Status = MET if compare(end, op, bound) else NOT_MET
        info["bound"] = bound
        return NodeResult("months", status, end_path, (), node.id, node.label, info)
    if spec.or_fact:
        months, months_path = ctx.resolve(spec.or_fact)
        info["or_fact"] = months_path
        if months is not _MISSING:
            info["months"] = months
            status = MET if compare(months, op, limit) else NOT_MET
            return NodeResult("months", status, months_path, (), node.id, node.label, info)
    info["missing"] = [p for p, v in ((start_path, start), (end_path, end)) if v is _MISSING]
    return NodeResult("months", UNKNOWN, end_path, (), node.id, node.label, info)


def _ev_for_any(node: ForAnyNode, ctx: _Ctx) -> NodeResult:
    elements, shown = ctx.resolve(node.for_any)
    if elements is _MISSING:
        elements = []
    kids: list[NodeResult] = []
    had = ctx.scope.get(node.as_, _MISSING)
    had_path = ctx.scope_paths.get(node.as_)
    for i, element in enumerate(elements):
        ctx.scope[node.as_] = element
        ctx.scope_paths[node.as_] = f"{shown}[{i}]"
        kid = _ev(node.where, ctx)
        label = getattr(element, "id", None) or f"{node.as_} {i + 1}"
        kids.append(NodeResult(
            "element", kid.status, label, (kid,), None, None, {"index": i}
        ))
    if had is _MISSING:
        ctx.scope.pop(node.as_, None)
        ctx.scope_paths.pop(node.as_, None)
    else:
        ctx.scope[node.as_] = had
        ctx.scope_paths[node.as_] = had_path or node.as_
    status = kleene_any([k.status for k in kids])
    return NodeResult(
        "for_any", status, shown, tuple(kids), node.id, node.label,
        {"count": len(kids), "as": node.as_},
    )


_EVAL: dict[type, Callable[[Any, _Ctx], NodeResult]] = {
    AllNode: _ev_all,
    AnyNode: _ev_any,
    AtLeastNode: _ev_at_least,
    NotNode: _ev_not,
    ItemNode: _ev_item,
    CriterionNode: _ev_criterion,
    FactNode: _ev_fact,
    MonthsNode: _ev_months,
    ForAnyNode: _ev_for_any,
}


def _index_element(ctx: _Ctx) -> tuple[Any, str | None]:
    spec = ctx.rules.index_element
    if spec is None:
        return None, None
    elements, shown = ctx.resolve(spec.collection)
    if elements is _MISSING or not elements:
        return None, None
    if spec.flag:
        for i, el in enumerate(elements):
            if getattr(el, spec.flag, False) is True:
                return el, f"{shown}[{i}]"
    if spec.first_meeting:
        res = _criterion(spec.first_meeting, ctx)
        for kid in res.children:
            if kid.status == MET:
                i = kid.detail["index"]
                return elements[i], f"{shown}[{i}]"
    return None, None


def evaluate(loaded: LoadedRuleset | Ruleset, case: Case, *, file: str = "", line: int = 1
             ) -> CaseResult:
    """Evaluate one case against one ruleset. Pure: no I/O, no printing."""
    if isinstance(loaded, Ruleset):
        rules, version_sha = loaded, ""
    else:
        rules, version_sha = loaded.rules, loaded.sha256
    ctx = _Ctx(rules, case)
    index_label = None
    if rules.index_element:
        element, path = _index_element(ctx)
        if element is not None and path is not None:
            ctx.base_scope = {rules.index_element.name: element}
            ctx.base_paths = {rules.index_element.name: path}
            ctx.scope, ctx.scope_paths = dict(ctx.base_scope), dict(ctx.base_paths)
            index_label = getattr(element, "id", None) or path
    criteria = tuple(
        CriterionResult(c.id, c.title, (n := _criterion(c.id, ctx)).status, n)
        for c in rules.criteria
    )
    diagnosis = _criterion(DIAGNOSIS, ctx)
    specs = []
    for s in rules.specifiers:
        node = _ev(s.rule, ctx)
        status = kleene_all([diagnosis.status, node.status])
        specs.append(SpecifierResult(s.id, s.title, s.source, status, node, diagnosis.status))
    result = CaseResult(
        case.id, rules.id, rules.version, version_sha, diagnosis.status, diagnosis,
        criteria, tuple(specs), index_label, case.expected is not None, (), file, line,
        rules.diagnosis.title,
    )
    if case.expected is not None:
        object.__setattr__(result, "mismatches", tuple(_mismatches(case, result)))
    return result


def _mismatches(case: Case, result: CaseResult) -> list[Mismatch]:
    exp = case.expected
    assert exp is not None
    out: list[Mismatch] = []
    if exp.diagnosis is not None and exp.diagnosis != result.diagnosis:
        out.append(Mismatch("diagnosis", exp.diagnosis, result.diagnosis))
    by_id = {c.id: c.status for c in result.criteria}
    for cid, want in exp.criteria.items():
        got = by_id.get(cid)
        if got != want:
            out.append(Mismatch(f"criteria.{cid}", want, got))
    if exp.specifiers is not None:
        got_specs = result.applied_specifiers
        if sorted(exp.specifiers) != sorted(got_specs):
            out.append(Mismatch("specifiers", sorted(exp.specifiers), sorted(got_specs)))
    return out
