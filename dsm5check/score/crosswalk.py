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

from dsm5check.errors import InputError, Problem
from dsm5check.ruleset import Ruleset
from dsm5check.score.columns import ColumnPlan, plan_columns
from dsm5check.score.instruments import SUMMED_SECTION, Instrument


def _summed(rules: Ruleset) -> list[str]:
    return [i.id for i in rules.items if i.section == SUMMED_SECTION]


def plan_for(names: Sequence[str], rules: Ruleset, instrument: Instrument, cmap: Any,
             locate: Any, source: str) -> tuple[ColumnPlan, str | None]:
    """The column plan of ``rules`` and, when read through a crosswalk, how (text)."""
    if instrument.home is None or rules.id == instrument.home:
        return plan_columns(names, rules, instrument, cmap, locate, source), None
    from dsm5check.registry import shipped

    home = shipped(instrument.home).rules
    if _summed(home) == _summed(rules):
        return plan_columns(names, rules, instrument, cmap, locate, source), None
    walk = crosswalk_of(rules, home.id)
    if not walk:
        raise InputError([Problem("--rules", 1, 1, (
            f"{rules.id} cannot be scored from {instrument.short} data: its items are not"
            f" the {instrument.short}'s, and it declares no crosswalk from {home.id}"))])
    base = plan_columns(names, home, instrument, cmap, locate, source)
    items: dict[str, tuple[str, ...]] = {}
    used: set[str] = set()
    said: list[str] = []
    for target, sources in walk.items():
        cols = [c for s in sources for c in base.items.get(s, ())]
        if cols:
            items[target] = tuple(dict.fromkeys(cols))
            used.update(cols)
            said.append(f"{target} from {home.id} {' or '.join(sources)}")
    carried = tuple(n for n in base.carried) + tuple(
        c for cols in base.items.values() for c in cols if c not in used)
    plan = ColumnPlan(items=items, criteria={}, facts={}, carried=carried,
                      convention=f"{base.convention}, through the crosswalk of {rules.id}",
                      missing_values=base.missing_values,
                      notes=(*base.notes,), positions=base.positions)
    estimate = (f"{rules.title}: an estimate from {instrument.short} items through the"
                f" crosswalk declared in {rules.id} ({'; '.join(said)}); items no crosswalk"
                " supplies are not assessed")
    return plan, estimate


def crosswalk_of(rules: Ruleset, home: str) -> dict[str, tuple[str, ...]]:
    """Target item id -> items of ``home`` it is read from, as the ruleset declares.

    Filled in from the ruleset's crosswalk declaration (see docs/rulesets.md);
    empty when the set declares none from ``home``.
    """
    declared = getattr(rules, "crosswalks", None)
    out: dict[str, tuple[str, ...]] = {}
    if not declared:
        return out
    for walk in declared:
        if getattr(walk, "from_set", getattr(walk, "source", None)) != home:
            continue
        for entry in getattr(walk, "items", ()):
            target = getattr(entry, "item", None)
            sources = getattr(entry, "from_items", getattr(entry, "any_of", ()))
            if target and sources:
                out[target] = tuple(sources)
    return out
