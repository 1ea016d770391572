"""One coded case, several criteria sets: verdicts side by side and agreement.

Each case is checked against every named set. A case keeps the item ids it was
coded in (its ``coded_in``, else its ``ruleset``); a set with another coding reads
them through its YAML crosswalk, and what no crosswalk supplies stays unknown.
The case's own ``expected`` block belongs to its own set and is checked there
only. Agreement figures come from :mod:`dsm5check.compare.stats` (the same figures as
``score --rules A,B``); nothing here knows a set.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dsm5check.cases.case_checks import scope_problems
from dsm5check.cases.loading import (
    CaseIds,
    LoadedCase,
    RulesetResolver,
    iter_cases,
    iter_file_cases,
)
from dsm5check.compare.stats import STATUSES, compare_pair, prevalence
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.results import MET, NOT_MET, CaseResult
from dsm5check.engine.ruleset import LoadedRuleset
from dsm5check.errors import Problem

#: Compared when --rules is not given: every shipped diagnosis for adults that
#: a researcher puts side by side (research definitions and sets for another
#: age or another time after the event are asked for by name).
DEFAULT_SETS = ("dsm5-ptsd", "icd11-ptsd", "icd11-cptsd", "dsm4tr-ptsd")


def default_sets(shipped: Iterable[str]) -> list[str]:
    have = set(shipped)
    return [s for s in DEFAULT_SETS if s in have]


@dataclass(frozen=True, slots=True)
class CaseComparison:
    case_id: str
    file: str
    line: int
    results: tuple[CaseResult, ...]  # one per set, in the order the sets were named

    @property
    def statuses(self) -> dict[str, str]:
        return {r.ruleset_id: r.diagnosis for r in self.results}

    @property
    def agree(self) -> bool:
        return len(set(self.statuses.values())) == 1

    def deciding(self) -> dict[str, list[str]]:
        """Per set, the criteria that decide its verdict: those not met when it is
        not met, those undecided when it is undecided; none when it is met."""
        out: dict[str, list[str]] = {}
        for r in self.results:
            if r.diagnosis == MET:
                out[r.ruleset_id] = []
            else:
                wanted = NOT_MET if r.diagnosis == NOT_MET else "indeterminate"
                out[r.ruleset_id] = [c.id for c in r.criteria if c.status == wanted]
        return out


@dataclass
class Tally:
    """Counts over a run: status per set, and the cross-table of every pair."""

    sets: list[str]
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    cross: dict[tuple[str, str], dict[tuple[str, str], int]] = field(default_factory=dict)
    cases: int = 0

    def add(self, comparison: CaseComparison) -> None:
        self.add_statuses(comparison.statuses)

    def add_statuses(self, st: Mapping[str, str]) -> None:
        """Count one case by its verdict per set."""
        self.cases += 1
        for s in self.sets:
            bucket = self.counts.setdefault(s, dict.fromkeys(STATUSES, 0))
            bucket[st[s]] += 1
        for i, a in enumerate(self.sets):
            for b in self.sets[i + 1:]:
                table = self.cross.setdefault((a, b), {})
                key = (st[a], st[b])
                table[key] = table.get(key, 0) + 1

    def summary(self, reference: str | None = None) -> dict[str, Any]:
        """Prevalence per set and, per pair, agreement; ``reference`` (default: the
        first set) is the first of every pair it is in, so sensitivity, specificity,
        PPV and NPV are read against it."""
        ref = reference or self.sets[0]
        pairs = []
        for i, a in enumerate(self.sets):
            for b in self.sets[i + 1:]:
                table = self.cross.get((a, b), {})
                first, second = a, b
                if b == ref:  # turn the pair round so the reference comes first
                    first, second = b, a
                    table = {(y, x): n for (x, y), n in table.items()}
                figures = compare_pair(table)
                pairs.append({"reference": first, "other": second, **figures})
        return {
            "cases": self.cases,
            "sets": list(self.sets),
            "reference": ref,
            "prevalence": {s: prevalence(self.counts.get(s, {})) for s in self.sets},
            "pairs": pairs,
        }


def compare_case(loaded: LoadedCase, sets: Sequence[LoadedRuleset], today: dt.date
                 ) -> tuple[CaseComparison | None, list[Problem]]:
    """Evaluate one validated case against every set."""
    data = loaded.doc.data
    own = loaded.case.ruleset
    vocab = loaded.case.coded_in or own
    results: list[CaseResult] = []
    for rs in sets:
        rid = rs.rules.id
        if rid == own:
            results.append(evaluate(rs, loaded.case, file=loaded.doc.file, line=loaded.doc.line))
            continue
        coded_in = vocab if vocab != rid else None
        # The case was validated once, dates included. Its item ids were checked then
        # against the set it is coded in (``coded_in``, else its own), and every set
        # reads them in that same coding, so only the people a set is for are checked
        # again here.
        again = loaded.case.model_copy(update={
            "ruleset": rid, "coded_in": coded_in, "expected": None})
        problems = scope_problems(again, rs.rules)
        if problems:
            other = {k: v for k, v in data.items() if k != "expected"}
            other["ruleset"] = rid
            if coded_in is not None:
                other["coded_in"] = coded_in
            doc = dataclasses.replace(loaded.doc, data=other)
            return None, [_for_set(doc.problem(loc, msg), rid) for loc, msg in problems]
        results.append(evaluate(rs, again, file=loaded.doc.file, line=loaded.doc.line))
    doc = loaded.doc
    return CaseComparison(loaded.case.id, doc.file, doc.line, tuple(results)), []


def _for_set(p: Problem, rid: str) -> Problem:
    return Problem(p.file, p.line, p.col, f"{p.message} (when read for {rid})", p.path)


def iter_comparisons(paths: Sequence[str], sets: Sequence[LoadedRuleset],
                     problems: list[Problem], *, input_format: str | None = None,
                     today: dt.date | None = None) -> Iterator[CaseComparison]:
    """Every case under ``paths`` compared, in input order; problems appended."""
    today = today or dt.date.today()
    for item in iter_cases(paths, RulesetResolver(), input_format=input_format, today=today,
                           ids=CaseIds()):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        comparison, found = compare_case(item, sets, today)
        problems.extend(found)
        if comparison is not None:
            yield comparison


def comparison_record(c: CaseComparison) -> dict[str, Any]:
    """One case in ``compare --format json|jsonl`` (shape in docs/compare.md)."""
    deciding = c.deciding()
    return {
        "id": c.case_id,
        "file": c.file,
        "agree": c.agree,
        "diagnosis": c.statuses,
        "deciding": deciding,
        "criteria": {r.ruleset_id: {k.id: k.status for k in r.criteria} for r in c.results},
        "specifiers": {r.ruleset_id: r.applied_specifiers for r in c.results},
        "expected": next((({"matched": not r.mismatches,
                            "mismatches": [m.as_record() for m in r.mismatches]})
                          for r in c.results if r.expected_checked), None),
    }


def record_text(c: CaseComparison) -> str:
    """One case as one line of ``compare --format jsonl``."""
    return _ENCODE(comparison_record(c))


#: what ``json.dumps(record, ensure_ascii=False)`` uses, made once
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


# --- many files: comparisons in worker processes (jsonl), same bytes, same order ---

#: What a worker sends back for one validated case (a plain tuple: the cheapest to
#: send between processes): case id, file, line, document index, its JSON line ("" when
#: it cannot be read for some set), its verdict per set, whether its own expected
#: block failed, and the problems that keep it from being compared.
Compared = tuple[str, str, int, int, str, tuple[tuple[str, str], ...], bool,
                 tuple[Problem, ...]]


_WORKER_SETS: list[LoadedRuleset] = []


def _init_worker(names: list[str]) -> None:
    import signal

    from dsm5check.engine.registry import resolve

    # Ctrl-C reaches the whole process group: only the parent handles it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_SETS[:] = [resolve(n) for n in names]  # forked: already loaded


def _compare_chunk(names: list[str]) -> list[Problem | Compared]:
    """In a worker: every case of some files compared, in input order."""
    today = dt.date.today()
    resolver = RulesetResolver()
    out: list[Problem | Compared] = []
    for name in names:
        for item in iter_file_cases(name, resolver, today=today):
            if isinstance(item, Problem):
                out.append(item)
                continue
            comparison, found = compare_case(item, _WORKER_SETS, today)
            doc = item.doc
            if comparison is None:
                out.append((item.case.id, doc.file, doc.line, doc.index, "", (), False,
                            tuple(found)))
                continue
            out.append((comparison.case_id, doc.file, doc.line, doc.index,
                        record_text(comparison), tuple(comparison.statuses.items()),
                        any(r.mismatches for r in comparison.results), ()))
    return out


def parallel_comparisons(files: list[str], names: list[str], jobs: int, tally: Tally,
                         problems: list[Problem]) -> Iterator[tuple[str, bool]]:
    """(JSON line, mismatched) of every case under ``files``, in input order, compared
    by ``jobs`` worker processes; the parent counts the tally and keeps case ids
    unique across the run, exactly as one process does (iter_comparisons)."""
    from dsm5check.check.batch import _report, in_workers, report_repeated_id

    ids = CaseIds()
    for chunk in in_workers(files, jobs, _init_worker, (names,), _compare_chunk):
        for item in chunk:
            if isinstance(item, Problem):
                _report(problems, [item])
                continue
            cid, file, line, index, text, statuses, mismatched, found = item
            if report_repeated_id(ids, problems, cid, file, line, index):
                continue
            if found:
                _report(problems, list(found))
                continue
            tally.add_statuses(dict(statuses))
            yield text, mismatched
