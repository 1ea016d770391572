"""Timelines that add up: dates and month figures of one case checked together.

A case places four moments in time: the event (the index event, else the
earliest of the dated events), the first symptoms, the full picture, the
assessment. Each may be given as a date, or reached through a months figure
from another moment (``months_since_symptom_onset`` counts back from the
assessment; ``months_event_to_*`` count on from the event). They must come in
that order, none in the future, none before the person was born. Every problem
names both fields that disagree, and is reported at the one that is most
likely wrong (the months figure, or the later date).

Month figures are estimates ("roughly how many months ago"): they may stray
``MONTHS_TOLERANCE`` months before they count as a contradiction. Dates are
exact and get no slack.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from dsm5check.cases.case import Case, Event, Timeline
from dsm5check.cases.dates import DAYS_PER_MONTH, add_months, months_between

Loc = tuple[str | int, ...]

#: How far (in months) a months figure may stray from the dates it meets.
MONTHS_TOLERANCE = 1.0


class Moment(NamedTuple):
    """One estimate of when something happened, and where it comes from."""

    day: dt.date
    what: str  # "the first symptoms"
    how: str  # "timeline.symptom_onset 2024-03-01" or "... 5 months after ..."
    loc: Loc  # the field to report a problem at
    exact: bool  # from a date alone (no months figure)


def timeline_problems(case: Case, today: dt.date) -> Iterator[tuple[Loc, str]]:
    """Every date and months problem of one case (see the module docstring)."""
    events = case.events or []
    tl = case.timeline or Timeline()
    yield from _future(events, tl, today)
    flagged = [i for i, e in enumerate(events) if e.index]
    for i in flagged[1:]:
        yield ("events", i, "index"), "only one event may be the index event (index: true)"
    yield from _dated_order(events, tl, flagged)
    event = _anchor(events, flagged)
    yield from _months_agree(tl, event)
    yield from _months_order(tl, event)
    yield from _ages(case, events, tl)


def _future(events: list[Event], tl: Timeline, today: dt.date) -> Iterator[tuple[Loc, str]]:
    dated: list[tuple[Loc, str, dt.date | None]] = [
        (("events", i, "date"), f"events[{i}].date", e.date) for i, e in enumerate(events)
    ]
    dated += [(("timeline", n), f"timeline.{n}", getattr(tl, n)) for n in _DATES]
    for loc, name, day in dated:
        if day is not None and day > today:
            said = _WORDS.get(name, "event")
            yield loc, f"{said} {day} ({name}) is in the future (today is {today})"


_DATES = ("symptom_onset", "full_criteria_met", "assessed")
_WORDS = {"timeline.symptom_onset": "symptoms began",
          "timeline.full_criteria_met": "full picture first present",
          "timeline.assessed": "assessed"}


def _anchor(events: list[Event], flagged: list[int]) -> Moment | None:
    """The event the months figures count from, when it can be known for sure:
    the flagged one, else the earliest event when every event has a date (with
    an undated event left, the index event might be that one)."""
    if flagged:
        i = flagged[0]
        day = events[i].date
    elif events and all(e.date is not None for e in events):
        i = min(range(len(events)), key=lambda k: events[k].date or dt.date.max)
        day = events[i].date
    else:
        return None
    if day is None:
        return None
    return Moment(day, "the event", f"events[{i}].date", ("events", i, "date"), True)


def _dated_order(events: list[Event], tl: Timeline, flagged: list[int]
                 ) -> Iterator[tuple[Loc, str]]:
    """Dates against dates: exact, no slack."""
    onset, full, assessed = tl.symptom_onset, tl.full_criteria_met, tl.assessed
    anchors = [(i, events[i].date) for i in flagged[:1]] or [
        (i, e.date) for i, e in enumerate(events)
    ]
    known = [(i, d) for i, d in anchors if d is not None]
    if onset is not None and known and all(onset < d for _, d in known):
        i, first = min(known, key=lambda x: x[1])
        yield ("timeline", "symptom_onset"), (
            f"symptoms began {onset} (timeline.symptom_onset), before the event on {first}"
            f" (events[{i}].date): the symptoms counted must begin on or after it"
        )
    if onset and full and full < onset:
        yield ("timeline", "full_criteria_met"), (
            f"full picture first present {full} (timeline.full_criteria_met), before the"
            f" symptoms began on {onset} (timeline.symptom_onset): the full picture cannot"
            " come before the first symptom"
        )
    if assessed:
        for name, earlier in (("symptom_onset", onset), ("full_criteria_met", full)):
            if earlier and assessed < earlier:
                yield ("timeline", "assessed"), (
                    f"assessed {assessed} (timeline.assessed), before"
                    f" {_WORDS['timeline.' + name]} {earlier} (timeline.{name}):"
                    " expected on or after it"
                )
        for i, e in enumerate(events):
            if e.date is not None and assessed < e.date:
                yield ("events", i, "date"), (
                    f"event on {e.date} (events[{i}].date), after the assessment on"
                    f" {assessed} (timeline.assessed): an event must come before the assessment"
                )


def _span(start: dt.date, end: dt.date) -> float:
    months, days = months_between(start, end)
    return months + days / DAYS_PER_MONTH


def _months_agree(tl: Timeline, event: Moment | None) -> Iterator[tuple[Loc, str]]:
    """A months figure that contradicts the dates it duplicates would be ignored: say so."""
    start_of = {"event": event.day if event else None}
    pairs = (
        ("months_since_symptom_onset", tl.symptom_onset, tl.assessed,
         "timeline.symptom_onset to timeline.assessed"),
        ("months_event_to_symptom_onset", start_of["event"], tl.symptom_onset,
         f"{event.how if event else 'the event'} to timeline.symptom_onset"),
        ("months_event_to_full_criteria", start_of["event"], tl.full_criteria_met,
         f"{event.how if event else 'the event'} to timeline.full_criteria_met"),
    )
    for name, start, end, span in pairs:
        given = getattr(tl, name)
        if given is None or start is None or end is None or end < start:
            continue
        actual = _span(start, end)
        if abs(actual - given) > MONTHS_TOLERANCE:
            yield ("timeline", name), (
                f"timeline.{name} is {given:g} but the dates give {actual:.1f} months from"
                f" {span}; the dates would win: make them agree or leave one out"
            )


def _moments(tl: Timeline, event: Moment | None) -> dict[str, list[Moment]]:
    """Every estimate of each moment the case gives, dates first."""
    out: dict[str, list[Moment]] = {"event": [event] if event else [], "onset": [],
                                     "full": [], "assessed": []}
    assessed = tl.assessed
    if assessed is not None:
        out["assessed"].append(Moment(assessed, "the assessment", "timeline.assessed",
                                      ("timeline", "assessed"), True))
    for key, name, what in (("onset", "symptom_onset", "the first symptoms"),
                            ("full", "full_criteria_met", "the full picture")):
        day = getattr(tl, name)
        if day is not None:
            out[key].append(Moment(day, what, f"timeline.{name}", ("timeline", name), True))
    if event is not None:
        for key, name, what in (("onset", "months_event_to_symptom_onset", "the first symptoms"),
                                ("full", "months_event_to_full_criteria", "the full picture")):
            months = getattr(tl, name)
            if months is not None:
                out[key].append(Moment(
                    _months_after(event.day, months), what,
                    f"timeline.{name} {months:g}, counted on from the event on {event.day}",
                    ("timeline", name), False))
    msso = tl.months_since_symptom_onset
    if msso is not None and assessed is not None:
        out["onset"].append(Moment(
            _months_before(assessed, msso), "the first symptoms",
            f"timeline.months_since_symptom_onset {msso:g}, counted back from the"
            f" assessment on {assessed}",
            ("timeline", "months_since_symptom_onset"), False))
    return out


def _months_before(day: dt.date, months: float) -> dt.date:
    """``months`` before ``day`` (whole calendar months, then days), or date.min."""
    whole = int(months)
    if whole >= (day.year - 1) * 12 + day.month - 1:
        return dt.date.min
    back = add_months(day, -whole)
    rest = dt.timedelta(days=round((months - whole) * DAYS_PER_MONTH))
    return back - rest if back - dt.date.min > rest else dt.date.min


def _months_after(day: dt.date, months: float) -> dt.date:
    """``months`` after ``day``, or date.max when that is past the calendar's end."""
    if months >= (dt.MAXYEAR - day.year) * 12:
        return dt.date.max
    return add_months(day, months)


def _said(m: Moment) -> str:
    return f"on {m.day} ({m.how})" if m.exact else f"about {m.day:%Y-%m} ({m.how})"


#: The order moments must come in, with what is wrong when they do not.
_ORDER = (
    ("event", "onset", "the symptoms counted must begin on or after the event"),
    ("onset", "full", "the full picture cannot come before the first symptom"),
    ("full", "assessed", "the full picture cannot come after the assessment"),
    ("onset", "assessed", "the symptoms cannot begin after the assessment"),
)


def _months_order(tl: Timeline, event: Moment | None) -> Iterator[tuple[Loc, str]]:
    """Moments out of order where a months figure is involved (dates alone are
    checked, exactly, by ``_dated_order``)."""
    moments = _moments(tl, event)
    seen: set[Loc] = set()
    for early_key, late_key, why in _ORDER:
        for early in moments[early_key]:
            for late in moments[late_key]:
                if early.exact and late.exact:
                    continue
                if late.day >= early.day or _span(late.day, early.day) <= MONTHS_TOLERANCE:
                    continue
                loc = late.loc if not late.exact else early.loc
                if loc in seen:
                    continue
                seen.add(loc)
                yield loc, (
                    f"{late.what} {_said(late)} would come before {early.what}"
                    f" {_said(early)}: {why}"
                )
    msso, meso, mef = (tl.months_since_symptom_onset, tl.months_event_to_symptom_onset,
                       tl.months_event_to_full_criteria)
    if event is None and meso is not None and mef is not None and mef + MONTHS_TOLERANCE < meso:
        yield ("timeline", "months_event_to_full_criteria"), (
            f"the full picture {mef:g} months after the event"
            f" (timeline.months_event_to_full_criteria) would come before the first symptoms"
            f" {meso:g} months after it (timeline.months_event_to_symptom_onset):"
            " the full picture cannot come before the first symptom"
        )
    if (tl.assessed is None and event is None and msso is not None and meso is not None
            and mef is not None and mef - meso > msso + MONTHS_TOLERANCE):
        yield ("timeline", "months_event_to_full_criteria"), (
            f"the full picture {mef:g} months after the event"
            f" (timeline.months_event_to_full_criteria) comes {mef - meso:g} months after the"
            f" first symptoms (timeline.months_event_to_symptom_onset {meso:g}), but the"
            f" symptoms began only {msso:g} months before the assessment"
            " (timeline.months_since_symptom_onset): the full picture cannot come after"
            " the assessment"
        )


def _ages(case: Case, events: list[Event], tl: Timeline) -> Iterator[tuple[Loc, str]]:
    """Nothing happens before the person was born: with ``subject.age_years`` at
    the assessment, birth is after the assessment minus (age + 1) years."""
    age = case.subject.age_years if case.subject else None
    if age is None:
        return
    dates = [d for d in (e.date for e in events) if d is not None]
    dates += [d for d in (tl.symptom_onset, tl.full_criteria_met, tl.assessed) if d]
    reference = tl.assessed or (max(dates) if dates else None)
    ref_text = (f"on {tl.assessed} (timeline.assessed)" if tl.assessed else
                f"on {reference} (the latest date given)")
    if reference is None:
        msso = tl.months_since_symptom_onset
        if msso is not None and msso > (age + 1) * 12:
            yield ("timeline", "months_since_symptom_onset"), (
                f"symptoms began {msso:g} months ago (timeline.months_since_symptom_onset),"
                f" more than a lifetime at age {age} (subject.age_years)"
            )
        return
    if reference.year - age - 1 < dt.MINYEAR + 1:
        return
    born_after = add_months(reference, -(age + 1) * 12)
    found: list[tuple[Loc, str, dt.date]] = [
        (("events", i, "date"), f"event on {e.date} (events[{i}].date)", e.date)
        for i, e in enumerate(events) if e.date is not None
    ]
    found += [(("timeline", n), f"{_WORDS['timeline.' + n]} {getattr(tl, n)} (timeline.{n})",
               getattr(tl, n)) for n in _DATES[:2] if getattr(tl, n) is not None]
    for loc, said, day in found:
        if day < born_after:
            yield loc, (
                f"{said} is before the person was born: aged {age} (subject.age_years)"
                f" {ref_text} means born after {born_after}"
            )
    msso = tl.months_since_symptom_onset
    onset = _months_before(tl.assessed, msso) if msso is not None and tl.assessed else None
    if msso is not None and onset is not None and onset < born_after and (
        _span(onset, born_after) > MONTHS_TOLERANCE
    ):
        yield ("timeline", "months_since_symptom_onset"), (
            f"symptoms began {msso:g} months before the assessment"
            f" (timeline.months_since_symptom_onset), before the person was born: aged"
            f" {age} (subject.age_years) {ref_text} means born after {born_after}"
        )
