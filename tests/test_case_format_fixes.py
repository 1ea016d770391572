"""docs/case-format.md: ICD-11 P7-P9 from the contract's impairment ratings (P8 and
P9 share the one occupational rating), and P9 not assessed in every form."""

from __future__ import annotations

from typing import Any

import pytest

from dsm5check.cases.case import Case
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped

EVENT = [{"date": "2024-01-10", "nature": ["serious_injury"], "exposure": ["direct"]}]
TIMELINE = {"symptom_onset": "2024-01-20", "assessed": "2024-06-01"}
NO_DSO = {f"C{i}": 0 for i in range(1, 10)}


def _fi(rid: str, data: dict[str, Any]) -> tuple[str, dict[str, str]]:
    result = evaluate(shipped(rid), Case.model_validate(
        {"id": "t", "events": EVENT, "timeline": TIMELINE, **data}))
    fi = {c.id: c for c in result.criteria}["FI"]
    return fi.status, {k.name or "": k.status for k in fi.node.children}


DSM5 = {"symptoms": {"B2": 3, "C1": 3, "E3": 3, "E4": 3}}


@pytest.mark.parametrize(("impairment", "fi", "p8_p9"), [
    ({"social": 0, "occupational": 3}, "met", "met"),
    ({"social": 0, "occupational": 1}, "not_met", "not_met"),
    ({"social": 0, "occupational": None, "distress": 4}, "indeterminate", "indeterminate"),
    ({"distress": 4}, "indeterminate", "indeterminate"),
    (True, "indeterminate", "indeterminate"),
    (False, "not_met", "not_met"),
])
@pytest.mark.parametrize("rid", ["icd11-ptsd", "icd11-cptsd"])
def test_p8_and_p9_share_the_occupational_rating(rid: str, impairment: Any, fi: str,
                                                 p8_p9: str) -> None:
    status, items = _fi(rid, {**DSM5, "impairment": impairment})
    assert status == fi
    assert items["P8"] == items["P9"] == p8_p9


def test_native_answers_record_work_and_other_areas_apart() -> None:
    status, items = _fi("icd11-ptsd", {**DSM5, "impairment": {"social": 0, "occupational": 3},
                                       "native": {"icd11": {"P8": 0, "P9": None}}})
    assert items == {"P7": "not_met", "P8": "not_met", "P9": "indeterminate"}
    assert status == "indeterminate"  # P9 not assessed: unknown, never absent
    status, items = _fi("icd11-ptsd", {**DSM5, "impairment": {"social": 0, "occupational": 0},
                                       "native": {"icd11": {"P9": 3}}})
    assert (status, items["P8"], items["P9"]) == ("met", "not_met", "met")


@pytest.mark.parametrize("p9", [None, "unknown", {"severity": None}, {"present": None},
                                "left out"])
@pytest.mark.parametrize("rid", ["icd11-ptsd", "icd11-cptsd"])
def test_p9_not_assessed_in_an_icd11_case(rid: str, p9: Any) -> None:
    symptoms: dict[str, Any] = {"P1": 3, "P3": 3, "P5": 3, "P7": 0, "P8": 0, **NO_DSO}
    if p9 != "left out":
        symptoms["P9"] = p9
    status, items = _fi(rid, {"ruleset": rid, "symptoms": symptoms})
    assert (status, items["P9"]) == ("indeterminate", "indeterminate")
    symptoms["P8"] = 3  # P8 alone decides FI
    status, items = _fi(rid, {"ruleset": rid, "symptoms": symptoms})
    assert (status, items["P9"]) == ("met", "indeterminate")


def test_p9_left_out_with_unlisted_absent() -> None:
    symptoms = {"P1": 3, "P3": 3, "P5": 3, "P7": 0, "P8": 0}
    status, items = _fi("icd11-ptsd", {"ruleset": "icd11-ptsd", "symptoms": symptoms,
                                       "unlisted_symptoms": "absent"})
    assert (status, items["P9"]) == ("not_met", "not_met")
    status, items = _fi("icd11-ptsd", {"ruleset": "icd11-ptsd", "unlisted_symptoms": "absent",
                                       "symptoms": {**symptoms, "P9": None}})
    assert (status, items["P9"]) == ("indeterminate", "indeterminate")
