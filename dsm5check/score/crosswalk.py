"""Which columns feed a set's items when the instrument was written for another set.

An instrument's numbered items belong to its *home* ruleset (PCL-5 and CAPS-5:
dsm5-ptsd; ITQ: icd11-ptsd). Another set whose items are the same ids (e.g. the
subthreshold research definition) reads them directly. A set with other items
is read through the crosswalk its YAML declares from the home set (e.g. ICD-11
re-experiencing from DSM-5 B2 or B3): its result is then an *estimate*, and the
summary says from which items. Without a crosswalk the set cannot be scored
from these data, and the user is told so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dsm5check.engine.ruleset import Ruleset
from dsm5check.score.columns import ColumnPlan, plan_columns
from dsm5check.score.instruments import SUMMED_SECTION, Instrument


def _summed(rules: Ruleset) -> list[str]:
    return [i.id for i in rules.items if i.section == SUMMED_SECTION]


def plan_for(names: Sequence[str], rules: Ruleset, instrument: Instrument, cmap: Any,
             locate: Any, source: str) -> tuple[ColumnPlan, str | None]:
    """The column plan of ``rules`` and, when read through a crosswalk, how (text)."""
    if instrument.home is None or rules.id == instrument.home:
        return plan_columns(names, rules, instrument, cmap, locate, source), None
    from dsm5check.engine.registry import shipped

    home = shipped(instrument.home).rules
    if _summed(home) == _summed(rules):
        return plan_columns(names, rules, instrument, cmap, locate, source), None
    walk = crosswalk_of(rules, home.id)
    declared = rules.crosswalk_from(home.id)
    label = declared.label if declared is not None else home.id
    if not walk:
        from dsm5check.errors import UsageError

        raise UsageError(
            f"--rules: {rules.id} cannot be scored from {instrument.short} data: its items are"
            f" not the {instrument.short}'s, and it declares no crosswalk from {home.id}")
    base = plan_columns(names, home, instrument, cmap, locate, source)
    items: dict[str, tuple[str, ...]] = {}
    used: set[str] = set()
    said: list[str] = []
    for target, sources in walk.items():
        cols = [c for s in sources for c in base.items.get(s, ())]
        if cols:
            items[target] = tuple(dict.fromkeys(cols))
            used.update(cols)
            said.append(f"{target} from {label} {' or '.join(sources)}")
    carried = tuple(n for n in base.carried) + tuple(
        c for cols in base.items.values() for c in cols if c not in used)
    plan = ColumnPlan(items=items, criteria={}, facts={}, carried=carried,
                      convention=f"{base.convention}, through the crosswalk of {rules.id}",
                      missing_values=base.missing_values,
                      notes=(*base.notes,), positions=base.positions,
                      not_assessed_items=tuple(i for i in _summed(rules) if i not in items))
    estimate = (f"an estimate of {rules.diagnosis.title} from {instrument.short} items,"
                f" read through the crosswalk declared in {rules.id} ({'; '.join(said)});"
                " what no crosswalk supplies is not assessed")
    return plan, estimate


def crosswalk_of(rules: Ruleset, home: str) -> dict[str, tuple[str, ...]]:
    """Target item id -> items of ``home`` it is read from, as the ruleset declares
    in its ``crosswalks`` entry from ``home``.

    Only item readings that are one item of the other set, or any of several,
    can come from item columns; a reading that needs facts of a case (e.g. an
    impairment rating) leaves the item not assessed here. Empty when the set
    declares no crosswalk from ``home``.
    """
    from dsm5check.engine.rules_model import AnyNode, AtLeastNode, ItemNode

    walk = rules.crosswalk_from(home)
    out: dict[str, tuple[str, ...]] = {}
    if walk is None:
        return out
    for target, rule in walk.items.items():
        kids = (rule.any if isinstance(rule, AnyNode)
                else rule.of if isinstance(rule, AtLeastNode) and rule.at_least == 1
                else (rule,))
        if all(isinstance(k, ItemNode) for k in kids):
            out[target] = tuple(k.item for k in kids if isinstance(k, ItemNode))
    return out
