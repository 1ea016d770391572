"""Running `check` over many files: read, evaluate, render, exit code.

Problems go to standard error as ``file:line:col: message`` as soon as a file
is read; results go to standard output. For jsonl each result is written as
soon as it is ready, so a huge folder streams.
"""

from __future__ import annotations

import contextlib
import gc
import io
import itertools
import json
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TextIO, TypeVar

from dsm5check.cases.cautions import with_cautions
from dsm5check.cases.loading import (
    CaseIds,
    RulesetResolver,
    expand_paths,
    iter_cases,
    iter_listed_cases,
)
from dsm5check.cases.streams import iter_documents
from dsm5check.cases.yamlio import Document
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import resolve
from dsm5check.engine.results import CaseResult
from dsm5check.errors import InputError, Problem

if TYPE_CHECKING:
    from concurrent.futures import Future


EXIT_OK, EXIT_MISMATCH, EXIT_INPUT = 0, 1, 2
R = TypeVar("R")
Work = TypeVar("Work")


def iter_results(
    paths: Sequence[str], resolver: RulesetResolver, problems: list[Problem],
    input_format: str | None = None,
) -> Iterator[CaseResult]:
    """Evaluate every case under ``paths``; append problems as they are found."""
    for result, _ in _evaluated(paths, resolver, problems, input_format):
        yield result


def _evaluated(
    paths: Sequence[str | Problem], resolver: RulesetResolver, problems: list[Problem],
    input_format: str | None = None, expanded: bool = False,
) -> Iterator[tuple[CaseResult, Document]]:
    for item in iter_cases(paths, resolver, input_format=input_format, expanded=expanded):
        if isinstance(item, Problem):
            _report(problems, [item])
            continue
        doc = item.doc
        yield with_cautions(evaluate(item.ruleset, item.case, file=doc.file, line=doc.line),
                            item.case), doc


def record_text(result: CaseResult, doc: Document, with_input: bool) -> str:
    """One result as one line of JSON; with ``with_input`` the case as read, under
    ``input`` (so that the output can be checked again: ``jq -c .input``)."""
    from dsm5check.render.records import case_record, record_json

    if not with_input:
        return record_json(result)  # the same bytes as encoding case_record's dict
    record = case_record(result)
    record["input"] = doc.data
    return _ENCODE(record)


# records are trees built fresh for each case: no cycles to look for
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str, check_circular=False).encode


def _report(problems: list[Problem], new: Sequence[Problem]) -> None:
    show_problems(new)
    problems.extend(new)


def show_problems(new: Sequence[Problem]) -> None:
    """Problems on standard error, after the records before them (see Blocks)."""
    if not new:
        return
    mid_line = False
    for blocks in _OPEN_BLOCKS:  # the records before a problem are written before it
        blocks.flush()
        mid_line = mid_line or blocks.mid_line
    # a JSON list's record ends its line only when the next one comes (",\n"): in one
    # stream with the results (2>&1, a terminal), the problem starts its own
    start = "\n" if mid_line and _merged() else ""
    # one write a problem, its line break with it: an unbuffered standard error makes a
    # system call of each write, and another process writing to the same terminal (a
    # pipe's reader) could otherwise come between the text and its line break
    sys.stderr.write(start + "".join(f"{p}\n" for p in new))


#: Records are written in blocks of about this many characters (one write a block,
#: not one a case: an unbuffered standard output makes a system call of each) ...
BLOCK_CHARS = 64 * 1024
#: ... and at most this many seconds apart while cases keep coming, so that a
#: long run still streams.
BLOCK_SECONDS = 0.2


class Blocks:
    """Where records are written: in blocks when ``blocked``, else each at once and
    flushed (a terminal, or cases read from standard input, which may come one by
    one: each is answered as it arrives)."""

    def __init__(self, out: TextIO, blocked: bool) -> None:
        self._out = out.write
        self._stream = out
        self.write = self._add if blocked else self._now
        self._parts: list[str] = []
        self._size = 0
        self._since = time.monotonic()
        #: the last text written does not end its line
        self.mid_line = False

    def _add(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= BLOCK_CHARS or time.monotonic() - self._since >= BLOCK_SECONDS:
            self.flush()

    def _now(self, text: str) -> None:
        self._emit(text)
        self._stream.flush()

    def _emit(self, text: str) -> None:
        self._out(text)
        if text:
            self.mid_line = not text.endswith("\n")

    def flush(self) -> None:
        """Write what waits, through the stream's own buffer (Python keeps one on a
        file or pipe unless PYTHONUNBUFFERED is set)."""
        if self._parts:
            text = "".join(self._parts)
            self._parts.clear()
            self._size = 0
            self._emit(text)
        self._stream.flush()
        self._since = time.monotonic()

    @contextlib.contextmanager
    def open(self) -> Iterator[Blocks]:
        """Written out at the end, whatever ends the run, unless the reader has gone
        (a closed pipe: nothing more can be written)."""
        _OPEN_BLOCKS.append(self)
        try:
            yield self
        except BrokenPipeError:
            self._parts.clear()
            raise
        finally:
            _OPEN_BLOCKS.remove(self)
            self.flush()


_OPEN_BLOCKS: list[Blocks] = []


def _merged() -> bool:
    """Whether standard output and standard error go to one place (``2>&1``, a
    terminal)."""
    try:
        a, b = os.fstat(sys.stdout.fileno()), os.fstat(sys.stderr.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return False  # no file behind them (a test's capture, say)
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def may_block(out: TextIO, paths: Sequence[str]) -> bool:
    """Whether records may wait to be written in blocks."""
    isatty = getattr(out, "isatty", None)
    return "-" not in paths and not (isatty is not None and isatty())


def exit_code(results: Sequence[CaseResult] | int, problems: Sequence[Problem]) -> int:
    if problems:
        return EXIT_INPUT
    mismatched = results if isinstance(results, int) else sum(1 for r in results if r.mismatches)
    return EXIT_MISMATCH if mismatched else EXIT_OK


#: Below this many files a pool costs more than it saves.
PARALLEL_MIN_FILES = 256
CHUNK_FILES = 64

_WORKER_RESOLVER: RulesetResolver | None = None
_WORKER_WITH_INPUT = False
#: The parent's resolver, its ruleset loaded, while a pool runs: a forked worker
#: starts with it (a worker started another way loads the ruleset itself).
_PARENT_RESOLVER: RulesetResolver | None = None


def _init_worker(rules_file: str | None, with_input: bool = False) -> None:
    global _WORKER_RESOLVER, _WORKER_WITH_INPUT
    _WORKER_WITH_INPUT = with_input
    # Ctrl-C reaches the whole process group: only the parent handles it, so a
    # worker is never interrupted halfway through sending its results
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_RESOLVER = _PARENT_RESOLVER or RulesetResolver(
        resolve(rules_file) if rules_file else None)


CaseAt = tuple[str, str, int, int, bool]  # case id, file, line, document index, mismatched


class Chunk(NamedTuple):
    """What a worker sends back for a chunk of files: each case (its id and place) and
    each problem in the order one process meets them, and the JSON records of the
    cases as one block (one line each, in order)."""

    items: list[CaseAt | Problem]
    block: str
    cases: int
    mismatched: int


def _work_chunk(names: list[str | Problem]) -> Chunk:
    """In a worker: read, check and evaluate files; return JSON lines and problems (a
    problem found while listing the inputs comes back in its place)."""
    assert _WORKER_RESOLVER is not None
    items: list[CaseAt | Problem] = []
    texts: list[str] = []
    mismatched = 0
    with_input = _WORKER_WITH_INPUT
    for item in iter_listed_cases(names, _WORKER_RESOLVER):
        if isinstance(item, Problem):
            items.append(item)
            continue
        doc = item.doc
        r = with_cautions(evaluate(item.ruleset, item.case, file=doc.file, line=doc.line),
                          item.case)
        texts.append(record_text(r, doc, with_input))  # JSON: no line break inside
        bad = bool(r.mismatches)
        mismatched += bad
        items.append((r.case_id, doc.file, doc.line, doc.index, bad))
    return Chunk(items, "\n".join(texts), len(texts), mismatched)


def in_workers(
    files: list[Work], jobs: int, initializer: Callable[..., None], initargs: tuple[Any, ...],
    work: Callable[[list[Work]], R],
) -> Iterator[R]:
    """``work`` over chunks of ``files`` in a pool of ``jobs`` processes, results in
    input order. Workers are forked (on Linux): they start with every module and
    ruleset the parent loaded; a bounded number of chunks is in flight."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # at least four chunks a worker while files allow, so that the work is shared out
    size = max(1, min(CHUNK_FILES, -(-len(files) // (jobs * 4))))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    # what the parent holds (modules, rulesets) is never garbage: keep the workers'
    # collector off it, so that their copies of its memory pages stay shared
    gc.freeze()
    pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=initializer,
                               initargs=initargs)
    try:
        pending: deque[Future[R]] = deque()
        todo = iter(chunks)
        for chunk_files in itertools.islice(todo, jobs * 4):  # a bounded number in flight
            pending.append(pool.submit(work, chunk_files))
        while pending:
            done = pending.popleft().result()
            for chunk_files in itertools.islice(todo, 1):
                pending.append(pool.submit(work, chunk_files))
            yield done
    finally:
        # on Ctrl-C (or a reader that went away) drop the chunks not started
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()  # a long-lived caller (the API, tests) collects as before


def repeated_id_problem(ids: CaseIds, cid: str, name: str, line: int, index: int
                        ) -> Problem | None:
    """Claim a case id a worker sent: None when it is new, else the problem to report
    at the case's id, as a run in one process does (the case is dropped)."""
    duplicate = ids.claim(cid, name, line)
    if duplicate is None:
        return None
    doc = _doc_at(name, index)
    return doc.problem(("id",), duplicate) if doc else Problem(name, line, 1, duplicate, "id")


def report_repeated_id(ids: CaseIds, problems: list[Problem], cid: str, name: str, line: int,
                       index: int) -> bool:
    """Claim a case id a worker sent and report it when repeated (see
    repeated_id_problem). True when it was repeated (the case is dropped)."""
    problem = repeated_id_problem(ids, cid, name, line, index)
    if problem is None:
        return False
    _report(problems, [problem])
    return True


def _parallel_jsonl(
    files: list[str | Problem], rules_file: str | None, jobs: int, problems: list[Problem],
    with_input: bool = False,
) -> Iterator[tuple[str, int, int]]:
    """Blocks of JSON lines of every case, in input order, each with how many records it
    holds and how many of them mismatched, evaluated by a pool of processes. Problems
    (and repeated ids) are reported in the order of one process: the records before
    one are yielded (and so written) before it is reported."""
    ids = CaseIds()
    chunks = in_workers(files, jobs, _init_worker, (rules_file, with_input), _work_chunk)
    for chunk in chunks:
        lines: list[str] = []  # the block's records, split only when needed
        waiting: list[int] = []  # records not yet yielded
        bad = 0
        whole = True  # no problem in the chunk so far: its block can go as it is
        k = -1
        for item in chunk.items:
            if isinstance(item, Problem):
                problem = item
            else:
                k += 1
                cid, name, line, index, mismatched = item
                repeated = repeated_id_problem(ids, cid, name, line, index)
                if repeated is None:
                    waiting.append(k)
                    bad += mismatched
                    continue
                problem = repeated
            if waiting:
                yield _some_records(chunk, lines, waiting, bad)
                waiting.clear()
                bad = 0
            whole = False
            _report(problems, [problem])
        if waiting:
            yield ((chunk.block, chunk.cases, chunk.mismatched) if whole
                   else _some_records(chunk, lines, waiting, bad))


def _some_records(chunk: Chunk, lines: list[str], waiting: list[int], bad: int
                  ) -> tuple[str, int, int]:
    """Some of a chunk's records as one block (its lines split once, into ``lines``),
    how many, and how many mismatched."""
    if not lines:
        lines.extend(chunk.block.split("\n"))
    return "\n".join([lines[i] for i in waiting]), len(waiting), bad


def _in_pool(files: list[str | Problem], rules_file: str | None, jobs: int,
             problems: list[Problem],
             with_input: bool, resolver: RulesetResolver, fmt: str, out: TextIO) -> int:
    """JSON records of every file, evaluated by a pool of forked workers, which start
    with the ruleset loaded here (rather than each loading it again)."""
    global _PARENT_RESOLVER
    with contextlib.suppress(InputError):  # a ruleset that cannot load: each case says so
        resolver.for_case({})
    _PARENT_RESOLVER = resolver
    try:
        return _write_blocks(_parallel_jsonl(files, rules_file, jobs, problems, with_input),
                             fmt, out, problems)
    finally:
        _PARENT_RESOLVER = None


def _doc_at(name: str, index: int) -> Document | None:
    """Read a file again to point at one of its documents (only for rare errors)."""
    for item in iter_documents(name):
        if isinstance(item, Document) and item.index == index:
            return item
    return None


def _jobs(requested: int | None, files: int) -> int:
    if files < 2:  # one file (a stream of cases, say) is read in order by one process
        return 1
    if requested is not None:
        return max(1, requested)
    if files < PARALLEL_MIN_FILES:
        return 1
    # the cores this process may run on (a container or taskset may allow fewer
    # than the machine has)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cores or 1, 8))


def check_paths(
    paths: Sequence[str], *, fmt: str, rules_file: str | None, detail: bool,
    out: TextIO | None = None, jobs: int | None = None, explain: bool = False,
    input_format: str | None = None, with_input: bool = False,
) -> int:
    out = out or sys.stdout
    override = resolve(rules_file) if rules_file else None
    resolver = RulesetResolver(override)
    problems: list[Problem] = []
    if fmt in ("json", "jsonl"):
        # the files found (each looked at once), and in their places what could not be
        # listed (reported when reached: the results before a problem come before it)
        entries = list(expand_paths(paths))
        n_jobs = _jobs(jobs, sum(1 for e in entries if not isinstance(e, Problem)))
        if n_jobs > 1 and "-" not in paths and input_format in (None, "auto"):
            return _in_pool(entries, rules_file, n_jobs, problems, with_input, resolver, fmt,
                            out)
        records = (
            (record_text(r, doc, with_input), bool(r.mismatches))
            for r, doc in _evaluated(entries, resolver, problems, input_format, expanded=True)
        )
        return _write_records(records, fmt, out, problems, may_block(out, paths))
    if fmt == "fhir":
        return _write_fhir(list(iter_results(paths, resolver, problems, input_format)), out,
                           problems)
    results = iter_results(paths, resolver, problems, input_format)
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


def _write_blocks(
    blocks: Iterator[tuple[str, int, int]], fmt: str, out: TextIO, problems: list[Problem]
) -> int:
    """Stream blocks of JSON lines (see _parallel_jsonl) as _write_records writes records:
    the same bytes (in a JSON list, a block's line breaks become its separators)."""
    records = ((block if fmt == "jsonl" else block.replace("\n", ",\n"), bad)
               for block, _, bad in blocks)
    return _write_records(records, fmt, out, problems, blocked=True)


def _write_records(
    records: Iterator[tuple[str, int]], fmt: str, out: TextIO, problems: list[Problem],
    blocked: bool = False,
) -> int:
    """Stream JSON lines, or one JSON list (written item by item, same bytes as a dump),
    each with how many of its cases mismatched; with ``blocked``, in blocks (see
    Blocks)."""
    mismatched = 0
    with Blocks(out, blocked).open() as blocks:
        write = blocks.write
        if fmt == "jsonl":
            for text, bad in records:
                mismatched += bad
                write(text + "\n")
            return exit_code(mismatched, problems)
        write("[")
        reader_gone = False
        try:
            for i, (text, bad) in enumerate(records):
                mismatched += bad
                write(",\n" if i else "\n")
                write(text)
        except BrokenPipeError:
            reader_gone = True
            raise
        finally:  # whatever stops the run, what was written is a complete JSON list
            if not reader_gone:
                write("\n]\n")
    return exit_code(mismatched, problems)
