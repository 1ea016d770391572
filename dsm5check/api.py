"""The public Python API: load a ruleset, evaluate cases, read the results.

Everything here is re-exported from :mod:`dsm5check` (``dsm5check.evaluate``
and so on) and listed in ``dsm5check.__all__``; every other module is private.
Cases go through exactly the checks ``dsm5check check`` applies, and a result's
``to_dict()`` is exactly one element of ``check --format json``.

    >>> import dsm5check
    >>> result = dsm5check.evaluate({"id": "demo"})
    >>> result.diagnosis
    'indeterminate'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeAlias

from dsm5check.engine.results import CaseResult
from dsm5check.engine.ruleset import LoadedRuleset
from dsm5check.errors import InputError, Problem

CaseInput: TypeAlias = "Mapping[str, Any] | str | os.PathLike[str]"
RulesetInput: TypeAlias = "str | os.PathLike[str] | LoadedRuleset | None"

_FILE_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl")


class CaseError(ValueError):
    """Some input could not be read or is not a valid case or ruleset.

    ``problems`` holds every problem found, each with ``file``, ``line``,
    ``col``, ``path`` (the key path inside the document) and ``message``;
    ``str()`` gives them as ``file:line:col: message`` lines. For
    :func:`evaluate_many`, ``results`` holds the results of the cases that
    were valid, in input order, so nothing is lost.
    """

    def __init__(self, problems: Iterable[Problem], results: Iterable[CaseResult] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.results: tuple[CaseResult, ...] = tuple(results)
        super().__init__("\n".join(str(p) for p in self.problems))


def load_ruleset(ruleset: str | os.PathLike[str] = "dsm5-ptsd") -> LoadedRuleset:
    """A shipped ruleset by id (``"dsm5-ptsd"``) or a ruleset file by path.

    The result has ``rules`` (the validated model), ``path`` and ``sha256``.
    Raises :class:`CaseError` naming the file, line and column of every problem.
    """
    from dsm5check.engine.registry import resolve

    try:
        return resolve(os.fspath(ruleset))
    except InputError as err:
        raise CaseError(err.problems) from None


def evaluate(
    case: CaseInput, ruleset: RulesetInput = None, *, today: dt.date | None = None
) -> CaseResult:
    """Evaluate one case: a mapping, a case file's path, or YAML/JSON text.

    A ``str`` is a path when it is one line ending in .yaml, .yml, .json or
    .jsonl (or naming a folder), otherwise the text of a case. ``ruleset`` (an id, a path or a
    loaded ruleset) overrides the case's own ``ruleset:`` key; by default the
    case names its ruleset, else ``dsm5-ptsd``. ``today`` is the date that
    "in the future" is judged against (default: today).
    Raises :class:`CaseError` when the input holds anything but one valid case.
    """
    results = evaluate_many([case], ruleset, today=today)
    if len(results) != 1:
        name = _name_of(case)
        raise CaseError([Problem(name, 1, 1, f"expected one case, found {len(results)};"
                                 " use evaluate_many() for several")])
    return results[0]


def evaluate_many(
    cases: Iterable[CaseInput] | CaseInput,
    ruleset: RulesetInput = None,
    *,
    today: dt.date | None = None,
) -> list[CaseResult]:
    """Evaluate many cases: mappings, files, texts, or one file or folder path.

    Results keep input order; a file holding several cases (a YAML stream or
    a JSON list) gives one result per case; a folder gives every case file
    under it, sorted. Case ids must be unique within one call, as in one
    ``check`` run. When any input has problems, the valid cases are still
    evaluated and :class:`CaseError` is raised at the end carrying every
    problem and those results.
    """
    results, problems = _run(_inputs(cases), ruleset, today)
    if problems:
        raise CaseError(problems, results)
    return results


def iter_results(
    cases: Iterable[CaseInput] | CaseInput,
    ruleset: RulesetInput = None,
    *,
    today: dt.date | None = None,
    problems: list[Problem] | None = None,
) -> Iterator[CaseResult]:
    """Like :func:`evaluate_many`, one result at a time, for data sets too big
    to hold: problems are appended to ``problems`` (when given) instead of raised.
    """
    sink: list[Problem] = [] if problems is None else problems
    yield from _evaluate(_inputs(cases), _resolver(ruleset), today or dt.date.today(), sink)


def _run(
    inputs: Iterable[CaseInput], ruleset: RulesetInput, today: dt.date | None
) -> tuple[list[CaseResult], list[Problem]]:
    problems: list[Problem] = []
    with _bulk():
        results = list(_evaluate(inputs, _resolver(ruleset), today or dt.date.today(), problems))
    return results, problems


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while results pile up.

    A result is a tree of ~70 small immutable records with no cycles, so the
    collector can free none of them; yet keeping 10,000 of them alive makes it
    rescan the growing heap again and again, which doubled the cost of
    ``evaluate_many`` (benchmarks/bench_api.py). It runs again afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _resolver(ruleset: RulesetInput) -> Any:
    from dsm5check.cases.loading import RulesetResolver

    if ruleset is None or isinstance(ruleset, LoadedRuleset):
        return RulesetResolver(ruleset)
    return RulesetResolver(load_ruleset(ruleset))


def _is_single(cases: object) -> bool:
    return isinstance(cases, Mapping | str | os.PathLike)


def _inputs(cases: Iterable[CaseInput] | CaseInput) -> Iterable[CaseInput]:
    if _is_single(cases):
        return [cases]  # type: ignore[list-item]
    return cases  # type: ignore[return-value]


def _name_of(case: object) -> str:
    if isinstance(case, os.PathLike) or (isinstance(case, str) and _looks_like_path(case)):
        return os.fspath(case)
    return "<case>"


def _looks_like_path(text: str) -> bool:
    if "\n" in text:
        return False
    return text.strip().endswith(_FILE_SUFFIXES) or os.path.isdir(text)


def _evaluate(
    inputs: Iterable[CaseInput], resolver: Any, today: dt.date, problems: list[Problem]
) -> Iterator[CaseResult]:
    from dsm5check.cases.cautions import with_cautions
    from dsm5check.cases.loading import CaseIds, LoadedCase, check_document
    from dsm5check.engine.evaluate import evaluate as run_engine

    ids = CaseIds()
    for n, case in enumerate(inputs):
        found: list[Problem] = []
        loaded_cases: list[LoadedCase] = []
        if type(case) is dict or isinstance(case, Mapping):
            loaded, found = check_document(_mapping_document(case, n), resolver, today)
            if loaded is not None:
                loaded_cases.append(loaded)
        elif isinstance(case, str | os.PathLike):
            loaded_cases, found = _from_text_or_path(case, resolver, today)
        else:
            found = [Problem.about(f"<case {n}>", "expected a mapping, a file path or the"
                                   f" text of a case, found {type(case).__name__}")]
        problems.extend(found)
        for loaded in loaded_cases:
            doc = loaded.doc
            duplicate = ids.claim(loaded.case.id, doc.file, doc.line)
            if duplicate is not None:
                problems.append(doc.problem(("id",), duplicate))
                continue
            yield with_cautions(run_engine(loaded.ruleset, loaded.case, file=doc.file,
                                           line=doc.line), loaded.case)


def _mapping_document(case: Mapping[str, Any], n: int) -> Any:
    from dsm5check.cases.yamlio import Document

    name = f"<case {case.get('id', n)}>"
    # line 0: a mapping has no lines; problems name the key path only
    return Document(name, case if type(case) is dict else dict(case), 0, 0, "")


def _from_text_or_path(case: str | os.PathLike[str], resolver: Any, today: dt.date) -> Any:
    from dsm5check.cases.loading import expand_paths, load_case_file, read_source

    if isinstance(case, str) and not _looks_like_path(case):
        return load_case_file("<text>", case.encode("utf-8"), resolver, today)
    cases: list[Any] = []
    problems: list[Problem] = []
    for entry in expand_paths([os.fspath(case)]):
        if isinstance(entry, Problem):
            problems.append(entry)
            continue
        try:
            name, raw = read_source(entry)
        except InputError as err:
            problems.extend(err.problems)
            continue
        found_cases, found = load_case_file(name, raw, resolver, today)
        cases.extend(found_cases)
        problems.extend(found)
    return cases, problems
