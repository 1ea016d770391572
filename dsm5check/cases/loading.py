"""From paths on the command line to validated cases, with every problem kept.

A bad file never stops a run: its problems are collected and the other files
are still read and evaluated. :func:`iter_cases` is the one way every command
reads cases: files, folders, standard input, YAML streams, JSON lists and JSON
Lines, a case at a time, in input order, in flat memory.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import cast

from pydantic import ValidationError

from dsm5check.cases.case import Case
from dsm5check.cases.case_checks import case_problems
from dsm5check.cases.streams import (
    CASE_SUFFIXES,
    documents_of,
    iter_documents,
    kind_of,
    open_source,
    read_bounded,
    special_file,
)
from dsm5check.cases.validation import problems_from
from dsm5check.cases.yamlio import Document, expected_mapping
from dsm5check.engine.registry import DEFAULT_RULESET, shipped
from dsm5check.engine.ruleset import LoadedRuleset
from dsm5check.errors import InputError, Problem
from dsm5check.frozen import quick_init

__all__ = ["CASE_SUFFIXES", "CaseIds", "LoadedCase", "RulesetResolver", "iter_cases",
           "iter_listed_cases", "load_case_file", "read_source"]

#: Problems shown per file; the rest are counted (a file with thousands of
#: problems is a wrong file, and printing them all helps nobody).
MAX_PROBLEMS_PER_FILE = 200
#: Longest message shown for one problem (a huge value quoted in it is cut).
MAX_MESSAGE_CHARS = 400


@quick_init
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
            yield path  # named on purpose: a pipe (<(...)) or device is read too
            continue
        unreadable: list[OSError] = []
        found = 0
        for root, dirs, files in os.walk(path, onerror=unreadable.append):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            regular = _regular_files(root)
            for name in sorted(files):
                if name.endswith(CASE_SUFFIXES) and not name.startswith("."):
                    found += 1
                    full = os.path.join(root, name)
                    what = None if name in regular else special_file(full)
                    if what is not None:  # reading it could block forever
                        yield Problem(full, 1, 1, f"skipped: {what}, not a regular file")
                    else:
                        yield full
        found += len(unreadable)
        yield from _unreadable(unreadable, path)
        if not found:
            yield Problem(path, 1, 1,
                          "folder holds no *.yaml, *.yml, *.json or *.jsonl files")


def _regular_files(folder: str) -> set[str]:
    """Names in ``folder`` that its listing already says are regular files (not
    links): no need to ask the system about each again (special_file). Anything
    else, or a folder that cannot be listed, is asked about one by one."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if e.is_file(follow_symlinks=False)}
    except OSError:
        return set()


def _unreadable(errors: list[OSError], top: str) -> Iterator[Problem]:
    """Folders os.walk could not list, reported (and forgotten) in order."""
    while errors:
        exc = errors.pop(0)
        yield Problem(str(exc.filename or top), 1, 1, f"cannot read folder: {exc.strerror}")


class RulesetResolver:
    """Which ruleset a case is checked with: its `ruleset:` key, else the default."""

    def __init__(self, override: LoadedRuleset | None = None) -> None:
        self.override = override

    def retarget(self, doc: Document) -> Document:
        """With ``--rules``, every case is checked with that set. A case coded for
        another set keeps its item ids (read through the set's crosswalk, as
        ``coded_in``); its ``expected`` block belongs to its own set and is dropped."""
        if self.override is None or not isinstance(doc.data, dict):
            return doc
        data = doc.data
        target = self.override.rules
        named = data.get("ruleset")
        own = named if isinstance(named, str) else DEFAULT_RULESET
        if own == target.id:
            return doc
        walks = {c.from_ for c in (target.crosswalks or ())}
        if named is None and own not in walks and target.vocabulary != own:
            return doc  # a case of no named set, read natively by this set
        # (a set sharing the default set's items, e.g. a research label built on
        # DSM-5 PTSD's, reads the case natively but not its expected block)
        other = {k: v for k, v in data.items() if k != "expected"}
        other["ruleset"] = target.id
        other.setdefault("coded_in", own)
        return dataclasses.replace(doc, data=other)

    def for_case(self, data: dict[str, object]) -> LoadedRuleset:
        wanted = data.get("ruleset")
        if self.override is not None and wanted in (None, self.override.rules.id):
            return self.override
        if not isinstance(wanted, str):
            wanted = DEFAULT_RULESET if self.override is None else self.override.rules.id
        return shipped(wanted)


class CaseIds:
    """Case ids must be unique within one run: the first use claims an id."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def claim(self, cid: str, file: str, line: int) -> str | None:
        """None when the id is new; else what is wrong, to report at the id."""
        if cid not in self.first:
            self.first[cid] = f"{file}:{line}"
            return None
        return f"case id {cid!r} already used in {self.first[cid]}; ids must be unique"


def read_source(path: str) -> tuple[str, bytes]:
    """A whole (small) file: sized before it is read, never more than the limit."""
    name, fh, size = open_source(path)
    try:
        return name, read_bounded(name, fh, size)
    except OSError as exc:
        raise InputError([Problem(name, 1, 1, f"cannot read: {exc.strerror}")]) from None
    finally:
        if path != "-":
            fh.close()


def check_document(
    doc: Document, resolver: RulesetResolver, today: dt.date
) -> tuple[LoadedCase | None, list[Problem]]:
    """A validated case from one document, or every problem found in it.

    Every way in (files, streams, the Python API, FHIR responses) goes through
    here, so a case is held to the same checks whatever it came from.
    """
    bad = expected_mapping(doc)
    if bad:
        return None, [bad]
    doc = resolver.retarget(doc)
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
        return None, [_short(p) for p in found]
    return LoadedCase(case, ruleset, doc), []


#: Control characters in a message (from a value or key the user wrote) are shown
#: escaped: one problem stays one line, and nothing reaches the terminal as a command.
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(32), 127)}


def _short(p: Problem) -> Problem:
    """One line of at most MAX_MESSAGE_CHARS (a huge value quoted in it is cut)."""
    msg, path = p.message.translate(_ESCAPES), p.path.translate(_ESCAPES)
    if len(msg) > MAX_MESSAGE_CHARS:
        half = MAX_MESSAGE_CHARS // 2
        msg = f"{msg[:half]} ... ({len(msg) - 2 * half:,} characters cut) ... {msg[-half:]}"
    if msg == p.message and path == p.path and len(path) <= MAX_MESSAGE_CHARS:
        return p
    return Problem(p.file, p.line, p.col, msg, path[:MAX_MESSAGE_CHARS])


class _Cap:
    """At most MAX_PROBLEMS_PER_FILE problems of one file; the rest counted."""

    def __init__(self) -> None:
        self.shown = 0
        self.hidden = 0
        self.first_hidden: Problem | None = None

    def take(self, problems: list[Problem]) -> list[Problem]:
        room = max(0, MAX_PROBLEMS_PER_FILE - self.shown)
        shown = problems[:room]
        self.shown += len(shown)
        rest = problems[room:]
        if rest:
            self.first_hidden = self.first_hidden or rest[0]
            self.hidden += len(rest)
        return shown

    @property
    def full(self) -> bool:
        return self.shown >= MAX_PROBLEMS_PER_FILE

    def summary(self) -> Problem | None:
        if not self.hidden or self.first_hidden is None:
            return None
        p = self.first_hidden
        return Problem(p.file, p.line, p.col,
                       f"{self.hidden:,} more problems in this file not shown"
                       f" (the first {MAX_PROBLEMS_PER_FILE} are above)")


def _file_cases(
    items: Iterable[Document | Problem], resolver: RulesetResolver, today: dt.date
) -> Iterator[LoadedCase | Problem]:
    cap = _Cap()
    for item in items:
        if isinstance(item, Problem):
            yield from cap.take([_short(item)])
            continue
        if cap.full:
            item._tree.append(None)  # counted, not shown: no need to find positions
        loaded, problems = check_document(item, resolver, today)
        if loaded is not None:
            yield loaded
        else:
            yield from cap.take(problems)
    summary = cap.summary()
    if summary is not None:
        yield summary


def iter_file_cases(
    path: str, resolver: RulesetResolver, *, input_format: str | None = None,
    today: dt.date | None = None,
) -> Iterator[LoadedCase | Problem]:
    """Every case of one input (a file, or '-' for standard input), in order."""
    return _file_cases(iter_documents(path, input_format), resolver,
                       today or dt.date.today())


def iter_cases(
    paths: Iterable[str] | Iterable[str | Problem], resolver: RulesetResolver | None = None,
    *,
    input_format: str | None = None, today: dt.date | None = None,
    ids: CaseIds | None = None, expanded: bool = False,
) -> Iterator[LoadedCase | Problem]:
    """Every case under ``paths`` as it is read, in input order, with a Problem
    for everything wrong (never raised: a bad input does not stop the others).

    Files, folders (searched recursively), '-' for standard input; each may hold
    one case, a YAML stream, a JSON list or JSON Lines. ``input_format`` (yaml,
    json, jsonl) says what standard input and files without a known suffix
    hold. Case ids must be unique across the run. ``expanded``: ``paths`` are what
    expand_paths gave already (files, and problems reported in their places).
    """
    ids = ids or CaseIds()
    entries = paths if expanded else expand_paths(cast("Iterable[str]", paths))
    for item in iter_listed_cases(entries, resolver or RulesetResolver(),
                                  input_format=input_format, today=today):
        if isinstance(item, LoadedCase):
            doc = item.doc
            duplicate = ids.claim(item.case.id, doc.file, doc.line)
            if duplicate is not None:
                yield doc.problem(("id",), duplicate)
                continue
        yield item


def iter_listed_cases(
    entries: Iterable[str | Problem], resolver: RulesetResolver, *,
    input_format: str | None = None, today: dt.date | None = None,
) -> Iterator[LoadedCase | Problem]:
    """Every case of inputs listed by expand_paths (files, and what could not be
    listed as a Problem in its place), in order; ids are not compared (iter_cases
    does that, and a pool's parent for its workers)."""
    today = today or dt.date.today()
    for entry in entries:
        if isinstance(entry, Problem):
            yield entry
        else:
            yield from iter_file_cases(entry, resolver, input_format=input_format, today=today)


def load_case_file(
    name: str, raw: bytes, resolver: RulesetResolver, today: dt.date | None = None
) -> tuple[list[LoadedCase], list[Problem]]:
    """Every case of one file's bytes, and every problem found in it."""
    cases: list[LoadedCase] = []
    problems: list[Problem] = []
    docs = _bytes_documents(name, raw)
    for item in _file_cases(docs, resolver, today or dt.date.today()):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            cases.append(item)
    return cases, problems


def _bytes_documents(name: str, raw: bytes) -> Iterator[Document | Problem]:
    try:
        yield from documents_of(name, io.BufferedReader(io.BytesIO(raw)), len(raw),
                                kind_of(name))
    except InputError as err:
        yield from err.problems
