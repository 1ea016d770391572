"""The generic three-valued rule engine: ``evaluate(ruleset, case)``.

Pure: it reads a validated ruleset and case and returns a frozen result tree.
It never prints and knows no criterion ids. Each rule tree is compiled once per
ruleset into closures (``nodes.py``), so a batch of cases pays for the tree
walk only once. Logic is Kleene's strong three-valued logic (``logic.py``): an
unanswered item or a missing fact is *unknown*, never quietly false.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from dsm5check.cases.case import Case
from dsm5check.engine import shared
from dsm5check.engine.crosswalk import Foreign, source_of, vocabulary
from dsm5check.engine.logic import kleene_all
from dsm5check.engine.nodes import MISSING, Ctx, Evaluator, compile_rule, criterion_result
from dsm5check.engine.results import (
    MET,
    NOT_MET,
    UNKNOWN,
    CaseResult,
    CriterionResult,
    LazySpecifierResult,
    Mismatch,
    NodeResult,
    SpecifierResult,
    Status,
)
from dsm5check.engine.rules_model import NodeModel
from dsm5check.engine.ruleset import DIAGNOSIS, LoadedRuleset, Ruleset


class _Plan:
    """A ruleset compiled to evaluators, built once and reused for every case."""

    __slots__ = ("criteria", "index_path", "order", "rules", "specifiers", "unbound_index")

    def __init__(self, rules: Ruleset) -> None:
        self.rules = rules
        self.criteria: dict[str, Evaluator] = {
            c.id: compile_rule(c.rule, rules) for c in rules.criteria
        }
        self.criteria[DIAGNOSIS] = compile_rule(rules.diagnosis.rule, rules)
        # a table per criterion and specifier: their records are shared when
        # their rule's result is (shared.py)
        self.specifiers = [(s, compile_rule(s.rule, rules), shared.Table())
                           for s in rules.specifiers]
        self.order = [(c.id, c.title, c.name, shared.Table()) for c in rules.criteria]
        spec = rules.index_element
        self.index_path = tuple(spec.collection.split(".")) if spec is not None else ()
        #: the index element's name is nothing a case holds: while the element is not
        #: known, a path through it resolves to MISSING at once (not by asking the case
        #: model for an attribute it lacks, which costs an exception each time)
        self.unbound_index = spec is not None and Case.model_config.get("extra") == "forbid" \
            and spec.name not in Case.model_fields and not hasattr(Case, spec.name)


_PLANS: dict[int, _Plan] = {}

#: With the diagnosis not met, a specifier "does not apply" whatever its own rule
#: says: that rule is evaluated only when its result's ``node`` is read
#: (``results.LazySpecifierResult``). False evaluates it at once (for tests).
LAZY_SPECIFIERS = True

#: per (ruleset, vocabulary of a case): the set it is read from, with the
#: crosswalk compiled against that set; None when it is read natively
_FOREIGN: dict[tuple[int, str], tuple[Ruleset, tuple[Ruleset, dict[str, Evaluator]] | None]] = {}


def _foreign(rules: Ruleset, case: Case) -> Foreign | None:
    vocab = vocabulary(case)
    if vocab == rules.id:
        return None
    key = (id(rules), vocab)
    found = _FOREIGN.get(key)
    if found is None or found[0] is not rules:
        source = source_of(rules, vocab)
        compiled = None
        if source is not None:
            cw = rules.crosswalk_from(source.id)
            evaluators = {k: compile_rule(r, source) for k, r in cw.items.items()} if cw else {}
            compiled = (source, evaluators)
        found = _FOREIGN[key] = (rules, compiled)
    if found[1] is None:
        return None
    return Foreign(rules, found[1][0], found[1][1], case)


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
        found = _RULES[id(rule)] = (rule, compile_rule(rule, rules))
    plan = _plan(rules)
    ctx = Ctx(rules, plan.criteria, case)
    ctx.foreign = _foreign(rules, case)
    return found[1](ctx)


def _index_element(ctx: Ctx, path: tuple[str, ...]) -> tuple[Any, str | None]:
    spec = ctx.rules.index_element
    if spec is None:
        return None, None
    elements, shown = ctx.resolve(path, spec.collection)
    if elements is MISSING or not elements:
        return None, None
    if spec.flag:
        for i, el in enumerate(elements):
            if getattr(el, spec.flag, False) is True:
                return el, f"{shown}[{i}]"
    if spec.first_meeting:
        res = criterion_result(spec.first_meeting, ctx)
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
    ctx = Ctx(rules, plan.criteria, case)
    ctx.foreign = _foreign(rules, case)
    index_label = None
    spec = rules.index_element
    if spec is not None:
        element, path = _index_element(ctx, plan.index_path)
        if element is not None and path is not None:
            ctx.base_scope = {spec.name: element}
            ctx.base_paths = {spec.name: path}
            ctx.scope, ctx.scope_paths = dict(ctx.base_scope), dict(ctx.base_paths)
            index_label = getattr(element, "id", None) or path
        elif plan.unbound_index:
            ctx.base_scope = {spec.name: MISSING}
            ctx.base_paths = {spec.name: spec.name}
            ctx.scope, ctx.scope_paths = dict(ctx.base_scope), dict(ctx.base_paths)
    memos = shared.MEMOS
    criteria: list[CriterionResult] = []
    for cid, title, name, table in plan.order:
        node = criterion_result(cid, ctx)
        if table.live and id(node) in memos:  # a shared result: share its record too
            found = table.entries.get(id(node))
            if found is None:
                found = CriterionResult(cid, title, node.status, node, name)
                table.add(id(node), found)
            else:
                table.hits += 1
            criteria.append(found)
        else:
            criteria.append(CriterionResult(cid, title, node.status, node, name))
    diagnosis = criterion_result(DIAGNOSIS, ctx)
    specs: list[SpecifierResult] = []
    lazy = LAZY_SPECIFIERS and diagnosis.status == NOT_MET
    if lazy:  # "does not apply": their own rules are evaluated only if read
        for s, ev, _ in plan.specifiers:
            specs.append(LazySpecifierResult(s.id, s.title, s.source, NOT_MET,
                                             partial(ev, ctx), NOT_MET))
    for s, ev, table in plan.specifiers if not lazy else ():
        node = ev(ctx)
        if table.live and id(node) in memos:
            key = (id(node), diagnosis.status)
            spec_found = table.entries.get(key)
            if spec_found is None:
                status = kleene_all([diagnosis.status, node.status])
                spec_found = SpecifierResult(s.id, s.title, s.source, status, node,
                                             diagnosis.status)
                table.add(key, spec_found)
            else:
                table.hits += 1
            specs.append(spec_found)
        else:
            status = kleene_all([diagnosis.status, node.status])
            specs.append(SpecifierResult(s.id, s.title, s.source, status, node,
                                         diagnosis.status))
    crits = tuple(criteria)
    mismatches = tuple(_mismatches(case, crits, diagnosis.status, specs)) \
        if case.expected is not None else ()
    return CaseResult(
        case.id, rules.id, rules.version, digest, diagnosis.status, diagnosis,
        crits, tuple(specs), index_label, case.expected is not None, mismatches, file, line,
        rules.diagnosis.title, spec.title if spec else "Index element",
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
