"""From paths on the command line to validated cases, with every problem kept.

A bad file never stops a run: its problems are collected (all of them at
once) and the other files are still read and evaluated.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from dsm5check.case import Case
from dsm5check.case_checks import case_problems
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
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            yield Problem(path, 1, 1, "no such file or folder")
            continue
        except OSError as exc:
            yield Problem(path, 1, 1, f"cannot read: {exc.strerror}")
            continue
        if not stat.S_ISDIR(mode):
            yield path
            continue
        unreadable: list[OSError] = []
        found = 0
        for root, dirs, files in os.walk(path, onerror=unreadable.append):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if name.endswith(CASE_SUFFIXES) and not name.startswith("."):
                    found += 1
                    yield os.path.join(root, name)
        found += len(unreadable)
        yield from _unreadable(unreadable, path)
        if not found:
            yield Problem(path, 1, 1, "folder holds no *.yaml, *.yml or *.json files")


def _unreadable(errors: list[OSError], top: str) -> Iterator[Problem]:
    """Folders os.walk could not list, reported (and forgotten) in order."""
    while errors:
        exc = errors.pop(0)
        yield Problem(str(exc.filename or top), 1, 1, f"cannot read folder: {exc.strerror}")


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
        loaded, found = load_document(doc, resolver, today)
        problems.extend(found)
        if loaded is not None:
            cases.append(loaded)
    return cases, problems


def load_document(
    doc: Document, resolver: RulesetResolver, today: dt.date
) -> tuple[LoadedCase | None, list[Problem]]:
    """One parsed document as a validated case, or every problem found in it.

    Every way in (files, streams, the Python API, FHIR responses) goes through
    here, so a case is held to the same checks whatever it came from.
    """
    bad = expected_mapping(doc)
    if bad:
        return None, [bad]
    found = list(doc.problems)
    if isinstance(doc.data.get("resourceType"), str):  # FHIR: exchange/load.py reads it
        from dsm5check.exchange.load import convert

        original = doc
        doc, converted = convert(doc)
        found += [original.problem(loc, msg) for loc, msg in converted]
        if converted:
            found.sort(key=lambda p: (p.line, p.col))
            return None, found
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
        checks = case_problems(doc.data, case, ruleset.rules, today)
        found.extend(doc.problem(loc, msg) for loc, msg in checks)
    if found or case is None:
        found.sort(key=lambda p: (p.line, p.col))
        return None, found
    return LoadedCase(case, ruleset, doc), []
