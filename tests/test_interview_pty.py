"""End to end in a real pseudo-terminal: `python -m dsm5check interview` under pexpect.

Each step waits for the question's label to be on screen before typing, with
generous timeouts; the terminal is a fixed 100x40 xterm.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path

import pytest

from dsm5check.cli import main

pexpect = pytest.importorskip("pexpect")

TIMEOUT = 30
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][AB012]|\r")

HEAD = [("[case id]", "pty-1\r"), ("[assessment date]", "\r"), ("[any event]", "y"),
        ("description]", "crash\r"), ("1: date]", "2024-03-02\r"), ("1: nature]", "2\r"),
        ("1: exposure]", "1\r"), ("[another event", "n")]
B_TO_E = [("[B1]", "3"), ("[B1 after", "y"), ("[B2]", "3"), ("[B2 after", "y"), ("[B3]", "0"),
          ("[B4]", "0"), ("[B5]", "0"), ("[C1]", "2"), ("[C1 after", "y"), ("[C2]", "0"),
          ("[D1]", "3"), ("[D1 after", "y"), ("[D2]", "3"), ("[D2 after", "y"),
          ("[D3]", "0"), ("[D4]", "0"), ("[D5]", "0"), ("[D6]", "0"), ("[D7]", "2"),
          ("[D7 after", "y"), ("[E1]", "3"), ("[E1 after", "y"), ("[E2]", "3"),
          ("[E2 after", "y"), ("[E3]", "0"), ("[E4]", "0"), ("[E5]", "2"), ("[E5 after", "y"),
          ("[E6]", "2"), ("[E6 after", "y")]
TAIL = [("[symptoms began]", "2024-03-20\r"), ("[full picture", "2024-10-01\r"),
        ("[distress or impairment]", "y"), ("[due to a substance", "n"),
        ("[depersonalization]", "0"), ("[derealization]", "3"), ("[dissociation only", "n"),
        ("Enter: next page", "\r"), ("Enter: save", "\r")]


def spawn(cwd: Path, *args: str) -> pexpect.spawn:
    env = dict(os.environ, TERM="xterm", COLUMNS="100", LINES="40",
               PROMPT_TOOLKIT_NO_CPR="1")
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(sys.executable, ["-m", "dsm5check", "interview", *args],
                          cwd=str(cwd), env=env, dimensions=(40, 100), encoding="utf-8",
                          timeout=TIMEOUT)
    child.logfile_read = io.StringIO()  # everything the terminal showed
    return child


def drive(child: pexpect.spawn, steps: list[tuple[str, str]]) -> None:
    for label, keys in steps:
        child.expect_exact(label)
        child.send(keys)


def finish(child: pexpect.spawn) -> str:
    """Wait for the end; return the whole screen output without escape codes."""
    child.expect(pexpect.EOF)
    child.close()
    return ANSI.sub("", child.logfile_read.getvalue())


def check_text(path: Path, capsys: pytest.CaptureFixture[str]
               ) -> tuple[list[str], dict[str, object]]:
    capsys.readouterr()
    main(["check", str(path)])
    lines = [ln.rstrip() for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    main(["check", str(path), "--format", "json"])
    return lines, json.loads(capsys.readouterr().out)[0]


def test_complete_interview_in_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    child = spawn(tmp_path, "--out", "pty-1.yaml")
    drive(child, HEAD + B_TO_E + TAIL)
    child.expect_exact("Saved pty-1.yaml")
    shown = finish(child)
    assert child.exitstatus == 0
    monkeypatch.setenv("COLUMNS", "100")
    lines, record = check_text(tmp_path / "pty-1.yaml", capsys)
    assert record["diagnosis"] == "met"
    assert record["specifiers"] == ["with_dissociative_symptoms", "with_delayed_expression",
                                    "chronic"]
    # every line `check` prints was on the interview's screen
    assert len(lines) > 20
    for line in lines:
        assert line in shown, line
    assert not list(tmp_path.glob("*.draft.json"))


def test_interrupted_then_resumed_with_every_answer_intact(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    child = spawn(tmp_path, "--out", "pty-1.yaml")
    drive(child, HEAD + B_TO_E[:7])  # up to B5
    child.expect_exact("[C1]")
    child.sendcontrol("c")
    child.expect_exact("Continue with: dsm5check interview --resume pty-1.yaml.draft.json")
    finish(child)
    assert child.exitstatus == 130
    draft = tmp_path / "pty-1.yaml.draft.json"
    answers = json.loads(draft.read_text())["answers"]
    assert answers["symptoms.B5"] == 0 and "symptoms.C1" not in answers
    assert (draft.stat().st_mode & 0o777) == 0o600

    child = spawn(tmp_path, "--resume", str(draft))
    child.expect_exact(f"{len(answers)} answers kept")
    drive(child, B_TO_E[7:] + TAIL)
    child.expect_exact("Saved pty-1.yaml")
    finish(child)
    assert child.exitstatus == 0
    _, record = check_text(tmp_path / "pty-1.yaml", capsys)
    assert record["diagnosis"] == "met"
    import yaml

    case = yaml.safe_load((tmp_path / "pty-1.yaml").read_text())
    assert case["events"][0]["description"] == "crash"
    assert case["symptoms"]["B1"] == {"severity": 3, "trauma_related": True}
    assert case["symptoms"]["B5"] == 0 and case["symptoms"]["C1"]["severity"] == 2
