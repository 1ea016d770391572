"""`dsm5check learn [CRITERION]`: the criteria rendered for study."""

from __future__ import annotations

import argparse

HELP = "study the criteria: thresholds, items, teaching notes and common pitfalls"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "criterion", nargs="?", metavar="CRITERION",
        help="show only this criterion or specifier, in any case (e.g. D, d,"
        " with_delayed_expression)",
    )
    parser.add_argument(
        "--rules", metavar="ID_OR_FILE",
        help="a shipped ruleset id (see `dsm5check rules list`) or a ruleset YAML file"
        " (default: dsm5-ptsd)",
    )
    parser.add_argument(
        "--compare", nargs=2, metavar=("SET1", "SET2"),
        help="what differs between two criteria sets, criterion by criterion (shipped ids"
        " or files), e.g. --compare dsm5-ptsd icd11-ptsd",
    )
    parser.add_argument(
        "--plain", action="store_true",
        help="ASCII characters only, no colour, no pager (screen readers, simple terminals)",
    )
    parser.add_argument(
        "--no-pager", action="store_true",
        help="print everything at once (by default a terminal pages text taller than"
        " the screen with $PAGER, or less)",
    )


def run(args: argparse.Namespace) -> int:
    import sys

    from dsm5check.engine.registry import resolve
    from dsm5check.errors import UsageError
    from dsm5check.teach.learn import learn_view
    from dsm5check.teach.output import make_console, show

    if args.compare:
        from dsm5check.teach.compare_sets import compare_sets_view

        first, second = resolve(args.compare[0]), resolve(args.compare[1])
        if first.rules.id == second.rules.id:
            raise UsageError(f"--compare needs two different criteria sets; both name"
                             f" {first.rules.id}")
        view = compare_sets_view(first, second)
    else:
        view = learn_view(resolve(args.rules), args.criterion)
    console = make_console(sys.stdout, plain=args.plain)
    show(console, view, page_long=not (args.plain or args.no_pager))
    return 0
