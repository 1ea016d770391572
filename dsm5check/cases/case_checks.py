"""Checks of a case that need its ruleset or the calendar.

Each returns ``(loc, message)`` pairs; the caller maps ``loc`` to a line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from difflib import get_close_matches
from typing import Any

from dsm5check.cases.case import RATING_MAX, RATING_MIN, Case
from dsm5check.cases.timeline_checks import timeline_problems
from dsm5check.engine.rules_model import FactNode
from dsm5check.engine.ruleset import Ruleset, walk

Loc = tuple[str | int, ...]


def case_problems(
    data: dict[str, Any], case: Case | None, rules: Ruleset, today: dt.date
) -> list[tuple[Loc, str]]:
    """Every check a case file gets beyond its format, in one place: names the
    ruleset must know (from the raw mapping, so they are found even when the
    format has errors), and, for a valid case, its dates and the ruleset's scope.
    ``check``, the interview, what-if and the vignette library all call this."""
    found = key_problems(data, rules)
    if case is not None:
        found += date_problems(case, today) + scope_problems(case, rules)
    return found


def key_problems(data: dict[str, Any], rules: Ruleset) -> list[tuple[Loc, str]]:
    """Names a ruleset must know (item ids, criteria, specifiers), read from the raw
    mapping so that they are reported even when other values have type errors."""
    return [*_items(data, rules), *_expected(data, rules)]


def scope_problems(case: Case, rules: Ruleset) -> list[tuple[Loc, str]]:
    """A case outside the people a ruleset is for (e.g. a child of 4 for the
    adult criteria) is refused rather than judged by the wrong criteria."""
    scope = rules.applies_to
    if scope is None:
        return []
    from dsm5check.engine.evaluate import evaluate_rule
    from dsm5check.engine.results import NOT_MET

    result = evaluate_rule(rules, scope.rule, case)
    if result.status != NOT_MET:
        return []  # inside, or not known (no age given): evaluate as usual
    facts = [n.fact for n in walk(scope.rule) if isinstance(n, FactNode)]
    loc: Loc = tuple(facts[0].split(".")) if facts else ()
    text = " ".join(scope.text.split())
    return [(loc, f"outside ruleset {rules.id}: it is for {text} ({result.reason})")]


def date_problems(case: Case, today: dt.date) -> list[tuple[Loc, str]]:
    """Timelines that do not add up: dates in the future, moments out of order
    (dates or months figures), anything before the person was born
    (:mod:`dsm5check.cases.timeline_checks`)."""
    return list(timeline_problems(case, today))


def _vocabulary(data: dict[str, Any], rules: Ruleset) -> tuple[Ruleset | None, list[
        tuple[Loc, str]]]:
    """The set whose item ids the case's answers use (``coded_in``, else the checking
    set), or None with a problem when ``coded_in`` names no shipped set."""
    wanted = data.get("coded_in")
    if not isinstance(wanted, str) or wanted == rules.id:
        return rules, []
    from dsm5check.engine.registry import shipped, shipped_ids

    if wanted not in shipped_ids():
        return None, [(("coded_in",), (
            f"no shipped ruleset {wanted!r}; known: {', '.join(shipped_ids())}"))]
    return shipped(wanted).rules, []


def _native(data: dict[str, Any], vocab: Ruleset) -> Iterator[tuple[Loc, str]]:
    """Each `native:` block names a shipped set's coding and that coding's items."""
    native = data.get("native")
    if not isinstance(native, dict):
        return
    from dsm5check.engine.registry import shipped, shipped_ids

    codings: dict[str, Ruleset] = {}
    for rid in shipped_ids():
        other = shipped(rid).rules
        codings.setdefault(other.vocabulary, other)
    for coding, block in native.items():
        if coding == vocab.vocabulary:
            yield ("native", coding), (
                f"the case is coded in {coding!r} already: give these answers under symptoms")
            continue
        found = codings.get(str(coding))
        if found is None:
            yield ("native", coding), (
                f"unknown coding {coding!r}; expected one of"
                f" {', '.join(c for c in codings if c != vocab.vocabulary)}")
            continue
        if isinstance(block, dict):
            yield from _check_answers(block, found, ("native", coding), f"coding {coding}")


def _items(data: dict[str, Any], rules: Ruleset) -> Iterator[tuple[Loc, str]]:
    vocab, problems = _vocabulary(data, rules)
    yield from problems
    if vocab is None:
        return
    yield from _native(data, vocab)
    symptoms = data.get("symptoms")
    if not isinstance(symptoms, dict):
        return
    yield from _check_answers(symptoms, vocab, ("symptoms",))


def _check_answers(symptoms: dict[Any, Any], rules: Ruleset, at: Loc, what: str = ""
                   ) -> Iterator[tuple[Loc, str]]:
    what = what or f"ruleset {rules.id}"
    known = rules.sections.get("symptoms", {})
    quiet = _quiet_ratings(rules)
    for key, value in symptoms.items():
        if not isinstance(value, dict) and type(key) is str:
            # most answers: a known item with a rating, yes/no or word that its scale
            # takes (checked below in full for everything else)
            span = quiet.get(key)
            if span is not None and (type(value) is not int or span[0] <= value <= span[1]
                                     or not RATING_MIN <= value <= RATING_MAX):
                continue
        item = known.get(str(key))
        if item is None:
            hint = f"; expected one of {', '.join(known)}" if known else ""
            close = get_close_matches(str(key).upper(), list(known), n=1)
            guess = f" (did you mean {close[0]!r}?)" if close else ""
            yield (*at, key), f"unknown item {key!r} for {what}{guess}{hint}"
            continue
        severity = value.get("severity") if isinstance(value, dict) else value
        present = value.get("present") if isinstance(value, dict) else None
        if type(severity) is int and isinstance(present, bool) and (
            (severity >= rules.symptom_threshold) != present
        ):
            yield (*at, key, "present"), (
                f"present: {str(present).lower()} disagrees with severity {severity}"
                f" (present means a rating of {rules.symptom_threshold} or more): give one"
            )
        scale = rules.scale_of(item)
        # a rating outside the format's range is reported by the format itself;
        # one inside it can still lie outside a narrower scale of the ruleset
        if type(severity) is int and RATING_MIN <= severity <= RATING_MAX and not (
            scale.min <= severity <= scale.max
        ):
            loc: Loc = (*at, key, "severity") if isinstance(value, dict) else (*at, key)
            yield loc, f"got {severity}: expected a rating from {scale.min} to {scale.max}"


_QUIET: dict[int, tuple[Ruleset, dict[str, tuple[int, int]]]] = {}


def _quiet_ratings(rules: Ruleset) -> dict[str, tuple[int, int]]:
    """(lowest, highest) rating of each item of the symptoms section, by id."""
    found = _QUIET.get(id(rules))
    if found is None or found[0] is not rules:
        known = rules.sections.get("symptoms", {})
        spans = {i: (rules.scale_of(item).min, rules.scale_of(item).max)
                 for i, item in known.items()}
        found = _QUIET[id(rules)] = (rules, spans)
    return found[1]


def _expected(data: dict[str, Any], rules: Ruleset) -> Iterator[tuple[Loc, str]]:
    exp = data.get("expected")
    if not isinstance(exp, dict):
        return
    criteria = rules.criterion_map
    if isinstance(exp.get("criteria"), dict):
        for cid in exp["criteria"]:
            if cid not in criteria:
                yield ("expected", "criteria", cid), (
                    f"unknown criterion {cid!r}; expected one of {', '.join(criteria)}"
                )
    specifiers = [s.id for s in rules.specifiers]
    if isinstance(exp.get("specifiers"), list):
        for i, sid in enumerate(exp["specifiers"]):
            if isinstance(sid, str) and sid not in specifiers:
                close = get_close_matches(sid, specifiers, n=1)
                guess = f" (did you mean {close[0]!r}?)" if close else ""
                yield ("expected", "specifiers", i), (
                    f"unknown specifier {sid!r}{guess}; expected one of {', '.join(specifiers)}"
                )
