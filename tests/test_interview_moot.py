"""A question about the case as a whole is asked only while its answer can still
change a result (issue 10): ICD-11's "lasted several weeks" is the clinician's
judgement for symptoms of two weeks up to a month; with the symptoms' start known
to be months ago, or days ago, no answer to it changes anything, and it is not
asked. Generic: the interview tries each answer on the engine (deps.can_matter);
no ruleset or question is named in the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_interview_flows import TODAY, interview, saved

# TODAY is 2025-01-15: an event, every symptom present, impairment, then the onset
HEAD = "v\r\ryx\r2024-10-01\ry2\r1\rn" + "3y" * 6 + "333"
ASKED = "[lasted several weeks]"


@pytest.mark.parametrize("rules", ["icd11-ptsd", "icd11-cptsd"])
@pytest.mark.parametrize(("onset", "asked", "duration"), [
    ("2024-10-10\r", False, "met"),  # three months and more: a month or more, met
    ("2025-01-10\r", False, "not_met"),  # five days: under two weeks, not met
    ("2024-12-25\r", True, "met"),  # three weeks: the judgement decides (answered yes)
    ("??", True, "met"),  # no date, no months: the judgement alone decides
])
def test_several_weeks_is_asked_only_when_it_can_matter(
    tmp_path: Path, rules: str, onset: str, asked: bool, duration: str
) -> None:
    from dsm5check import evaluate

    keys = HEAD + onset + ("y" if asked else "") + "\r" * 60
    code, out = interview(tmp_path, keys, rules=rules)
    assert code == 0, out[-2000:]
    assert (ASKED in out) is asked, out[-3000:]
    case = saved(tmp_path)
    timeline = case.get("timeline") or {}
    assert ("lasted_several_weeks" in timeline) is asked, timeline
    result = evaluate(tmp_path / "case.yaml", today=TODAY)
    assert {c.id: c.status for c in result.criteria}["duration"] == duration


def test_an_answer_made_moot_is_forgotten_and_asked_again_when_it_matters(
    tmp_path: Path,
) -> None:
    """Three weeks, judged several weeks; back (through the judgement) to the date,
    now three months: the judgement is moot and is forgotten; back again to three
    weeks: asked afresh, not taken from before."""
    import json

    change = HEAD + "2024-12-25\r" + "y" + "<<" + "2024-10-10\r"
    code, _ = interview(tmp_path, change, rules="icd11-ptsd")  # the keys end here: Ctrl-D
    assert code == 130
    answers = json.loads((tmp_path / "case.yaml.draft.json").read_text())["answers"]
    assert answers["timeline.symptom_onset"] == "2024-10-10"
    assert "timeline.lasted_several_weeks" not in answers
    again = tmp_path / "again"
    again.mkdir()
    code, out = interview(again, change + "<" + "2024-12-25\r" + "n" + "\r" * 60,
                          rules="icd11-ptsd")
    assert code == 0, out[-2000:]
    # asked, shown again on the way back, then asked afresh once it matters again
    assert out.count(ASKED) == 3, out[-3000:]
    assert saved(again)["timeline"]["lasted_several_weeks"] is False
