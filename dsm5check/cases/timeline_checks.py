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
exact and get no slack. Months figures that contradict only each other (the
full picture before the first symptoms, or after the assessment, by the months
alone) are not a problem but a caution (:func:`timeline_cautions`): the case is
checked as given and the disagreement said beside the result, with or without
dates elsewhere in the case. A contradiction that involves a date (an event's,
the assessment's...) stays a problem.

Each message is a :class:`Said`: as text, it names the fields by their keys (a
case file's problems point at its keys: ``events[0].date``); its ``words`` say
the same for a person answering questions, fields in words and events counted
from 1 ("event 1"), as the interview shows it. The words are those of the
rulesets' ``facts:`` blocks (the same in every shipped set; a test holds them
together).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import NamedTuple

from dsm5check.cases.case import Case, Event, Timeline
from dsm5check.cases.dates import DAYS_PER_MONTH, add_months, months_between

Loc = tuple[str | int, ...]


class Said(str):
    """A message naming fields by key; ``words`` is the same message in words."""

    words: str

    def __new__(cls, keyed: str, words: str) -> Said:
        said = super().__new__(cls, keyed)
        said.words = words
        return said

    def __reduce__(self) -> tuple[type[Said], tuple[str, str]]:
        # a worker process sends its problems to the parent pickled: both texts go
        return Said, (str(self), self.words)


#: The case fields these checks name, in words (as the rulesets' ``facts:`` say).
FIELD_WORDS = {
    "timeline.symptom_onset": "the first symptoms",
    "timeline.full_criteria_met": "the full picture",
    "timeline.assessed": "the assessment",
    "timeline.months_since_symptom_onset": "months since the symptoms began",
    "timeline.months_event_to_symptom_onset": "months from the event to the first symptoms",
    "timeline.months_event_to_full_criteria": "months from the event to the full picture",
    "subject.age_years": "age in years",
}


class _Key(NamedTuple):
    """A field in a message: `` (key)`` in the keyed text, ``words`` in the other."""

    key: str
    words: str = ""


Part = str | _Key | tuple[str, str]  # text; a field; (keyed text, the same in words)


def _say(*parts: Part) -> Said:
    keyed = "".join(p if isinstance(p, str) else f" ({p.key})" if isinstance(p, _Key)
                    else p[0] for p in parts)
    words = "".join(p if isinstance(p, str) else p.words if isinstance(p, _Key)
                    else p[1] for p in parts)
    return Said(keyed, words)


def _event(i: int) -> _Key:
    """An event's date: ``(events[0].date)`` after "the event", "event 1" in words."""
    return _Key(f"events[{i}].date")

#: How far (in months) a months figure may stray from the dates it meets.
MONTHS_TOLERANCE = 1.0


class Moment(NamedTuple):
    """One estimate of when something happened, and where it comes from."""

    day: dt.date
    what: str  # "the first symptoms"
    how: _Key  # the field it comes from, and how it was reached
    loc: Loc  # the field to report a problem at
    exact: bool  # from a date alone (no months figure)


def timeline_problems(case: Case, today: dt.date) -> Iterator[tuple[Loc, str]]:
    """Every date and months problem of one case (see the module docstring)."""
    events = case.events or []
    tl = case.timeline or Timeline()
    yield from _future(events, tl, today)
    flagged = [i for i, e in enumerate(events) if e.index]
    for i in flagged[1:]:
        yield ("events", i, "index"), Said(
            "only one event may be the index event (index: true)",
            f"only one event may be the index event (event {i + 1} is marked as one too)")
    yield from _dated_order(events, tl, flagged)
    event = _anchor(events, flagged)
    yield from _months_agree(tl, event)
    yield from _months_order(tl, event)
    yield from _ages(case, events, tl)


def _future(events: list[Event], tl: Timeline, today: dt.date) -> Iterator[tuple[Loc, str]]:
    # the names are put into words only for a date that is in the future
    for i, e in enumerate(events):
        day = e.date
        if day is not None and day > today:
            yield ("events", i, "date"), Said(
                f"event {day} (events[{i}].date) is in the future (today is {today})",
                f"event {i + 1} on {day} is in the future (today is {today})")
    for n in _DATES:
        day = getattr(tl, n)
        if day is not None and day > today:
            name = f"timeline.{n}"
            words = _WORDS[name]
            yield ("timeline", n), Said(
                f"{words} {day} ({name}) is in the future (today is {today})",
                f"{words} {day} is in the future (today is {today})")


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
    return Moment(day, "the event", _Key(f"events[{i}].date", f"event {i + 1}"),
                  ("events", i, "date"), True)


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
        yield ("timeline", "symptom_onset"), Said(
            f"symptoms began {onset} (timeline.symptom_onset), before the event on {first}"
            f" (events[{i}].date): the symptoms counted must begin on or after it",
            f"symptoms began {onset}, before event {i + 1} on {first}: the symptoms counted"
            " must begin on or after it",
        )
    if onset and full and full < onset:
        yield ("timeline", "full_criteria_met"), _say(
            f"full picture first present {full}", _Key("timeline.full_criteria_met"),
            f", before the symptoms began on {onset}", _Key("timeline.symptom_onset"),
            ": the full picture cannot come before the first symptom",
        )
    if assessed:
        for name, earlier in (("symptom_onset", onset), ("full_criteria_met", full)):
            if earlier and assessed < earlier:
                yield ("timeline", "assessed"), _say(
                    f"assessed {assessed}", _Key("timeline.assessed"),
                    f", before {_WORDS['timeline.' + name]} {earlier}",
                    _Key(f"timeline.{name}"), ": expected on or after it",
                )
        for i, e in enumerate(events):
            if e.date is not None and assessed < e.date:
                yield ("events", i, "date"), Said(
                    f"event on {e.date} (events[{i}].date), after the assessment on"
                    f" {assessed} (timeline.assessed): an event must come before the assessment",
                    f"event {i + 1} on {e.date}, after the assessment on {assessed}: an event"
                    " must come before the assessment",
                )


def _span(start: dt.date, end: dt.date) -> float:
    months, days = months_between(start, end)
    return months + days / DAYS_PER_MONTH


def _months_agree(tl: Timeline, event: Moment | None) -> Iterator[tuple[Loc, str]]:
    """A months figure that contradicts the dates it duplicates would be ignored: say so."""
    if (tl.months_since_symptom_onset is None and tl.months_event_to_symptom_onset is None
            and tl.months_event_to_full_criteria is None):
        return
    start_of = {"event": event.day if event else None}
    keyed = event.how.key if event else "the event"
    worded = event.how.words if event else "the event"
    pairs = (
        ("months_since_symptom_onset", tl.symptom_onset, tl.assessed,
         "timeline.symptom_onset to timeline.assessed", "the first symptoms to the assessment"),
        ("months_event_to_symptom_onset", start_of["event"], tl.symptom_onset,
         f"{keyed} to timeline.symptom_onset", f"{worded} to the first symptoms"),
        ("months_event_to_full_criteria", start_of["event"], tl.full_criteria_met,
         f"{keyed} to timeline.full_criteria_met", f"{worded} to the full picture"),
    )
    for name, start, end, span, span_words in pairs:
        given = getattr(tl, name)
        if given is None or start is None or end is None or end < start:
            continue
        actual = _span(start, end)
        if abs(actual - given) > MONTHS_TOLERANCE:
            yield ("timeline", name), Said(
                f"timeline.{name} is {given:g} but the dates give {actual:.1f} months from"
                f" {span}; the dates would win: make them agree or leave one out",
                f"{FIELD_WORDS['timeline.' + name]}: {given:g}, but the dates give"
                f" {actual:.1f} months from {span_words}; the dates would win: make them agree"
                " or leave one out",
            )


def _moments(tl: Timeline, event: Moment | None) -> dict[str, list[Moment]]:
    """Every estimate of each moment the case gives, dates first."""
    out: dict[str, list[Moment]] = {"event": [event] if event else [], "onset": [],
                                     "full": [], "assessed": []}
    assessed = tl.assessed
    if assessed is not None:
        out["assessed"].append(Moment(assessed, "the assessment", _Key("timeline.assessed"),
                                      ("timeline", "assessed"), True))
    for key, name, what in (("onset", "symptom_onset", "the first symptoms"),
                            ("full", "full_criteria_met", "the full picture")):
        day = getattr(tl, name)
        if day is not None:
            out[key].append(Moment(day, what, _Key(f"timeline.{name}"), ("timeline", name),
                                   True))
    if event is not None:
        for key, name, what in (("onset", "months_event_to_symptom_onset", "the first symptoms"),
                                ("full", "months_event_to_full_criteria", "the full picture")):
            months = getattr(tl, name)
            if months is not None:
                out[key].append(Moment(
                    _months_after(event.day, months), what,
                    _Key(f"timeline.{name} {months:g}, counted on from the event on {event.day}",
                         f"{months:g} months after {event.how.words or 'the event'} on"
                         f" {event.day}"),
                    ("timeline", name), False))
    msso = tl.months_since_symptom_onset
    if msso is not None and assessed is not None:
        out["onset"].append(Moment(
            _months_before(assessed, msso), "the first symptoms",
            _Key(f"timeline.months_since_symptom_onset {msso:g}, counted back from the"
                 f" assessment on {assessed}",
                 f"{msso:g} months before the assessment on {assessed}"),
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


def _said(m: Moment) -> tuple[str, _Key]:
    """When a moment is, and where that comes from (in words: only how it was reached)."""
    if m.exact:
        return f"on {m.day}", m.how._replace(words="")
    return f"about {m.day:%Y-%m}", m.how._replace(words=f" ({m.how.words})")


def _what(m: Moment) -> Part:
    """The moment named; in words, the event by its number ("event 1")."""
    if m.loc[0] == "events":
        return (m.what, m.how.words)
    return m.what


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
    if (tl.months_since_symptom_onset is None and tl.months_event_to_symptom_onset is None
            and tl.months_event_to_full_criteria is None):
        return  # dates alone: every moment is exact
    moments = _moments(tl, event)
    seen: set[Loc] = set()
    for early_key, late_key, why in _ORDER:
        for early in moments[early_key]:
            for late in moments[late_key]:
                if early.exact and late.exact:
                    continue
                if _both_from_the_event(early, late):
                    continue  # months figures alone: a caution (timeline_cautions)
                if late.day >= early.day or _span(late.day, early.day) <= MONTHS_TOLERANCE:
                    continue
                loc = late.loc if not late.exact else early.loc
                if loc in seen:
                    continue
                seen.add(loc)
                yield loc, _say(
                    _what(late), " ", *_said(late), " would come before ", _what(early), " ",
                    *_said(early), f": {why}",
                )


def _both_from_the_event(early: Moment, late: Moment) -> bool:
    """Two moments counted on from the same event by months figures: whether they
    are in order depends on the figures alone, not on any date."""
    return (not early.exact and not late.exact
            and str(early.loc[-1]).startswith("months_event_to_")
            and str(late.loc[-1]).startswith("months_event_to_"))


class Caution(NamedTuple):
    """Months figures that disagree with each other (no date involved): the case
    is checked as given, and the disagreement is said beside the result."""

    loc: Loc  # the field most likely wrong
    message: Said  # names the fields by key; ``words`` in plain words


#: What every caution ends with: the reading behind checking the case all the same.
CAUTION_READING = (
    "Months figures are estimates, so the case was checked as given: check the figures.")


#: The reading in full, for ``check --explain`` (docs/case-format.md says the same).
MONTHS_READING = (
    "Timelines: months figures are estimates. When the months figures alone disagree"
    " with each other (the full picture before the first symptoms, or after the"
    " assessment), the case is still checked as given and a caution says so; the exit"
    " status is not changed. A date that contradicts another date or a months figure is"
    " an input problem, and the case is not checked.")


def timeline_cautions(case: Case) -> list[Caution]:
    """Months figures given only as months (``months_event_to_symptom_onset``,
    ``months_event_to_full_criteria``, ``months_since_symptom_onset``) that
    contradict each other beyond ``MONTHS_TOLERANCE``, whatever dates the case
    also gives: the full picture before the first symptoms, or after the
    assessment. A contradiction that involves a date is a problem instead
    (:func:`timeline_problems`)."""
    tl = case.timeline
    if tl is None:
        return []
    msso, meso, mef = (tl.months_since_symptom_onset, tl.months_event_to_symptom_onset,
                       tl.months_event_to_full_criteria)
    if meso is None or mef is None:
        return []
    out: list[Caution] = []
    if mef + MONTHS_TOLERANCE < meso:
        out.append(Caution(("timeline", "months_event_to_full_criteria"), _say(
            f"the months figures disagree: the full picture {mef:g} months after the event",
            _Key("timeline.months_event_to_full_criteria"),
            f" would come before the first symptoms {meso:g} months after it",
            _Key("timeline.months_event_to_symptom_onset"),
            f". The full picture cannot come before the first symptom. {CAUTION_READING}",
        )))
    elif msso is not None and mef - meso > msso + MONTHS_TOLERANCE:
        out.append(Caution(("timeline", "months_event_to_full_criteria"), _say(
            f"the months figures disagree: the full picture {mef:g} months after the event",
            _Key("timeline.months_event_to_full_criteria"),
            f" comes {mef - meso:g} months after the first symptoms",
            _Key(f"timeline.months_event_to_symptom_onset {meso:g}",
                 f" ({meso:g} months after the event)"),
            f", but the symptoms began only {msso:g} months before the assessment",
            _Key("timeline.months_since_symptom_onset"),
            f". The full picture cannot come after the assessment. {CAUTION_READING}",
        )))
    return out


def _ages(case: Case, events: list[Event], tl: Timeline) -> Iterator[tuple[Loc, str]]:
    """Nothing happens before the person was born: with ``subject.age_years`` at
    the assessment, birth is after the assessment minus (age + 1) years."""
    age = case.subject.age_years if case.subject else None
    if age is None:
        return
    dates = [d for d in (e.date for e in events) if d is not None]
    dates += [d for d in (tl.symptom_onset, tl.full_criteria_met, tl.assessed) if d]
    reference = tl.assessed or (max(dates) if dates else None)
    ref: tuple[Part, ...] = (
        (f"on {tl.assessed}", _Key("timeline.assessed")) if tl.assessed else
        (f"on {reference} (the latest date given)",))
    aged = _Key("subject.age_years")
    if reference is None:
        msso = tl.months_since_symptom_onset
        if msso is not None and msso > (age + 1) * 12:
            yield ("timeline", "months_since_symptom_onset"), _say(
                f"symptoms began {msso:g} months ago", _Key("timeline.months_since_symptom_onset"),
                f", more than a lifetime at age {age}", aged,
            )
        return
    if reference.year - age - 1 < dt.MINYEAR + 1:
        return
    born_after = add_months(reference, -(age + 1) * 12)
    # put into words only for a date before the birth
    found: list[tuple[Loc, tuple[Part, ...]]] = [
        (("events", i, "date"), ((f"event on {e.date}", f"event {i + 1} on {e.date}"),
                                 _event(i)))
        for i, e in enumerate(events) if e.date is not None and e.date < born_after
    ]
    found += [(("timeline", n), (f"{_WORDS['timeline.' + n]} {getattr(tl, n)}",
                                 _Key(f"timeline.{n}")))
              for n in _DATES[:2] if getattr(tl, n) is not None and getattr(tl, n) < born_after]
    for loc, said in found:
        yield loc, _say(
            *said, f" is before the person was born: aged {age}", aged, " ", *ref,
            f" means born after {born_after}",
        )
    msso = tl.months_since_symptom_onset
    onset = _months_before(tl.assessed, msso) if msso is not None and tl.assessed else None
    if msso is not None and onset is not None and onset < born_after and (
        _span(onset, born_after) > MONTHS_TOLERANCE
    ):
        yield ("timeline", "months_since_symptom_onset"), _say(
            f"symptoms began {msso:g} months before the assessment",
            _Key("timeline.months_since_symptom_onset"),
            f", before the person was born: aged {age}", aged, " ", *ref,
            f" means born after {born_after}",
        )
