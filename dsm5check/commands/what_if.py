"""`dsm5check what-if CASE`: the smallest changes that would change the verdict."""

from __future__ import annotations

import argparse

HELP = "show the smallest changes to a case that would change its verdict"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("case", metavar="CASE", help="a case file (YAML or JSON), or - for stdin")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="text (default) for people; json: one list, a record per case")
    parser.add_argument(
        "--max-changes", type=int, default=3, metavar="N",
        help="largest change set to look for (default 3, at most 8)",
    )
    parser.add_argument("--rules", metavar="ID_OR_FILE",
                        help="a shipped ruleset id (see `dsm5check rules list`) or a YAML file"
                        " (default: the ruleset the case names)")


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from dsm5check.cases.loading import RulesetResolver, load_case_file, read_source
    from dsm5check.engine.registry import resolve
    from dsm5check.errors import UsageError
    from dsm5check.render.console import make_console
    from dsm5check.teach.render_whatif import what_if_record, what_if_view
    from dsm5check.teach.whatif import MAX_CHANGES, what_if

    if not 1 <= args.max_changes <= MAX_CHANGES:
        raise UsageError(f"--max-changes: expected a number from 1 to {MAX_CHANGES},"
                         f" not {args.max_changes}")
    override = resolve(args.rules) if args.rules else None
    name, raw = read_source(args.case)
    cases, problems = load_case_file(name, raw, RulesetResolver(override))
    for p in problems:
        print(p, file=sys.stderr)
    answers = [what_if(c.ruleset, c.case, max_changes=args.max_changes) for c in cases]
    if args.format == "json":
        json.dump([what_if_record(w) for w in answers], sys.stdout, indent=2,
                  ensure_ascii=False, default=str)
        sys.stdout.write("\n")
    else:
        console = make_console()
        for i, w in enumerate(answers):
            if i:
                console.print()
            console.print(what_if_view(w))
    return 2 if problems else 0
