"""`dsm5check interview`: a structured interview that ends in a saved case file.

Imports nothing heavy: the first question is on screen before pydantic, rich
or the ruleset are loaded (see dsm5check/interview/command.py).
"""

from __future__ import annotations

import argparse

HELP = "walk through the criteria in the terminal and save the answers as a case file"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", metavar="FILE",
                        help="case file to write (default: <case id>.yaml)")
    parser.add_argument("--resume", metavar="DRAFT",
                        help="continue an interrupted interview from its draft file")
    parser.add_argument("--draft", metavar="FILE",
                        help="where to keep the draft (default: <out>.draft.json, or"
                        " interview-<date-time>.draft.json)")
    parser.add_argument("--rules", metavar="FILE",
                        help="interview with the ruleset in FILE (default: dsm5-ptsd)")
    parser.add_argument("--plain", action="store_true",
                        help="numbered prompts on plain lines: no menus, no colour"
                        " (screen readers, simple terminals)")
    parser.add_argument("--no-skip", action="store_true",
                        help="ask every question, even when the diagnosis is already decided")


def run(args: argparse.Namespace) -> int:
    try:
        from dsm5check.interview.command import run_interview
    except KeyboardInterrupt:  # Ctrl-C while starting: nothing asked, nothing written
        what = f"the draft {args.resume} is as it was" if args.resume else "nothing was saved"
        print(f"\nInterrupted while starting; {what}.", flush=True)
        return 130
    return run_interview(args)
