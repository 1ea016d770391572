"""Properties of DSM-IV-TR PTSD, DSM-5 acute stress disorder, preschool PTSD and the
subthreshold research label, coded natively and in
DSM-5 PTSD items (read through each set's crosswalk): filling in what was not assessed
never changes a status that was already decided."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dsm5check.cases.case import Case
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped

SETS = ["dsm4tr-ptsd", "dsm5-asd", "dsm5-ptsd-preschool", "subthreshold-ptsd"]
DSM5 = [i.id for i in shipped("dsm5-ptsd").rules.items if i.section == "symptoms"]
rating = st.one_of(st.none(), st.integers(0, 4))
ASSESSED = ["2024-01-13", "2024-01-20", "2024-02-01", "2024-03-01", "2024-06-01"]


@st.composite
def cases(draw: st.DrawFn, ruleset: str) -> dict[str, Any]:
    rules = shipped(ruleset).rules
    crosswalked = draw(st.booleans())
    native = [i.id for i in rules.items if i.section == "symptoms"]
    items = DSM5 if crosswalked else native
    case: dict[str, Any] = {
        "id": "p", "ruleset": ruleset,
        "events": [{"date": "2024-01-10", "nature": ["serious_injury"], "exposure": ["direct"],
                    "fear_helplessness_horror": draw(st.sampled_from([True, False, None]))}],
        "symptoms": {i: draw(rating) for i in items},
        "timeline": {"symptom_onset": "2024-01-10", "assessed": draw(st.sampled_from(ASSESSED))},
        "impairment": draw(st.sampled_from([True, False, None])),
        "attributable_to_substance_or_medical": draw(st.sampled_from([True, False, None])),
    }
    if crosswalked:
        case["coded_in"] = "dsm5-ptsd"
        case["dissociation"] = {"depersonalization": draw(rating), "derealization": draw(rating)}
        coding = rules.coding or rules.id
        case["native"] = {coding: {n: draw(rating) for n in native
                                   if draw(st.integers(0, 9)) == 0}}
    return case


def _statuses(ruleset: str, data: dict[str, Any]) -> list[str]:
    r = evaluate(shipped(ruleset), Case.model_validate(data))
    return [r.diagnosis, *(c.status for c in r.criteria), *(s.status for s in r.specifiers)]


def _fill(data: st.DataObject, mapping: dict[str, Any]) -> None:
    for key, value in mapping.items():
        if value is None:
            mapping[key] = data.draw(st.integers(0, 4))


@pytest.mark.parametrize("ruleset", SETS)
@settings(max_examples=120, deadline=None)
@given(data=st.data())
def test_filling_unknowns_keeps_decided_statuses(ruleset: str, data: st.DataObject) -> None:
    case = data.draw(cases(ruleset))
    before = _statuses(ruleset, case)
    filled = copy.deepcopy(case)
    _fill(data, filled["symptoms"])
    _fill(data, filled.get("dissociation", {}))
    for block in filled.get("native", {}).values():
        _fill(data, block)
    event = filled["events"][0]
    for key in ("fear_helplessness_horror",):
        if event[key] is None:
            event[key] = data.draw(st.booleans())
    for key in ("impairment", "attributable_to_substance_or_medical"):
        if filled[key] is None:
            filled[key] = data.draw(st.booleans())
    after = _statuses(ruleset, filled)
    for b, a in zip(before, after, strict=True):
        assert b == "indeterminate" or a == b, (before, after)
    if "coded_in" not in filled:  # every answer given: the diagnosis is decided
        assert after[0] != "indeterminate", after
