"""Timelines that add up (issue 9 point 2): every impossible timeline is an input
problem at file:line:col naming both fields, exit 2 (the contract's code for input
that cannot be used); the same check serves check, the interview and the API."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from dsm5check.cases.case import Case
from dsm5check.cases.case_checks import case_problems
from dsm5check.cli import main
from dsm5check.engine.registry import shipped
from tests.conftest import TESTS

BAD = TESTS / "bad_timeline"

# file -> (line:col of the problem, the two fields it must name, words of the reason)
EXPECTED: dict[str, list[tuple[str, tuple[str, str], str]]] = {
    "onset-1000-months.yaml": [
        ("3:62", ("timeline.months_since_symptom_onset", "events[0].date"),
         "the symptoms counted must begin on or after the event"),
    ],
    "event-after-assessment.yaml": [
        ("2:28", ("events[0].date", "timeline.assessed"),
         "an event must come before the assessment"),
    ],
    "full-before-onset-months.yaml": [
        ("3:77", ("timeline.months_event_to_full_criteria",
                  "timeline.months_event_to_symptom_onset"),
         "the full picture cannot come before the first symptom"),
    ],
    "full-after-assessment-months.yaml": [
        ("3:108", ("timeline.months_event_to_full_criteria",
                   "timeline.months_since_symptom_onset"),
         "the full picture cannot come after the assessment"),
    ],
    "onset-months-vs-full-date.yaml": [
        ("3:43", ("timeline.months_event_to_symptom_onset", "timeline.full_criteria_met"),
         "the full picture cannot come before the first symptom"),
    ],
    "born-after-event.yaml": [
        ("3:28", ("events[0].date", "subject.age_years"), "before the person was born"),
        ("4:27", ("timeline.symptom_onset", "subject.age_years"), "before the person was born"),
    ],
    "onset-months-before-birth.yaml": [
        ("3:62", ("timeline.months_since_symptom_onset", "subject.age_years"),
         "before the person was born"),
    ],
}


def test_every_fixture_is_covered() -> None:
    assert {p.name for p in BAD.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_impossible_timeline_is_an_input_problem(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = BAD / name
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith(str(path))]
    assert len(lines) == len(EXPECTED[name]), err
    for line, (pos, fields, words) in zip(lines, EXPECTED[name], strict=True):
        assert line.startswith(f"{path}:{pos}: "), line
        for field in fields:
            assert field in line, (field, line)
        assert words in line, line
        assert "Traceback" not in err


def test_good_cases_beside_a_bad_timeline_are_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = TESTS / "cases" / "clear-full-ptsd.yaml"
    assert main(["check", str(good), str(BAD / "onset-1000-months.yaml"),
                 "--format", "json"]) == 2
    out = capsys.readouterr().out
    assert '"id": "clear-full-ptsd"' in out


def _problems(data: dict[str, Any], today: dt.date = dt.date(2026, 1, 1)) -> list[str]:
    case = Case.model_validate(data)
    rules = shipped(case.ruleset).rules  # the set the case is coded for
    return [f"{'.'.join(map(str, loc))}: {msg}"
            for loc, msg in case_problems(data, case, rules, today)]


EVENT = {"date": "2024-09-15", "nature": ["serious_injury"], "exposure": ["direct"]}


def test_the_api_refuses_what_check_refuses() -> None:
    found = _problems({"id": "x", "events": [EVENT],
                       "timeline": {"assessed": "2025-01-15", "months_since_symptom_onset": 1000}})
    assert len(found) == 1 and found[0].startswith("timeline.months_since_symptom_onset: ")


@pytest.mark.parametrize("months", [0, 1, 3.5, 4, 4.9])  # within the tolerance of 1 month
def test_months_within_the_time_since_the_event_are_fine(months: float) -> None:
    assert _problems({"id": "x", "events": [EVENT],
                      "timeline": {"assessed": "2025-01-15",
                                   "months_since_symptom_onset": months}}) == []


@pytest.mark.parametrize("months", [5.5, 6, 12, 1000, 100000])
def test_months_beyond_the_time_since_the_event_are_refused(months: float) -> None:
    found = _problems({"id": "x", "events": [EVENT],
                       "timeline": {"assessed": "2025-01-15",
                                    "months_since_symptom_onset": months}})
    assert len(found) == 1 and "must begin on or after the event" in found[0]


def test_several_undated_events_give_no_anchor_for_months() -> None:
    # the index event could be the undated one: nothing can be said for sure
    events = [EVENT, {"nature": ["serious_injury"], "exposure": ["direct"]}]
    assert _problems({"id": "x", "events": events,
                      "timeline": {"assessed": "2025-01-15",
                                   "months_since_symptom_onset": 60}}) == []


def test_the_flagged_event_is_the_anchor() -> None:
    early = {**EVENT, "date": "2020-01-01"}
    late = {**EVENT, "index": True}
    found = _problems({"id": "x", "events": [early, late],
                       "timeline": {"assessed": "2025-01-15", "months_since_symptom_onset": 24}})
    assert len(found) == 1 and "events[1].date" in found[0]


@pytest.mark.parametrize("age,ok", [(34, True), (10, True), (9, True), (8, True), (7, False)])
def test_ages(age: int, ok: bool) -> None:
    # born after the assessment minus (age + 1) years: the event on 2016-03-01 needs 8 or more
    event = {**EVENT, "date": "2016-03-01"}
    found = _problems({"id": "x", "subject": {"age_years": age}, "events": [event],
                       "timeline": {"assessed": "2025-01-15"}})
    assert (found == []) is ok, found
    assert ok or "before the person was born" in found[0]


def test_huge_months_never_overflow_the_calendar() -> None:
    found = _problems({"id": "x", "events": [{**EVENT, "index": True}],
                       "timeline": {"assessed": "2025-01-15",
                                    "months_event_to_symptom_onset": 1e9,
                                    "months_event_to_full_criteria": 1e12,
                                    "months_since_symptom_onset": 1e15}})
    assert found and all(re.match(r"timeline\.months_", f) for f in found)


def test_every_shipped_case_and_vignette_timeline_adds_up() -> None:
    """The checks are not so strict that a coded case fails them (the case tests
    load every file through check; this says why they would fail)."""
    from dsm5check.teach.vignettes import library

    for v in library():
        data = v.case.model_dump(mode="json", exclude_none=True)
        assert _problems(data, dt.date.max) == [], v.id
