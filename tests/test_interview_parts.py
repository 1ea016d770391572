"""The interview's pure parts (questions, flow, status), the plain prompter, drafts, CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest

from dsm5check.cli import main
from dsm5check.engine.registry import DEFAULT_RULESET, shipped
from dsm5check.engine.ruleset import load_ruleset_file, parse_ruleset
from dsm5check.errors import InputError
from dsm5check.interview import command
from dsm5check.interview.answers import case_data
from dsm5check.interview.draft import Draft, atomic_write, load_draft
from dsm5check.interview.flow import plan_flow, stop_key
from dsm5check.interview.prompts import PlainPrompter
from dsm5check.interview.questions import compile_plan
from dsm5check.interview.status import running_status
from tests.conftest import ROOT, TESTS

TODAY = dt.date(2025, 1, 15)
TOY = TESTS / "rulesets" / "interview-toy.yaml"


def toy_plan(**kw: Any) -> Any:
    return compile_plan(load_ruleset_file(TOY), TODAY, **kw)


def test_questions_come_from_the_ruleset() -> None:
    plan = toy_plan()
    assert [b.title for b in plan.blocks] == ["Case", "Happenings", "P Worry", "Q Sleep", "Causes"]
    flow = plan_flow(plan, {})
    keys = [q.key for q in flow.questions]
    assert keys == ["id", "timeline.assessed", "events.any", "symptoms.W1", "symptoms.W2",
                    "symptoms.S1", "symptoms.S2", "attributable_to_substance_or_medical"]
    w2 = next(q for q in flow.questions if q.key == "symptoms.W2")
    assert w2.prompt == "Is it hard to stop worrying once you start?"
    assert w2.help == "Only count worry that feels out of control."
    assert [(c.key, c.label) for c in w2.choices][:3] == [
        ("0", "none"), ("1", "a little"), ("2", "clearly")]


def test_follow_up_only_at_or_above_threshold_and_no_means_unrelated() -> None:
    plan = toy_plan()
    answers: dict[str, Any] = {"id": "t", "symptoms.W1": 1, "symptoms.S1": 2, "symptoms.S2": 4}
    keys = [q.key for q in plan_flow(plan, answers).questions]
    assert "symptoms.W1.onset" not in keys  # below threshold
    assert "symptoms.S1.onset" in keys
    assert "symptoms.S2.onset" not in keys  # item without an onset requirement
    answers["symptoms.S1.onset"] = False
    data = case_data(plan, plan_flow(plan, answers).questions, answers)
    assert data["symptoms"]["S1"] == {"severity": 2, "trauma_related": False}
    assert data["symptoms"]["W2"] is None  # not answered: unknown, written as null


def test_event_follow_ups_follow_the_when_conditions() -> None:
    plan = compile_plan(shipped("dsm5-ptsd"), TODAY)
    base = {"id": "x", "timeline.assessed": "2025-01-15", "events.any": True}

    def asked(**event: Any) -> list[str]:
        answers = dict(base, **{f"events.0.{k}": v for k, v in event.items()})
        return [q.key.removeprefix("events.0.") for q in plan_flow(plan, answers).questions
                if q.key.startswith("events.0.")]

    death_learned = asked(nature=["actual_or_threatened_death"],
                          exposure=["learned_about_close_other"])
    assert "violent_or_accidental" in death_learned and "via_media" not in death_learned
    assert "violent_or_accidental" not in asked(nature=["serious_injury"],
                                                exposure=["learned_about_close_other"])
    media = asked(nature=["serious_injury"], exposure=["repeated_aversive_details"],
                  via_media=True)
    assert "work_related" in media
    assert "work_related" not in asked(nature=["serious_injury"], exposure=["witnessed"],
                                       via_media=True)
    assert "via_media" not in asked(nature=["other"], exposure=["direct"])


def test_stop_is_offered_once_when_a_criterion_is_decided_not_met() -> None:
    plan = toy_plan()
    answers: dict[str, Any] = {"id": "t", "timeline.assessed": "2025-01-15", "events.any": False}
    flow = plan_flow(plan, answers)
    assert flow.next(answers).key == stop_key(1)  # type: ignore[union-attr]
    status = running_status(plan, flow.questions, answers, 1)
    assert status is not None and status.line == "K not met"
    assert status.newly_not_met == ("K A worrying event: NOT MET (no ev given).",)
    answers[stop_key(1)] = "stop"
    flow = plan_flow(plan, answers)
    assert flow.next(answers) is None and flow.stopped_after == 1
    assert plan_flow(toy_plan(no_skip=True), answers).next(answers).key == "symptoms.W1"  # type: ignore[union-attr]
    # an event that qualifies: the stop answer given after the events no longer applies
    answers.update({"events.any": True, "events.0.date": None, "events.0.exposure": ["direct"],
                    "events.0.more": False, "symptoms.W1": 0, "symptoms.W2": 0})
    flow = plan_flow(plan, answers)
    assert flow.stopped_after is None
    assert flow.next(answers).key == stop_key(2)  # type: ignore[union-attr]


def test_running_status_counts_so_far() -> None:
    plan = toy_plan()
    answers: dict[str, Any] = {"id": "t", "timeline.assessed": "2025-01-15", "events.any": True,
                               "events.0.date": None, "events.0.exposure": ["direct"],
                               "events.0.more": False, "symptoms.W1": 3,
                               "symptoms.W1.onset": True, "symptoms.W2": None}
    flow = plan_flow(plan, answers)
    status = running_status(plan, flow.questions, answers, 2)
    assert status is not None and status.line == "K met · P 1 of 2 so far"


def test_a_ruleset_without_interview_block_gets_one_cluster_per_group() -> None:
    raw = TOY.read_bytes().split(b"\ninterview:")[0]
    plan = compile_plan(parse_ruleset("bare.yaml", raw), TODAY)
    assert [b.title for b in plan.blocks] == ["Case", "P Worry", "Q Sleep"]
    keys = [q.key for q in plan_flow(plan, {}).questions]
    assert keys[2:] == ["symptoms.W1", "symptoms.W2", "symptoms.S1", "symptoms.S2"]


def test_bad_interview_block_is_reported_with_its_line() -> None:
    raw = TOY.read_bytes().replace(b"kind: multi", b"kind: checkboxes")
    with pytest.raises(InputError) as err:
        parse_ruleset("bad.yaml", raw)
    assert re.search(r"bad\.yaml:\d+:\d+: .*kind", str(err.value))


def test_interview_code_knows_no_criterion_or_item_id() -> None:
    ids = set("ABCDEFGH") | {f"{c}{i}" for c in "BCDE" for i in range(1, 8)}
    for path in (ROOT / "dsm5check" / "interview").glob("*.py"):
        text = path.read_text()
        quoted = set(re.findall(r"[\"']([A-H][1-7]?)[\"']", text))
        assert not quoted & ids, f"{path.name}: {quoted & ids}"


def test_default_ruleset_constant_matches_registry() -> None:
    assert command.DEFAULT_RULESET == DEFAULT_RULESET


def test_plain_prompter_full_interview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["toy", "", "y", "2024-01-02", "5", "1", "n", "3", "y", "2", "y", "0", "?",
             "n", ""]
    stdin, out = io.StringIO("\n".join(lines) + "\n"), io.StringIO()
    args = argparse.Namespace(out=str(tmp_path / "t.yaml"), resume=None, draft=None,
                              rules=str(TOY), plain=True, no_skip=False)
    code = command.run_interview(args, PlainPrompter(stdin, out), TODAY)
    text = out.getvalue()
    assert code == 0, text
    assert "type numbers from 1, 2" in text  # "5" was rejected, then "1" taken
    # no rating is marked as the Enter answer: Enter records not known
    assert "  0  none\n" in text and "(default)" not in text and "\x1b[" not in text
    capsys.readouterr()
    main(["check", str(tmp_path / "t.yaml"), "--rules", str(TOY), "--format", "json"])
    record = json.loads(capsys.readouterr().out)[0]
    assert record["criteria"]["P"]["status"] == "met"
    assert record["criteria"]["Q"]["status"] == "indeterminate"


def test_interview_without_a_terminal_points_to_check(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("vet\n"))
    assert main(["interview"]) == 2
    err = capsys.readouterr().err
    assert "not a terminal" in err and "dsm5check check" in err


def test_bad_draft_is_reported_as_file_line_col(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "d.json"
    bad.write_text('{"format": "dsm5check-interview-draft",\n "answers": [}\n')
    args = argparse.Namespace(out=None, resume=str(bad), draft=None, rules=None, plain=True,
                              no_skip=False)
    with pytest.raises(InputError) as err:
        command.run_interview(args, PlainPrompter(io.StringIO(), io.StringIO()), TODAY)
    assert str(err.value).startswith(f"{bad}:2:")
    other = tmp_path / "o.json"
    other.write_text("{}")
    with pytest.raises(Exception, match="not a dsm5check interview draft"):
        load_draft(str(other))


def test_draft_round_trip_is_atomic_and_private(tmp_path: Path) -> None:
    path = tmp_path / "x.draft.json"
    draft = Draft(str(path), "dsm5-ptsd", answers={"id": "a", "symptoms.B1": None})
    draft.save()
    assert (path.stat().st_mode & 0o777) == 0o600
    back = load_draft(str(path))
    assert back.answers == {"id": "a", "symptoms.B1": None} and back.rules == "dsm5-ptsd"
    atomic_write(path, "new")
    assert path.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_existing_draft_is_not_overwritten(tmp_path: Path) -> None:
    (tmp_path / "c.yaml.draft.json").write_text("{}")
    args = argparse.Namespace(out=str(tmp_path / "c.yaml"), resume=None, draft=None, rules=None,
                              plain=True, no_skip=False)
    with pytest.raises(Exception, match="--resume"):
        command.run_interview(args, PlainPrompter(io.StringIO(), io.StringIO()), TODAY)


@pytest.mark.parametrize(("old", "new", "message"), [
    (b"- items: sleep", b"- items: slep", "unknown item group 'slep'"),
    (b"began_after: Did it start", b"began_afterwards: Did it start", "unknown onset"),
])
def test_interview_block_names_are_checked(old: bytes, new: bytes, message: str) -> None:
    raw = TOY.read_bytes().replace(old, new)
    with pytest.raises(InputError) as err:
        parse_ruleset("bad.yaml", raw)
    line = next(n for n, text in enumerate(raw.splitlines(), 1) if new in text)
    assert f"bad.yaml:{line}:" in str(err.value) and message in str(err.value)


@pytest.mark.parametrize("stdin", ["pipe", "devnull"])
def test_interview_from_a_real_pipe_or_dev_null_points_to_check(tmp_path: Path,
                                                                 stdin: str) -> None:
    """As a script runs it (`printf ... | dsm5check interview`, `< /dev/null`): the
    terminal settings cannot be read from a pipe, which must not be an internal
    error (exit 70) but the documented refusal (exit 2)."""
    import subprocess
    import sys

    for extra in ([], ["--plain", "--rules", "icd11-ptsd"], ["--resume", "nothere.json"]):
        done = subprocess.run(
            [sys.executable, "-m", "dsm5check", "interview", "--out", "x.yaml", *extra],
            input=b"x1\n" if stdin == "pipe" else None,
            stdin=subprocess.DEVNULL if stdin == "devnull" else None,
            capture_output=True, cwd=tmp_path, timeout=60, check=False)
        err = done.stderr.decode()
        assert done.returncode == 2, (extra, err)
        assert "not a terminal" in err and "dsm5check check" in err, err
        assert "internal error" not in err and "Traceback" not in err
