"""One coded case, several criteria sets: verdicts side by side and agreement.

Each case is checked against every named set. A case keeps the item ids it was
coded in (its ``coded_in``, else its ``ruleset``); a set with another coding reads
them through its YAML crosswalk, and what no crosswalk supplies stays unknown.
The case's own ``expected`` block belongs to its own set and is checked there
only. Agreement figures come from :mod:`dsm5check.compare.stats` (the same figures as
``score --rules A,B``); nothing here knows a set.

A set *skips* a case it is not for, rather than report a problem or an empty
verdict: a case outside the people the set is for (its ``applies_to``, e.g. a child
of 4 for the adult criteria), or a case coded in another set's items that the set
has no way to read (no shared coding, no crosswalk from them, no ``native:``
answers for it). Skips are counted per set and never make a run fail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dsm5check.cases.case_checks import scope_problems
from dsm5check.cases.cautions import cautions_if_any
from dsm5check.cases.loading import (
    CaseIds,
    LoadedCase,
    RulesetResolver,
    iter_cases,
    iter_listed_cases,
)
from dsm5check.compare.stats import STATUSES, compare_pair, prevalence
from dsm5check.engine.crosswalk import source_of
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


#: Why a set skips a case (the code in JSON, the words for people).
OUTSIDE = "outside_population"
OTHER_CODING = "coded_for_another_set"
SKIP_WORDS = {OUTSIDE: "outside the people it is for",
              OTHER_CODING: "coded for another set"}

#: One set skipping one case: (set id, reason code, the reason in words).
Skip = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class CaseComparison:
    case_id: str
    file: str
    line: int
    results: tuple[CaseResult, ...]  # one per set that reads it, in the order named
    skipped: tuple[Skip, ...] = ()  # the sets that skip it (see the module doc)
    #: what a careful reader would point out about the case itself (cases/cautions.py),
    #: whatever set reads it: as in ``check``, only when there are some
    cautions: tuple[dict[str, str], ...] = ()

    @property
    def statuses(self) -> dict[str, str]:
        return {r.ruleset_id: r.diagnosis for r in self.results}

    @property
    def agree(self) -> bool:
        """Every set that reads the case (at least two) reaches the same verdict."""
        return len(self.results) > 1 and len(set(self.statuses.values())) == 1

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
    #: pairs of sets never given together (their ``excludes``): no agreement figures
    exclusive: frozenset[frozenset[str]] = frozenset()
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    cross: dict[tuple[str, str], dict[tuple[str, str], int]] = field(default_factory=dict)
    cases: int = 0
    #: per set, the cases it skipped: {id, file, line, reason, why}, in input order
    skips: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, comparison: CaseComparison) -> None:
        c = comparison
        self.add_skips(c.case_id, c.file, c.line, c.skipped)
        if c.results:
            self.add_statuses(c.statuses)

    def add_skips(self, case_id: str, file: str, line: int, skipped: Iterable[Skip]) -> None:
        for rid, reason, why in skipped:
            self.skips.setdefault(rid, []).append(
                {"id": case_id, "file": file, "line": line, "reason": reason, "why": why})

    def add_statuses(self, st: Mapping[str, str]) -> None:
        """Count one case by its verdict per set (the sets that read it)."""
        self.cases += 1
        for s in self.sets:
            if s in st:
                bucket = self.counts.setdefault(s, dict.fromkeys(STATUSES, 0))
                bucket[st[s]] += 1
        for i, a in enumerate(self.sets):
            for b in self.sets[i + 1:]:
                table = self.cross.setdefault((a, b), {})
                if a in st and b in st:
                    key = (st[a], st[b])
                    table[key] = table.get(key, 0) + 1

    def skipped(self) -> dict[str, dict[str, Any]]:
        """The ``skipped`` entry of ``compare --format json|jsonl`` (docs/compare.md):
        per set that skipped any case, the count, the count per reason and the cases."""
        out: dict[str, dict[str, Any]] = {}
        for rid in self.sets:
            cases = self.skips.get(rid)
            if cases:
                reasons: dict[str, int] = {}
                for c in cases:
                    reasons[c["reason"]] = reasons.get(c["reason"], 0) + 1
                out[rid] = {"count": len(cases), "reasons": reasons, "cases": cases}
        return out

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
                pairs.append({"reference": first, "other": second,
                              "exclusive": frozenset((a, b)) in self.exclusive, **figures})
        return {
            "cases": self.cases,
            "sets": list(self.sets),
            "reference": ref,
            "prevalence": {s: prevalence(self.counts.get(s, {})) for s in self.sets},
            "pairs": pairs,
        }


def compare_case(loaded: LoadedCase, sets: Sequence[LoadedRuleset]) -> CaseComparison:
    """Evaluate one validated case against every set that is for it; the others
    skip it (see the module doc): a case read for its own set is good input."""
    own = loaded.case.ruleset
    vocab = loaded.case.coded_in or own
    results: list[CaseResult] = []
    skipped: list[Skip] = []
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
            why = problems[0][1].removeprefix(f"outside ruleset {rid}: ")
            skipped.append((rid, OUTSIDE, why))
            continue
        if _unreadable(rs, vocab, loaded.case.native):
            skipped.append((rid, OTHER_CODING,
                            f"its answers use the items of {vocab}, and {rid} has no"
                            f" crosswalk from them"))
            continue
        results.append(evaluate(rs, again, file=loaded.doc.file, line=loaded.doc.line))
    doc = loaded.doc
    return CaseComparison(loaded.case.id, doc.file, doc.line, tuple(results),
                          tuple(skipped), cautions_if_any(loaded.case))


def _unreadable(rs: LoadedRuleset, vocab: str, native: Mapping[str, Any] | None) -> bool:
    """True when ``rs`` has no way to read answers coded in ``vocab``: it does not
    share the coding, has no crosswalk from it, and the case gives no answers in
    its own coding (``native:``)."""
    rules = rs.rules
    key = (id(rules), vocab)
    found = _NO_WAY.get(key)
    if found is None or found[0] is not rules:  # once per set and coding in a run
        source = source_of(rules, vocab)
        found = _NO_WAY[key] = (rules, source is not None
                                and rules.crosswalk_from(source.id) is None)
    return found[1] and not (native or {}).get(rules.vocabulary)


#: (set, coding of a case) -> (the set, whether it has no way to read that coding)
_NO_WAY: dict[tuple[int, str], tuple[Any, bool]] = {}


def iter_comparisons(paths: Sequence[str], sets: Sequence[LoadedRuleset],
                     problems: list[Problem], *, input_format: str | None = None,
                     today: dt.date | None = None) -> Iterator[CaseComparison]:
    """Every case under ``paths`` compared, in input order; problems appended. A
    case that every set skips comes too (no results; its skips for the tally)."""
    today = today or dt.date.today()
    for item in iter_cases(paths, RulesetResolver(), input_format=input_format, today=today,
                           ids=CaseIds()):
        if isinstance(item, Problem):
            problems.append(item)
            continue
        yield compare_case(item, sets)


def comparison_record(c: CaseComparison) -> dict[str, Any]:
    """One case in ``compare --format json|jsonl`` (shape in docs/compare.md)."""
    deciding = c.deciding()
    record: dict[str, Any] = {
        "id": c.case_id,
        "file": c.file,
        "agree": c.agree if len(c.results) > 1 else None,
        "diagnosis": c.statuses,
        "deciding": deciding,
        "criteria": {r.ruleset_id: {k.id: k.status for k in r.criteria} for r in c.results},
        "specifiers": {r.ruleset_id: r.applied_specifiers for r in c.results},
        "expected": next((({"matched": not r.mismatches,
                            "mismatches": [m.as_record() for m in r.mismatches]})
                          for r in c.results if r.expected_checked), None),
        "skipped": {rid: reason for rid, reason, _ in c.skipped},
    }
    if c.cautions:  # as in check's records: only when there are some
        record["cautions"] = list(c.cautions)
    return record


def record_text(c: CaseComparison) -> str:
    """One case as one line of ``compare --format jsonl``."""
    return _ENCODE(comparison_record(c))


#: what ``json.dumps(record, ensure_ascii=False)`` uses, made once
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


# --- many files: comparisons in worker processes (jsonl), same bytes, same order ---

#: What a worker sends back for one validated case (a plain tuple: the cheapest to
#: send between processes): case id, file, line, document index, its JSON line ("" when
#: every set skips it), its verdict per set that reads it, whether its own expected
#: block failed, and the sets that skip it.
Compared = tuple[str, str, int, int, str, tuple[tuple[str, str], ...], bool,
                 tuple[Skip, ...]]


_WORKER_SETS: list[LoadedRuleset] = []


def _init_worker(names: list[str]) -> None:
    import signal

    from dsm5check.engine.registry import resolve

    # Ctrl-C reaches the whole process group: only the parent handles it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_SETS[:] = [resolve(n) for n in names]  # forked: already loaded


def _compare_chunk(names: list[str | Problem]) -> list[Problem | Compared]:
    """In a worker: every case of some files compared, in input order (a problem found
    while listing the inputs comes back in its place)."""
    out: list[Problem | Compared] = []
    for item in iter_listed_cases(names, RulesetResolver()):
        if isinstance(item, Problem):
            out.append(item)
            continue
        c = compare_case(item, _WORKER_SETS)
        doc = item.doc
        out.append((c.case_id, doc.file, doc.line, doc.index,
                    record_text(c) if c.results else "", tuple(c.statuses.items()),
                    any(r.mismatches for r in c.results), c.skipped))
    return out


def parallel_comparisons(files: list[str | Problem], names: list[str], jobs: int, tally: Tally,
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
            cid, file, line, index, text, statuses, mismatched, skipped = item
            if report_repeated_id(ids, problems, cid, file, line, index):
                continue
            tally.add_skips(cid, file, line, skipped)
            if text:
                tally.add_statuses(dict(statuses))
                yield text, mismatched
