"""Each rule node kind compiled to a closure over an evaluation context.

``compile_rule(node, rules)`` turns a rule tree into one function, once per
ruleset; calling it with a ``Ctx`` evaluates the rule for one case. The
compiler is a ``NodeVisitor`` (``kinds.py``, the one dispatch on node kinds):
each ``visit_<kind>`` hands the node to its factory ``_c_<kind>``. The engine
(``evaluate.py``) builds the context and puts results together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, Protocol, final

from dsm5check.cases.case import Case, ImpairmentRatings, ItemDetail, section_values
from dsm5check.cases.dates import add_months
from dsm5check.engine import shared
from dsm5check.engine.kinds import NodeVisitor, children, visit
from dsm5check.engine.logic import compare, item_status, kleene_all, kleene_any
from dsm5check.engine.results import MET, NOT_MET, UNKNOWN, NodeResult, Status
from dsm5check.engine.rules_model import (
    AllNode,
    AnyNode,
    AtLeastNode,
    CriterionNode,
    FactNode,
    ForAnyNode,
    ItemNode,
    Kind,
    MonthsNode,
    NodeModel,
    NotNode,
)
from dsm5check.engine.ruleset import Ruleset

MISSING = object()


class ItemSource(Protocol):
    """Where a case coded in another set's items gets an item from
    (``crosswalk.Foreign``: natively coded, through a crosswalk, or not assessed)."""

    def item(self, item_id: str, nid: str | None, label: str | None, threshold: int,
             ctx: Any) -> NodeResult: ...


class Ctx:
    """What one evaluation needs: the case, the ruleset, memoised criteria."""

    __slots__ = ("answers", "base_paths", "base_scope", "case", "criteria", "foreign", "memo",
                 "nested", "rules", "scope", "scope_paths")

    def __init__(self, rules: Ruleset, criteria: Mapping[str, Evaluator], case: Case) -> None:
        self.rules = rules
        self.criteria = criteria
        self.case = case
        self.memo: dict[str, NodeResult] = {}
        self.scope: dict[str, Any] = {}
        self.scope_paths: dict[str, str] = {}
        self.base_scope: dict[str, Any] = {}
        self.base_paths: dict[str, str] = {}
        self.answers: dict[str, Mapping[str, Any] | None] = {}
        #: how many for_any loops are running: while none is, the scope is the top
        #: level's (the index element alone)
        self.nested = 0
        #: set when the case is coded in another set's items (see crosswalk.py)
        self.foreign: ItemSource | None = None

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
        """Value at a split fact path (or MISSING), and the path shown to users."""
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
            if obj is None or obj is MISSING:
                return MISSING, shown
            # type() is faster than an ABC check, on the hot path
            obj = obj.get(part, MISSING) if type(obj) is dict else getattr(obj, part, MISSING)
        return (MISSING if obj is None else obj), shown


def item_words(rules: Ruleset, item_id: str) -> Mapping[str, Any]:
    """What a reason needs to name an item's answer: its scale's labels and the
    names of its sub-ratings (``facts`` keyed ``item.rating``)."""
    item = rules.item_map[item_id]
    prefix = f"{item_id}."
    return {
        "labels": rules.scale_of(item).labels,
        "ratings": {k[len(prefix):]: w.name for k, w in rules.facts.items()
                    if k.startswith(prefix)},
    }


# --- compiling: each node kind becomes a closure once per ruleset ----------------

Evaluator = Callable[[Ctx], NodeResult]
_NO_DETAIL: dict[str, Any] = {}

#: ``_result(NodeResult, (kind, status, name, children, id, label, detail))`` makes
#: the same NodeResult as calling the class with those fields, without the named
#: tuple's own ``__new__`` (a Python function): a case makes ~70 of them per set.
_result: Callable[[type[NodeResult], tuple[Any, ...]], NodeResult] = tuple.__new__


def compile_rule(node: NodeModel, rules: Ruleset) -> Evaluator:
    """The rule tree as one function of an evaluation context.

    A group of facts alone (an event's nature and exposure, say) is looked up by
    the facts' values first: cases with the same values share one result
    (``shared.py``) and the group is not evaluated again."""
    ev = _compile(node, rules)
    paths = _fact_paths(node)
    return _by_values(ev, paths) if paths else ev


def _compile(node: NodeModel, rules: Ruleset) -> Evaluator:
    return visit(node, _Compiler(rules))


# --- sharing results between cases (see shared.py) ----------------------------------

_SIMPLE: frozenset[type] = frozenset({str, int, bool, float, dt.date, type(None)})


def _value_key(value: Any) -> Any:
    """A hashable key for a value, telling apart values that results show
    differently (``True`` is not ``1``, ``2`` not ``2.0``); None when the value
    cannot be a key (nothing is shared then)."""
    t = type(value)
    if t in _SIMPLE or value is MISSING:
        return (t, value)
    if t is list or t is tuple:
        if all(type(x) is str for x in value):
            return (t, tuple(value))
        return None
    fields = _MODEL_FIELDS.get(t)
    if fields is not None:
        return (t, tuple([getattr(value, f) for f in fields]))
    return None


#: answers given as small models: every field, read as a key
_MODEL_FIELDS: dict[type, tuple[str, ...]] = {
    t: tuple(t.model_fields) for t in (ItemDetail, ImpairmentRatings)}


def _fact_paths(node: NodeModel) -> list[tuple[tuple[str, ...], str]] | None:
    """The fact paths a group of facts alone reads (None if it reads anything else,
    or is not a group)."""
    found = _FactPaths()
    if not visit(node, found) or not children(node):
        return None
    return [(tuple(text.split(".")), text) for text in found.paths]


@final
class _FactPaths(NodeVisitor[bool]):
    """Whether a rule is made of facts and connectives alone; collects the paths."""

    __slots__ = ("paths",)

    def __init__(self) -> None:
        self.paths: dict[str, None] = {}

    def visit_all(self, node: AllNode) -> bool:
        return all([visit(k, self) for k in node.all])

    def visit_any(self, node: AnyNode) -> bool:
        return all([visit(k, self) for k in node.any])

    def visit_at_least(self, node: AtLeastNode) -> bool:
        return all([visit(k, self) for k in node.of])

    def visit_not(self, node: NotNode) -> bool:
        return visit(node.not_, self)

    def visit_fact(self, node: FactNode) -> bool:
        self.paths.setdefault(node.fact, None)
        return True

    def visit_item(self, node: ItemNode) -> bool:
        return False

    def visit_criterion(self, node: CriterionNode) -> bool:
        return False

    def visit_months(self, node: MonthsNode) -> bool:
        return False

    def visit_for_any(self, node: ForAnyNode) -> bool:
        return False


def _by_values(ev: Evaluator, paths: list[tuple[tuple[str, ...], str]]) -> Evaluator:
    """``ev`` (a group of facts alone), its results shared by the facts' values."""
    table = shared.Table()
    entries: dict[Any, NodeResult] = table.entries

    def by_values(ctx: Ctx) -> NodeResult:
        if not table.live:
            return ev(ctx)
        parts = []
        for path, text in paths:
            value, shown = ctx.resolve(path, text)
            k = _value_key(value)
            if k is None:
                return ev(ctx)
            parts.append(k)
            parts.append(shown)
        key = tuple(parts)
        found = entries.get(key)
        if found is not None:
            table.hits += 1
            return found
        res = ev(ctx)
        table.add(key, res)
        return res
    return by_values


def _by_children(table: shared.Table, res: tuple[NodeResult, ...]
                 ) -> tuple[Any, NodeResult | None]:
    """The key of a group's result by its children (shared, so compared by
    identity), and the result already shared under it (or None)."""
    key = tuple([id(r) for r in res])
    found: NodeResult | None = table.entries.get(key)
    if found is not None:
        table.hits += 1
    return key, found


def _connective(
    kind: Kind, node: AllNode | AnyNode, rules: Ruleset,
    children: tuple[NodeModel, ...], combine: Callable[[list[Status]], Status],
) -> Evaluator:
    kids = [_compile(c, rules) for c in children]
    name, nid, label = node.label or f"{kind} of", node.id, node.label
    table = shared.Table()

    def ev(ctx: Ctx) -> NodeResult:
        res = tuple([k(ctx) for k in kids])
        if table.live:
            key, found = _by_children(table, res)
            if found is not None:
                return found
            out = _result(NodeResult, (kind, combine([r.status for r in res]), name, res, nid,
                                       label, _NO_DETAIL))
            table.add(key, out)
            return out
        return _result(NodeResult, (kind, combine([r.status for r in res]), name, res, nid,
                                    label, _NO_DETAIL))
    return ev


def _c_all(node: AllNode, rules: Ruleset) -> Evaluator:
    return _connective("all", node, rules, node.all, kleene_all)


def _c_any(node: AnyNode, rules: Ruleset) -> Evaluator:
    return _connective("any", node, rules, node.any, kleene_any)


def _c_at_least(node: AtLeastNode, rules: Ruleset) -> Evaluator:
    kids = [_compile(c, rules) for c in node.of]
    need, total = node.at_least, len(node.of)
    name, nid, label = node.label or f"at least {need}", node.id, node.label
    table = shared.Table()

    def make(res: tuple[NodeResult, ...]) -> NodeResult:
        statuses = [r.status for r in res]
        met = statuses.count(MET)
        unknown = statuses.count(UNKNOWN)
        status: Status = MET if met >= need else NOT_MET if met + unknown < need else UNKNOWN
        return _result(NodeResult, (
            "at_least", status, name, res, nid, label,
            {"needed": need, "met": met, "unknown": unknown, "total": total}))

    def ev(ctx: Ctx) -> NodeResult:
        res = tuple([k(ctx) for k in kids])
        if table.live:
            key, found = _by_children(table, res)
            if found is not None:
                return found
            out = make(res)
            table.add(key, out)
            return out
        return make(res)
    return ev


_NEGATE: dict[Status, Status] = {MET: NOT_MET, NOT_MET: MET, UNKNOWN: UNKNOWN}


def _c_not(node: NotNode, rules: Ruleset) -> Evaluator:
    kid = _compile(node.not_, rules)
    name, nid, label = node.label or "not", node.id, node.label
    table = shared.Table()
    entries: dict[Any, NodeResult] = table.entries

    def ev(ctx: Ctx) -> NodeResult:
        res = kid(ctx)
        if table.live:
            found = entries.get(id(res))
            if found is not None:
                table.hits += 1
                return found
            out = _result(NodeResult, ("not", _NEGATE[res.status], name, (res,), nid, label,
                                       _NO_DETAIL))
            table.add(id(res), out)
            return out
        return _result(NodeResult, ("not", _NEGATE[res.status], name, (res,), nid, label,
                                    _NO_DETAIL))
    return ev


def _c_item(node: ItemNode, rules: Ruleset) -> Evaluator:
    item = rules.item_map[node.item]
    item_id, nid, label = node.item, node.id, node.label or item.short
    section = item.section
    threshold = rules.symptom_threshold
    may_be_unlisted = section != "case"
    words = item_words(rules, item_id)
    # not answered: read from the case's other keys when the YAML says how (``otherwise``)
    otherwise = compile_rule(item.otherwise, rules) if item.otherwise is not None else None
    read_from = describe_leaves(item.otherwise) if item.otherwise is not None else ""
    table = shared.Table()
    entries: dict[Any, NodeResult] = table.entries

    def ev(ctx: Ctx) -> NodeResult:
        if ctx.foreign is not None and may_be_unlisted:
            return ctx.foreign.item(item_id, nid, label, threshold, ctx)
        values: Any = ctx.answers.get(section, MISSING)
        if values is MISSING:
            values = ctx.answers[section] = section_values(ctx.case, section)
        value: Any
        if values is None:  # an item read from the case's own key
            value = getattr(ctx.case, item_id, None)
            listed = value is not None
        else:
            value = values.get(item_id, MISSING)
            listed = value is not MISSING
            if not listed:
                value = None
        absent = not listed and may_be_unlisted and ctx.case.unlisted_symptoms == "absent"
        if otherwise is not None and value is None:  # decided by other keys: not shared
            other = otherwise(ctx)
            if other.status != UNKNOWN:
                return _result(NodeResult, ("item", other.status, item_id, (other,), nid,
                                            label, {"value": None, "read_from": read_from}))
        if table.live:
            key: Any
            if listed:
                t: type = type(value)
                key = (t, value) if t is int or t is bool or t is str or value is None \
                    else _value_key(value)
            else:
                key = absent  # all that decides an unlisted item
            if key is not None:
                found = entries.get(key)
                if found is not None:
                    table.hits += 1
                    return found
                status, info = item_status(value, listed, threshold, absent)
                info["words"] = words
                out = _result(NodeResult, ("item", status, item_id, (), nid, label, info))
                table.add(key, out)
                return out
        status, info = item_status(value, listed, threshold, absent)
        info["words"] = words  # a fresh dict per call: names for the reason sentence
        return _result(NodeResult, ("item", status, item_id, (), nid, label, info))
    return ev


def describe_leaves(rule: NodeModel) -> str:
    """An ``otherwise`` rule in words: the labels of its leaves (guards under ``not``
    left out), joined by 'and'."""
    out: list[str] = []

    def leaves(node: NodeModel) -> None:
        if isinstance(node, NotNode):
            return
        kids = children(node)
        if not kids and node.label:
            out.append(node.label)
        for kid in kids:
            leaves(kid)
    leaves(rule)
    return " and ".join(dict.fromkeys(out)) or "the case's other answers"


def _c_criterion(node: CriterionNode, rules: Ruleset) -> Evaluator:
    cid, nid, label = node.criterion, node.id, node.label
    if label is None and cid in rules.criterion_map:
        label = rules.criterion_map[cid].name  # plain words for an id people do not know

    table = shared.Table()
    entries: dict[Any, NodeResult] = table.entries

    def ev(ctx: Ctx) -> NodeResult:
        target = criterion_result(cid, ctx)
        if table.live:
            found = entries.get(id(target))
            if found is not None:
                table.hits += 1
                return found
            out = _result(NodeResult, ("criterion", target.status, cid, (), nid, label,
                                       {"reason": target}))
            table.add(id(target), out)
            return out
        return _result(NodeResult, ("criterion", target.status, cid, (), nid, label,
                                    {"reason": target}))
    return ev


def criterion_result(cid: str, ctx: Ctx) -> NodeResult:
    found = ctx.memo.get(cid)
    if found is None:
        # a criterion means the same wherever it is referred to: evaluate it at
        # top level, where only the index element is in scope
        if ctx.nested:
            saved = ctx.scope, ctx.scope_paths, ctx.nested
            ctx.scope, ctx.scope_paths = dict(ctx.base_scope), dict(ctx.base_paths)
            ctx.nested = 0
            found = ctx.criteria[cid](ctx)
            ctx.scope, ctx.scope_paths, ctx.nested = saved
        else:  # the scope is the top level's already
            found = ctx.criteria[cid](ctx)
        ctx.memo[cid] = found
    return found


def _c_fact(node: FactNode, rules: Ruleset) -> Evaluator:
    path, text = tuple(node.fact.split(".")), node.fact
    op, expected = node.comparison()
    default, nid, label = node.default, node.id, node.label
    words = rules.facts.get(node.fact)
    table = shared.Table()
    entries: dict[Any, NodeResult] = table.entries

    def ev(ctx: Ctx) -> NodeResult:
        value, shown = ctx.resolve(path, text)
        if table.live:
            t = type(value)
            k = (t, value) if t is str or t is bool or t is int or value is MISSING \
                else _value_key(value)
            if k is not None:
                key = (k, shown)
                found = entries.get(key)
                if found is not None:
                    table.hits += 1
                    return found
                out = make(value, shown)
                table.add(key, out)
                return out
        return make(value, shown)

    def make(value: Any, shown: str) -> NodeResult:
        info = {"value": value, "op": op, "expected": expected}
        if value is MISSING and default is not None:
            value = info["value"] = default
            info["defaulted"] = True  # not given: the rule's default stands in
        if value is MISSING:
            status: Status = UNKNOWN
            info["value"] = None
        else:
            status = MET if compare(value, op, expected) else NOT_MET
        info["words"] = words
        return _result(NodeResult, ("fact", status, shown, (), nid, label, info))
    return ev


def _c_months(node: MonthsNode, rules: Ruleset) -> Evaluator:
    spec = node.months
    start_p, end_p = tuple(spec.from_.split(".")), tuple(spec.to.split("."))
    alt_p = tuple(spec.or_fact.split(".")) if spec.or_fact else None
    op, limit = node.comparison()
    nid, label, if_unknown = node.id, node.label, node.if_unknown
    words = {key: rules.facts[path] for key, path in
             (("from", spec.from_), ("to", spec.to), ("or_fact", spec.or_fact or ""))
             if path in rules.facts}

    table = shared.Table()
    entries: dict[Any, NodeResult] = table.entries

    def ev(ctx: Ctx) -> NodeResult:
        start, start_path = ctx.resolve(start_p, spec.from_)
        end, end_path = ctx.resolve(end_p, spec.to)
        if table.live and type(start) is dt.date and type(end) is dt.date:
            key = (start, end, start_path, end_path)
            found = entries.get(key)
            if found is not None:
                table.hits += 1
                return found
            out = make(start, start_path, end, end_path, ctx)
            table.add(key, out)
            return out
        return make(start, start_path, end, end_path, ctx)

    def make(start: Any, start_path: str, end: Any, end_path: str, ctx: Ctx) -> NodeResult:
        info: dict[str, Any] = {"op": op, "limit": limit, "from": start_path, "to": end_path,
                                "words": words}
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            bound = add_months(start, limit)
            info.update(start=start, end=end, bound=bound)
            status: Status = MET if compare(end, op, bound) else NOT_MET
            return _result(NodeResult, ("months", status, end_path, (), nid, label, info))
        if alt_p is not None:
            months, months_path = ctx.resolve(alt_p, spec.or_fact or "")
            info["or_fact"] = months_path
            if months is not MISSING:
                info["months"] = months
                status = MET if compare(months, op, limit) else NOT_MET
                return _result(NodeResult, ("months", status, months_path, (), nid, label, info))
        info["missing"] = [p for p, v in ((start_path, start), (end_path, end)) if v is MISSING]
        if if_unknown is not None:
            info["if_unknown"] = if_unknown
            return _result(NodeResult, ("months", if_unknown, end_path, (), nid, label, info))
        return _result(NodeResult, ("months", UNKNOWN, end_path, (), nid, label, info))
    return ev


def _c_for_any(node: ForAnyNode, rules: Ruleset) -> Evaluator:
    where = compile_rule(node.where, rules)
    path, text, name = tuple(node.for_any.split(".")), node.for_any, node.as_
    nid, label = node.id, node.label
    words = rules.facts.get(node.for_any)
    table, per_element = shared.Table(), shared.Table()
    entries: dict[Any, NodeResult] = table.entries
    elements_seen: dict[Any, NodeResult] = per_element.entries

    def ev(ctx: Ctx) -> NodeResult:
        elements, shown = ctx.resolve(path, text)
        if elements is MISSING:  # not given at all: not assessed, unlike an empty list
            return NodeResult("for_any", UNKNOWN, shown, (), nid, label,
                              {"count": 0, "as": name, "missing": True, "words": words})
        had = ctx.scope.get(name, MISSING)
        had_path = ctx.scope_paths.get(name, name)
        kids: list[NodeResult] = []
        ctx.nested += 1
        for i, element in enumerate(elements):
            ctx.scope[name] = element
            ctx.scope_paths[name] = f"{shown}[{i}]"
            kid = where(ctx)
            title = getattr(element, "id", None) or f"{name} {i + 1}"
            if per_element.live:
                key = (title, i, id(kid))
                found = elements_seen.get(key)
                if found is not None:
                    per_element.hits += 1
                    kids.append(found)
                    continue
                made = _result(NodeResult, ("element", kid.status, title, (kid,), None, None,
                                            {"index": i}))
                per_element.add(key, made)
                kids.append(made)
                continue
            kids.append(_result(NodeResult, ("element", kid.status, title, (kid,), None, None,
                                             {"index": i})))
        ctx.nested -= 1
        if had is MISSING:
            ctx.scope.pop(name, None)
            ctx.scope_paths.pop(name, None)
        else:
            ctx.scope[name] = had
            ctx.scope_paths[name] = had_path
        res = tuple(kids)
        if table.live:
            group_key = (shown, *[id(k) for k in res])
            found = entries.get(group_key)
            if found is not None:
                table.hits += 1
                return found
            out = NodeResult("for_any", kleene_any([k.status for k in res]), shown, res,
                             nid, label, {"count": len(res), "as": name, "words": words})
            table.add(group_key, out)
            return out
        return NodeResult("for_any", kleene_any([k.status for k in res]), shown, res,
                          nid, label, {"count": len(res), "as": name, "words": words})
    return ev


@final
class _Compiler(NodeVisitor[Evaluator]):
    """Each node kind to its closure factory (runs once per ruleset, not per case)."""

    __slots__ = ("rules",)

    def __init__(self, rules: Ruleset) -> None:
        self.rules = rules

    def visit_all(self, node: AllNode) -> Evaluator:
        return _c_all(node, self.rules)

    def visit_any(self, node: AnyNode) -> Evaluator:
        return _c_any(node, self.rules)

    def visit_at_least(self, node: AtLeastNode) -> Evaluator:
        return _c_at_least(node, self.rules)

    def visit_not(self, node: NotNode) -> Evaluator:
        return _c_not(node, self.rules)

    def visit_item(self, node: ItemNode) -> Evaluator:
        return _c_item(node, self.rules)

    def visit_criterion(self, node: CriterionNode) -> Evaluator:
        return _c_criterion(node, self.rules)

    def visit_fact(self, node: FactNode) -> Evaluator:
        return _c_fact(node, self.rules)

    def visit_months(self, node: MonthsNode) -> Evaluator:
        return _c_months(node, self.rules)

    def visit_for_any(self, node: ForAnyNode) -> Evaluator:
        return _c_for_any(node, self.rules)
