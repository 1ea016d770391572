"""Table-driven tests of the generic engine, on small in-memory rulesets and cases.

Each node kind is exercised through a one-criterion ruleset built as a dict,
so these tests know nothing of the DSM-5 file except where they say so.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dsm5check.cases.case import Case, ImpairmentRatings, ItemDetail
from dsm5check.cases.dates import add_months, months_between
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.logic import compare, item_status, kleene_all, kleene_any
from dsm5check.engine.registry import shipped
from dsm5check.engine.results import MET, NOT_MET, UNKNOWN, CaseResult, Status
from dsm5check.engine.ruleset import Ruleset, consistency_errors

M, N, U = MET, NOT_MET, UNKNOWN
#: an item value that gives each status (threshold 2)
VALUE: dict[Status, Any] = {M: 3, N: 0, U: None}
D = dt.date


def ruleset(rule: dict[str, Any], *, items: tuple[str, ...] = ("X1", "X2", "X3"),
            threshold: int = 2, index: dict[str, Any] | None = None,
            checked: bool = True) -> Ruleset:
    rs = Ruleset.model_validate({
        "id": "engine-test", "title": "t", "version": "0", "source": {"citation": "test"},
        "symptom_threshold": threshold,
        "items": [{"id": i, "text": f"item {i}"} for i in items],
        "criteria": [{"id": "R", "title": "rule under test", "text": "t", "rule": rule}],
        "diagnosis": {"title": "d", "rule": {"criterion": "R"}},
        "index_element": index,
    })
    if checked:
        assert consistency_errors(rs) == []
    return rs


def run(rule: dict[str, Any], case: dict[str, Any], **kw: Any) -> CaseResult:
    return evaluate(ruleset(rule, **kw), Case.model_validate({"id": "c", **case}))


def status(rule: dict[str, Any], case: dict[str, Any], **kw: Any) -> Status:
    result = run(rule, case, **kw)
    assert result.diagnosis == result.criteria[0].status
    return result.criteria[0].status


# --- Kleene logic ------------------------------------------------------------

AND = {(M, M): M, (M, U): U, (M, N): N, (U, M): U, (U, U): U, (U, N): N,
       (N, M): N, (N, U): N, (N, N): N}
OR = {(M, M): M, (M, U): M, (M, N): M, (U, M): M, (U, U): U, (U, N): U,
      (N, M): M, (N, U): U, (N, N): N}
NOT = {M: N, U: U, N: M}


@pytest.mark.parametrize(("a", "b"), list(AND))
def test_kleene_functions(a: Status, b: Status) -> None:
    assert kleene_all([a, b]) == AND[a, b]
    assert kleene_any([a, b]) == OR[a, b]


def test_kleene_empty() -> None:
    assert kleene_all([]) == M
    assert kleene_any([]) == N


@pytest.mark.parametrize(("a", "b"), list(AND))
def test_all_node_truth_table(a: Status, b: Status) -> None:
    rule = {"all": [{"item": "X1"}, {"item": "X2"}]}
    assert status(rule, {"symptoms": {"X1": VALUE[a], "X2": VALUE[b]}}) == AND[a, b]


@pytest.mark.parametrize(("a", "b"), list(OR))
def test_any_node_truth_table(a: Status, b: Status) -> None:
    rule = {"any": [{"item": "X1"}, {"item": "X2"}]}
    assert status(rule, {"symptoms": {"X1": VALUE[a], "X2": VALUE[b]}}) == OR[a, b]


@pytest.mark.parametrize("a", [M, U, N])
def test_not_node_truth_table(a: Status) -> None:
    assert status({"not": {"item": "X1"}}, {"symptoms": {"X1": VALUE[a]}}) == NOT[a]


@pytest.mark.parametrize(("values", "expected"), [
    ((M, M, M), M), ((M, M, U), M), ((M, M, N), M),
    ((M, U, U), U), ((M, U, N), U), ((U, U, U), U),
    ((M, N, N), N), ((U, N, N), N), ((N, N, N), N),
])
def test_at_least_two_of_three(values: tuple[Status, ...], expected: Status) -> None:
    rule = {"at_least": 2, "of": [{"item": "X1"}, {"item": "X2"}, {"item": "X3"}]}
    symptoms = {f"X{i + 1}": VALUE[v] for i, v in enumerate(values)}
    assert status(rule, {"symptoms": symptoms}) == expected


def test_not_of_not_and_nesting() -> None:
    rule = {"not": {"not": {"any": [{"item": "X1"}, {"all": [{"item": "X2"}, {"item": "X3"}]}]}}}
    assert status(rule, {"symptoms": {"X1": 0, "X2": 3, "X3": True}}) == M
    assert status(rule, {"symptoms": {"X1": 0, "X2": 3, "X3": None}}) == U
    assert status(rule, {"symptoms": {"X1": 0, "X2": 1, "X3": None}}) == N


def test_criterion_reference() -> None:
    rs = Ruleset.model_validate({
        "id": "ref", "title": "t", "version": "0", "source": {"citation": "c"},
        "items": [{"id": "X1", "text": "x"}],
        "criteria": [
            {"id": "P", "title": "p", "text": "p", "rule": {"item": "X1"}},
            {"id": "Q", "title": "q", "text": "q", "rule": {"not": {"criterion": "P"}}},
        ],
        "diagnosis": {"title": "d", "rule": {"any": [{"criterion": "Q"}, {"criterion": "P"}]}},
    })
    for value, p, q, dx in ((3, M, N, M), (0, N, M, M), (None, U, U, U)):
        r = evaluate(rs, Case.model_validate({"id": "c", "symptoms": {"X1": value}}))
        assert (r.criterion("P").status, r.criterion("Q").status, r.diagnosis) == (p, q, dx)


# --- item_status --------------------------------------------------------------

@pytest.mark.parametrize(("value", "listed", "unlisted_absent", "expected"), [
    (4, True, False, M), (2, True, False, M), (1, True, False, N), (0, True, False, N),
    (True, True, False, M), (False, True, False, N),
    ("present", True, False, M), ("absent", True, False, N), ("unknown", True, False, U),
    (None, True, False, U), (None, True, True, U),  # an explicit null stays unknown
    (None, False, False, U), (None, False, True, N),  # left out: unknown / absent
    (ItemDetail(severity=3), True, False, M),
    (ItemDetail(severity=1), True, False, N),
    (ItemDetail(severity=3, trauma_related=False), True, False, N),
    (ItemDetail(severity=3, trauma_related=None), True, False, U),
    (ItemDetail(severity=1, trauma_related=None), True, False, N),
    (ItemDetail(present=True), True, False, M),
    (ItemDetail(present=True, trauma_related=False), True, False, N),
    (ItemDetail(present=False, trauma_related=None), True, False, N),
    (ItemDetail(), True, False, U),
    (ItemDetail(trauma_related=False), True, False, N),
    (ItemDetail(trauma_related=None), True, False, U),
    (ImpairmentRatings(distress=2), True, False, M),
    (ImpairmentRatings(distress=1, social=1, occupational=4), True, False, M),
    (ImpairmentRatings(distress=1, social=1, occupational=0), True, False, N),
    (ImpairmentRatings(distress=1, social=0), True, False, U),
    (ImpairmentRatings(), True, False, U),
])
def test_item_status(value: Any, listed: bool, unlisted_absent: bool, expected: Status) -> None:
    assert item_status(value, listed, 2, unlisted_absent)[0] == expected


@pytest.mark.parametrize(("value", "threshold", "expected"), [
    (3, 4, N), (4, 4, M), (1, 1, M), (0, 1, N), (ItemDetail(severity=3), 4, N),
    (ImpairmentRatings(distress=3, social=3, occupational=3), 4, N),
])
def test_item_status_uses_the_threshold(value: Any, threshold: int, expected: Status) -> None:
    assert item_status(value, True, threshold, False)[0] == expected


def test_unlisted_absent_through_the_engine() -> None:
    rule = {"at_least": 2, "of": [{"item": "X1"}, {"item": "X2"}, {"item": "X3"}]}
    case = {"symptoms": {"X1": 3}}
    assert status(rule, case) == U
    assert status(rule, {**case, "unlisted_symptoms": "absent"}) == N
    assert status(rule, {"symptoms": {"X1": 3, "X2": None}, "unlisted_symptoms": "absent"}) == U


# --- calendar months ------------------------------------------------------------

@pytest.mark.parametrize(("start", "months", "expected"), [
    (D(2025, 1, 31), 1, D(2025, 2, 28)),
    (D(2024, 1, 31), 1, D(2024, 2, 29)),
    (D(2025, 5, 31), 1, D(2025, 6, 30)),
    (D(2023, 8, 31), 6, D(2024, 2, 29)),
    (D(2025, 1, 31), 13, D(2026, 2, 28)),
    (D(2024, 12, 15), 1, D(2025, 1, 15)),
    (D(2025, 1, 10), 3, D(2025, 4, 10)),
    (D(2025, 1, 10), 0, D(2025, 1, 10)),
    (D(2025, 1, 1), 0.5, D(2025, 1, 16)),
    (D(2024, 3, 31), -1, D(2024, 2, 29)),
])
def test_add_months(start: dt.date, months: float, expected: dt.date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(("start", "end", "expected"), [
    (D(2025, 1, 31), D(2025, 2, 28), (1, 0)),
    (D(2025, 1, 31), D(2025, 3, 1), (1, 1)),
    (D(2025, 3, 10), D(2025, 4, 10), (1, 0)),
    (D(2025, 3, 10), D(2025, 4, 9), (0, 30)),
    (D(2025, 3, 10), D(2025, 3, 10), (0, 0)),
    (D(2024, 2, 29), D(2025, 2, 28), (12, 0)),
    (D(2023, 6, 1), D(2024, 1, 5), (7, 4)),
    (D(2025, 4, 10), D(2025, 3, 10), (-1, 0)),
])
def test_months_between(start: dt.date, end: dt.date, expected: tuple[int, int]) -> None:
    assert months_between(start, end) == expected


DURATION = {"from": "timeline.symptom_onset", "to": "timeline.assessed",
            "or_fact": "timeline.months_since_symptom_onset"}


@pytest.mark.parametrize(("comparison", "timeline", "expected"), [
    ({"greater_than": 1}, {"symptom_onset": "2025-03-10", "assessed": "2025-04-10"}, N),
    ({"greater_than": 1}, {"symptom_onset": "2025-03-10", "assessed": "2025-04-11"}, M),
    ({"greater_than": 1}, {"symptom_onset": "2025-01-31", "assessed": "2025-02-28"}, N),
    ({"greater_than": 1}, {"symptom_onset": "2025-01-31", "assessed": "2025-03-01"}, M),
    ({"greater_than": 1}, {"symptom_onset": "2024-01-31", "assessed": "2024-02-29"}, N),
    ({"greater_than": 1}, {"months_since_symptom_onset": 1}, N),
    ({"greater_than": 1}, {"months_since_symptom_onset": 1.1}, M),
    ({"greater_than": 1}, {"assessed": "2025-04-11", "months_since_symptom_onset": 2}, M),
    ({"greater_than": 1}, {"assessed": "2025-04-11"}, U),
    ({"greater_than": 1}, {}, U),
    ({"at_least": 3}, {"symptom_onset": "2025-01-10", "assessed": "2025-04-10"}, M),
    ({"at_least": 3}, {"symptom_onset": "2025-01-10", "assessed": "2025-04-09"}, N),
    ({"less_than": 3}, {"symptom_onset": "2025-01-10", "assessed": "2025-04-10"}, N),
    ({"less_than": 3}, {"symptom_onset": "2025-01-10", "assessed": "2025-04-09"}, M),
    ({"less_than": 3}, {"months_since_symptom_onset": 2.9}, M),
    ({"at_most": 1}, {"symptom_onset": "2025-03-10", "assessed": "2025-04-10"}, M),
])
def test_months_node(comparison: dict[str, Any], timeline: dict[str, Any], expected: Status
                     ) -> None:
    rule = {"months": DURATION, **comparison}
    assert status(rule, {"timeline": timeline}) == expected


def test_months_node_dates_win_over_the_fallback() -> None:
    rule = {"months": DURATION, "greater_than": 1}
    timeline = {"symptom_onset": "2025-03-10", "assessed": "2025-04-10",
                "months_since_symptom_onset": 5}
    assert status(rule, {"timeline": timeline}) == N


# --- facts -----------------------------------------------------------------------

@pytest.mark.parametrize(("actual", "op", "expected", "result"), [
    (False, "==", False, True), (0, "==", False, False), (1, "==", True, False),
    (True, "==", 1, False), (2, "==", 2.0, True), ("x", "==", "x", True),
    (0, "in", (False, True), False), (False, "in", (False,), True), (3, "in", (1, 3), True),
    (["a", "b"], "includes_any", ("b", "c"), True), (["a"], "includes_any", ("c",), False),
    ([], "includes_any", ("c",), False),
    (2, ">", 1, True), (1, ">", 1, False), (1, ">=", 1, True), (0.5, "<", 1, True),
    (1, "<", 1, False), (1, "<=", 1, True),
])
def test_compare(actual: Any, op: str, expected: Any, result: bool) -> None:
    assert compare(actual, op, expected) is result


@pytest.mark.parametrize(("rule", "case", "expected"), [
    ({"fact": "attributable_to_substance_or_medical", "equals": False},
     {"attributable_to_substance_or_medical": False}, M),
    ({"fact": "attributable_to_substance_or_medical", "equals": False},
     {"attributable_to_substance_or_medical": True}, N),
    ({"fact": "attributable_to_substance_or_medical", "equals": False}, {}, U),
    ({"fact": "attributable_to_substance_or_medical", "equals": False, "default": False},
     {}, M),
    # equals: false must not match the number 0
    ({"fact": "subject.age_years", "equals": 0}, {"subject": {"age_years": 0}}, M),
    ({"fact": "subject.age_years", "greater_than": 6}, {"subject": {"age_years": 7}}, M),
    ({"fact": "subject.age_years", "greater_than": 6}, {"subject": {"age_years": 6}}, N),
    ({"fact": "subject.age_years", "at_least": 7}, {"subject": {}}, U),
    ({"fact": "subject.age_years", "at_least": 7}, {}, U),
    ({"fact": "unlisted_symptoms", "one_of": ["absent"]}, {"unlisted_symptoms": "absent"}, M),
    ({"fact": "timeline.months_since_symptom_onset", "at_most": 1},
     {"timeline": {"months_since_symptom_onset": 0}}, M),
])
def test_fact_node(rule: dict[str, Any], case: dict[str, Any], expected: Status) -> None:
    assert status(rule, case) == expected


def test_equals_false_on_a_number_is_refused_and_never_matches_0() -> None:
    rule = {"fact": "subject.age_years", "equals": False}
    rs = ruleset(rule, checked=False)
    assert consistency_errors(rs) == [
        (("criteria", 0, "rule", "fact"), "subject.age_years holds int: it is never true or false")
    ]
    case = Case.model_validate({"id": "c", "subject": {"age_years": 0}})
    assert evaluate(rs, case).criterion("R").status == N  # and the engine keeps false != 0


# --- for_any ------------------------------------------------------------------

SERIOUS = {"for_any": "events", "as": "e",
           "where": {"fact": "e.nature", "includes_any": ["serious_injury"]}}
HURT: dict[str, Any] = {"nature": ["serious_injury"]}
OTHER: dict[str, Any] = {"nature": ["other"]}
BLANK: dict[str, Any] = {}


@pytest.mark.parametrize(("events", "expected"), [
    ([], N),
    ([HURT], M), ([OTHER], N), ([BLANK], U),
    ([OTHER, OTHER], N), ([OTHER, BLANK], U), ([BLANK, HURT], M), ([OTHER, BLANK, HURT], M),
])
def test_for_any(events: list[dict[str, Any]], expected: Status) -> None:
    result = run(SERIOUS, {"events": events})
    node = result.criteria[0].node
    assert node.status == expected
    assert node.detail["count"] == len(node.children) == len(events)


def test_for_any_binds_each_element_in_nested_rules() -> None:
    rule = {"for_any": "events", "as": "e", "where": {"all": [
        {"fact": "e.nature", "includes_any": ["serious_injury"]},
        {"fact": "e.via_media", "equals": False},
    ]}}
    events = [{"nature": ["serious_injury"], "via_media": True}, {"nature": ["other"]}]
    assert status(rule, {"events": events}) == N
    assert status(rule, {"events": [*events, {"nature": ["serious_injury"]}]}) == M


# --- index element ----------------------------------------------------------------

INDEX = {"collection": "events", "name": "index_event", "flag": "index", "first_meeting": "R"}
DELAY = {"months": {"from": "index_event.date", "to": "timeline.symptom_onset"}, "at_least": 6}


def _index_case(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {"events": events, "timeline": {"symptom_onset": "2024-06-05"}}


def _delay_ruleset() -> Ruleset:
    base = ruleset(SERIOUS, index=INDEX).model_dump(by_alias=True, exclude_none=True)
    base["specifiers"] = [{"id": "late", "title": "late", "source": "test", "text": "t",
                           "rule": DELAY}]
    return Ruleset.model_validate(base)


@pytest.mark.parametrize(("events", "index", "late"), [
    ([{"date": "2023-01-01", **HURT}, {"date": "2024-06-01", **HURT, "index": True}],
     "events[1]", N),
    ([{"date": "2023-01-01", **HURT}, {"date": "2024-06-01", **HURT}], "events[0]", M),
    ([{"date": "2023-01-01", **OTHER}, {"date": "2024-06-01", **HURT}], "events[1]", N),
    ([{"date": "2023-01-01", **OTHER}], None, N),  # no index: not met, as R fails
])
def test_index_element(events: list[dict[str, Any]], index: str | None, late: Status) -> None:
    r = evaluate(_delay_ruleset(), Case.model_validate({"id": "c", **_index_case(events)}))
    assert r.index_element == index
    assert r.specifiers[0].status == late


def test_index_element_is_unknown_while_an_earlier_event_is_undecided() -> None:
    events = [{"date": "2023-01-01", **BLANK}, {"date": "2024-06-01", **HURT}]
    r = evaluate(_delay_ruleset(), Case.model_validate({"id": "c", **_index_case(events)}))
    assert r.diagnosis == M
    assert r.specifiers[0].status == U


# --- reasons ----------------------------------------------------------------------

def _d_reason(symptoms: dict[str, Any]) -> tuple[Status, str]:
    rs = shipped("dsm5-ptsd")
    r = evaluate(rs, Case.model_validate({"id": "c", "symptoms": symptoms}))
    d = r.criterion("D")
    return d.status, d.reason


@pytest.mark.parametrize(("symptoms", "expected"), [
    ({"D1": 3, "D2": 0, "D3": 0, "D4": 0},
     (U, "1 of 7 present, 2 needed. Counted: D1 cannot recall part of the event (rated 3)."
         " Not known: D5 lost interest, D6 detached from others, D7 cannot feel positive"
         " emotions")),
    ({"D1": 3, "D2": 2},
     (M, "2 of 7 present, 2 needed. Counted: D1 cannot recall part of the event (rated 3),"
         " D2 negative beliefs (rated 2). Not known: D3 distorted blame, D4 persistent"
         " negative emotions, D5 lost interest, D6 detached from others, D7 cannot feel"
         " positive emotions")),
    ({f"D{i}": 0 for i in range(1, 8)}, (N, "0 of 7 present, 2 needed")),
    ({**{f"D{i}": 1 for i in range(1, 8)}, "D7": 4, "D6": None},
     (U, "1 of 7 present, 2 needed. Counted: D7 cannot feel positive emotions (rated 4)."
         " Not known: D6 detached from others")),
    ({f"D{i}": 0 for i in range(1, 7)},
     (N, "0 of 7 present, 2 needed. Not known: D7 cannot feel positive emotions")),
    ({"D1": {"severity": 4, "trauma_related": False, "note": "head injury"}, "D2": 3,
      "D3": {"present": True}, "D4": {"severity": 3, "trauma_related": None}},
     (M, "2 of 7 present, 2 needed. Counted: D2 negative beliefs (rated 3), D3 distorted"
         " blame (yes). Not counted: D1 cannot recall part of the event (rated 4, extreme,"
         " incapacitating, but not related to the event: does not count (note: head"
         " injury)). Not known: D4 persistent negative emotions (rated 3, severe, clearly"
         " above threshold, but whether it is related to the event is not known), D5 lost"
         " interest, D6 detached from others, D7 cannot feel positive emotions")),
])
def test_count_reason(symptoms: dict[str, Any], expected: tuple[Status, str]) -> None:
    assert _d_reason(symptoms) == expected


@pytest.mark.parametrize(("value", "reason"), [
    (3, "rated 3"),
    (1, "rated 1 (counts from 2)"),
    (True, "present"),
    ("absent", "absent"),
    (None, "not assessed"),
    ({"severity": 3, "trauma_related": False},
     "rated 3, but not related to the event: does not count"),
    ({"present": True, "trauma_related": None},
     "present, but whether it is related to the event is not known"),
])
def test_item_reason(value: Any, reason: str) -> None:
    r = run({"item": "X1"}, {"symptoms": {"X1": value}})
    assert r.criteria[0].reason == reason


@pytest.mark.parametrize(("timeline", "reason"), [
    ({"symptom_onset": "2025-03-10", "assessed": "2025-04-10"},
     "from timeline symptom onset (2025-03-10) to timeline assessed (2025-04-10): 1 month"
     " (needs more than 1 month)"),
    ({"symptom_onset": "2025-01-31", "assessed": "2025-03-01"},
     "from timeline symptom onset (2025-01-31) to timeline assessed (2025-03-01): 1 month"
     " 1 day (needs more than 1 month)"),
    ({"months_since_symptom_onset": 4},
     "timeline months since symptom onset: 4 (needs more than 1 month)"),
])
def test_months_reason(timeline: dict[str, Any], reason: str) -> None:
    r = run({"months": DURATION, "greater_than": 1}, {"timeline": timeline})
    assert r.criteria[0].reason == reason


def test_fact_reason() -> None:
    rule = {"fact": "attributable_to_substance_or_medical", "equals": False}
    assert run(rule, {"attributable_to_substance_or_medical": False}).criteria[0].reason == (
        "attributable to substance or medical: no (needs no)")
    assert run(rule, {}).criteria[0].reason == "attributable to substance or medical: not given"
    # the shipped set names the fact in words
    case = Case.model_validate({"id": "c", "attributable_to_substance_or_medical": True})
    assert evaluate(shipped("dsm5-ptsd"), case).criterion("H").reason == (
        "whether it is due to a substance or a medical condition: yes (needs no)")


def test_evaluate_accepts_loaded_and_plain_ruleset() -> None:
    loaded = shipped("dsm5-ptsd")
    case = Case.model_validate({"id": "c", "events": [], "symptoms": {"B1": 3}})
    a, b = evaluate(loaded, case), evaluate(loaded.rules, case)
    assert a.ruleset_sha256 == loaded.sha256 and b.ruleset_sha256 == ""
    assert [c.status for c in a.criteria] == [c.status for c in b.criteria]
    assert a.criterion("B").status == M and a.criterion("A").status == N  # no events
    assert a.diagnosis == N
    # events left out entirely: criterion A was not assessed, so it is undecided
    unasked = evaluate(loaded, Case.model_validate({"id": "c", "symptoms": {"B1": 3}}))
    assert unasked.criterion("A").status == U
    assert unasked.criterion("A").reason == "not assessed: no events given"
