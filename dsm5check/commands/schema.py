"""`dsm5check schema case|ruleset|result`: JSON Schemas for editors and scripts."""

from __future__ import annotations

import argparse

HELP = "print the JSON Schema of case files or rulesets (for editor validation)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("case", "ruleset"), help="which file format")


def run(args: argparse.Namespace) -> int:
    import json

    from dsm5check.schemas import schema_for

    print(json.dumps(schema_for(args.kind), indent=2))
    return 0
