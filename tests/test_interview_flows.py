"""Whole interviews driven through prompt_toolkit's pipe input (questionary prompter).

Keys are sent as a clinician would type them; the pipe is closed afterwards,
so a script that runs out of keys ends like Ctrl-D (exit 130, draft kept).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import stat
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import yaml
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from dsm5check.cli import main
from dsm5check.interview.command import run_interview
from dsm5check.interview.prompts import Reply
from dsm5check.interview.questions import Question
from dsm5check.interview.terminal import TerminalPrompter
from tests.conftest import TESTS

TODAY = dt.date(2025, 1, 15)
TOY = str(TESTS / "rulesets" / "interview-toy.yaml")

# PTSD: case id, date (default), an event: description, date, nature, exposure, no more
EVENT = "vet-1\r\rybomb blast\r2024-03-02\r2\r1\rn"
FULL_ITEMS = "3y3y000" + "2y0" + "3y3y00002y" + "3y3y002y2y"  # B C D E, 6+ present
TIMELINE = "2024-03-20\rs"  # onset; full picture: s = from the start (same as onset)
FULL = EVENT + FULL_ITEMS + TIMELINE + "yn" + "03n"  # G yes, H no, dissociation


class Recording(TerminalPrompter):
    """Also writes each question to the transcript (the real one goes to DummyOutput)."""

    def ask(self, q: Question, default: Any, has_default: bool, unknown_label: str) -> Reply:
        self.out.write(f"[{q.label}] {q.prompt} ({unknown_label})\n")
        return super().ask(q, default, has_default, unknown_label)


def interview(tmp_path: Path, keys: str, *, rules: str | None = None,
              resume: str | None = None, no_skip: bool = False, out: str = "case.yaml",
              draft: str | None = None, rows: int = 200) -> tuple[int, str]:
    """Run an interview on ``keys``; the review fits one page of ``rows`` unless told."""
    buf = io.StringIO()
    with mock.patch.dict(os.environ, {"LINES": str(rows)}), create_pipe_input() as inp:
        inp.send_text(keys)
        inp.close()
        args = argparse.Namespace(
            out=str(tmp_path / out), resume=resume, draft=draft, rules=rules, plain=False,
            no_skip=no_skip)
        code = run_interview(args, Recording(inp, DummyOutput(), buf, color=False), TODAY)
    return code, buf.getvalue()


def saved(tmp_path: Path, name: str = "case.yaml") -> dict[str, Any]:
    data = yaml.safe_load((tmp_path / name).read_text())
    assert isinstance(data, dict)
    return data


def check_json(path: Path, *extra: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    main(["check", str(path), "--format", "json", *extra])
    record = json.loads(capsys.readouterr().out)[0]
    assert isinstance(record, dict)
    return record


def test_full_ptsd_interview_saves_a_case_that_check_reads_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = interview(tmp_path, FULL + "\r")
    assert code == 0, out
    case = saved(tmp_path)
    assert case["events"] == [{"description": "bomb blast", "date": dt.date(2024, 3, 2),
                               "nature": ["serious_injury"], "exposure": ["direct"]}]
    assert case["symptoms"]["B1"] == {"severity": 3, "trauma_related": True}
    assert case["symptoms"]["B3"] == 0
    assert case["timeline"] == {"assessed": TODAY, "symptom_onset": dt.date(2024, 3, 20),
                                "full_criteria_met": dt.date(2024, 3, 20)}
    assert case["impairment"] is True and case["attributable_to_substance_or_medical"] is False
    assert case["dissociation"] == {"depersonalization": 0, "derealization": 3,
                                    "attributable_to_substance_or_medical": False}
    assert "Status: A met" in out and "B met · C met · D met · E met" in out
    # the tree the interview showed is exactly what `check` prints
    capsys.readouterr()
    assert main(["check", str(tmp_path / "case.yaml")]) == 0
    checked = capsys.readouterr().out
    assert checked.strip() and checked.strip() in out
    record = check_json(tmp_path / "case.yaml", capsys=capsys)
    assert record["diagnosis"] == "met"
    assert record["specifiers"] == ["with_dissociative_symptoms", "chronic"]
    assert not (tmp_path / "case.yaml.draft.json").exists()  # removed once the case is saved
    assert stat.S_IMODE(os.stat(tmp_path / "case.yaml").st_mode) == 0o600


def test_no_event_a_not_met_and_stop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = interview(tmp_path, "nil\r\rn" + "s" + "\r")
    assert code == 0, out
    assert "A Exposure to a traumatic event: NOT MET" in out
    assert "Stop now" in out and "Stopped early: 22 rated items not asked" in out
    case = saved(tmp_path, "case.yaml")
    assert case["events"] == []
    # skipped items stay unknown: written as null, never as absent
    assert all(v is None for v in case["symptoms"].values()) and len(case["symptoms"]) == 20
    assert case["dissociation"] == {"depersonalization": None, "derealization": None}
    record = check_json(tmp_path / "case.yaml", capsys=capsys)
    assert record["diagnosis"] == "not_met"
    assert record["criteria"]["A"]["status"] == "not_met"
    assert record["criteria"]["B"]["status"] == "indeterminate"


def test_continue_anyway_after_a_not_met(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    keys = "trainee\r\rn" + "c" + "3y" + "0" * 4 + "00" + "0" * 7 + "0" * 6 + "2024-05-01\r\r" + \
        "nn00" + "\r"
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    case = saved(tmp_path)
    assert case["symptoms"]["B1"] == {"severity": 3, "trauma_related": True}
    assert case["symptoms"]["E6"] == 0
    assert out.count("Stop now") == 1  # offered once, not again after C or D
    record = check_json(tmp_path / "case.yaml", capsys=capsys)
    assert record["criteria"]["B"]["status"] == "met"
    assert record["criteria"]["G"]["status"] == "not_met"


def test_unknown_answers_become_null_never_absent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = ("unk\r\ry" + "?" + "?" + "?" + "?" + "n"  # description, date, nature, exposure
            + "3?" + "?" * 4 + "??" + "?" * 7 + "?" * 6  # B1 present, relation unknown
            + "?" + "?" + "\r"  # onset unknown -> months asked, unknown; full picture: Enter
            + "??" + "??" + "\r")  # G, H; dissociation
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    case = saved(tmp_path)
    event = case["events"][0]
    assert event["date"] is None and event["nature"] is None and event["exposure"] is None
    assert "description" not in event
    assert case["symptoms"]["B1"] == {"severity": 3, "trauma_related": None}
    assert case["symptoms"]["B2"] is None
    assert case["timeline"]["symptom_onset"] is None
    assert case["timeline"]["months_since_symptom_onset"] is None
    assert case["impairment"] is None and case["attributable_to_substance_or_medical"] is None
    record = check_json(tmp_path / "case.yaml", capsys=capsys)
    assert record["diagnosis"] == "indeterminate"
    assert record["criteria"]["B"]["status"] == "indeterminate"


def test_edit_from_review_screen(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # review: the G line (distress or impairment); change it to no, then save
    code, out = interview(tmp_path, FULL + "g\r" + "n" + "\r")
    assert code == 0, out
    # numbered lines; the old code (G) is still taken though no longer shown
    assert "  27  distress or impairment: yes, marked distress or impairment" in out
    assert "  27  distress or impairment: no, neither" in out
    assert saved(tmp_path)["impairment"] is False
    assert check_json(tmp_path / "case.yaml", capsys=capsys)["diagnosis"] == "not_met"


def test_edit_that_needs_a_new_follow_up(tmp_path: Path) -> None:
    # B3 was 0; raise it to 3: its follow-up is asked, then back to review
    code, out = interview(tmp_path, FULL + "B3\r" + "3" + "n" + "\r")
    assert code == 0, out
    assert ("   7  B3 flashbacks: 3 severe, clearly above threshold; began after the event: no"
            in out)
    assert saved(tmp_path)["symptoms"]["B3"] == {"severity": 3, "trauma_related": False}


def test_back_key_revisits_the_previous_answer(tmp_path: Path) -> None:
    # B1 3, follow-up: go back (<), change B1 to 1 (no follow-up now), continue
    keys = EVENT + "3" + "<" + "1" + "3y000" + "2y0" + "3y3y00002y" + "3y3y002y2y" + \
        TIMELINE + "yn" + "03n" + "\r"
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    symptoms = saved(tmp_path)["symptoms"]
    assert symptoms["B1"] == 1 and symptoms["B2"] == {"severity": 3, "trauma_related": True}


def test_notes_are_kept(tmp_path: Path) -> None:
    keys = EVENT + "n" + "wakes shouting\r" + "3y" + FULL_ITEMS[2:] + TIMELINE + "yn03n" + \
        "n\r" + "seen with an interpreter\r" + "\r"
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    case = saved(tmp_path)
    assert case["symptoms"]["B1"] == {"severity": 3, "trauma_related": True,
                                      "note": "wakes shouting"}
    assert case["notes"] == ["seen with an interpreter"]


def test_no_skip_never_offers_to_stop(tmp_path: Path) -> None:
    keys = "all\r\rn" + "0" * 20 + "nn00" + "\r"
    code, out = interview(tmp_path, keys, no_skip=True)
    assert code == 0, out
    assert "Stop now" not in out and "A Exposure to a traumatic event: NOT MET" in out
    assert saved(tmp_path)["symptoms"]["E6"] == 0


@pytest.mark.parametrize("key", ["\x03", "\x04"], ids=["ctrl-c", "ctrl-d"])
def test_interrupt_keeps_every_answer_and_resume_finishes(
    tmp_path: Path, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    first = EVENT + "3y3y0"
    code, out = interview(tmp_path, first + key + "3y")
    assert code == 130
    draft = tmp_path / "case.yaml.draft.json"
    assert f"draft: {draft}" in out and f"--resume {draft}" in out
    assert stat.S_IMODE(os.stat(draft).st_mode) == 0o600
    answers = json.loads(draft.read_text())["answers"]
    assert answers["symptoms.B3"] == 0 and "symptoms.B4" not in answers
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
    # resume: continues at B4 with everything before intact
    code, out = interview(tmp_path, "00" + FULL_ITEMS[7:] + TIMELINE + "yn03n\r",
                          resume=str(draft))
    assert code == 0, out
    assert "Resuming" in out and "[B4]" in out and "[B3]" not in out
    case = saved(tmp_path)
    assert case["events"][0]["description"] == "bomb blast"
    assert case["symptoms"]["B2"] == {"severity": 3, "trauma_related": True}
    assert check_json(tmp_path / "case.yaml", capsys=capsys)["diagnosis"] == "met"


def test_running_out_of_keys_before_any_answer(tmp_path: Path) -> None:
    code, out = interview(tmp_path, "")
    assert code == 130 and "nothing was saved" in out


def test_rejects_dates_that_make_an_invalid_case(tmp_path: Path) -> None:
    # symptoms before the event, then a date in the future, then a good one
    keys = EVENT + FULL_ITEMS + "2024-01-01\r2030-01-01\r2024-03-20\rs" + "yn03n\r"
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    assert "Not taken: symptoms began: symptoms began 2024-01-01" in out
    assert "before event 1 on 2024-03-02" in out
    assert "in the future" in out
    assert saved(tmp_path)["timeline"]["symptom_onset"] == dt.date(2024, 3, 20)


def test_toy_ruleset_is_interviewed_from_its_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # two happenings, the second is the index; worry both present; sleep S1 not after
    keys = ("toy\r\r" + "y" + "2024-01-02\r" + "2\r" + "y" + "2024-02-03\r" + "1\r" + "n" + "2"
            + "2y" + "4y" + "3n" + "1" + "c" + "n" + "\r")
    code, out = interview(tmp_path, keys, rules=TOY)
    assert code == 0, out
    assert "Did it start or get worse after the event?" in out and "no idea" in out
    assert "[happening 2: exposure]" in out and "Status: K met" in out
    assert "P met" in out and "Q not met" in out
    case = saved(tmp_path)
    assert case["ruleset"] == "interview-toy"
    assert case["events"][1]["index"] is True and "index" not in case["events"][0]
    assert case["symptoms"]["S1"] == {"severity": 3, "trauma_related": False}
    record = check_json(tmp_path / "case.yaml", "--rules", TOY, capsys=capsys)
    assert record["criteria"]["Q"]["status"] == "not_met"
    assert record["diagnosis"] == "not_met"


def test_impairment_ratings_and_overwrite_confirmation(tmp_path: Path) -> None:
    (tmp_path / "case.yaml").write_text("old\n")
    keys = FULL.replace(TIMELINE + "yn", TIMELINE + "r3?0" + "n") + "\r" + "y\r"
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    case = saved(tmp_path)
    assert case["impairment"] == {"distress": 3, "social": None, "occupational": 0}
    assert not (tmp_path / "case.yaml.draft.json").exists()


def test_not_known_whether_there_was_an_event_leaves_a_undecided(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = interview(tmp_path, "q\r\r?" + "0" * 20 + "nn00" + "\r", no_skip=True)
    assert code == 0, out
    assert saved(tmp_path)["events"] == [{}]
    record = check_json(tmp_path / "case.yaml", capsys=capsys)
    assert record["criteria"]["A"]["status"] == "indeterminate"


@pytest.mark.parametrize("key", ["\x03", "\x04"], ids=["ctrl-c", "ctrl-d"])
def test_interrupt_at_a_typed_answer(tmp_path: Path, key: str) -> None:
    code, out = interview(tmp_path, "vet\r\ry" + "half typed" + key)
    assert code == 130 and "Continue with: dsm5check interview --resume" in out
    answers = json.loads((tmp_path / "case.yaml.draft.json").read_text())["answers"]
    assert answers == {"id": "vet", "timeline.assessed": "2025-01-15", "events.any": True}


def test_review_lines_are_numbered_and_in_words(tmp_path: Path) -> None:
    """The review shows no internal codes (T1, ev1, id, flow.stop_after.N): lines are
    numbered, items keep their id; a number, an item id or an old code all edit."""
    import re

    from tests.test_plain_language import internal_ids

    # 27 is the distress line; then the old code t1 (symptoms began) still works
    code, out = interview(tmp_path, FULL + "27\r" + "n" + "t1\r" + "2024-03-21\r" + "s" + "\r")
    assert code == 0, out
    review = out[out.index("== Review"):out.index("Saved ")]
    assert "  27  distress or impairment: no, neither" in review
    assert "  25  symptoms began: 2024-03-21" in review
    assert "   5  B1 intrusive memories: 3 severe" in review
    assert "Timeline (criterion F)" in review
    shown = [ln for ln in review.splitlines() if re.match(r"\s+\d+  ", ln)]
    assert len(shown) >= 31
    for ln in shown:
        first = ln.split()[1]
        assert first not in {"T1", "T3", "ev", "ev1", "id", "date", "G", "H", "DS"}, ln
    assert internal_ids(review, ["vet-1", "bomb blast"]) == [], review


def test_stopped_review_names_no_field_path(tmp_path: Path) -> None:
    code, out = interview(tmp_path, EVENT + "00000" + "s" + "\r" * 5)
    assert code == 0, out
    review = out[out.index("== Review"):out.index("Saved ")]
    assert "stop_after" not in review and "flow." not in review, review
    assert "  10  stop or continue: stop here and review" in review
