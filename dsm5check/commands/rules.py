"""`dsm5check rules list | show ID | validate FILE...`."""

from __future__ import annotations

import argparse

HELP = "list, show or validate criteria sets (rulesets)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="the shipped rulesets")
    show = sub.add_parser("show", help="render a ruleset: criteria, items, rules, specifiers")
    show.add_argument("ruleset", metavar="ID_OR_FILE", help="a shipped ruleset id or a YAML file")
    validate = sub.add_parser("validate", help="check ruleset files; errors as file:line:col")
    validate.add_argument("files", nargs="+", metavar="FILE", help="ruleset YAML files to check")


def run(args: argparse.Namespace) -> int:
    from dsm5check.render.console import make_console
    from dsm5check.render.rules_view import list_table, ruleset_view

    console = make_console()
    if args.rules_command == "list":
        console.print(list_table())
        return 0
    if args.rules_command == "show":
        from dsm5check.engine.registry import resolve

        console.print(ruleset_view(resolve(args.ruleset).rules))
        return 0
    return _validate(args.files)


def _validate(files: list[str]) -> int:
    import sys

    from dsm5check.engine.ruleset import load_ruleset_file
    from dsm5check.errors import InputError

    code = 0
    for f in files:
        try:
            loaded = load_ruleset_file(f)
        except InputError as err:
            for p in err.problems:
                print(p, file=sys.stderr)
            code = 2
            continue
        r = loaded.rules
        print(f"{f}: ok ({r.id} {r.version}: {len(r.items)} items, {len(r.criteria)} criteria,"
              f" {len(r.specifiers)} specifiers)")
    return code
