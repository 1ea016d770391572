"""How fast `dsm5check interview` shows its first question, and how many keys it takes.

Run: python benchmarks/bench_interview.py [--reps N]

1. Startup. In a pseudo-terminal (pexpect), time from spawning
   ``python -m dsm5check interview`` until the first question's text is on
   screen, against spawning ``python -c pass`` with the same interpreter, in the
   same run; medians of N repetitions and their ratio (target: at most 6x).
   Resuming a draft the interview left (case id typed, then Ctrl-C) is timed
   to its next question (target: at most 8x): the question is on screen before
   the ruleset is loaded and the draft checked (interview/hint.py); the same
   answers in a draft written by hand are checked first, timed apart. The
   caches (checked rulesets, resume notes) are filled as after any earlier run;
   they live in $DSM5CHECK_CACHE_DIR if set (see docs/performance.md). The three are
   measured in turn, one run each per round, so that the machine's load
   weighs on the baseline as on the interview. Resuming at a tick-box list
   ("what did the event involve?") is timed until its last choice is drawn,
   for a draft left there plainly and for one where a note was added to that
   question before stopping (the note changes the draft; the question is noted
   again for ``--resume``). Each is a fresh draft, resumed once: a resume notes
   its question again, so a second resume of the same draft would hide a missing
   note.
2. Keystrokes. Complete interviews typed through prompt_toolkit's pipe input
   (the same prompter as in the terminal); every character sent is one key
   press, Enter included. Each script is checked to end in a saved case with
   the expected diagnosis, so the counts are of interviews that really finish.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pexpect
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from dsm5check.cases.loading import RulesetResolver, load_case_file
from dsm5check.engine.evaluate import evaluate
from dsm5check.interview.command import run_interview
from dsm5check.interview.terminal import TerminalPrompter

ENV = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1")
ENV.pop("LINES", None)
ENV.pop("COLUMNS", None)
FIRST_TEXT = "Case id"

# (what, keys) in the order asked; "\r" is Enter.
EVENT = [("case id", "vet-1\r"), ("assessment date (Enter: today)", "\r"),
         ("any event: y", "y"), ("description (Enter: none)", "\r"),
         ("event date", "2024-03-02\r"), ("nature: 2 + Enter", "2\r"),
         ("exposure: 1 + Enter", "1\r"), ("another event: n", "n")]
ZERO_ITEMS = [("20 items rated 0", "0" * 20)]
NO_SYMPTOMS_REST = [("G: n", "n"), ("H: n", "n"), ("2 dissociation items", "00"),
                    ("review (2 pages in 40 rows): Enter, Enter", "\r\r")]
FULL_ITEMS = [("B: 2 present + follow-ups", "3y3y000"), ("C", "2y0"),
              ("D: 3 present", "3y3y00002y"), ("E: 4 present", "3y3y002y2y")]
FULL_REST = [("symptom onset", "2024-03-20\r"), ("full picture", "2024-10-01\r"),
             ("G: y", "y"), ("H: n", "n"), ("dissociation", "03"), ("substance: n", "n"),
             ("review (2 pages in 40 rows): Enter, Enter", "\r\r")]

SCRIPTS = {
    "no symptoms above 0, stop when offered": (
        [*EVENT, ("B1-B5 rated 0", "00000"), ("stop: s", "s"), ("review: Enter", "\r")],
        "not_met"),
    "no symptoms above 0, complete (continue)": (
        [*EVENT, ("B1-B5 rated 0", "00000"), ("continue: c", "c"),
         ("15 more items rated 0", "0" * 15), *NO_SYMPTOMS_REST], "not_met"),
    "no symptoms above 0, --no-skip": (EVENT + ZERO_ITEMS + NO_SYMPTOMS_REST, "not_met"),
    "full PTSD (10 of 20 present, dissociative)": (
        EVENT + FULL_ITEMS + FULL_REST, "met"),
}


def _median_ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def time_python(reps: int) -> list[float]:
    out = []
    for _ in range(reps):
        start = time.perf_counter()
        child = pexpect.spawn(sys.executable, ["-c", "pass"], env=ENV, timeout=30)
        child.expect(pexpect.EOF)
        out.append(time.perf_counter() - start)
        child.close()
    return out


def interrupted_draft(folder: Path) -> Path:
    """A draft as the interview leaves it: case id typed, Ctrl-C at the next question."""
    child = pexpect.spawn(sys.executable, ["-m", "dsm5check", "interview", "--out", "r.yaml"],
                          cwd=str(folder), env=ENV, dimensions=(40, 100), timeout=30)
    child.expect_exact(FIRST_TEXT)
    child.send("r\r")
    child.expect_exact("[assessment date]")
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    return folder / "r.yaml.draft.json"


CHECKBOX_LAST = "sexual violence"  # the last choice of the event's nature list


def checkbox_draft(folder: Path, name: str, note: bool) -> Path:
    """A draft stopped at the first tick-box list, optionally after a note added there."""
    child = pexpect.spawn(sys.executable, ["-m", "dsm5check", "interview", "--out",
                                           f"{name}.yaml"],
                          cwd=str(folder), env=ENV, dimensions=(40, 100), timeout=30)
    for label, keys in [(FIRST_TEXT, "c\r"), ("[assessment date]", "\r"),
                        ("[any event]", "y"), ("description]", "crash\r"),
                        ("1: date]", "2024-03-02\r")]:
        child.expect_exact(label)
        child.send(keys)
    child.expect_exact(CHECKBOX_LAST)
    if note:
        child.send("n")
        child.expect_exact("Note for")
        child.send("seen with an interpreter\r")
        child.expect_exact("1: nature]")
        child.expect_exact(CHECKBOX_LAST)
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    return folder / f"{name}.yaml.draft.json"


def time_resume_checkbox(draft: Path) -> float:
    start = time.perf_counter()
    child = pexpect.spawn(sys.executable, ["-m", "dsm5check", "interview", "--resume",
                                           str(draft)],
                          cwd=str(draft.parent), env=ENV, dimensions=(40, 100), timeout=30)
    child.expect_exact(CHECKBOX_LAST)
    took = time.perf_counter() - start
    child.sendcontrol("c")
    child.expect(pexpect.EOF)
    child.close()
    return took


_RUNS = iter(range(1_000_000))  # a fresh case and draft name for every run


def time_first_question(reps: int, folder: Path, resume: str | None = None) -> list[float]:
    out = []
    for _ in range(reps):
        i = next(_RUNS)
        args = ["-m", "dsm5check", "interview", "--out", f"b{i}.yaml", "--draft", f"b{i}.json"]
        if resume:
            args = ["-m", "dsm5check", "interview", "--resume", resume]
        start = time.perf_counter()
        child = pexpect.spawn(sys.executable, args, cwd=str(folder), env=ENV,
                              dimensions=(40, 100), timeout=30)
        child.expect_exact(FIRST_TEXT if not resume else "[assessment date]")
        out.append(time.perf_counter() - start)
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        child.close()
    return out


def count_keys(name: str, steps: list[tuple[str, str]], want: str, folder: Path) -> int:
    keys = "".join(k for _, k in steps)
    out_file = folder / f"{abs(hash(name))}.yaml"
    args = argparse.Namespace(out=str(out_file), resume=None, draft=None, rules=None,
                              plain=False, no_skip="no-skip" in name)
    with create_pipe_input() as inp:
        inp.send_text(keys)
        inp.close()
        code = run_interview(args, TerminalPrompter(inp, DummyOutput(), io.StringIO(), False))
    if code != 0:
        raise SystemExit(f"{name}: the interview did not finish (exit {code})")
    raw = out_file.read_bytes()
    cases, problems = load_case_file(str(out_file), raw, RulesetResolver())
    result = evaluate(cases[0].ruleset, cases[0].case)
    if problems or result.diagnosis != want:
        raise SystemExit(f"{name}: expected {want}, got {result.diagnosis} {problems}")
    return len(keys)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reps", type=int, default=9)
    reps = parser.parse_args().reps
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ENV["DSM5CHECK_CACHE_DIR"] = str(folder / "cache")  # its own caches, filled below
        draft = interrupted_draft(folder)
        edited = folder / "edited.json"  # answers written by hand: nothing noted for them

        def by_hand() -> None:
            edited.write_text(json.dumps({
                "format": "dsm5check-interview-draft", "version": 1, "rules": "dsm5-ptsd",
                "answers": {"id": f"r{next(_RUNS)}"}}))

        by_hand()
        time_python(2)  # warm the file cache
        time_first_question(2, folder)
        time_first_question(2, folder, resume=str(edited))  # and the cache of checked rulesets
        base: list[float] = []
        first: list[float] = []
        resumed: list[float] = []
        checked: list[float] = []
        box: list[float] = []
        box_note: list[float] = []
        for _ in range(reps):  # interleaved, so a change of load touches all alike
            base += time_python(1)
            first += time_first_question(1, folder)
            resumed += time_first_question(1, folder, resume=str(draft))
            by_hand()
            checked += time_first_question(1, folder, resume=str(edited))
            # a fresh draft each time (not timed): a resume notes its question again,
            # so only the first resume of a draft shows what a clinician meets
            box.append(time_resume_checkbox(checkbox_draft(folder, f"x{next(_RUNS)}", False)))
            box_note.append(time_resume_checkbox(checkbox_draft(folder, f"x{next(_RUNS)}", True)))
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"startup, medians of {reps} interleaved runs in a pseudo-terminal"
              f" ({sys.executable}; load average {load:.1f}):")
        print(f"  python -c pass                          {_median_ms(base):7.1f} ms")
        print(f"  interview: first question on screen     {_median_ms(first):7.1f} ms"
              f"  = {_median_ms(first) / _median_ms(base):4.1f}x  (target <= 6x)")
        print(f"  interview --resume: next question       {_median_ms(resumed):7.1f} ms"
              f"  = {_median_ms(resumed) / _median_ms(base):4.1f}x  (target <= 8x)")
        print(f"    a draft written by hand (checked       {_median_ms(checked):7.1f} ms"
              f"  = {_median_ms(checked) / _median_ms(base):4.1f}x")
        print("    before its next question is shown)")
        print(f"  interview --resume: tick-box list drawn {_median_ms(box):7.1f} ms"
              f"  = {_median_ms(box) / _median_ms(base):4.1f}x  (target <= 8x)")
        print(f"    after a note added at that list       {_median_ms(box_note):7.1f} ms"
              f"  = {_median_ms(box_note) / _median_ms(base):4.1f}x  (target <= 8x)")
        print()
        print("keystrokes for a complete interview (every key press, Enter included):")
        for name, (steps, want) in SCRIPTS.items():
            n = count_keys(name, steps, want, folder)
            print(f"  {name:48} {n:4d}  (diagnosis {want})")


if __name__ == "__main__":
    os.environ.setdefault("PROMPT_TOOLKIT_NO_CPR", "1")
    os.environ["LINES"], os.environ["COLUMNS"] = "40", "100"  # review pages: a 100x40 terminal
    started = dt.datetime.now()
    main()
    print(f"\n(run took {(dt.datetime.now() - started).total_seconds():.1f} s)")
