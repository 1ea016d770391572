"""Checks of a case that need its ruleset or the calendar.

Each returns ``(loc, message)`` pairs; the caller maps ``loc`` to a line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from difflib import get_close_matches
from typing import Any

from dsm5check.case import RATING_MAX, RATING_MIN, Case, Timeline
from dsm5check.dates import DAYS_PER_MONTH, months_between
from dsm5check.rules_model import FactNode
from dsm5check.ruleset import Ruleset, walk

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
    from dsm5check.engine import evaluate_rule
    from dsm5check.results import NOT_MET

    result = evaluate_rule(rules, scope.rule, case)
    if result.status != NOT_MET:
        return []  # inside, or not known (no age given): evaluate as usual
    facts = [n.fact for n in walk(scope.rule) if isinstance(n, FactNode)]
    loc: Loc = tuple(facts[0].split(".")) if facts else ()
    text = " ".join(scope.text.split())
    return [(loc, f"outside ruleset {rules.id}: it is for {text} ({result.reason})")]


def date_problems(case: Case, today: dt.date) -> list[tuple[Loc, str]]:
    """Dates that cannot be: in the future, or out of order."""
    return list(_dates(case, today))


def _vocabulary(data: dict[str, Any], rules: Ruleset) -> tuple[Ruleset | None, list[
        tuple[Loc, str]]]:
    """The set whose item ids the case's answers use (``coded_in``, else the checking
    set), or None with a problem when ``coded_in`` names no shipped set."""
    wanted = data.get("coded_in")
    if not isinstance(wanted, str) or wanted == rules.id:
        return rules, []
    from dsm5check.registry import shipped, shipped_ids

    if wanted not in shipped_ids():
        return None, [(("coded_in",), (
            f"no shipped ruleset {wanted!r}; known: {', '.join(shipped_ids())}"))]
    return shipped(wanted).rules, []


def _native(data: dict[str, Any], vocab: Ruleset) -> Iterator[tuple[Loc, str]]:
    """Each `native:` block names a shipped set's coding and that coding's items."""
    native = data.get("native")
    if not isinstance(native, dict):
        return
    from dsm5check.registry import shipped, shipped_ids

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
    for key, value in symptoms.items():
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


def _dates(case: Case, today: dt.date) -> Iterator[tuple[Loc, str]]:
    tl = case.timeline
    events = case.events or []
    dated: list[tuple[Loc, str, dt.date]] = [
        (("events", i, "date"), f"event {e.id or i + 1}", e.date)
        for i, e in enumerate(events)
        if e.date is not None
    ]
    if tl is not None:
        for name in ("symptom_onset", "full_criteria_met", "assessed"):
            value = getattr(tl, name)
            if value is not None:
                dated.append((("timeline", name), name, value))
    for loc, what, day in dated:
        if day > today:
            yield loc, f"{what} {day} is in the future (today is {today})"
    flagged = [i for i, e in enumerate(events) if e.index]
    for i in flagged[1:]:
        yield ("events", i, "index"), "only one event may be the index event (index: true)"
    if tl is None:
        return
    onset, full, assessed = tl.symptom_onset, tl.full_criteria_met, tl.assessed
    event_dates: list[tuple[int, dt.date]] = [
        (i, e.date) for i, e in enumerate(events) if e.date is not None
    ]
    flagged_date = events[flagged[0]].date if flagged else None
    anchors = [(flagged[0], flagged_date)] if flagged_date is not None else event_dates
    if onset is not None and anchors and all(onset < d for _, d in anchors):
        first = min(d for _, d in anchors)
        yield ("timeline", "symptom_onset"), (
            f"symptoms began {onset}, before the event ({first}): expected on or after it"
        )
    yield from _months_agree(tl, flagged_date if flagged else (
        event_dates[0][1] if len(event_dates) == 1 else None))
    if onset and full and full < onset:
        yield ("timeline", "full_criteria_met"), (
            f"full criteria met {full}, before the symptoms began ({onset})"
        )
    if assessed:
        for name, earlier in (("symptom_onset", onset), ("full_criteria_met", full)):
            if earlier and assessed < earlier:
                yield ("timeline", "assessed"), (
                    f"assessed {assessed}, before {name} ({earlier}): expected on or after it"
                )
        for i, event_day in event_dates:
            if assessed < event_day:
                yield ("events", i, "date"), (
                    f"event date {event_day} is after the assessment ({assessed})"
                )


#: How far (in months) a months figure may stray from the dates it duplicates.
MONTHS_TOLERANCE = 1.0


def _months_agree(tl: Timeline, event: dt.date | None) -> Iterator[tuple[Loc, str]]:
    """A months figure that contradicts the dates would be silently ignored: say so."""
    pairs = (
        ("months_since_symptom_onset", tl.symptom_onset, tl.assessed, "symptom_onset to assessed"),
        ("months_event_to_symptom_onset", event, tl.symptom_onset, "the event to symptom_onset"),
        ("months_event_to_full_criteria", event, tl.full_criteria_met,
         "the event to full_criteria_met"),
    )
    for name, start, end, span in pairs:
        given = getattr(tl, name)
        if given is None or start is None or end is None or end < start:
            continue
        months, days = months_between(start, end)
        actual = months + days / DAYS_PER_MONTH
        if abs(actual - given) > MONTHS_TOLERANCE:
            yield ("timeline", name), (
                f"{name} is {given:g} but the dates give {actual:.1f} months from {span};"
                " the dates would win: make them agree or leave one out"
            )
    # what happened after the event cannot happen after the assessment
    if event is not None and tl.assessed is not None and tl.assessed >= event:
        months, days = months_between(event, tl.assessed)
        span_to_assessment = months + days / DAYS_PER_MONTH
        for name in ("months_event_to_symptom_onset", "months_event_to_full_criteria"):
            given = getattr(tl, name)
            if given is not None and given > span_to_assessment + MONTHS_TOLERANCE:
                yield ("timeline", name), (
                    f"{name} is {given:g}, but the assessment was {span_to_assessment:.1f}"
                    " months after the event: expected at most that"
                )
