"""Running `check` over many files: read, evaluate, render, exit code.

Problems go to standard error as ``file:line:col: message`` as soon as a file
is read; results go to standard output. For jsonl each result is written as
soon as it is ready, so a huge folder streams.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from dsm5check.engine import evaluate
from dsm5check.errors import InputError, Problem
from dsm5check.loading import RulesetResolver, expand_paths, load_case_file, read_source
from dsm5check.results import CaseResult
from dsm5check.ruleset import load_ruleset_file

EXIT_OK, EXIT_MISMATCH, EXIT_INPUT = 0, 1, 2


def iter_results(
    paths: Sequence[str], resolver: RulesetResolver, problems: list[Problem]
) -> Iterator[CaseResult]:
    """Evaluate every case under ``paths``; append problems as they are found."""
    seen_ids: dict[str, str] = {}
    for entry in expand_paths(paths):
        if isinstance(entry, Problem):
            _report(problems, [entry])
            continue
        try:
            name, raw = read_source(entry)
        except InputError as err:
            _report(problems, err.problems)
            continue
        cases, found = load_case_file(name, raw, resolver)
        _report(problems, found)
        for loaded in cases:
            cid = loaded.case.id
            if cid in seen_ids:
                _report(problems, [loaded.doc.problem(
                    ("id",), f"case id {cid!r} already used in {seen_ids[cid]}; ids must be unique"
                )])
                continue
            seen_ids[cid] = f"{name}:{loaded.doc.line}"
            yield evaluate(loaded.ruleset, loaded.case, file=name, line=loaded.doc.line)


def _report(problems: list[Problem], new: Sequence[Problem]) -> None:
    for p in new:
        print(p, file=sys.stderr)
    problems.extend(new)


def exit_code(results: Sequence[CaseResult] | int, problems: Sequence[Problem]) -> int:
    if problems:
        return EXIT_INPUT
    mismatched = results if isinstance(results, int) else sum(1 for r in results if r.mismatches)
    return EXIT_MISMATCH if mismatched else EXIT_OK


def check_paths(
    paths: Sequence[str], *, fmt: str, rules_file: str | None, detail: bool,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    override = load_ruleset_file(rules_file) if rules_file else None
    resolver = RulesetResolver(override)
    problems: list[Problem] = []
    results = iter_results(paths, resolver, problems)
    if fmt == "jsonl":
        from dsm5check.render.records import case_record

        mismatched = 0
        write = out.write
        for r in results:
            mismatched += bool(r.mismatches)
            write(json.dumps(case_record(r), ensure_ascii=False, default=str))
            write("\n")
        return exit_code(mismatched, problems)
    collected = list(results)
    if fmt == "json":
        from dsm5check.render.records import case_record

        json.dump([case_record(r) for r in collected], out, ensure_ascii=False, indent=2,
                  default=str)
        out.write("\n")
    else:
        from dsm5check.render.console import make_console
        from dsm5check.render.text import render_run

        render_run(make_console(out), collected, detail=detail, errors=len(problems))
    return exit_code(collected, problems)
