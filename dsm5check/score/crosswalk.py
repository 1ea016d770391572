"""Which columns feed a set's items when the instrument was written for another set.

An instrument's numbered items belong to its *home* ruleset (PCL-5 and CAPS-5:
dsm5-ptsd; ITQ: icd11-ptsd). Another set whose items are the same ids (e.g. the
subthreshold research definition) reads them directly. A set with other items
is read through the crosswalk its YAML declares from the home set (e.g. ICD-11
re-experiencing from DSM-5 B2 or B3): its result is then an *estimate*, and the
summary says from which items. Without a crosswalk the set cannot be scored
from these data, and the user is told so.

What the data cannot assess
---------------------------

A set scored from its *home* instrument keeps the instrument's published
scoring rule: the PCL-5's DSM-5 rule and the ITQ's algorithm take the event and
the duration (and for the PCL-5, impairment and exclusions) as given, and the
result is labelled *provisional* (``not_assessed`` lists what is taken as met).

A set read through a crosswalk (an estimate) takes nothing as given that nobody
asked for: a criterion no column can assess is **left open** (indeterminate
in every row), unless the user names it with ``--assume`` (then it is taken as
met, and the summary says so). Criteria the crosswalk reads from the case's
*facts* (e.g. ICD-11 impairment P7-P9 from the DSM-5 impairment ratings) are
computed from fact columns when the data have them (``impairment``,
``impairment_social``, ``impairment_occupational``, or ``--map facts:``), else
left open the same way.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dsm5check.engine.rules_model import CriterionNode, FactNode, ItemNode, MonthsNode
from dsm5check.engine.ruleset import Ruleset, walk
from dsm5check.errors import UsageError
from dsm5check.score.cells import Checked, clean_sql, criterion_levels
from dsm5check.score.columns import ColumnPlan, plan_columns
from dsm5check.score.compile_sql import compile_rule, fact_kind
from dsm5check.score.crosswalk_sql import CrosswalkBindings
from dsm5check.score.instruments import SUMMED_SECTION, Instrument

#: the word ``--assume`` takes for a set's event criterion (its index event's criterion)
EXPOSURE = "exposure"


@dataclass(frozen=True)
class Reading:
    """How one set is read from the instrument's columns.

    ``derived``: criterion id -> SQL (TRUE / FALSE / NULL) over the input columns,
    for criteria the crosswalk computes from facts. ``open``: criteria no column can
    assess and nobody took as met (indeterminate). ``assumed``: criteria no column
    can assess that ``--assume`` takes as met. ``fact_columns``: the input columns
    the crosswalk's facts are read from (checked like any read column).
    """

    plan: ColumnPlan
    estimate: str | None = None
    derived: dict[str, str] = field(default_factory=dict)
    open: tuple[str, ...] = ()
    assumed: tuple[str, ...] = ()
    fact_columns: tuple[Checked, ...] = ()


def _summed(rules: Ruleset) -> list[str]:
    return [i.id for i in rules.items if i.section == SUMMED_SECTION]


def crosswalk_facts(rules: Ruleset, home: str) -> dict[str, list[FactNode | MonthsNode]]:
    """Fact paths the crosswalk of ``rules`` from ``home`` reads, in order, with the
    nodes reading each (they say how its cells are read)."""
    walk_ = rules.crosswalk_from(home)
    out: dict[str, list[FactNode | MonthsNode]] = {}
    for rule in walk_.items.values() if walk_ is not None else ():
        for n in walk(rule):
            if isinstance(n, FactNode):
                out.setdefault(n.fact, []).append(n)
            elif isinstance(n, MonthsNode) and n.months.or_fact:
                out.setdefault(n.months.or_fact, []).append(n)
    return out


def plan_for(names: Sequence[str], rules: Ruleset, instrument: Instrument, cmap: Any,
             locate: Any, source: str, assume: Collection[str] = ()) -> Reading:
    """How ``rules`` reads the columns ``names`` of ``instrument`` data."""
    if instrument.home is None or rules.id == instrument.home:
        return Reading(plan_columns(names, rules, instrument, cmap, locate, source))
    from dsm5check.engine.registry import shipped

    home = shipped(instrument.home).rules
    if _summed(home) == _summed(rules):
        return Reading(plan_columns(names, rules, instrument, cmap, locate, source))
    walk_ = crosswalk_of(rules, home.id)
    declared = rules.crosswalk_from(home.id)
    label = declared.label if declared is not None else home.id
    if not walk_:
        raise UsageError(
            f"--rules: {rules.id} cannot be scored from {instrument.short} data: its items are"
            f" not the {instrument.short}'s, and it declares no crosswalk from {home.id}")
    paths = list(crosswalk_facts(rules, home.id))
    base = plan_columns(names, home, instrument, _without_facts(cmap, paths, home), locate,
                        source)
    items: dict[str, tuple[str, ...]] = {}
    used: set[str] = set()
    said: list[str] = []
    for target, sources in walk_.items():
        cols = [c for s in sources for c in base.items.get(s, ())]
        if cols:
            items[target] = tuple(dict.fromkeys(cols))
            used.update(cols)
            said.append(f"{target} from {label} {' or '.join(sources)}")
    facts = _fact_columns(names, rules, home, paths, cmap, base, items)
    source_bind = _SourceColumns(home, base.items, facts)
    crossed = CrosswalkBindings(rules, home.id, source_bind)
    # criteria that read a crosswalk item computed from facts (ICD-11 FI from impairment
    # ratings) are computed whole, once, from the cells as given (a criterion mixing such
    # items with symptom items would not see --missing zero/prorate: none does today)
    derived: dict[str, str] = {}
    for crit in rules.criteria:
        read = [n.item for n in walk(crit.rule) if isinstance(n, ItemNode)]
        if (any(i not in items and crossed.item(i) is not None for i in read)
                and not reads_criteria(rules, crit.id)):
            sql = compile_rule(crit.rule, crossed)
            if sql.data:
                derived[crit.id] = sql.text
                said.append(f"{crit.title.lower()} from the columns"
                            f" {', '.join(c.column for c in facts.values())}")
    carried = tuple(n for n in base.carried) + tuple(
        c for cols in base.items.values() for c in cols if c not in used)
    plan = ColumnPlan(items=items, criteria={}, facts={}, carried=carried,
                      convention=f"{base.convention}, through the crosswalk of {rules.id}",
                      missing_values=base.missing_values,
                      notes=(*base.notes,), positions=base.positions,
                      not_assessed_items=tuple(i for i in _summed(rules) if i not in items))
    left_open, assumed = _unassessed(rules, items, derived, assume)
    estimate = (f"an estimate of {rules.diagnosis.title} from {instrument.short} items,"
                f" read through the crosswalk declared in {rules.id} ({'; '.join(said)});"
                " what no crosswalk supplies is not assessed")
    return Reading(plan, estimate, derived, left_open, assumed, tuple(facts.values()))


def assumed_here(rules: Ruleset, cid: str, assume: Collection[str]) -> bool:
    """Whether ``--assume`` names criterion ``cid`` of ``rules`` (by id, any case, or
    ``exposure`` for the criterion the set's index event is chosen by)."""
    wanted = {a.lower() for a in assume}
    if cid.lower() in wanted:
        return True
    event = rules.index_element.first_meeting if rules.index_element else None
    return EXPOSURE in wanted and cid == event


def _unassessed(rules: Ruleset, items: Collection[str], derived: Collection[str],
                assume: Collection[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Criteria no column can assess, even through other criteria, split into (left
    open, taken as met by ``--assume``); a criterion is assessed when its rule reads
    an item column or an assessed criterion, as the query builder finds it."""
    have = set(derived)
    probe = _Probe(items, have)
    levels = criterion_levels(rules)
    left: list[str] = []
    for crit in sorted(rules.criteria, key=lambda c: levels[c.id]):
        if crit.id in have or compile_rule(crit.rule, probe).data:
            have.add(crit.id)
        else:
            left.append(crit.id)
    order = [c.id for c in rules.criteria]
    left.sort(key=order.index)
    given = tuple(c for c in left if assumed_here(rules, c, assume))
    return tuple(c for c in left if c not in given), given


def deciding(rules: Ruleset, cids: Collection[str], assumed: Collection[str]) -> tuple[str, ...]:
    """Those of criteria ``cids`` the set's status still depends on: reached from the
    diagnosis rule through the criteria it refers to, but not through a criterion taken
    as met (``assumed``), whose rule is never read."""
    reached: set[str] = set()
    todo = [rules.diagnosis.rule]
    while todo:
        for node in walk(todo.pop()):
            if isinstance(node, CriterionNode) and node.criterion not in reached:
                reached.add(node.criterion)
                if node.criterion not in assumed and node.criterion in rules.criterion_map:
                    todo.append(rules.criterion_map[node.criterion].rule)
    return tuple(c for c in cids if c in reached and c not in assumed)


def reads_criteria(rules: Ruleset, cid: str) -> bool:
    """Whether criterion ``cid``'s rule refers to other criteria."""
    return any(isinstance(n, CriterionNode) for n in walk(rules.criterion_map[cid].rule))


class _Probe:
    """Bindings that only say whether a leaf has a column."""

    def __init__(self, items: Collection[str], criteria: set[str]) -> None:
        self.items, self.criteria = items, criteria

    def item(self, item_id: str) -> str | None:
        return "(1=1)" if item_id in self.items else None

    def fact(self, path: str) -> str | None:
        return None

    def criterion(self, cid: str) -> str | None:
        return "(1=1)" if cid in self.criteria else None


class _SourceColumns:
    """The home set's items and the crosswalk's facts as SQL over the input columns
    (each cell checked inline, as ``cells.clean_sql`` checks it)."""

    def __init__(self, home: Ruleset, items: dict[str, tuple[str, ...]],
                 facts: dict[str, Checked]) -> None:
        self.home, self.items, self.facts = home, items, facts

    def item(self, item_id: str) -> str | None:
        cols = self.items.get(item_id, ())
        if not cols or item_id not in self.home.item_map:
            return None
        scale = self.home.scale_of(self.home.item_map[item_id])
        thr = self.home.symptom_threshold
        parts = [f"({clean_sql(Checked(c, 'rating', scale.min, scale.max, '', c))} >= {thr})"
                 for c in cols]
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def fact(self, path: str) -> str | None:
        if path in self.facts:
            return f"({clean_sql(self.facts[path])})"
        # a fact with no column of its own whose parts have columns (``impairment``
        # from ``impairment_social``...) is a mapping when any part is given: equal to
        # no yes/no or number, which -1 (never a checked cell) stands for
        parts = [c for p, c in self.facts.items() if p.startswith(path + ".")]
        if not parts:
            return None
        given = " OR ".join(f"{clean_sql(c)} IS NOT NULL" for c in parts)
        return f"(CASE WHEN {given} THEN -1 END)"

    def criterion(self, cid: str) -> str | None:
        return None


def _fact_columns(names: Sequence[str], rules: Ruleset, home: Ruleset, paths: Collection[str],
                  cmap: Any, base: ColumnPlan, items: dict[str, tuple[str, ...]]
                  ) -> dict[str, Checked]:
    """Input columns for the crosswalk's facts: as ``--map facts:`` names them, else a
    column named as the path (``impairment.social``), with ``_`` for ``.``
    (``impairment_social``), or its last part when that is unique."""
    if not paths:
        return {}
    nodes = crosswalk_facts(rules, home.id)
    by_norm: dict[str, str] = {}
    for name in names:
        by_norm.setdefault(name.strip().lower(), name)
    # the instrument's numbered items are never facts; another item's column may be
    # (a yes/no ``impairment`` column is DSM-5 G and the case's ``impairment`` alike)
    taken = {c for i in _summed(home) for c in base.items.get(i, ())}
    lasts: dict[str, int] = {}
    for p in paths:
        lasts[p.rsplit(".", 1)[-1]] = lasts.get(p.rsplit(".", 1)[-1], 0) + 1
    mapped = dict(getattr(cmap, "facts", {}) or {})
    out: dict[str, Checked] = {}
    for path in paths:
        kind = fact_kind(nodes.get(path, []))
        if kind == "list":
            continue
        last = path.rsplit(".", 1)[-1]
        candidates = ([mapped[path]] if path in mapped
                      else [path, path.replace(".", "_")] + ([last] if lasts[last] == 1 else []))
        for cand in candidates:
            hit = by_norm.get(cand.strip().lower())
            if hit is not None and hit not in taken:
                out[path] = Checked(hit, kind, None, None, f"fact {path}", hit)
                taken.add(hit)
                break
    return out


def _without_facts(cmap: Any, paths: Iterable[str], rules: Ruleset) -> Any:
    """``cmap`` without the --map facts only a crosswalk reads (the home set's own
    column plan would refuse them as facts its rules do not read)."""
    from dsm5check.score.columns import all_rules, fact_paths

    facts = getattr(cmap, "facts", None)
    if not facts:
        return cmap
    own = {p for r in all_rules(rules) for p in fact_paths(r)}
    drop = set(paths) - own
    if not drop & set(facts):
        return cmap
    return cmap.model_copy(update={"facts": {k: v for k, v in facts.items() if k not in drop}})


def crosswalk_of(rules: Ruleset, home: str) -> dict[str, tuple[str, ...]]:
    """Target item id -> items of ``home`` it is read from, as the ruleset declares
    in its ``crosswalks`` entry from ``home``.

    Only item readings that are one item of the other set, or any of several,
    can come from item columns; a reading that needs facts of a case (e.g. an
    impairment rating) is computed from fact columns by :func:`plan_for` when
    the data have them. Empty when the set declares no crosswalk from ``home``.
    """
    from dsm5check.engine.rules_model import AnyNode, AtLeastNode

    walk_ = rules.crosswalk_from(home)
    out: dict[str, tuple[str, ...]] = {}
    if walk_ is None:
        return out
    for target, rule in walk_.items.items():
        kids = (rule.any if isinstance(rule, AnyNode)
                else rule.of if isinstance(rule, AtLeastNode) and rule.at_least == 1
                else (rule,))
        if all(isinstance(k, ItemNode) for k in kids):
            out[target] = tuple(k.item for k in kids if isinstance(k, ItemNode))
    return out


def quoted(sql: str) -> str:
    """``sql`` as a 1 / 0 / NULL value (how the query builder reads a criterion column)."""
    return f"CASE WHEN {sql} THEN 1 WHEN NOT {sql} THEN 0 END"

