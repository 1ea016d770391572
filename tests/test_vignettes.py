"""The vignette library: every story's coding gives its expected verdict.

Beyond the verdicts: ids are unique, the library spans what trainees must
see (every criterion failed at least once, every specifier, all three
verdicts), the narratives are real stories that mention the dates the coding
depends on, and a broken vignette file is reported as file:line:col.
"""

from __future__ import annotations

import calendar
from collections import Counter
from pathlib import Path

import pytest

from dsm5check.cases.case import ItemDetail
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.engine.results import MET, NOT_MET, UNKNOWN
from dsm5check.errors import InputError
from dsm5check.teach.vignettes import Vignette, find, library, load_folder

LIBRARY = library()
IDS = [v.id for v in LIBRARY]


def test_library_is_large_enough_and_ids_are_unique() -> None:
    assert len(LIBRARY) >= 24
    assert len(set(IDS)) == len(IDS)
    assert [v.id for v in LIBRARY] == sorted(IDS)


@pytest.mark.parametrize("vignette", LIBRARY, ids=IDS)
def test_coding_gives_the_expected_verdict(vignette: Vignette) -> None:
    result = evaluate(shipped(vignette.case.ruleset), vignette.case)
    exp = vignette.case.expected
    assert exp is not None
    assert set(exp.criteria) == {c.id for c in result.criteria}
    assert result.mismatches == (), [str(m) for m in result.mismatches]


@pytest.mark.parametrize("vignette", LIBRARY, ids=IDS)
def test_narrative_is_a_story_that_dates_what_the_coding_needs(vignette: Vignette) -> None:
    text = vignette.narrative
    assert len(text.split()) >= 120, "a paragraph or two of clinical story"
    assert vignette.title and vignette.teaching_points
    case = vignette.case
    index = next((e for e in case.events if e.index), case.events[0] if case.events else None)
    dates = [index.date if index else None]
    if case.timeline is not None:
        dates.append(case.timeline.assessed)
    for day in dates:
        if day is not None:
            assert f"{calendar.month_name[day.month]} {day.year}" in text, day
    if case.subject and case.subject.age_years:
        assert str(case.subject.age_years) in text


@pytest.mark.parametrize("vignette", LIBRARY, ids=IDS)
def test_discounted_symptoms_say_why(vignette: Vignette) -> None:
    for key, value in vignette.case.symptoms.items():
        if isinstance(value, ItemDetail) and value.trauma_related is False:
            assert value.note, f"{key} is marked unrelated to the event without a note"


def test_library_spans_every_way_to_fail_and_every_specifier() -> None:
    results = [evaluate(shipped(v.case.ruleset), v.case) for v in LIBRARY
               if v.case.ruleset == "dsm5-ptsd"]  # other sets: tests/test_icd11.py
    diagnoses = Counter(r.diagnosis for r in results)
    assert diagnoses[MET] >= 8 and diagnoses[NOT_MET] >= 12 and diagnoses[UNKNOWN] >= 2
    rules = shipped("dsm5-ptsd").rules
    failed = {c.id for r in results for c in r.criteria if c.status == NOT_MET}
    assert failed == {c.id for c in rules.criteria}
    undecided = {c.id for r in results for c in r.criteria if c.status == UNKNOWN}
    assert len(undecided) >= 2
    applied = {s for r in results for s in r.applied_specifiers}
    assert applied == {s.id for s in rules.specifiers}
    # the edge case of delayed expression without delayed onset is in the library
    assert any(
        "with_delayed_expression" in r.applied_specifiers
        and "with_delayed_onset" not in r.applied_specifiers
        for r in results
    )
    levels = Counter(v.difficulty for v in LIBRARY)
    assert set(levels) == {"introductory", "intermediate", "advanced"}


def test_find_unknown_vignette_points_to_the_list_and_close_ids() -> None:
    assert find(IDS[0]).id == IDS[0]
    assert find(IDS[0].upper()).id == IDS[0]  # any case
    assert find(IDS[0][:3]).id == IDS[0]  # the one id that starts so
    with pytest.raises(InputError) as err:
        find("no-such-story")
    assert str(err.value) == "no vignette 'no-such-story' (`dsm5check quiz --list` lists them)"
    with pytest.raises(InputError) as err:
        find(IDS[0][:-1] + "x")
    assert f"did you mean {IDS[0]!r}?" in str(err.value)


GOOD = (Path(__file__).parent.parent / "dsm5check" / "vignettes" / "v16-bus-crash-three-weeks.yaml")


def test_bad_vignette_files_point_at_the_line(tmp_path: Path) -> None:
    text = GOOD.read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(text, encoding="utf-8")  # same id again
    bad = text.replace("    B2: 4\n", "    B2: 9\n").replace(
        "id: v16-bus-crash-three-weeks", "id: v99-broken")
    (tmp_path / "c.yaml").write_text(bad, encoding="utf-8")
    missing = text.replace(", H: met}", "}").replace(
        "id: v16-bus-crash-three-weeks", "id: v98-no-h")
    (tmp_path / "d.yaml").write_text(missing, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_folder(tmp_path)
    shown = [str(p) for p in err.value.problems]
    b2_line = bad.splitlines().index("    B2: 9") + 1
    assert any(s.startswith(f"{tmp_path / 'c.yaml'}:{b2_line}:") for s in shown), shown
    assert any("b.yaml:1:1: vignette id 'v16-bus-crash-three-weeks' already used" in s
               for s in shown), shown
    assert any("d.yaml" in s and "missing H" in s for s in shown), shown
