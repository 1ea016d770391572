"""`dsm5check learn [CRITERION]`: the criteria rendered for study."""

from __future__ import annotations

import argparse

HELP = "study the criteria: thresholds, items, teaching notes and common pitfalls"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "criterion", nargs="?", metavar="CRITERION",
        help="show only this criterion or specifier (e.g. D, with_delayed_expression)",
    )
    parser.add_argument("--rules", metavar="FILE", help="use the ruleset in FILE")


def run(args: argparse.Namespace) -> int:
    from dsm5check.registry import DEFAULT_RULESET, shipped
    from dsm5check.render.console import make_console
    from dsm5check.ruleset import load_ruleset_file
    from dsm5check.teach.learn import learn_view

    loaded = load_ruleset_file(args.rules) if args.rules else shipped(DEFAULT_RULESET)
    make_console().print(learn_view(loaded, args.criterion))
    return 0
