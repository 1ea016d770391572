"""Properties of the engine on random cases (hypothesis), with the shipped DSM-5 rules.

(a) Filling in an unknown answer never changes a criterion or the diagnosis
    that was already decided (met / not_met).
(b) Making an item present never lowers a criterion or the diagnosis
    (in particular never turns met into not_met).
(c) evaluate is deterministic and pure: the same input twice gives equal
    results, and the Case is not changed.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dsm5check.cases.case import Case
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.engine.results import MET, NOT_MET, CaseResult, NodeResult

RULES = shipped("dsm5-ptsd")
SYMPTOMS = [i.id for i in RULES.rules.items if i.section == "symptoms"]
DISSOCIATION = ("depersonalization", "derealization")
NATURES = ["actual_or_threatened_death", "serious_injury", "sexual_violence", "other"]
EXPOSURES = ["direct", "witnessed", "learned_about_close_other", "repeated_aversive_details"]
RANK: dict[str, int] = {NOT_MET: 0, "indeterminate": 1, MET: 2}

SETTINGS = settings(max_examples=200, deadline=None)

# --- strategies ------------------------------------------------------------------

ratings = st.integers(0, 4)
plain_value = st.one_of(
    st.none(), ratings, st.booleans(), st.sampled_from(["present", "absent", "unknown"])
)
detail = st.fixed_dictionaries({}, optional={
    "severity": ratings, "present": st.booleans(),
    "trauma_related": st.one_of(st.none(), st.booleans()),
})
item_value = st.one_of(plain_value, plain_value, detail)
known_value = st.one_of(ratings, st.booleans(), st.sampled_from(["present", "absent"]),
                        st.fixed_dictionaries({"severity": ratings,
                                               "trauma_related": st.booleans()}))
dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2026, 10, 31))
months = st.one_of(st.integers(0, 24), st.floats(0, 24, allow_nan=False)).map(float)
impairment_value = st.one_of(
    st.none(), st.booleans(),
    st.fixed_dictionaries({}, optional={"distress": ratings, "social": ratings,
                                        "occupational": ratings}),
)
event = st.fixed_dictionaries({}, optional={
    "date": dates,
    "nature": st.lists(st.sampled_from(NATURES), min_size=1, max_size=2, unique=True),
    "exposure": st.lists(st.sampled_from(EXPOSURES), min_size=1, max_size=2, unique=True),
    "violent_or_accidental": st.booleans(),
    "via_media": st.booleans(),
    "work_related": st.booleans(),
})
timeline = st.fixed_dictionaries({}, optional={
    "symptom_onset": dates, "full_criteria_met": dates, "assessed": dates,
    "months_since_symptom_onset": months, "months_event_to_symptom_onset": months,
    "months_event_to_full_criteria": months,
})


@st.composite
def case_dicts(draw: st.DrawFn) -> dict[str, Any]:
    events: list[dict[str, Any]] = draw(st.lists(event, max_size=3))
    if events and draw(st.booleans()):
        events[draw(st.integers(0, len(events) - 1))]["index"] = True
    case: dict[str, Any] = {
        "id": "prop",
        "unlisted_symptoms": draw(st.sampled_from(["unknown", "absent"])),
        "events": events,
        "symptoms": draw(st.dictionaries(st.sampled_from(SYMPTOMS), item_value, max_size=20)),
    }
    if draw(st.booleans()):
        case["dissociation"] = draw(st.fixed_dictionaries({}, optional={
            "depersonalization": item_value, "derealization": item_value,
            "attributable_to_substance_or_medical": st.one_of(st.none(), st.booleans()),
        }))
    if draw(st.booleans()):
        case["timeline"] = draw(timeline)
    for key, strategy in (("impairment", impairment_value),
                          ("attributable_to_substance_or_medical",
                           st.one_of(st.none(), st.booleans()))):
        if draw(st.booleans()):
            case[key] = draw(strategy)
    return case


@st.composite
def near_full_cases(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly complete pictures with a consistent timeline, so that the diagnosis
    and the specifiers are often decided and the index event matters."""
    first = draw(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2023, 12, 31)))
    gaps = draw(st.lists(st.integers(0, 400), min_size=4, max_size=4))
    onset = first + dt.timedelta(days=gaps[0])
    full = onset + dt.timedelta(days=gaps[1])
    assessed = full + dt.timedelta(days=gaps[2])
    qualifying = st.lists(st.sampled_from(NATURES[:3]), min_size=1, max_size=2, unique=True)
    events = []
    for n in range(draw(st.integers(1, 3))):
        ev: dict[str, Any] = {"date": first + dt.timedelta(days=n * gaps[3] // 3)}
        for key, strategy in (("nature", qualifying),
                              ("exposure", st.just(["direct"])),
                              ("violent_or_accidental", st.booleans())):
            if draw(st.integers(0, 3)):
                ev[key] = draw(strategy)
        events.append(ev)
    common = st.sampled_from([3, 4, True, "present", 2, 0, 3, 4, 2, None])
    case: dict[str, Any] = {
        "id": "prop",
        "unlisted_symptoms": "unknown",
        "events": events,
        "symptoms": {item: draw(common) for item in SYMPTOMS},
        "dissociation": {"depersonalization": draw(common), "derealization": draw(common),
                         "attributable_to_substance_or_medical": draw(
                             st.sampled_from([False, False, None, True]))},
        "timeline": {"symptom_onset": onset, "full_criteria_met": full, "assessed": assessed},
        "impairment": draw(st.sampled_from([True, True, None, {"distress": 3}, {"social": 1}])),
        "attributable_to_substance_or_medical": draw(st.sampled_from([False, False, None])),
    }
    return case


cases = st.one_of(case_dicts(), near_full_cases())


# --- helpers ----------------------------------------------------------------------

def statuses(result: CaseResult, *, specifiers: bool = True) -> dict[str, str]:
    out: dict[str, str] = {c.id: c.status for c in result.criteria}
    out["diagnosis"] = result.diagnosis
    if specifiers:
        out.update({f"specifier {s.id}": s.status for s in result.specifiers})
    return out


def run(case: dict[str, Any]) -> CaseResult:
    return evaluate(RULES, Case.model_validate(case))


def _unknown_part(value: Any) -> str | None:
    """What is unknown about one answer: the whole answer, its relation to the event, or nothing."""
    if value is None or value == "unknown":
        return "answer"
    if isinstance(value, dict):
        if value.get("trauma_related", True) is False:
            return None  # does not count, whatever its rating: decided
        if "severity" not in value and "present" not in value:
            return "answer"
        if value.get("trauma_related", True) is None:
            return "relation"
    return None


def item_slots(case: dict[str, Any]) -> list[tuple[str, str]]:
    """Answer items that are (partly) unknown: (section, item id)."""
    absent = case["unlisted_symptoms"] == "absent"
    slots = []
    for item in SYMPTOMS:
        if item in case["symptoms"]:
            if _unknown_part(case["symptoms"][item]):
                slots.append(("symptoms", item))
        elif not absent:
            slots.append(("symptoms", item))
    block = case.get("dissociation") or {}
    for item in DISSOCIATION:  # a key left out of the block is unlisted, like a symptom
        if item in block:
            if _unknown_part(block[item]):
                slots.append(("dissociation", item))
        elif not absent:
            slots.append(("dissociation", item))
    return slots


def fill_item(case: dict[str, Any], section: str, item: str, new: Any, related: bool
              ) -> dict[str, Any]:
    """Fill in what is unknown about one answer, keeping what is known."""
    out = copy.deepcopy(case)
    holder = out["symptoms"] if section == "symptoms" else out.setdefault("dissociation", {})
    old = holder.get(item)
    part = _unknown_part(old) if item in holder else "answer"
    if part == "relation":
        holder[item] = {**old, "trauma_related": related}
    elif isinstance(old, dict):  # a detail without rating: add one, keep its relation
        rating = new if isinstance(new, dict) else {"present": new in (True, "present")
                                                    or (not isinstance(new, (bool, str))
                                                        and new >= 2)}
        holder[item] = {**old, **{k: v for k, v in rating.items() if k != "trauma_related"}}
    else:
        holder[item] = new
    return out


def other_slots(case: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Unknown facts outside the items: event fields, G, H."""
    slots: list[tuple[Any, ...]] = []
    for i, ev in enumerate(case["events"]):
        for key in ("nature", "exposure", "violent_or_accidental"):
            if ev.get(key) is None:
                slots.append(("events", i, key))
    imp = case.get("impairment")
    if imp is None:
        slots.append(("impairment",))
    elif isinstance(imp, dict):
        slots.extend(("impairment", k) for k in ("distress", "social", "occupational")
                     if imp.get(k) is None)
    if case.get("attributable_to_substance_or_medical") is None:
        slots.append(("attributable_to_substance_or_medical",))
    return slots


def _filler(slot: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    key = slot[-1]
    if key == "nature":
        return st.lists(st.sampled_from(NATURES), min_size=1, max_size=2, unique=True)
    if key == "exposure":
        return st.lists(st.sampled_from(EXPOSURES), min_size=1, max_size=2, unique=True)
    if slot == ("impairment",):
        return impairment_value.filter(lambda v: v is not None)
    if slot[0] == "impairment":
        return ratings
    return st.booleans()


def put(case: dict[str, Any], slot: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(case)
    target: Any = out
    for part in slot[:-1]:
        target = target[part]
    target[slot[-1]] = value
    return out


def assert_kept(before: dict[str, str], after: dict[str, str], what: str) -> None:
    for key, was in before.items():
        if was in (MET, NOT_MET):
            assert after[key] == was, f"{key} was {was}, became {after[key]} after {what}"


# --- (a) filling in an unknown never changes a decided status ----------------------

@SETTINGS
@given(cases, st.data())
def test_filling_an_unknown_item_keeps_decided_statuses(
    case: dict[str, Any], data: st.DataObject
) -> None:
    slots = item_slots(case)
    if not slots:
        return
    before = statuses(run(case))
    chosen = data.draw(st.lists(st.sampled_from(slots), min_size=1, max_size=4, unique=True))
    filled = case
    for section, item in chosen:
        filled = fill_item(filled, section, item, data.draw(known_value), data.draw(st.booleans()))
    assert_kept(before, statuses(run(filled)), f"filling {chosen}")


@SETTINGS
@given(cases, st.data())
def test_filling_an_unknown_fact_keeps_decided_statuses(
    case: dict[str, Any], data: st.DataObject
) -> None:
    # specifiers included: the index event ("the first event that meets A")
    # must stay unknown while an earlier event is undecided
    slots = other_slots(case)
    if not slots:
        return
    before = statuses(run(case))
    slot = data.draw(st.sampled_from(slots))
    filled = put(case, slot, data.draw(_filler(slot)))
    assert_kept(before, statuses(run(filled)), f"filling {slot}")


@SETTINGS
@given(near_full_cases(), st.sampled_from(["nature", "exposure"]), st.data())
def test_an_undecided_earlier_event_keeps_the_index_event_open(
    case: dict[str, Any], missing: str, data: st.DataObject
) -> None:
    """No event flagged, the first one undecided for A: the index event (the first
    event that meets A) is unknown, so nothing that depends on it is decided yet."""
    case["events"][0].pop(missing, None)
    case["events"].append({"date": case["events"][0]["date"] + dt.timedelta(days=200),
                           "nature": ["serious_injury"], "exposure": ["direct"]})
    before = statuses(run(case))
    slot = ("events", 0, missing)
    filled = put(case, slot, data.draw(_filler(slot)))
    assert_kept(before, statuses(run(filled)), f"filling {slot}")


@SETTINGS
@given(near_full_cases(), st.lists(
    st.sampled_from(["symptom_onset", "full_criteria_met", "assessed"]), min_size=1, max_size=3,
    unique=True))
def test_filling_in_timeline_dates_keeps_decided_statuses(
    case: dict[str, Any], keys: list[str]
) -> None:
    """The dates of a consistent timeline, left out and then given: whatever was
    decided without them (including the if_unknown date guards of the delayed
    specifiers) stays decided."""
    partial = copy.deepcopy(case)
    for key in keys:
        partial["timeline"].pop(key)
    assert_kept(statuses(run(partial)), statuses(run(case)), f"filling timeline {keys}")


# --- (b) making an item present never lowers a status ---------------------------------

@SETTINGS
@given(cases, st.sampled_from(SYMPTOMS + list(DISSOCIATION)),
       st.sampled_from([4, 2, True, "present", {"severity": 3, "trauma_related": True}]))
def test_making_an_item_present_never_lowers_a_status(
    case: dict[str, Any], item: str, present: Any
) -> None:
    before = statuses(run(case))
    raised = copy.deepcopy(case)
    if item in DISSOCIATION:
        raised.setdefault("dissociation", {})[item] = present
    else:
        raised["symptoms"][item] = present
    after = statuses(run(raised))
    for key, was in before.items():
        assert RANK[after[key]] >= RANK[was], f"{key}: {was} -> {after[key]} raising {item}"


# --- (c) deterministic and pure ------------------------------------------------------

def _tree(node: NodeResult) -> tuple[Any, ...]:
    return (node.kind, node.status, node.name, node.id, tuple(_tree(k) for k in node.children))


def _shape(result: CaseResult) -> tuple[Any, ...]:
    return (
        result.diagnosis, result.index_element, _tree(result.diagnosis_node),
        tuple((c.id, c.status, c.reason, _tree(c.node)) for c in result.criteria),
        tuple((s.id, s.status, s.reason, _tree(s.node)) for s in result.specifiers),
        result.mismatches,
    )


@SETTINGS
@given(cases)
def test_evaluate_is_deterministic_and_pure(case: dict[str, Any]) -> None:
    model = Case.model_validate(case)
    dumped = model.model_dump()
    first = evaluate(RULES, model)
    second = evaluate(RULES, model)
    assert model.model_dump() == dumped
    assert _shape(first) == _shape(second)
    assert _shape(evaluate(RULES, Case.model_validate(copy.deepcopy(case)))) == _shape(first)
