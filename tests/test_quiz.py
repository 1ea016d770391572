"""quiz: driven through prompt_toolkit pipe input, line by line (--plain), and
once in a real pseudo-terminal; the log and the progress report."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from dsm5check.cli import main
from dsm5check.engine.ruleset import load_ruleset_file
from dsm5check.teach.ask import QuestionaryPrompter
from dsm5check.teach.quiz import questions
from dsm5check.teach.session import run_session
from dsm5check.teach.vignettes import find
from tests.conftest import ROOT, TESTS

DOWN = "\x1b[B"
ENTER = "\r"
SPACE = " "
WHEN = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)


def _session(vid: str, keys: str, log: Path | None = None) -> tuple[object, str]:
    buf = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        prompter = QuestionaryPrompter(input=pipe, output=DummyOutput())
        marked = run_session(find(vid), prompter, Console(file=buf, width=100),
                             log=str(log) if log else None, when=WHEN)
    return marked, buf.getvalue()


def test_all_right_through_pipe_input(tmp_path: Path) -> None:
    # v12: every criterion met except C; diagnosis not met; no specifier applies
    keys = ENTER * 2 + DOWN + ENTER + ENTER * 5 + DOWN + ENTER + ENTER
    log = tmp_path / "quiz.jsonl"
    marked, out = _session("v12-platform-mugging", keys, log)
    assert (marked.correct, marked.total) == (14, 14)  # type: ignore[attr-defined]
    assert "Score: 14 of 14 (100%)" in out
    assert "He always avoided trains" in out and "Teaching points:" in out
    record = json.loads(log.read_text(encoding="utf-8"))
    assert record == {
        "timestamp": "2026-11-01T09:30:00+00:00",
        "vignette": "v12-platform-mugging",
        "ruleset": "dsm5-ptsd",
        "criteria": dict.fromkeys("ABCDEFGH", True),
        "diagnosis": True,
        "specifiers": {s: True for s in ("with_dissociative_symptoms", "with_delayed_expression",
                                         "acute", "chronic", "with_delayed_onset")},
        "consistent": True, "correct": 14, "total": 14, "score": 1.0,
    }


def test_disagreements_show_the_engines_reason(tmp_path: Path) -> None:
    # v16: everything judged met, diagnosis met, and "chronic" ticked (4th choice)
    keys = ENTER * 9 + DOWN * 3 + SPACE + ENTER
    marked, out = _session("v16-bus-crash-three-weeks", keys)
    rows = {r.key: r for r in marked.rows}  # type: ignore[attr-defined]
    assert not rows["F"].right and rows["F"].engine == "not met"
    assert "21 days (needs more than 1 month)" in rows["F"].reason
    assert not rows["diagnosis"].right and rows["diagnosis"].reason == (
        "criteria not met or undecided: F")
    assert not rows["chronic"].right and rows["chronic"].yours == "applies"
    assert sum(r.right for r in rows.values()) == 11
    assert "Score: 11 of 14 (79%)" in out
    assert out.count("│ X  │") == 3  # the three disagreements, each with its reason


def test_back_goes_to_the_previous_question() -> None:
    # A: met; B: back (4th entry); A again: can't tell; then B-H met, diagnosis can't tell
    keys = ENTER + DOWN * 3 + ENTER + DOWN * 2 + ENTER + ENTER * 7 + DOWN * 2 + ENTER + ENTER
    marked, _ = _session("v21-brother-found-dead", keys)
    rows = {r.key: r for r in marked.rows}  # type: ignore[attr-defined]
    assert rows["A"].yours == "can't tell" and rows["A"].right
    assert rows["diagnosis"].yours == "can't tell" and rows["diagnosis"].right
    assert marked.correct == marked.total  # type: ignore[attr-defined]


def test_questions_come_from_any_ruleset() -> None:
    toy = load_ruleset_file(TESTS / "rulesets" / "teach-toy.yaml").rules
    qs = questions(toy)
    assert [q.key for q in qs] == ["S", "W", "L", "X", "diagnosis", "specifiers"]
    assert qs[-1].choices == (("long_haul", "Long haul [made up]"),)


PLAIN_V12 = "1\n1\n2\n1\n1\n1\n1\n1\n2\n\n"


def test_plain_mode_from_a_pipe_and_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.jsonl"
    for _ in range(2):
        monkeypatch.setattr(sys, "stdin", io.StringIO("x\n9\n" + PLAIN_V12))
        code = main(["quiz", "--vignette", "v12-platform-mugging", "--plain", "--log", str(log)])
        assert code == 0
    out = capsys.readouterr().out
    assert "please type a number from 1 to 3" in out
    assert "Score: 14 of 14 (100%)" in out
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["score"] == 1.0
    assert main(["quiz", "--progress", str(log)]) == 0  # the log reads back
    assert "Accuracy by criterion: 2 quizzes" in capsys.readouterr().out


def test_plain_mode_end_of_input_is_an_interruption(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n1\n"))
    assert main(["quiz", "--vignette", "v12-platform-mugging", "--plain"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_not_a_terminal_says_so(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["quiz", "--seed", "3"]) == 2
    assert "standard input is not a terminal" in capsys.readouterr().err


def _title(out: str) -> str:
    return out.splitlines()[0]


def test_seed_picks_the_same_vignette(monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    titles = []
    for seed in ("7", "7"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        main(["quiz", "--seed", seed, "--plain"])  # ends at once: no input
        titles.append(_title(capsys.readouterr().out))
    assert titles[0] == titles[1]
    assert titles[0].startswith("+- ")  # --plain: ASCII boxes


def test_list_and_unknown_vignette(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quiz", "--list"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") >= 24 and "v20-interview-cut-short" in out
    assert main(["quiz", "--vignette", "nope", "--plain"]) == 2
    assert "no vignette 'nope'" in capsys.readouterr().err


def _entry(day: int, vignette: str, d_right: bool, score: float) -> str:
    return json.dumps({
        "timestamp": f"2026-10-{day:02d}T10:00:00+00:00", "vignette": vignette,
        "criteria": {"A": True, "D": d_right}, "diagnosis": d_right,
        "specifiers": {"chronic": True}, "score": score,
    })


def test_progress_table_chart_and_bad_lines(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text("\n".join([
        _entry(1, "v13-motorbike-concussion", False, 0.5),
        "{not json",
        _entry(3, "v22-scaffold-fall", False, 0.6),
        '{"timestamp": "2026-10-04T10:00:00+00:00", "vignette": "x"}',
        "",
        _entry(5, "v01-motorway-crash", True, 0.9),
        _entry(6, "v02-party-assault", True, 1.0),
    ]) + "\n", encoding="utf-8")
    assert main(["quiz", "--progress", str(log)]) == 2
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert err[0].startswith(f"{log}:2:2: not JSON")
    assert err[1].startswith(f"{log}:4:1: criteria: Field required")
    assert "Traceback" not in captured.err
    out = captured.out
    assert "Accuracy by criterion: 4 quizzes, 2026-10-01 to 2026-10-06" in out
    d_row = next(line for line in out.splitlines() if line.startswith("│ D "))
    assert "2/4" in d_row and "50%" in d_row
    assert "▁▁██" in d_row  # wrong, wrong, right, right: the trend
    assert "v02-party-assault" in out and "100%" in out


def test_progress_of_missing_or_empty_log(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quiz", "--progress", str(tmp_path / "none.jsonl")]) == 2
    assert "cannot read log" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert main(["quiz", "--progress", str(empty)]) == 0
    assert "no quiz results yet" in " ".join(capsys.readouterr().out.split())


def _spawn(args: list[str]) -> pexpect.spawn:
    # a pexpect terminal does not answer cursor-position requests; without this
    # prompt_toolkit waits a second for the answer after every question
    env = {**os.environ, "TERM": "xterm", "COLUMNS": "100", "LINES": "40",
           "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("NO_COLOR", None)
    return pexpect.spawn(sys.executable, ["-m", "dsm5check", *args], cwd=str(ROOT), env=env,
                         encoding="utf-8", timeout=30, dimensions=(40, 100))


def test_whole_quiz_in_a_real_terminal(tmp_path: Path) -> None:
    log = tmp_path / "pty.jsonl"
    child = _spawn(["quiz", "--vignette", "v16-bus-crash-three-weeks", "--seed", "1",
                    "--log", str(log)])
    child.expect("Criterion A")
    for crit in "BCDEF":
        child.send(ENTER)
        child.expect(f"Criterion {crit}")
    child.send(DOWN + ENTER)  # F: not met
    for crit in "GH":
        child.expect(f"Criterion {crit}")
        child.send(ENTER)
    child.expect("Diagnosis")
    child.send(DOWN + ENTER)  # not met
    child.expect("Which specifiers apply")
    child.send(ENTER)  # none
    child.expect("Score: 14 of 14")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert json.loads(log.read_text(encoding="utf-8"))["score"] == 1.0


def test_ctrl_c_in_a_real_terminal_exits_130() -> None:
    child = _spawn(["quiz", "--vignette", "v01-motorway-crash"])
    child.expect("Criterion A")
    child.sendintr()
    child.expect("interrupted")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
