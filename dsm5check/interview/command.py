"""Command glue for `dsm5check interview`: drafts, prompter, interrupts, saving.

Ctrl-C or Ctrl-D at any prompt ends with status 130 and names the draft; every
answer given so far is already in it. The saved case is read back exactly as
`dsm5check check` reads it, and the result shown is that result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dsm5check.interview.draft import Draft, default_draft_path, load_draft
from dsm5check.interview.prompts import PlainPrompter, Prompter
from dsm5check.interview.session import Session

if TYPE_CHECKING:
    from dsm5check.interview.questions import Plan

DEFAULT_RULESET = "dsm5-ptsd"  # = registry.DEFAULT_RULESET, kept here to start fast
NOT_A_TERMINAL = (
    "dsm5check interview: standard input is not a terminal, and the interview needs one.\n"
    "To evaluate answers already written down, put them in a case file and run:\n"
    "  dsm5check check CASE.yaml"
)


def load_plan(draft: Draft, today: dt.date) -> Plan:
    from dsm5check.interview.questions import compile_plan

    if draft.rules_is_file:
        from dsm5check.engine.ruleset import load_ruleset_file

        loaded = load_ruleset_file(draft.rules)
    else:
        from dsm5check.engine.registry import shipped

        loaded = shipped(draft.rules)
    return compile_plan(loaded, today, no_skip=draft.no_skip)


def make_prompter(plain: bool) -> Prompter:
    if plain:
        return PlainPrompter()
    from dsm5check.interview.terminal import TerminalPrompter

    return TerminalPrompter(color=not os.environ.get("NO_COLOR"))


def draft_exists(path: str) -> None:
    """Refuse to start a new interview over an existing draft."""
    from dsm5check.errors import UsageError

    if os.path.exists(path):
        raise UsageError(f"a draft named {path} exists already; continue it with"
                         f" `dsm5check interview --resume {path}`")


def new_draft(args: argparse.Namespace) -> Draft:

    path = args.draft or default_draft_path(args.out)
    if args.rules:
        from dsm5check.engine.registry import rules_source

        rules, is_file = rules_source(args.rules)  # a file, or a shipped id (UsageError)
        if is_file:
            rules = str(Path(rules).resolve())
        return Draft(path, rules, is_file, args.out, args.no_skip)
    return Draft(path, DEFAULT_RULESET, False, args.out, args.no_skip)


def run_interview(args: argparse.Namespace, prompter: Prompter | None = None,
                  today: dt.date | None = None) -> int:
    if prompter is None and not sys.stdin.isatty():
        print(NOT_A_TERMINAL, file=sys.stderr)
        return 2
    from dsm5check.interview import interrupt

    held: list[Draft] = []  # the draft, once it is known and locked
    shown: list[Prompter] = []
    with interrupt.installed():
        try:
            return _run(args, prompter, today or dt.date.today(), held, shown)
        except (KeyboardInterrupt, EOFError):
            interrupt.ignore()  # nothing interrupts the report of the interruption
            return _interrupted(shown[0] if shown else None, held[0] if held else None)
        finally:
            for draft in held:
                draft.unlock()


def _run(args: argparse.Namespace, prompter: Prompter | None, today: dt.date,
         held: list[Draft], shown: list[Prompter]) -> int:
    if args.resume:
        draft = load_draft(args.resume)
        draft.no_skip = draft.no_skip or args.no_skip
        draft.out = args.out or draft.out
    else:
        draft = new_draft(args)
    held.append(draft)  # first: an interrupt from here on unlocks what was locked
    draft.lock()  # a second interview on the same draft is refused, naming this one
    if not args.resume:
        draft_exists(draft.path)  # checked under the lock: no other interview can make it
    resumed: Plan | None = None
    if args.resume:  # every answer checked before one is used (a draft may be hand-edited)
        draft.reread()  # as it is now that no other interview can write it
        from dsm5check.errors import InputError
        from dsm5check.interview.draft_check import draft_problems

        try:
            resumed = load_plan(draft, today)
        except InputError as err:
            if draft.rules_is_file and os.path.isfile(draft.rules):
                raise  # a broken ruleset file: its own problems, at their own lines
            from dsm5check.interview.draft_check import at

            # the draft names a ruleset that is not there: say so at its "rules"
            raise InputError([at(draft.path, ("rules",), err.problems[0].message)]) from None
        bad = draft_problems(draft.path, resumed, draft.answers)
        if bad:
            raise InputError(bad)
    prompter = prompter or make_prompter(args.plain)
    shown.append(prompter)
    session = Session(prompter, draft, lambda: resumed or load_plan(draft, today), today)
    if args.resume:
        prompter.say(f"Resuming {draft.path}: {len(draft.answers)} answers kept.")
    plan = session.run()
    from dsm5check.interview.save import save_case

    return save_case(session, plan, plain=args.plain, fhir=getattr(args, "fhir", None))


def _interrupted(prompter: Prompter | None, draft: Draft | None) -> int:
    def say(text: str) -> None:
        if prompter is not None:
            prompter.say(text)
        else:
            print(text, flush=True)

    say("")
    if draft is not None and os.path.exists(draft.path):
        say(f"Interrupted. Every answer so far is in the draft: {draft.path}")
        say(f"Continue with: dsm5check interview --resume {draft.path}")
    else:
        say("Interrupted before the first answer; nothing was saved.")
    return 130

