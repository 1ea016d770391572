"""From paths on the command line to validated cases, with every problem kept.

A bad file never stops a run: its problems are collected (all of them at
once) and the other files are still read and evaluated.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from dsm5check.case import Case
from dsm5check.case_checks import date_problems, key_problems
from dsm5check.errors import InputError, Problem
from dsm5check.registry import DEFAULT_RULESET, shipped
from dsm5check.ruleset import LoadedRuleset
from dsm5check.validation import problems_from
from dsm5check.yamlio import Document, expected_mapping, load_documents

CASE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True, slots=True)
class LoadedCase:
    case: Case
    ruleset: LoadedRuleset
    doc: Document


def expand_paths(paths: Iterable[str]) -> Iterator[str | Problem]:
    """Files named, files under folders named (sorted, recursively), or '-'."""
    for path in paths:
        if path == "-":
            yield path
            continue
        p = Path(path)
        if p.is_dir():
            found = False
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith(CASE_SUFFIXES) and not name.startswith("."):
                        found = True
                        yield os.path.join(root, name)
            if not found:
                yield Problem(path, 1, 1, "folder holds no *.yaml, *.yml or *.json files")
        elif p.exists():
            yield path
        else:
            yield Problem(path, 1, 1, "no such file or folder")


class RulesetResolver:
    """Which ruleset a case is checked with: its `ruleset:` key, else the default."""

    def __init__(self, override: LoadedRuleset | None = None) -> None:
        self.override = override

    def for_case(self, data: dict[str, object]) -> LoadedRuleset:
        wanted = data.get("ruleset")
        if self.override is not None and wanted in (None, self.override.rules.id):
            return self.override
        if not isinstance(wanted, str):
            wanted = DEFAULT_RULESET if self.override is None else self.override.rules.id
        return shipped(wanted)


def read_source(path: str) -> tuple[str, bytes]:
    if path == "-":
        return "<stdin>", sys.stdin.buffer.read()
    try:
        return path, Path(path).read_bytes()
    except OSError as exc:
        raise InputError([Problem(path, 1, 1, f"cannot read: {exc.strerror}")]) from None


def load_case_file(
    name: str, raw: bytes, resolver: RulesetResolver, today: dt.date | None = None
) -> tuple[list[LoadedCase], list[Problem]]:
    """Every case of one file, and every problem found in it."""
    today = today or dt.date.today()
    try:
        docs = load_documents(name, raw)
    except InputError as err:
        return [], list(err.problems)
    cases: list[LoadedCase] = []
    problems: list[Problem] = []
    for doc in docs:
        bad = expected_mapping(doc)
        if bad:
            problems.append(bad)
            continue
        found = list(doc.problems)
        case: Case | None = None
        try:
            case = Case.model_validate(doc.data)
        except ValidationError as exc:
            found.extend(problems_from(doc, exc, Case))
        try:
            ruleset = resolver.for_case(doc.data)
        except InputError as err:
            found.append(doc.problem(("ruleset",), err.problems[0].message))
        else:
            checks = key_problems(doc.data, ruleset.rules)
            if case is not None:
                checks += date_problems(case, today)
            found.extend(doc.problem(loc, msg) for loc, msg in checks)
        if found or case is None:
            found.sort(key=lambda p: (p.line, p.col))
            problems.extend(found)
            continue
        cases.append(LoadedCase(case, ruleset, doc))
    return cases, problems
