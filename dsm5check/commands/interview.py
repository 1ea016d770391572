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
    parser.add_argument("--fhir", metavar="FILE",
                        help="also save the answers as a FHIR R4 QuestionnaireResponse"
                        " (needs the fhir extra; `dsm5check check FILE` reads it back)")
    parser.add_argument("--plain", action="store_true",
                        help="numbered prompts on plain lines: no menus, no colour"
                        " (screen readers, simple terminals)")
    parser.add_argument("--no-skip", action="store_true",
                        help="ask every question, even when the diagnosis is already decided")


def run(args: argparse.Namespace) -> int:
    code: int | None = None  # the interview's own status, once it has ended
    try:
        from dsm5check.interview.keys import kept

        with kept():  # keys typed before a prompt is up (Ctrl-D too) wait for it
            from dsm5check.interview.command import run_interview

            try:
                code = run_interview(args)
                return code
            finally:
                # the program ends now: a Ctrl-C still on its way (the signal can reach
                # Python a moment after it arrived) must not turn the end into a traceback
                import signal

                signal.signal(signal.SIGINT, signal.SIG_IGN)
    except KeyboardInterrupt:
        if code is not None:  # it landed after the interview ended and said how
            return code
        # Ctrl-C while starting (importing, setting up the terminal, before the
        # interview handles it itself): nothing asked, nothing written. Once the
        # interview runs it reports every Ctrl-C itself, and ignores any later one.
        what = (f"the draft {args.resume} is as it was" if args.resume
                else "nothing was saved")
        print(f"\nInterrupted while starting; {what}.", flush=True)
        return 130
