"""Running `check` over many files: read, evaluate, render, exit code.

Problems go to standard error as ``file:line:col: message`` as soon as a file
is read; results go to standard output. For jsonl each result is written as
soon as it is ready, so a huge folder streams.
"""

from __future__ import annotations

import itertools
import json
import signal
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from typing import TextIO

from dsm5check.engine import evaluate
from dsm5check.errors import InputError, Problem
from dsm5check.loading import RulesetResolver, expand_paths, load_case_file, read_source
from dsm5check.results import CaseResult
from dsm5check.ruleset import load_ruleset_file
from dsm5check.yamlio import Document, load_documents

EXIT_OK, EXIT_MISMATCH, EXIT_INPUT = 0, 1, 2


def iter_results(
    paths: Sequence[str], resolver: RulesetResolver, problems: list[Problem]
) -> Iterator[CaseResult]:
    """Evaluate every case under ``paths``; append problems as they are found."""
    ids = CaseIds()
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
            doc = loaded.doc
            duplicate = ids.claim(loaded.case.id, name, doc.line)
            if duplicate is not None:
                _report(problems, [doc.problem(("id",), duplicate)])
                continue
            yield evaluate(loaded.ruleset, loaded.case, file=name, line=doc.line)


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


def _report(problems: list[Problem], new: Sequence[Problem]) -> None:
    for p in new:
        print(p, file=sys.stderr)
    problems.extend(new)


def exit_code(results: Sequence[CaseResult] | int, problems: Sequence[Problem]) -> int:
    if problems:
        return EXIT_INPUT
    mismatched = results if isinstance(results, int) else sum(1 for r in results if r.mismatches)
    return EXIT_MISMATCH if mismatched else EXIT_OK


#: Below this many files a pool costs more than it saves.
PARALLEL_MIN_FILES = 256
CHUNK_FILES = 64

_WORKER_RESOLVER: RulesetResolver | None = None


def _init_worker(rules_file: str | None) -> None:
    global _WORKER_RESOLVER
    # Ctrl-C reaches the whole process group: only the parent handles it, so a
    # worker is never interrupted halfway through sending its results
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_RESOLVER = RulesetResolver(load_ruleset_file(rules_file) if rules_file else None)


Line = tuple[str, str, int, int, str, bool]  # case id, file, line, document index, JSON, mismatched


def _work_chunk(names: list[str]) -> list[tuple[list[Line], list[Problem]]]:
    """In a worker: read, check and evaluate files; return JSON lines and problems."""
    from dsm5check.render.records import case_record

    assert _WORKER_RESOLVER is not None
    out: list[tuple[list[Line], list[Problem]]] = []
    for name in names:
        try:
            shown, raw = read_source(name)
        except InputError as err:
            out.append(([], list(err.problems)))
            continue
        cases, problems = load_case_file(shown, raw, _WORKER_RESOLVER)
        lines: list[Line] = []
        for loaded in cases:
            doc = loaded.doc
            r = evaluate(loaded.ruleset, loaded.case, file=shown, line=doc.line)
            text = json.dumps(case_record(r), ensure_ascii=False, default=str)
            lines.append((r.case_id, shown, doc.line, doc.index, text, bool(r.mismatches)))
        out.append((lines, problems))
    return out


def _parallel_jsonl(
    files: list[str], rules_file: str | None, jobs: int, problems: list[Problem],
) -> Iterator[tuple[str, bool]]:
    """JSON lines of every case, in input order, evaluated by a pool of processes."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    chunks = [files[i : i + CHUNK_FILES] for i in range(0, len(files), CHUNK_FILES)]
    ids = CaseIds()
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                               initargs=(rules_file,))
    try:
        pending: deque[Future[list[tuple[list[Line], list[Problem]]]]] = deque()
        todo = iter(chunks)
        for chunk_files in itertools.islice(todo, jobs * 4):  # a bounded number in flight
            pending.append(pool.submit(_work_chunk, chunk_files))
        while pending:
            chunk = pending.popleft().result()
            for chunk_files in itertools.islice(todo, 1):
                pending.append(pool.submit(_work_chunk, chunk_files))
            for lines, found in chunk:
                _report(problems, found)
                for cid, name, line, index, text, mismatched in lines:
                    duplicate = ids.claim(cid, name, line)
                    if duplicate is not None:
                        doc = _doc_at(name, index)
                        _report(problems, [doc.problem(("id",), duplicate) if doc else
                                           Problem(name, line, 1, duplicate, "id")])
                        continue
                    yield text, mismatched
    finally:
        # on Ctrl-C (or a reader that went away) drop the chunks not started
        pool.shutdown(wait=True, cancel_futures=True)


def _doc_at(name: str, index: int) -> Document | None:
    """Read a file again to point at one of its documents (only for rare errors)."""
    try:
        return load_documents(*read_source(name))[index]
    except (InputError, IndexError):
        return None


def _jobs(requested: int | None, files: int) -> int:
    if requested is not None:
        return max(1, requested)
    if files < PARALLEL_MIN_FILES:
        return 1
    import os

    return max(1, min(os.cpu_count() or 1, 8))


def check_paths(
    paths: Sequence[str], *, fmt: str, rules_file: str | None, detail: bool,
    out: TextIO | None = None, jobs: int | None = None, explain: bool = False,
) -> int:
    out = out or sys.stdout
    override = load_ruleset_file(rules_file) if rules_file else None
    resolver = RulesetResolver(override)
    problems: list[Problem] = []
    if fmt in ("json", "jsonl") and "-" not in paths:
        files: list[str] = []
        for entry in expand_paths(paths):
            if isinstance(entry, Problem):
                _report(problems, [entry])
            else:
                files.append(entry)
        n_jobs = _jobs(jobs, len(files))
        if n_jobs > 1:
            return _write_records(
                _parallel_jsonl(files, rules_file, n_jobs, problems), fmt, out, problems
            )
        paths = files
    results = iter_results(paths, resolver, problems)
    if fmt == "fhir":
        return _write_fhir(list(results), out, problems)
    if fmt in ("json", "jsonl"):
        from dsm5check.render.records import case_record

        records = (
            (json.dumps(case_record(r), ensure_ascii=False, default=str), bool(r.mismatches))
            for r in results
        )
        return _write_records(records, fmt, out, problems)
    from dsm5check.render.console import make_console
    from dsm5check.render.text import render_run

    collected = list(results)
    explained = []
    if explain:
        used = dict.fromkeys(r.ruleset_id for r in collected)
        explained = [resolver.for_case({"ruleset": rid}).rules for rid in used]
    render_run(make_console(out), collected, detail=detail, errors=len(problems),
               explain=explained)
    return exit_code(collected, problems)


def _write_fhir(results: list[CaseResult], out: TextIO, problems: list[Problem]) -> int:
    """One FHIR R4 Bundle of Observations, one per case (exchange/fhir.py)."""
    from dsm5check.exchange.fhir import bundle, dump

    try:
        text = dump(bundle(results))
    except InputError as err:  # the fhir extra is not installed
        _report(problems, err.problems)
        return exit_code(results, problems)
    out.write(text)
    return exit_code(results, problems)


def _write_records(
    records: Iterator[tuple[str, bool]], fmt: str, out: TextIO, problems: list[Problem]
) -> int:
    """Stream JSON lines, or one JSON list (written item by item, same bytes as a dump)."""
    mismatched = 0
    write = out.write
    if fmt == "jsonl":
        for text, bad in records:
            mismatched += bad
            write(text)
            write("\n")
        return exit_code(mismatched, problems)
    write("[")
    for i, (text, bad) in enumerate(records):
        mismatched += bad
        write(",\n" if i else "\n")
        write(text)
    write("\n]\n")
    return exit_code(mismatched, problems)
