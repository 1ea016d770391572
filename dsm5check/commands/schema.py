"""`dsm5check schema case|ruleset`: JSON Schemas for editors and scripts."""

from __future__ import annotations

import argparse

HELP = "print the JSON Schema of case files or rulesets (for editor validation)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("case", "ruleset"), help="which file format")
    parser.add_argument(
        "--rules", metavar="ID_OR_FILE", default="dsm5-ptsd",
        help="for case: the ruleset whose item, criterion and specifier names the schema"
        " lists (default dsm5-ptsd); 'none' for the format alone",
    )


def run(args: argparse.Namespace) -> int:
    import json

    from dsm5check.cases.schemas import schema_for

    rules = None
    if args.kind == "case" and args.rules.lower() != "none":
        from dsm5check.engine.registry import resolve

        rules = resolve(args.rules).rules
    print(json.dumps(schema_for(args.kind, rules), indent=2))
    return 0
