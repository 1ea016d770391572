"""Interview fixes after testing: safe Enter defaults, drafts checked on resume,
refused typed answers, the review screen's errors and notes."""

from __future__ import annotations

import argparse
import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from dsm5check.cli import main
from dsm5check.engine.registry import shipped
from dsm5check.errors import InputError
from dsm5check.interview import command
from dsm5check.interview.defaults import rules_out
from dsm5check.interview.flow import plan_flow
from dsm5check.interview.model import case_questions
from dsm5check.interview.prompts import PlainPrompter
from dsm5check.interview.questions import block_questions, compile_plan
from dsm5check.interview.terminal import TerminalPrompter
from tests.conftest import TESTS
from tests.test_interview_flows import EVENT, FULL_ITEMS, TIMELINE, TODAY, interview, saved

PTSD = shipped("dsm5-ptsd")


def test_enter_on_the_substance_questions_records_not_known_never_yes(tmp_path: Path) -> None:
    # G yes; H: Enter; dissociation 0, 3, then Enter on "only under a substance?"
    keys = EVENT + FULL_ITEMS + TIMELINE + "y" + "\r" + "03" + "\r" + "\r"
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    case = saved(tmp_path)
    assert case["attributable_to_substance_or_medical"] is None
    assert case["dissociation"]["attributable_to_substance_or_medical"] is None


def test_plain_enter_without_a_default_is_not_known() -> None:
    plan = compile_plan(PTSD, TODAY)
    h = next(q for b in range(len(plan.blocks)) for q in block_questions(plan, b, {})
             if q.key == "attributable_to_substance_or_medical")
    assert not h.has_default
    out = io.StringIO()
    reply = PlainPrompter(io.StringIO("\n"), out).ask(h, None, False, "not known")
    assert reply.action == "answer" and reply.value is None
    assert "Enter: not known" in out.getvalue()


def test_a_declared_default_that_rules_out_is_not_offered() -> None:
    plan = compile_plan(PTSD, TODAY)
    answers: dict[str, Any] = {
        "id": "x", "timeline.assessed": "2025-01-15", "events.any": True,
        "events.0.description": "", "events.0.date": "2024-05-01",
        "events.0.nature": ["serious_injury"], "events.0.exposure": ["repeated_aversive_details"],
        "events.0.via_media": True,
    }
    qs = {q.key: q for q in plan_flow(plan, answers).questions}
    # the shipped ruleset declares no yes/no default; a ruleset may (here: "no")
    work = dataclasses.replace(qs["events.0.work_related"], default=False, has_default=True)
    assert rules_out(plan, answers, work, False)  # "not at work" rules out the event
    assert not rules_out(plan, answers, work, True)
    media = qs["events.0.via_media"]
    assert not rules_out(plan, answers, media, False)  # "not only through media" is safe
    assert not rules_out(plan, {**answers, "events.0.exposure": ["direct"]}, qs["events.any"],
                         True)


def _resume(tmp_path: Path, answers: str) -> list[str]:
    draft = tmp_path / "d.draft.json"
    draft.write_text('{"format": "dsm5check-interview-draft", "version": 1,\n'
                     ' "rules": "dsm5-ptsd",\n "answers": ' + answers + "}\n")
    args = argparse.Namespace(out=str(tmp_path / "c.yaml"), resume=str(draft), draft=None,
                              rules=None, plain=True, no_skip=False)
    try:
        command.run_interview(args, PlainPrompter(io.StringIO(""), io.StringIO()), TODAY)
    except InputError as err:
        return [str(p) for p in err.problems]
    return []


def test_damaged_draft_answers_are_each_reported_with_their_position(tmp_path: Path) -> None:
    found = _resume(tmp_path, '{"id": "x", "timeline.assessed": "2025-02-30",\n'
                              '  "symptoms.B1": 9, "symptoms.Z1": 2, "events.any": "yes"}')
    draft = tmp_path / "d.draft.json"
    assert found == [
        f'{draft}:3:46: got "2025-02-30": expected a date as YYYY-MM-DD'
        " (at answers.timeline.assessed)",
        f"{draft}:4:18: got 9: expected one of 0, 1, 2, 3, 4, or null (not known)"
        " (at answers.symptoms.B1)",
        f"{draft}:4:36: not a question of this interview (unknown answer key)"
        " (at answers.symptoms.Z1)",
        f'{draft}:4:53: got "yes": expected one of true, false, or null (not known)'
        " (at answers.events.any)",
    ]


def test_damaged_draft_exits_2_from_the_command_line(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    draft = tmp_path / "d.draft.json"
    draft.write_text('{"format":"dsm5check-interview-draft","version":1,"rules":"dsm5-ptsd",'
                     '"answers":{"id":"x","timeline.assessed":"2025-02-30"}}')
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    assert main(["interview", "--resume", str(draft), "--plain"]) == 2
    err = capsys.readouterr().err
    assert f"{draft}:1:" in err and "answers.timeline.assessed" in err
    assert "Traceback" not in err


def test_answers_left_over_from_an_edit_are_not_problems(tmp_path: Path) -> None:
    # months were given, then the onset date; a second event was later dropped
    assert _resume(tmp_path, '{"id": "x", "timeline.assessed": "2025-01-10",'
                             ' "events.any": true, "events.0.more": false,'
                             ' "events.1.date": "2024-02-01", "events.1.via_media": true,'
                             ' "timeline.symptom_onset": "2024-03-01",'
                             ' "timeline.months_since_symptom_onset": 2.5,'
                             ' "symptoms.B1": 0, "symptoms.B1.onset": true,'
                             ' "symptoms.B1.note": "said twice", "notes": ["n1"],'
                             ' "flow.stop_after.1": "continue"}') == []


def test_draft_dates_out_of_order_are_reported_at_the_answer(tmp_path: Path) -> None:
    found = _resume(tmp_path, '{"id": "x", "timeline.assessed": "2025-01-10",'
                              ' "events.any": true, "events.0.date": "2024-06-01",\n'
                              ' "symptoms.B1": 3, "timeline.symptom_onset": "2024-03-01"}')
    assert found == [f"{tmp_path / 'd.draft.json'}:4:46: symptoms began 2024-03-01"
                     " (timeline.symptom_onset), before the event on 2024-06-01"
                     " (events[0].date): the symptoms counted must begin on or after it"
                     " (at answers.timeline.symptom_onset)"]


def test_a_badly_formatted_date_is_refused_and_the_field_starts_empty_again() -> None:
    q = next(q for q in case_questions(TODAY) if q.kind == "date")
    out = io.StringIO()
    with create_pipe_input() as inp:
        inp.send_text("2025-13-40\r2025-01-15\r")
        inp.close()
        reply = TerminalPrompter(inp, DummyOutput(), out, color=False).ask(
            q, None, False, "not known")
    assert reply.value == "2025-01-15"  # not "2025-13-402025-01-15"
    assert "Not taken: '2025-13-40': expected a date as YYYY-MM-DD" in out.getvalue()


def test_plain_prompter_refuses_the_same_way() -> None:
    q = next(q for q in case_questions(TODAY) if q.kind == "date")
    out = io.StringIO()
    reply = PlainPrompter(io.StringIO("2025-13-40\n2025-01-15\n"), out).ask(
        q, None, False, "not known")
    assert reply.value == "2025-01-15"
    assert "Not taken: '2025-13-40': expected a date" in out.getvalue()


def test_review_errors_are_said_at_the_prompt_and_notes_are_never_lost(tmp_path: Path) -> None:
    toy = str(TESTS / "rulesets" / "interview-toy.yaml")
    lines = ["toy", "", "y", "2024-01-02", "1", "n", "3", "y", "2", "y", "0", "?", "n",
             "99", "seen twice", "y", "n: second note", "n", "", ""]
    stdin, out = io.StringIO("\n".join(lines) + "\n"), io.StringIO()
    args = argparse.Namespace(out=str(tmp_path / "t.yaml"), resume=None, draft=None,
                              rules=toy, plain=True, no_skip=False)
    code = command.run_interview(args, PlainPrompter(stdin, out), TODAY)
    text = out.getvalue()
    assert code == 0, text
    prompts = [line.removeprefix("> ") for line in text.splitlines()
               if line.startswith("> Not taken: ")]
    assert prompts[0].startswith("Not taken: '99' is not a line on this list. ")
    # the refusal is the prompt itself, right where the next entry is typed; the list
    # is shown again only after a note was added (twice), not after a refusal
    assert text.count("== Review") == 3
    assert prompts[1].startswith("Not taken: 'seen twice' is not a line on this list")
    assert "(or y to keep it as a case note)" in prompts[1]
    assert "No note added." in text
    assert saved(tmp_path, "t.yaml")["notes"] == ["seen twice", "second note"]


def test_draft_naming_an_unknown_ruleset_is_reported_at_its_rules_key(tmp_path: Path) -> None:
    draft = tmp_path / "d.draft.json"
    draft.write_text('{"format": "dsm5check-interview-draft", "version": 1,\n'
                     ' "rules": "no-such-rules", "answers": {"id": "x"}}\n')
    args = argparse.Namespace(out=None, resume=str(draft), draft=None, rules=None, plain=True,
                              no_skip=False)
    with pytest.raises(InputError) as err:
        command.run_interview(args, PlainPrompter(io.StringIO(""), io.StringIO()), TODAY)
    (problem,) = err.value.problems
    assert str(problem).startswith(f"{draft}:2:11: no shipped ruleset 'no-such-rules'")
    assert str(problem).endswith("(at rules)")


def test_months_figures_that_disagree_are_noted_in_words_not_refused() -> None:
    """A ruleset whose interview asks months figures: estimates that disagree only
    with each other (the contract's own example) are taken as given and noted,
    naming the question, as check shows them as a caution."""
    from dsm5check.interview.answers import cautions
    from dsm5check.interview.model import Question

    asked = [Question(f"t{i}", "number", "?", label, 3, target=("timeline", key))
             for i, (key, label) in enumerate([
                 ("months_since_symptom_onset", "months since the symptoms began"),
                 ("months_event_to_symptom_onset", "months from the event to the symptoms"),
                 ("months_event_to_full_criteria", "months from the event to the full picture"),
             ])]
    data = {"id": "m", "timeline": {"months_since_symptom_onset": 5,
                                    "months_event_to_symptom_onset": 0.5,
                                    "months_event_to_full_criteria": 7}}
    said = cautions(asked, data)
    assert said and all(s.startswith("months from the event to the full picture: ")
                        for s in said), said
    assert not any("timeline." in s or "_" in s for s in said), said
    data["timeline"]["months_event_to_full_criteria"] = 3
    assert cautions(asked, data) == []
