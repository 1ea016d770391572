"""what-if: every suggested change set flips the verdict, and is minimal.

Property tests run on generated cases for the shipped ruleset and for a
made-up one (tests/rulesets/teach-toy.yaml); readable-output tests pin the
wording on vignettes whose answer a clinician knows.
"""

from __future__ import annotations

import datetime as dt
import json
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dsm5check.cases.case import Case
from dsm5check.cases.loading import RulesetResolver, load_case_file
from dsm5check.cli import main
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.engine.results import MET, NOT_MET, UNKNOWN
from dsm5check.engine.ruleset import LoadedRuleset, load_ruleset_file
from dsm5check.teach.changes import Change, apply_changes, base_data, get_path
from dsm5check.teach.vignettes import find
from dsm5check.teach.whatif import deciders, still_needed, what_if
from tests.conftest import TESTS

PTSD = shipped("dsm5-ptsd")
TOY = load_ruleset_file(TESTS / "rulesets" / "teach-toy.yaml")
ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)
]

answer = st.one_of(
    st.none(),
    st.integers(0, 4),
    st.booleans(),
    st.sampled_from(["present", "absent", "unknown"]),
    st.builds(
        lambda s, t: {"severity": s, "trauma_related": t},
        st.integers(0, 4), st.sampled_from([True, False, None]),
    ),
)
day = st.dates(dt.date(2023, 1, 1), dt.date(2025, 12, 31))


@st.composite
def events(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(0, 2))):
        ev: dict[str, Any] = {"date": draw(st.one_of(st.none(), day))}
        if draw(st.booleans()):
            ev["nature"] = draw(st.lists(st.sampled_from(
                ["actual_or_threatened_death", "serious_injury", "sexual_violence", "other"]),
                max_size=2, unique=True))
        if draw(st.booleans()):
            ev["exposure"] = draw(st.lists(st.sampled_from(
                ["direct", "witnessed", "learned_about_close_other", "repeated_aversive_details"]),
                max_size=2, unique=True))
        ev["violent_or_accidental"] = draw(st.sampled_from([True, False, None]))
        ev["via_media"] = draw(st.booleans())
        ev["work_related"] = draw(st.booleans())
        out.append(ev)
    return out


@st.composite
def ptsd_cases(draw: st.DrawFn) -> Case:
    evs = draw(events())
    onset = draw(st.one_of(st.none(), day))
    timeline: dict[str, Any] = {"symptom_onset": onset}
    if onset is not None and draw(st.booleans()):
        timeline["assessed"] = onset + dt.timedelta(days=draw(st.integers(0, 400)))
        timeline["full_criteria_met"] = onset + dt.timedelta(days=draw(st.integers(0, 30)))
    else:
        timeline["months_since_symptom_onset"] = draw(st.one_of(st.none(), st.integers(0, 9)))
    data = {
        "id": "gen",
        "unlisted_symptoms": draw(st.sampled_from(["unknown", "absent"])),
        "events": evs,
        "symptoms": {
            k: v for k in ITEMS if (v := draw(st.one_of(st.just("__omit__"), answer))) != "__omit__"
        },
        "dissociation": {
            "depersonalization": draw(answer),
            "derealization": draw(answer),
            "attributable_to_substance_or_medical": draw(st.sampled_from([True, False, None])),
        },
        "timeline": timeline,
        "impairment": draw(st.one_of(st.none(), st.booleans(), st.builds(
            lambda a, b: {"distress": a, "social": b},
            st.one_of(st.none(), st.integers(0, 4)), st.integers(0, 4)))),
        "attributable_to_substance_or_medical": draw(st.sampled_from([True, False, None])),
    }
    try:
        return Case.model_validate(data)
    except ValidationError:
        assume(False)
        raise


MET_BASE: dict[str, Any] = {
    "id": "near",
    "events": [{"date": dt.date(2024, 3, 2), "nature": ["serious_injury"],
                "exposure": ["direct"]}],
    "symptoms": {"B1": 3, "B2": 2, "C1": 2, "D2": 2, "D4": 3, "D6": 2, "E3": 3, "E4": 2,
                 "E6": 2},
    "dissociation": {"depersonalization": 0, "derealization": 0,
                     "attributable_to_substance_or_medical": False},
    "timeline": {"symptom_onset": dt.date(2024, 3, 20), "full_criteria_met": dt.date(2024, 5, 1),
                 "assessed": dt.date(2024, 9, 15)},
    "impairment": True,
    "attributable_to_substance_or_medical": False,
}


@st.composite
def near_met_cases(draw: st.DrawFn) -> Case:
    """A met case with a few random edits: met, near misses and undecided ones."""
    data = json.loads(json.dumps(MET_BASE, default=str))
    for _ in range(draw(st.integers(0, 4))):
        what = draw(st.sampled_from(["item", "item", "item", "event", "time", "g", "h", "diss"]))
        if what == "item":
            data["symptoms"][draw(st.sampled_from(ITEMS))] = draw(answer)
        elif what == "event":
            key = draw(st.sampled_from(
                ["nature", "exposure", "via_media", "violent_or_accidental"]))
            data["events"][0][key] = draw({
                "nature": st.sampled_from([["other"], ["actual_or_threatened_death"], []]),
                "exposure": st.sampled_from([["witnessed"], ["learned_about_close_other"], []]),
                "via_media": st.booleans(),
                "violent_or_accidental": st.sampled_from([True, False, None]),
            }[key])
        elif what == "time":
            data["timeline"]["assessed"] = str(dt.date(2024, 3, 20) + dt.timedelta(
                days=draw(st.integers(0, 200))))
        elif what == "g":
            data["impairment"] = draw(st.sampled_from([None, False, {"distress": 1}]))
        elif what == "h":
            data["attributable_to_substance_or_medical"] = draw(st.sampled_from([None, True]))
        else:
            data["dissociation"]["depersonalization"] = draw(answer)
    return Case.model_validate(data)


@st.composite
def toy_cases(draw: st.DrawFn) -> Case:
    data = {
        "id": "toy",
        "ruleset": "teach-toy",
        "subject": {"age_years": draw(st.one_of(st.none(), st.integers(10, 30)))},
        "events": [{"nature": draw(st.lists(st.sampled_from(["other", "serious_injury"]),
                                            max_size=1))}
                   for _ in range(draw(st.integers(0, 1)))],
        "symptoms": {f"T{i}": draw(st.one_of(st.none(), st.integers(0, 3))) for i in range(1, 5)},
        "timeline": {"months_since_symptom_onset": draw(st.one_of(st.none(), st.integers(0, 8)))},
        "attributable_to_substance_or_medical": draw(st.sampled_from([True, False, None])),
    }
    return Case.model_validate(data)


def _check_sets(loaded: LoadedRuleset, case: Case, max_changes: int) -> None:
    w = what_if(loaded, case, max_changes=max_changes)
    base = evaluate(loaded, case)
    data = base_data(case)
    if base.diagnosis == UNKNOWN:
        assert w.target is None and not w.sets
        return
    assert w.target == (NOT_MET if base.diagnosis == MET else MET)
    for s in w.sets:
        assert 1 <= len(s) <= max_changes
        assert len({c.path for c in s}) == len(s)
        for c in s:  # a change really changes something
            assert get_path(data, c.path) != c.value or c.value in (None, [], {})
        changed = apply_changes(data, s)
        assert changed is not None
        assert evaluate(loaded, changed).diagnosis == w.target, [c.text for c in s]
        for k in range(1, len(s)):
            for sub in combinations(s, k):
                smaller = apply_changes(data, sub)
                assert smaller is None or evaluate(loaded, smaller).diagnosis != w.target, (
                    "not minimal", [c.text for c in s], [c.text for c in sub])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.filter_too_much])
@given(st.one_of(ptsd_cases(), near_met_cases()), st.integers(1, 4))
def test_every_suggested_set_flips_the_verdict_and_is_minimal(case: Case, n: int) -> None:
    _check_sets(PTSD, case, n)


@settings(max_examples=80, deadline=None)
@given(toy_cases(), st.integers(1, 4))
def test_what_if_is_generic_over_rulesets(case: Case, n: int) -> None:
    _check_sets(TOY, case, n)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(st.one_of(ptsd_cases(), near_met_cases()))
def test_deciders_really_decide_the_undecided_criterion(case: Case) -> None:
    result = evaluate(PTSD, case)
    data = base_data(case)
    for d in deciders(result, PTSD, case):
        assert result.criterion(d.criterion).status == UNKNOWN
        for target, sets in ((MET, d.to_met), (NOT_MET, d.to_not_met)):
            for s in sets:
                changed = apply_changes(data, s)
                assert changed is not None
                assert evaluate(PTSD, changed).criterion(d.criterion).status == target


FAR = dt.date(9999, 12, 31)  # suggested dates may lie after today (a later re-assessment)


def _load_problems(case: Case, name: str = "changed.json") -> list[str]:
    raw = json.dumps(case.model_dump(mode="json")).encode()
    _, problems = load_case_file(name, raw, RulesetResolver(), today=FAR)
    return [str(p) for p in problems]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.filter_too_much])
@given(st.one_of(ptsd_cases(), near_met_cases()), st.integers(1, 3))
def test_every_suggested_set_gives_a_case_that_loads_without_problems(case: Case, n: int
                                                                      ) -> None:
    assume(not _load_problems(case, "base.json"))
    data = base_data(case)
    w = what_if(PTSD, case, max_changes=n)
    sets = list(w.sets) + [s for d in (*w.deciders, *w.needs) for s in (*d.to_met, *d.to_not_met)]
    for s in sets:
        changed = apply_changes(data, s)
        assert changed is not None
        assert _load_problems(changed) == [], [c.text for c in s]


def test_no_suggested_assessment_date_before_the_full_picture() -> None:
    """Moving the assessment before full_criteria_met would make the case invalid."""
    case = Case.model_validate({
        "id": "t1",
        "events": [{"date": "2025-01-10", "nature": ["serious_injury"], "exposure": ["direct"]}],
        "symptoms": {"B1": 3, "B2": 2, "C1": 2, "D2": 2, "D4": 3, "E3": 3, "E4": 2},
        "timeline": {"symptom_onset": "2025-01-15", "full_criteria_met": "2025-03-01",
                     "assessed": "2025-06-01"},
        "impairment": True, "attributable_to_substance_or_medical": False,
    })
    w = what_if(PTSD, case)
    assert w.target == NOT_MET and w.sets
    texts = [c.text for s in w.sets for c in s]
    assert not [t for t in texts if "timeline.assessed" in t], texts
    assert "G: distress or impairment: now yes; set to no" in texts


def _vignette_case(vid: str) -> Case:
    return find(vid).case


def test_not_met_for_want_of_one_d_symptom() -> None:
    w = what_if(PTSD, _vignette_case("v13-motorbike-concussion"))
    assert w.target == MET
    assert [[c.text for c in s] for s in w.sets] == [
        ["D1 cannot recall part of the event: now rated 4 (extreme, incapacitating),"
         " not linked to the event; make it related to the event"],
        ["D2 negative beliefs: now rated 0 (absent); rate it 2 or more"],
        ["D3 distorted blame: now rated 0 (absent); rate it 2 or more"],
        ["D5 lost interest: now rated 1 (mild, below threshold); rate it 2 or more"],
        ["D6 detached from others: now rated 1 (mild, below threshold); rate it 2 or more"],
        ["D7 cannot feel positive emotions: now rated 0 (absent); rate it 2 or more"],
    ]


def test_too_early_names_the_first_day_f_would_be_met() -> None:
    w = what_if(PTSD, _vignette_case("v16-bus-crash-three-weeks"))
    assert [[c.text for c in s] for s in w.sets] == [[
        "F: symptom duration more than 1 month — e.g. assessed date (now 2026-10-22)"
        " on or after 2026-11-02"
    ]]


def test_met_case_lists_the_single_changes_that_undo_it_first() -> None:
    w = what_if(PTSD, _vignette_case("v26-sea-crossing"))
    assert w.target == NOT_MET
    singles = [s[0].text for s in w.sets if len(s) == 1]
    # F is not offered: an assessment on 2024-05-11 would come before the full picture
    # (full_criteria_met 2024-05-25), which `check` rejects as an invalid case
    assert singles == [
        "G: distress or impairment: now distress 4, social 2, occupational 3; set to no",
        "H: attributable to substance or medical: now no; set to yes",
    ]


def test_undecided_case_says_what_decides_each_criterion() -> None:
    case = _vignette_case("v20-interview-cut-short")
    sentences = {d.criterion: d.sentence() for d in still_needed(evaluate(PTSD, case))}
    assert sentences == {
        "D": "met with any one of D1, D2, D3, D5, D6, D7 present;"
             " not met with all of D1, D2, D3, D5, D6, D7 absent",
        "E": "met with any one of E1, E2, E4, E5, E6 present;"
             " not met with all of E1, E2, E4, E5, E6 absent",
    }
    a = {d.criterion: d.sentence() for d in deciders(
        evaluate(PTSD, _vignette_case("v21-brother-found-dead")), PTSD,
        _vignette_case("v21-brother-found-dead"))}
    assert a == {"A": "met with violent or accidental of event 1 yes;"
                      " not met with violent or accidental of event 1 no"}


def test_count_needing_two_more_is_summarised() -> None:
    case = Case.model_validate({"id": "x", "symptoms": {"E1": None, "E2": None, "E3": 0}})
    found = {d.criterion: d for d in deciders(evaluate(PTSD, case))}
    assert found["E"].met_summary == "any 2 of E1, E2, E4, E5, E6 present"
    assert found["E"].not_met_summary == "any 4 of E1, E2, E4, E5, E6 absent"


def _flat(text: str) -> str:
    """Output with line wrapping (and tree guides on wrapped lines) undone."""
    return " ".join(w for w in text.split() if w != "│")


def _write(tmp_path: Path, text: str, name: str = "case.yaml") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


SUBTHRESHOLD = """\
id: sub-1
events: [{date: 2025-12-01, nature: [actual_or_threatened_death], exposure: [witnessed]}]
symptoms: {B1: 3, C2: 3, D1: 0, D2: 0, D3: 0, D4: 2, D5: 0, D6: 0, D7: 0,
           E1: 0, E2: 0, E3: 2, E4: 0, E5: 0, E6: 0}
timeline: {symptom_onset: 2025-12-02, assessed: 2026-03-09}
impairment: true
attributable_to_substance_or_medical: false
"""


def test_cli_text_groups_a_product_of_choices(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["what-if", _write(tmp_path, SUBTHRESHOLD)])
    out = capsys.readouterr().out
    assert code == 0
    assert "sub-1: PTSD (DSM-5) is NOT MET" in out
    assert "Smallest changes that would make it MET (2 changes, 30 ways):" in out
    assert "    D: any one of D1, D2, D3, D5, D6, D7 present" in out
    assert "    E: any one of E1, E2, E4, E5, E6 present" in out


def test_cli_json_and_max_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, SUBTHRESHOLD)
    assert main(["what-if", path, "--format", "json", "--max-changes", "1"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["diagnosis"] == "not_met" and record["target"] == "met"
    assert record["change_sets"] == []
    assert main(["what-if", path, "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert len(record["change_sets"]) == 30
    first = record["change_sets"][0]
    assert {c["criterion"] for c in first} == {"D", "E"}
    assert all(c["path"].startswith("symptoms.") and c["value"] == 2 for c in first)


def test_cli_many_ways_are_said_per_criterion(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, """\
id: n
unlisted_symptoms: absent
events: [{nature: [serious_injury], exposure: [direct], date: 2024-01-01}]
timeline: {symptom_onset: 2024-01-02, assessed: 2024-06-01}
impairment: true
attributable_to_substance_or_medical: false
""")
    assert main(["what-if", path, "--max-changes", "6"]) == 0
    out = capsys.readouterr().out
    assert "Smallest changes that would make it MET (6 changes, 400+ ways):" in out
    assert out.endswith(
        "  every one of:\n"
        "    B: any one of B1, B2, B3, B4, B5 present\n"
        "    C: any one of C1, C2 present\n"
        "    D: any 2 of D1, D2, D3, D4, D5, D6, D7 present\n"
        "    E: any 2 of E1, E2, E3, E4, E5, E6 present\n"
    )
    assert main(["what-if", path, "--max-changes", "9"]) == 2
    assert capsys.readouterr().err == (
        "dsm5check what-if: --max-changes: expected a number from 1 to 8, not 9\n")


def test_cli_no_set_within_reach(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # events: [] records that there was no event (left out, A would be undecided)
    empty = _write(tmp_path, "id: empty\nevents: []\n")
    assert main(["what-if", empty, "--max-changes", "2"]) == 0
    assert "No set of 2 changes or fewer makes it MET" in capsys.readouterr().out


def test_cli_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "id: bad\nsymptoms: {B1: 9}\n")
    assert main(["what-if", path]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2:" in err and "Traceback" not in err
    assert main(["what-if", path, "--max-changes", "0"]) == 2


def test_cli_other_ruleset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, """\
id: toy-1
ruleset: teach-toy
subject: {age_years: 16}
events: []
symptoms: {T1: 2, T2: 0, T3: 1}
timeline: {symptom_onset: 2026-01-10, assessed: 2026-02-20}
attributable_to_substance_or_medical: false
""")
    code = main(["what-if", "--rules", str(TESTS / "rulesets" / "teach-toy.yaml"), path])
    out = _flat(capsys.readouterr().out)
    assert code == 0
    assert "Toy weariness is NOT MET" in out
    assert "L: weariness lasting at least 2 months — e.g. assessed date (now 2026-02-20) on" \
           " or after 2026-03-10" in out
    assert "S: any one of T2, T4 present" in out
    assert "W2 after a long night: nature of event 1: now not given; add other (a new night)" \
        in out


def test_check_output_says_how_undecided_criteria_are_decided(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, """\
id: ind-1
events: [{nature: [serious_injury], exposure: [direct], date: 2024-01-01}]
symptoms: {B1: 3, C1: 2, D2: 2, E3: 3}
timeline: {symptom_onset: 2024-01-10, assessed: 2024-06-01}
impairment: true
attributable_to_substance_or_medical: false
""")
    main(["check", path])
    out = _flat(capsys.readouterr().out)
    assert "E: E1 irritability or anger, E2 risky or self-harming acts, E4 easily startled," \
           " E5 poor concentration, E6 sleep disturbance └── met with any one of E1, E2, E4," \
           " E5, E6 present; not met with all of E1, E2, E4, E5, E6 absent" in out
    main(["check", path, "--format", "json"])
    (record,) = json.loads(capsys.readouterr().out)
    assert set(record["what_if"]) == {"D", "E"}
    assert record["what_if"]["D"]["summary"].startswith("met with any one of D1, D3, D4")
    assert [c["text"] for c in record["what_if"]["D"]["to_met"][0]] == [
        "D1 cannot recall part of the event: now not assessed; rate it 2 or more"]


def test_change_records_are_plain() -> None:
    c = Change("symptoms.D5", "2", 2, "rate D5 at 2 or more", "D5", "present", "D")
    assert c.as_record() == {"path": "symptoms.D5", "value": 2,
                             "text": "rate D5 at 2 or more", "criterion": "D"}
