"""``--resume`` shows the draft's next question before the ruleset is loaded
(dsm5check/interview/hint.py), and uses the answer only once the draft is checked.

The interview notes the question it asks next together with a digest of the draft
as written; a resume of that very draft puts it on screen at once, then loads the
ruleset and checks every answer while it is read. A draft changed by hand is
checked before anything is shown, as always.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from dsm5check.errors import InputError
from dsm5check.interview import command, hint
from dsm5check.interview.draft import load_draft
from dsm5check.interview.prompts import Reply
from dsm5check.interview.questions import Question
from tests.test_interview_flows import EVENT, FULL_ITEMS, TIMELINE, TODAY, interview, saved
from tests.test_interview_pty import ANSI

REST = "00" + FULL_ITEMS[7:] + TIMELINE + "yn03n\r"  # from B4 to the end


@pytest.fixture
def order(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happened, in order: each question asked, and each time the ruleset loaded."""
    seen: list[str] = []
    real_load = command.load_plan

    def load_plan(*args: Any, **kwargs: Any) -> Any:
        seen.append("ruleset loaded")
        return real_load(*args, **kwargs)

    monkeypatch.setattr(command, "load_plan", load_plan)
    from tests.test_interview_flows import Recording

    real_ask = Recording.ask

    def ask(self: Recording, q: Question, *rest: Any) -> Reply:
        seen.append(q.label)
        return real_ask(self, q, *rest)

    monkeypatch.setattr(Recording, "ask", ask)
    return seen


def _interrupted_at_b4(tmp_path: Path) -> Path:
    code, _ = interview(tmp_path, EVENT + "3y3y0" + "\x03")
    assert code == 130
    return tmp_path / "case.yaml.draft.json"


def test_the_next_question_comes_before_the_ruleset(tmp_path: Path, order: list[str]) -> None:
    draft = _interrupted_at_b4(tmp_path)
    order.clear()
    code, out = interview(tmp_path, REST, resume=str(draft))
    assert code == 0, out
    assert order[:3] == ["B4", "ruleset loaded", "B5"], order
    assert order.count("B4") == 1, "asked once: the answer typed first is the one used"
    assert saved(tmp_path)["symptoms"]["B4"] == 0


def test_a_draft_changed_by_hand_is_checked_before_any_question(
    tmp_path: Path, order: list[str]
) -> None:
    draft = _interrupted_at_b4(tmp_path)
    data = json.loads(draft.read_text())
    data["answers"]["symptoms.B1"] = 7
    draft.write_text(json.dumps(data, indent=1))
    order.clear()
    with pytest.raises(InputError, match="got 7: expected one of 0, 1, 2, 3, 4"):
        interview(tmp_path, REST, resume=str(draft))
    assert order == ["ruleset loaded"], "nothing asked before the draft is checked"


def test_an_answer_is_used_only_once_the_draft_passed_its_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The noted question is answered, then the checks find a problem (as if the
    ruleset had changed in a way the note cannot see): the problem is reported and
    the answer is not written into the draft."""
    from dsm5check.errors import Problem
    from dsm5check.interview import draft_check

    draft = _interrupted_at_b4(tmp_path)
    before = draft.read_text()
    monkeypatch.setattr(draft_check, "draft_problems",
                        lambda path, plan, answers: [Problem(path, 3, 4, "a problem")])
    with pytest.raises(InputError, match="a problem"):
        interview(tmp_path, REST, resume=str(draft))
    assert draft.read_text() == before


def test_when_the_question_worked_out_afresh_differs_its_answer_is_dropped(
    tmp_path: Path, order: list[str]
) -> None:
    draft = _interrupted_at_b4(tmp_path)
    loaded = load_draft(str(draft))
    noted = hint.read(loaded, TODAY)
    assert noted is not None and noted.question.label == "B4"
    other = dataclasses.replace(noted.question, key="symptoms.B5", label="B5 (noted)")
    hint.write(loaded, TODAY, dataclasses.replace(noted, question=other))
    order.clear()
    code, out = interview(tmp_path, "4" + REST, resume=str(draft))  # "4" answers the noted one
    assert code == 0, out
    assert order[:3] == ["B5 (noted)", "ruleset loaded", "B4"], order
    case = saved(tmp_path)
    assert case["symptoms"]["B4"] == 0 and case["symptoms"]["B5"] == 0  # the 4 went nowhere


@pytest.mark.parametrize("change", ["another day", "answers", "corrupt", "others can write",
                                    "no cache folder"])
def test_no_note_is_used_for_anything_but_the_same_draft(
    tmp_path: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = load_draft(str(_interrupted_at_b4(tmp_path)))
    assert hint.read(loaded, TODAY) is not None
    day = TODAY
    note = hint._file(loaded)
    if change == "another day":
        day = TODAY + dt.timedelta(days=1)
    elif change == "answers":
        edited = (loaded.written or "").replace('"symptoms.B3": 0', '"symptoms.B3": 1')
        assert edited != loaded.written
        loaded.written = edited
    elif change == "corrupt":
        note.write_bytes(note.read_bytes()[:40])
    elif change == "others can write":
        note.chmod(0o666)
    else:
        in_the_way = tmp_path / "file"
        in_the_way.write_text("")
        monkeypatch.setenv("DSM5CHECK_CACHE_DIR", str(in_the_way))
    assert hint.read(loaded, day) is None


def test_in_a_terminal_the_question_is_drawn_before_pydantic_is_imported(
    tmp_path: Path,
) -> None:
    """As a user sees it: with Python reporting each import as it completes, nothing
    of pydantic has been imported when the resumed question is on screen; the answer
    typed to it is kept, and the interview goes on."""
    env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="100", LINES="40")

    def spawn(*args: str) -> pexpect.spawn:
        return pexpect.spawn(sys.executable, ["-X", "importtime", "-m", "dsm5check",
                                              "interview", *args],
                             cwd=str(tmp_path), env=env, dimensions=(40, 100),
                             encoding="utf-8", timeout=60)

    first = spawn("--out", "t.yaml")
    first.expect_exact("[case id]")
    first.send("t1\r")
    first.expect_exact("[assessment date]")
    first.sendcontrol("c")
    first.expect(pexpect.EOF)
    first.close()
    assert first.exitstatus == 130

    resumed = spawn("--resume", "t.yaml.draft.json")
    resumed.expect_exact("[assessment date]")
    before = ANSI.sub("", resumed.before)
    assert "Resuming t.yaml.draft.json: 1 answers kept." in before
    assert "| dsm5check.interview.terminal" in before  # the import report is there
    assert not re.search(r"\|\s+pydantic", before), "pydantic imported before the question"
    resumed.send("\r")  # Enter: today's date, shown on screen
    resumed.expect_exact("[any event]")
    assert re.search(r"\|\s+pydantic", resumed.before), "the ruleset is loaded after it"
    resumed.sendcontrol("c")
    resumed.expect(pexpect.EOF)
    resumed.close()
    assert resumed.exitstatus == 130
    answers = load_draft(str(tmp_path / "t.yaml.draft.json")).answers
    assert answers == {"id": "t1", "timeline.assessed": dt.date.today().isoformat()}


@pytest.mark.parametrize("at", ["event 1: nature", "B4"])
def test_a_note_added_at_the_next_question_keeps_its_resume_note_current(
    tmp_path: Path, order: list[str], at: str
) -> None:
    """A note typed at the question the flow goes on with is written to the draft at
    once, so the draft is no longer the one the question was noted with: the note
    is written again, and a resume of that draft still shows the question at once
    (before the ruleset is loaded) instead of checking every answer first."""
    keys = {"event 1: nature": "vet-1\r\rybomb blast\r2024-03-02\r",
            "B4": EVENT + "3y3y0"}[at]
    code, _ = interview(tmp_path, keys + "nseen with an interpreter\r\x03")
    assert code == 130
    draft = tmp_path / "case.yaml.draft.json"
    loaded = load_draft(str(draft))
    assert "seen with an interpreter" in (loaded.written or "")
    noted = hint.read(loaded, TODAY)
    assert noted is not None and noted.question.label == at
    order.clear()
    code, _ = interview(tmp_path, "\x03", resume=str(draft))
    assert code == 130
    assert order[:1] == [at], order
