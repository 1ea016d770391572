"""Timelines that add up (issue 9 point 2): every impossible timeline is an input
problem at file:line:col naming both fields, exit 2 (the contract's code for input
that cannot be used); the same check serves check, the interview and the API."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dsm5check.cases.case import Case
from dsm5check.cases.case_checks import case_problems
from dsm5check.cli import main
from dsm5check.engine.registry import shipped
from tests.conftest import TESTS

BAD = TESTS / "bad_timeline"
#: months figures that disagree only with each other: checked as given, with a caution
#: (these two were input problems before: docs/case-format.md, "Months figures that
#: disagree")
CAUTION = TESTS / "caution_timeline"
CAUTIONS = {
    "full-before-onset-months.yaml": "the full picture cannot come before the first symptom",
    "full-after-assessment-months.yaml": "the full picture cannot come after the assessment",
}

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
    assert {p.name for p in CAUTION.iterdir()} == set(CAUTIONS)


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


@pytest.mark.parametrize("name", sorted(CAUTIONS))
def test_months_that_disagree_only_with_each_other_are_a_caution(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = CAUTION / name
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    said = " ".join(out.split())
    assert "Caution: the months figures disagree" in said
    assert CAUTIONS[name].capitalize() in said
    assert "Months figures are estimates, so the case was checked as given" in said
    assert "months_" not in said  # in words, not keys
    assert main(["check", "--format", "json", str(path)]) == 0
    records = json.loads(capsys.readouterr().out)
    (caution,) = records[0]["cautions"]
    assert caution["at"] == "timeline.months_event_to_full_criteria"
    assert CAUTIONS[name].capitalize() in caution["message"]


CONTRACT_MONTHS = {"months_since_symptom_onset": 5, "months_event_to_symptom_onset": 0.5,
                   "months_event_to_full_criteria": 7}
UNDATED = {"nature": ["serious_injury"], "exposure": ["direct"]}


def _case_file(tmp_path: Path, event: dict[str, Any], timeline: dict[str, Any]) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps({
        "id": "contract", "events": [event], "timeline": timeline,
        "symptoms": {"B1": 3, "C1": 3, "D1": 3, "D2": 3, "E1": 3, "E2": 3},
        "impairment": True, "attributable_to_substance_or_medical": False}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("event", "extra"), [
    (UNDATED, {}),  # the contract's example as written: months, no dates
    (EVENT, {}),  # the event dated
    (UNDATED, {"assessed": "2025-01-15"}),
    (EVENT, {"assessed": "2025-05-01"}),  # 7.5 months after the event: the dates agree
])
def test_the_contracts_months_example_is_accepted_with_a_caution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], event: dict[str, Any],
    extra: dict[str, Any],
) -> None:
    """The contract shows the three months keys together (5, 0.5, 7): every key and
    value it shows is accepted; the figures disagree (the full picture 6.5 months
    after the first symptoms, which began 5 months before the assessment), which
    a caution says, dated event or not."""
    path = _case_file(tmp_path, event, {**CONTRACT_MONTHS, **extra})
    assert main(["check", "--format", "jsonl", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    record = json.loads(out)
    assert record["diagnosis"] in ("met", "not_met", "indeterminate")
    (caution,) = record["cautions"]
    assert ("comes 6.5 months after the first symptoms (0.5 months after the event), but the"
            " symptoms began only 5 months before the assessment") in caution["message"]
    assert main(["check", str(path)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "Caution: the months figures disagree: the full picture 7 months after" in said


#: The shared contract's example (case-format.md, format 1), its timeline given
#: "in months, when dates are unknown" exactly as the contract shows them.
CONTRACT_EXAMPLE = """\
id: vet-014                    # required; unique within one run
ruleset: dsm5-ptsd             # optional; default dsm5-ptsd
subject: {age_years: 34}       # optional
unlisted_symptoms: unknown     # optional: unknown (default) | absent

events:                        # criterion A; zero or more
  - id: ied-blast              # optional
    nature: [serious_injury]   # any of: actual_or_threatened_death, serious_injury,
                               #         sexual_violence, other
    exposure: [direct]         # any of: direct (A1), witnessed (A2),
    violent_or_accidental: true   # A3 with death: counts only when true
    via_media: false              # seen through TV, film, pictures, electronic media:
    work_related: false           #   A4 only when work related
    index: true                   # optional: the index event for the timeline

symptoms:                      # B1-B5, C1-C2, D1-D7, E1-E6
  B1: 3                        # severity 0-4 (counts when >= the ruleset's threshold)
  B2: true                     # or present / absent
  D1: {severity: 3, trauma_related: false, note: "amnesia from a head injury"}
  E6: null                     # null or omitted: not assessed (see unlisted_symptoms)

dissociation:                  # optional, for "with dissociative symptoms"
  depersonalization: 3         # same value forms as symptoms
  derealization: 0
  attributable_to_substance_or_medical: false

timeline:
  # ... or months, when dates are unknown:
  months_since_symptom_onset: 5
  months_event_to_symptom_onset: 0.5
  months_event_to_full_criteria: 7

impairment: true
attributable_to_substance_or_medical: false
"""


def test_the_contracts_example_in_months_is_checked_with_a_caution(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "vet-014.yaml"
    path.write_text(CONTRACT_EXAMPLE, encoding="utf-8")
    assert main(["check", str(path)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    said = " ".join(out.split())
    assert ("Caution: the months figures disagree: the full picture 7 months after the event"
            " comes 6.5 months after the first symptoms (0.5 months after the event), but the"
            " symptoms began only 5 months before the assessment.") in said
    assert main(["check", "--format", "jsonl", str(path)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert [c["at"] for c in record["cautions"]] == ["timeline.months_event_to_full_criteria"]
    assert main(["check", "--explain", str(path)]) == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "Timelines: months figures are estimates." in said
    data = yaml.safe_load(CONTRACT_EXAMPLE)
    assert _problems(data) == []


def test_a_contradiction_involving_dates_is_still_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # date against date
    path = _case_file(tmp_path, EVENT, {"symptom_onset": "2024-10-01",
                                        "full_criteria_met": "2024-09-20",
                                        "assessed": "2025-01-15"})
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "the full picture cannot come before the first symptom" in err
    # a months figure counted from the event's date, against the assessment's date
    path = _case_file(tmp_path, EVENT, {**CONTRACT_MONTHS, "assessed": "2025-02-01"})
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "the full picture cannot come after the assessment" in err
    assert "timeline.assessed" in err


def test_months_within_the_tolerance_give_no_caution() -> None:
    from dsm5check.cases.cautions import case_cautions

    for timeline in ({"months_event_to_symptom_onset": 2, "months_event_to_full_criteria": 1.5},
                     {"months_since_symptom_onset": 5, "months_event_to_symptom_onset": 0.5,
                      "months_event_to_full_criteria": 6.5},
                     {"months_event_to_symptom_onset": 0.5, "months_event_to_full_criteria": 7}):
        case = Case.model_validate({"id": "x", "events": [UNDATED], "timeline": timeline})
        assert case_cautions(case) == [], timeline


def test_cautions_in_records_and_in_workers(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """record_json writes the same bytes as encoding case_record, cautions included, and a
    run in worker processes carries them as one process does."""
    from dsm5check.cases.cautions import CautionedResult, with_cautions
    from dsm5check.engine.evaluate import evaluate
    from dsm5check.render.records import case_record, record_json

    data = yaml.safe_load(CONTRACT_EXAMPLE)
    case = Case.model_validate(data)
    result = with_cautions(evaluate(shipped("dsm5-ptsd"), case), case)
    assert isinstance(result, CautionedResult) and result.cautions
    encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    assert record_json(result) == encode(case_record(result))
    plain = Case.model_validate({**data, "timeline": {"months_since_symptom_onset": 5}})
    bare = with_cautions(evaluate(shipped("dsm5-ptsd"), plain), plain)
    assert not isinstance(bare, CautionedResult) and "cautions" not in case_record(bare)
    for i in range(3):
        (tmp_path / f"c{i}.yaml").write_text(CONTRACT_EXAMPLE.replace("vet-014", f"v{i}"),
                                             encoding="utf-8")
    assert main(["check", "--format", "jsonl", "-j", "2", str(tmp_path)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [len(r["cautions"]) for r in records] == [1, 1, 1]


def test_the_api_carries_cautions() -> None:
    import dsm5check

    result = dsm5check.evaluate(yaml.safe_load(CONTRACT_EXAMPLE), today=dt.date(2026, 1, 1))
    assert [c["at"] for c in result.to_dict()["cautions"]] == [
        "timeline.months_event_to_full_criteria"]
