"""`dsm5check quiz`: judge a clinical vignette, then compare with the engine.

``--progress LOG`` shows accuracy by criterion over time from a quiz log.
"""

from __future__ import annotations

import argparse

HELP = "quiz yourself on a clinical vignette (or show progress from a quiz log)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vignette", metavar="ID",
                        help="the vignette to use: its id, any case, or the start of it"
                        " such as v07 (default: random; see --list)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed for the random choice")
    parser.add_argument("--log", metavar="FILE", help="append the result to this JSON Lines log")
    parser.add_argument(
        "--plain", action="store_true",
        help="numbered questions answered line by line, ASCII characters only, no colour"
        " (screen readers, simple terminals; works from a pipe)",
    )
    parser.add_argument(
        "--progress", metavar="LOG", help="show accuracy by criterion over time from a quiz log"
    )
    parser.add_argument("--list", action="store_true", help="list the vignettes and stop")
    parser.add_argument("--rules", metavar="ID",
                        help="draw only vignettes coded for this criteria set, e.g. icd11-ptsd"
                        " or dsm5-asd (see `dsm5check rules list`)")


def run(args: argparse.Namespace) -> int:
    import random
    import sys

    from dsm5check.teach.output import make_console
    from dsm5check.teach.vignettes import find, library

    console = make_console(plain=args.plain)
    if args.progress:
        return _progress(args.progress, console)
    vignettes = library()
    if args.rules:
        from dsm5check.engine.registry import resolve

        wanted = resolve(args.rules).rules.id  # did-you-mean for a mistyped id
        vignettes = tuple(v for v in vignettes if v.case.ruleset == wanted)
        if not vignettes:
            from dsm5check.errors import UsageError

            raise UsageError(f"no vignette is coded for {wanted}")
    if args.list:
        for v in vignettes:
            console.print(f"{v.id:34} {v.difficulty:13} {v.case.ruleset:20} {v.title}",
                          markup=False)
        return 0
    vignette = find(args.vignette) if args.vignette else random.Random(args.seed).choice(vignettes)
    if not args.plain and not sys.stdin.isatty():
        print(
            "dsm5check quiz: standard input is not a terminal, so arrow-key questions cannot"
            " be asked; use --plain to answer numbered questions line by line",
            file=sys.stderr,
        )
        return 2
    from dsm5check.teach.ask import PlainPrompter, Prompter, QuestionaryPrompter
    from dsm5check.teach.session import run_session

    prompter: Prompter = PlainPrompter() if args.plain else QuestionaryPrompter()
    run_session(vignette, prompter, console, log=args.log)
    return 0


def _progress(log: str, console: object) -> int:
    import sys

    from rich.console import Console

    from dsm5check.teach.progress import read, tallies
    from dsm5check.teach.render_quiz import progress_view

    assert isinstance(console, Console)
    entries, problems = read(log)
    for p in problems:
        print(p, file=sys.stderr)
    if entries:
        console.print(progress_view(entries, tallies(entries)))
    else:
        console.print(f"{log}: no quiz results yet")
    return 2 if problems else 0
