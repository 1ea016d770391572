"""No key press that is not an explicit answer records an answer.

Enter alone, going back and forth with ``<`` and resuming never put a value
in the case that the keys did not choose: a rating, yes/no, list or date
answered with Enter alone is *not known* (null), and after ``<`` changes an
answer, what depended on it is asked again. Driven through a real pseudo-
terminal (Enter alone; random mixes of Enter and ``<``) and, with explicit
answers mixed in, through prompt_toolkit's pipe input with a record of which
key gave each answer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
from pathlib import Path
from typing import Any
from unittest import mock

import pexpect
import pytest
import yaml
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from dsm5check.interview.command import run_interview
from dsm5check.interview.prompts import Reply
from dsm5check.interview.questions import Question
from dsm5check.interview.terminal import TerminalPrompter
from tests.test_interview_pty import ANSI, spawn

#: Answers Enter may take without a key choosing them: a typed default shown on
#: screen that decides nothing (the case id and today's date).
SHOWN_DEFAULTS = {"id", "timeline.assessed"}


def leaves(data: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every scalar of a case with its path (an empty list or mapping counts as one)."""
    if isinstance(data, dict) and data:
        return [x for k, v in data.items() for x in leaves(v, f"{path}.{k}".lstrip("."))]
    if isinstance(data, list) and data:
        return [x for i, v in enumerate(data) for x in leaves(v, f"{path}.{i}")]
    return [(path, data)]


def assert_nothing_chosen(case: dict[str, Any]) -> None:
    """The case of an interview answered with Enter and ``<`` only: every answer unknown."""
    chosen = [(p, v) for p, v in leaves(case)
              if v is not None and p not in ("id", "ruleset", "timeline.assessed")]
    # not known whether there was an event: one event about which nothing is known
    assert chosen == [("events.0", {})], chosen


def settle(child: pexpect.spawn, quiet: float = 0.15) -> bool:
    """Wait until the screen stops changing; False once the program has ended."""
    try:
        child.read_nonblocking(100_000, timeout=30)
        while True:
            child.read_nonblocking(100_000, timeout=quiet)
    except pexpect.TIMEOUT:
        return True
    except pexpect.EOF:
        return False


def drive_pty(tmp_path: Path, keys: random.Random | None) -> tuple[int, str]:
    """Answer every prompt with Enter, or a random Enter or ``<`` (30%)."""
    child = spawn(tmp_path, "--out", "k.yaml")
    sent = 0
    while settle(child):
        back = keys is not None and sent < 400 and keys.random() < 0.3
        child.send("<" if back else "\r")
        sent += 1
        assert sent < 1000, "the interview never ended"
    child.close()
    return child.exitstatus, ANSI.sub("", child.logfile_read.getvalue())


def test_enter_alone_through_the_whole_interview_records_no_answer(tmp_path: Path) -> None:
    code, screen = drive_pty(tmp_path, None)
    assert code == 0, screen[-2000:]
    assert "Traceback" not in screen and "Saved k.yaml" in screen
    assert_nothing_chosen(yaml.safe_load((tmp_path / "k.yaml").read_text()))


@pytest.mark.parametrize("seed", [1, 2])
def test_random_enter_and_back_records_no_answer(tmp_path: Path, seed: int) -> None:
    code, screen = drive_pty(tmp_path, random.Random(seed))
    assert code == 0, screen[-2000:]
    assert "Traceback" not in screen
    assert_nothing_chosen(yaml.safe_load((tmp_path / "k.yaml").read_text()))


# -- explicit answers mixed with Enter and < (pipe input, a log of every key) ----------

TODAY = dt.date(2025, 1, 15)


class Monkey(TerminalPrompter):
    """Presses a random key at each prompt, and logs which key gave which answer."""

    def __init__(self, inp: PipeInput, rnd: random.Random) -> None:
        super().__init__(inp, DummyOutput(), io.StringIO(), color=False)
        self.inp, self.rnd = inp, rnd
        self.log: list[tuple[str, str, Any]] = []  # (key, "enter"|"explicit", value)
        self.steps = 0

    def _keys(self, q: Question) -> tuple[str, str]:
        self.steps += 1
        roll = self.rnd.random() if self.steps < 400 else 0.9
        if roll < 0.25:
            return "enter", "\r"
        if roll < 0.45:
            return "back", "<"
        if q.kind in ("date",):
            day = self.rnd.randint(1, 28)
            return "explicit", f"2024-{self.rnd.randint(1, 12):02d}-{day:02d}\r"
        if q.kind == "number":
            return "explicit", f"{self.rnd.randint(0, 20)}\r"
        if q.kind == "text":
            return "explicit", f"t{self.rnd.randint(0, 9)}\r"
        keys = [c.key for c in q.choices if len(c.key) == 1]
        if q.kind == "multi":
            return "explicit", "".join(self.rnd.sample(keys, self.rnd.randint(1, 2))) + "\r"
        if q.kind == "stop":
            return "explicit", self.rnd.choice(keys)
        if "more" in q.key and self.rnd.random() < 0.7:
            return "explicit", "n"  # keep the number of events small
        return "explicit", self.rnd.choice(keys)

    def ask(self, q: Question, default: Any, has_default: bool, unknown_label: str) -> Reply:
        # what Enter would take: nothing, or an answer a key gave this question before
        chosen = [v for k, how, v in self.log if k == q.key and how == "explicit"]
        if has_default and default is not None and q.key not in SHOWN_DEFAULTS:
            assert q.kind == "stop" or default in chosen, (q.key, default, self.log)
        how, keys = self._keys(q)
        self.inp.send_text(keys)
        reply = super().ask(q, default, has_default, unknown_label)
        if reply.action == "answer":
            self.log.append((q.key, how, reply.value))
            if how == "enter" and not has_default:
                assert reply.value is None, (q.key, reply.value)
        return reply

    def text(self, prompt: str) -> str:  # the review screen
        self.steps += 1
        self.inp.send_text("<\r" if self.steps < 400 and self.rnd.random() < 0.2 else "\r")
        return super().text(prompt)


@pytest.mark.parametrize("seed", range(12))
def test_every_saved_answer_was_chosen_by_a_key(tmp_path: Path, seed: int) -> None:
    from dsm5check.interview import save
    from dsm5check.interview.flow import plan_flow

    rnd = random.Random(seed)
    args = argparse.Namespace(out=str(tmp_path / "m.yaml"), resume=None, draft=None,
                              rules=None, plain=False, no_skip=rnd.random() < 0.5)
    kept: list[tuple[Any, dict[str, Any]]] = []
    real = save.save_case

    def saving(session: Any, plan: Any, **options: Any) -> int:
        kept.append((plan, dict(session.answers)))
        return real(session, plan, **options)

    with mock.patch.dict("os.environ", {"LINES": "40"}), create_pipe_input() as inp, \
            mock.patch.object(save, "save_case", saving):
        monkey = Monkey(inp, rnd)
        code = run_interview(args, monkey, TODAY)
    assert code == 0 and kept
    plan, answers = kept[0]
    explicit: dict[str, list[Any]] = {}
    for key, how, value in monkey.log:
        if how == "explicit":
            explicit.setdefault(key, []).append(value)
    asked = 0
    for q in plan_flow(plan, answers).questions:
        value = answers.get(q.key)
        if value is None or q.key in SHOWN_DEFAULTS or q.kind == "stop":
            continue
        asked += 1
        assert value in explicit.get(q.key, []), (q.key, value, monkey.log)
    assert asked or seed  # the keys chose some answers (checked on one seed at least)
    case = yaml.safe_load((tmp_path / "m.yaml").read_text())
    assert case["id"] == answers["id"]


# -- after <, what depends on the changed answer is asked again -------------------------

def test_a_follow_up_is_asked_again_after_its_item_changes(tmp_path: Path) -> None:
    from tests.test_interview_flows import EVENT, TIMELINE, interview, saved

    # C1 2, "after the event?" yes; back twice to C1, make it 0, go on to C2; back to
    # C1 and make it 3: the follow-up is asked afresh and Enter there is not known
    keys = (EVENT + "3y3y000" + "2y" + "<<" + "0" + "<" + "3" + "\r" + "0"
            + "3y3y00002y" + "3y3y002y2y" + TIMELINE + "yn03n" + "\r")
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    assert out.count("[C1 after the event]") == 3  # asked, revisited, asked afresh
    assert saved(tmp_path)["symptoms"]["C1"] == {"severity": 3, "trauma_related": None}


def test_from_the_start_is_asked_again_when_the_onset_changes(tmp_path: Path) -> None:
    from tests.test_interview_flows import EVENT, FULL_ITEMS, interview, saved

    # onset 2024-03-20, full picture "s" (from the start); back to the onset, change it:
    # the full picture is asked again (it took the old date), Enter: not known
    keys = (EVENT + FULL_ITEMS + "2024-03-20\r" + "s" + "<" + "<" + "\x15" + "2024-04-01\r"
            + "\r" + "yn03n" + "\r")
    code, out = interview(tmp_path, keys)
    assert code == 0, out
    timeline = saved(tmp_path)["timeline"]
    assert timeline["symptom_onset"] == dt.date(2024, 4, 1)
    assert timeline["full_criteria_met"] is None
