"""`dsm5check compare CASES... --rules A,B,...`: verdicts side by side, and agreement.

Exit codes as `check`: 0 every case compared (and its own expected block, if
any, matched); 1 an expected block did not match; 2 some input could not be read.
A set skips the cases it is not for (another age group, items it cannot read):
counted per set, listed with --verbose, never a problem.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dsm5check.commands import positive_int

if TYPE_CHECKING:
    from dsm5check.check.batch import Blocks
    from dsm5check.compare.cases import Tally
    from dsm5check.engine.ruleset import LoadedRuleset
    from dsm5check.errors import Problem

HELP = "check cases against several criteria sets side by side, with agreement figures"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="case files, folders (searched recursively) or - for standard"
                        " input; YAML streams, JSON lists and JSON Lines hold many cases")
    parser.add_argument("--rules", metavar="IDS",
                        help="criteria sets to compare, shipped ids or ruleset files separated"
                        " by commas (default: the adult PTSD sets shipped: dsm5-ptsd,"
                        " icd11-ptsd, icd11-cptsd, dsm4tr-ptsd)")
    parser.add_argument("--reference", metavar="ID",
                        help="the set read as the reference for sensitivity, specificity, PPV"
                        " and NPV (default: the first of --rules)")
    parser.add_argument("--format", choices=("text", "json", "jsonl"), default="text",
                        help="text (default) for people; json: one document with every case and"
                        " the summary; jsonl: one line per case, then one summary line")
    parser.add_argument("--input-format", choices=("auto", "yaml", "json", "jsonl"),
                        default="auto", help="what standard input holds (auto: decided from"
                        " the first line)")
    parser.add_argument("--jobs", type=positive_int, metavar="N", default=None,
                        help="worker processes for jsonl runs (default: one per core from 256"
                        " files)")
    parser.add_argument("--all", action="store_true",
                        help="text: list every case, not only those where the sets disagree")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="text: list the cases each set skipped (cases it is not for),"
                        " not only how many")


def run(args: argparse.Namespace) -> int:
    import sys

    from dsm5check.compare.cases import Tally, default_sets
    from dsm5check.engine.registry import resolve, shipped_ids
    from dsm5check.errors import UsageError

    names = [n.strip() for n in (args.rules or "").split(",") if n.strip()]
    names = names or default_sets(shipped_ids())
    sets = [resolve(n) for n in names]
    ids = [s.rules.id for s in sets]
    if len(set(ids)) != len(ids) or len(ids) < 2:
        raise UsageError("compare needs at least two different criteria sets in --rules")
    reference = args.reference
    if reference is not None and reference not in ids:
        raise UsageError(f"--reference {reference} is not one of the compared sets:"
                         f" {', '.join(ids)}")
    from dsm5check.check.batch import Blocks, may_block

    problems: list[Problem] = []
    fmt = None if args.input_format == "auto" else args.input_format
    tally = Tally(ids, frozenset(frozenset((a.rules.id, b.rules.id)) for a in sets for b in sets
                                 if a is not b and a.rules.exclusive_with(b.rules)))
    # JSON lines in blocks into a file or pipe, each at once on a terminal or for cases
    # read from standard input; the lines before a problem are written before it
    out = Blocks(sys.stdout, may_block(sys.stdout, args.paths))
    with out.open():
        return _compare(args, sets, ids, names, reference, tally, problems, fmt, out)


def _compare(args: argparse.Namespace, sets: list[LoadedRuleset], ids: list[str],
             names: list[str], reference: str | None, tally: Tally, problems: list[Problem],
             fmt: str | None, out: Blocks) -> int:
    import json
    import os
    import sys

    from dsm5check.check.batch import show_problems
    from dsm5check.compare.cases import comparison_record, iter_comparisons, record_text

    mismatched = 0
    comparisons = iter_comparisons(args.paths, sets, problems, input_format=fmt)
    shown = 0

    def report_problems() -> None:
        nonlocal shown
        show_problems(problems[shown:])
        shown = len(problems)

    if args.format == "jsonl" and fmt is None and "-" not in args.paths:
        parallel = _parallel(args, names, tally, problems)
        if parallel is not None:
            mismatched = 0
            for text, bad in parallel:
                mismatched += bad
                out.write(text + "\n")
            summary = tally.summary(reference) if tally.cases else None
            out.write(json.dumps({"summary": summary, "skipped": tally.skipped()},
                                 ensure_ascii=False) + "\n")
            return 2 if problems else 1 if mismatched else 0

    kept = []
    for c in comparisons:
        report_problems()
        tally.add(c)
        if not c.results:  # every set skipped it: counted in tally.skipped() only
            continue
        mismatched += any(r.mismatches for r in c.results)
        if args.format == "jsonl":
            out.write(record_text(c) + "\n")
        else:
            kept.append(c)
    report_problems()
    summary = tally.summary(reference) if tally.cases else None
    if args.format == "jsonl":
        out.write(json.dumps({"summary": summary, "skipped": tally.skipped()},
                             ensure_ascii=False) + "\n")
    elif args.format == "json":
        doc = {"sets": ids, "cases": [comparison_record(c) for c in kept], "summary": summary,
               "skipped": tally.skipped()}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        from dsm5check.render.compare_view import render_comparison
        from dsm5check.render.console import make_console

        console = make_console()
        render_comparison(console, sets, kept, summary, every=args.all)
        # a listed case (--verbose) is one line, never wrapped: its file name stays
        # whole for grep and copying; the count lines fit a terminal's width (or
        # COLUMNS), and are whole lines in a pipe or file with no width asked for
        whole = not console.is_terminal and not os.environ.get("COLUMNS")
        for line in skipped_lines(tally.skipped(), verbose=args.verbose):
            console.print(line, markup=False, highlight=False,
                          soft_wrap=line.startswith(" ") or whole)
    if problems:
        return 2
    return 1 if mismatched else 0


def _parallel(args: argparse.Namespace, names: list[str], tally: Tally,
              problems: list[Problem]) -> Iterator[tuple[str, bool]] | None:
    """Cases compared in worker processes, when there are enough files (as ``check``
    does); None to compare in this process. Same lines, same order."""
    from dsm5check.cases.loading import expand_paths
    from dsm5check.check.batch import _jobs
    from dsm5check.compare.cases import parallel_comparisons

    if args.jobs is not None and args.jobs < 2:
        return None
    # the files found, and in their places what could not be listed (reported when
    # reached, after the lines before it, as in one process)
    entries = list(expand_paths(args.paths))
    jobs = _jobs(args.jobs, sum(1 for e in entries if isinstance(e, str)))
    if jobs < 2:
        return None
    return parallel_comparisons(entries, names, jobs, tally, problems)


def skipped_lines(skipped: dict[str, dict[str, Any]], *, verbose: bool) -> list[str]:
    """One line per set that skipped cases, with the count and why in words; with
    ``verbose`` each case under it (id, file:line, the reason)."""
    from dsm5check.compare.cases import SKIP_WORDS

    lines = []
    for rid, entry in skipped.items():
        n = entry["count"]
        reasons = entry["reasons"]
        if len(reasons) == 1:
            why = SKIP_WORDS[next(iter(reasons))]
        else:
            why = ", ".join(f"{k} {SKIP_WORDS[r]}" for r, k in reasons.items())
        lines.append(f"{rid}: {n} case{'s' if n != 1 else ''} skipped — {why}")
        if verbose:
            lines += [f"  {c['id']}  {c['file']}:{c['line']}  {c['why']}" for c in entry["cases"]]
    return lines
