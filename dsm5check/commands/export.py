"""`dsm5check export KIND --rules ID`: a ruleset's interview for other systems.

KIND is fhir-questionnaire (a FHIR R4 Questionnaire, JSON) or redcap (a REDCap
data dictionary, CSV). Written to standard output, or atomically to -o FILE.
"""

from __future__ import annotations

import argparse

HELP = "write a ruleset's interview as a FHIR Questionnaire or a REDCap data dictionary"

KINDS = ("fhir-questionnaire", "redcap")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=KINDS,
                        help="fhir-questionnaire: FHIR R4 Questionnaire (JSON);"
                        " redcap: REDCap data dictionary (CSV)")
    parser.add_argument("--rules", metavar="ID_OR_FILE", default="dsm5-ptsd",
                        help="shipped ruleset id or ruleset file (default: dsm5-ptsd)")
    parser.add_argument("-o", "--out", metavar="FILE",
                        help="write to FILE instead of standard output")


def run(args: argparse.Namespace) -> int:
    import sys

    from dsm5check.engine.registry import resolve

    loaded = resolve(args.rules)  # a usage error names the close shipped ids
    if args.kind == "redcap":
        from dsm5check.exchange.redcap import data_dictionary

        text = data_dictionary(loaded)
    else:
        from dsm5check.exchange.fhir import dump, questionnaire

        text = dump(questionnaire(loaded))
    if not args.out:
        sys.stdout.write(text)
        return 0
    from dsm5check.interview.draft import atomic_write

    try:
        atomic_write(args.out, text, mode=0o644)
    except OSError as exc:
        print(f"dsm5check export: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}", file=sys.stderr)
    return 0
