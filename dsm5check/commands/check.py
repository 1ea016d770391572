"""`dsm5check check PATH...`: evaluate case files and report, with exit codes.

Exit codes (the public contract): 0 every case evaluated and every expectation
matched; 1 some expectation did not match; 2 some input could not be read
(reported as file:line:col; the good cases are still evaluated). 2 wins over 1.
"""

from __future__ import annotations

import argparse

from dsm5check.commands import positive_int

HELP = "check case files against a criteria set and explain the result"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="PATH",
        help="case files (.yaml, .yml, .json, .jsonl), folders (searched recursively) or -"
        " for standard input; a file may hold many cases (a YAML stream, a JSON list, or"
        " JSON Lines: one case per line)",
    )
    parser.add_argument(
        "--input-format", choices=("auto", "yaml", "json", "jsonl"), default="auto",
        help="what standard input (and files without a known suffix) hold; auto (default)"
        " decides from the first line",
    )
    parser.add_argument(
        "--format", choices=("text", "json", "jsonl", "fhir"), default="text",
        help="text (default) for people; json: one list; jsonl: one object per line;"
        " fhir: a FHIR R4 Bundle of Observations (needs the fhir extra)",
    )
    parser.add_argument(
        "--rules", metavar="ID_OR_FILE",
        help="check every case with this ruleset: a shipped id (see `dsm5check rules list`)"
        " or a YAML file (default: the ruleset each case names)",
    )
    parser.add_argument(
        "--with-input", action="store_true",
        help="json/jsonl: each result also holds the case as read, under 'input', so the"
        " output can be checked again (jq -c .input)",
    )
    parser.add_argument(
        "-j", "--jobs", type=positive_int, metavar="N", default=None,
        help="worker processes for json/jsonl runs (default: one per core from 256 files)",
    )
    parser.add_argument(
        "--explain", action="store_true",
        help="also list the readings dsm5check chose where the criteria are silent or unclear",
    )
    parser.add_argument(
        "--detail", action="store_true",
        help="with several cases, show every case's tree, not only those needing attention",
    )


def run(args: argparse.Namespace) -> int:
    from dsm5check.check.batch import check_paths
    from dsm5check.launch import settle_for_batch

    settle_for_batch()
    return check_paths(
        args.paths, fmt=args.format, rules_file=args.rules, detail=args.detail, jobs=args.jobs,
        explain=args.explain, input_format=args.input_format, with_input=args.with_input,
    )
