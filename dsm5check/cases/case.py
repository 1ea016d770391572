"""Case files, format 1 (see docs/case-format.md and the shared contract).

The pydantic models accept every key and value of the public contract, and
forbid unknown keys so that a typo never silently means "not assessed".
Checks that need a ruleset (item ids, specifier ids) or the calendar (dates
that cannot be) live in :func:`semantic_problems`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    Tag,
    field_validator,
)

Status = Literal["met", "not_met", "indeterminate"]
Nature = Literal["actual_or_threatened_death", "serious_injury", "sexual_violence", "other"]
Exposure = Literal["direct", "witnessed", "learned_about_close_other", "repeated_aversive_details"]
RATING_MIN, RATING_MAX = 0, 4  # the case format's rating range
Rating = Annotated[StrictInt, Field(ge=RATING_MIN, le=RATING_MAX)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ItemDetail(_Model):
    """The long form of an answer: a rating or yes/no, plus qualifiers."""

    severity: Rating | None = Field(None, description="0-4; counts when >= the threshold.")
    present: StrictBool | None = Field(None, description="Yes/no instead of a rating.")
    trauma_related: StrictBool | None = Field(
        True,
        description="false: did not begin (B, C) or begin or worsen (D, E) after the event,"
        " or has another cause; then it does not count. null: not known.",
    )
    note: str | None = None


#: ``present`` / ``absent`` / ``unknown`` are accepted as words too.
Word = Literal["present", "absent", "unknown"]


def _form(value: Any) -> str | None:
    """Which form of answer a value is, so that only that form reports errors."""
    found = _FORMS.get(type(value))  # the common types at once (pydantic calls this
    if found is not None:            # for every answer of every case)
        return found
    if isinstance(value, bool):
        return "yes_no"
    if isinstance(value, int):
        return "rating"
    if isinstance(value, str):
        return "word"
    if isinstance(value, (dict, BaseModel)):
        return "detail"
    return None


_FORMS: dict[type, str] = {bool: "yes_no", int: "rating", str: "word", dict: "detail"}

_ANSWER_HELP = (
    "expected a rating 0-4, true/false, present/absent/unknown,"
    " or a mapping such as {severity: 3, trauma_related: false}"
)
ItemValue = Annotated[
    Annotated[StrictBool, Tag("yes_no")]
    | Annotated[Rating, Tag("rating")]
    | Annotated[Word, Tag("word")]
    | Annotated[ItemDetail, Tag("detail")],
    Discriminator(_form, custom_error_type="answer", custom_error_message=_ANSWER_HELP),
]


def _listify(value: Any) -> Any:
    """A single word where a list is expected is read as a list of one (extension)."""
    return [value] if isinstance(value, str) else value


class Event(_Model):
    id: str | None = None
    date: dt.date | None = None
    description: str | None = Field(None, description="Free text (extension).")
    nature: Annotated[list[Nature], BeforeValidator(_listify)] | None = Field(
        None, description="Missing: unknown. A single word is read as a list of one."
    )
    exposure: Annotated[list[Exposure], BeforeValidator(_listify)] | None = Field(
        None, description="Missing: unknown. A single word is read as a list of one."
    )
    violent_or_accidental: StrictBool | None = None
    extremely_threatening: StrictBool | None = Field(
        None, description="Extension (ICD-11): the clinician judges the event extremely"
        " threatening or horrific. Missing: read from the other event keys."
    )
    sudden_or_unexpected: StrictBool | None = Field(
        None, description="Extension (ICD-11): a death learned about was sudden or unexpected."
    )
    caregiver: StrictBool | None = Field(
        None, description="Extension (DSM-5 preschool A3): the person it happened to is a parent"
        " or carer of the child. Unknown when not given."
    )
    fear_helplessness_horror: StrictBool | None = Field(
        None, description="Extension (DSM-IV-TR A2): the person's response at the time involved"
        " intense fear, helplessness or horror. Not asked by DSM-5; unknown when not given."
    )
    via_media: StrictBool = False
    work_related: StrictBool = False
    index: StrictBool = False
    note: str | None = None


class Subject(_Model):
    age_years: Annotated[int, Field(ge=0, le=130)] | None = Field(
        None, description="Age at the assessment: no event or symptom before birth.")
    note: str | None = None


class Dissociation(_Model):
    depersonalization: ItemValue | None = None
    derealization: ItemValue | None = None
    attributable_to_substance_or_medical: StrictBool | None = None
    note: str | None = None


Months = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Timeline(_Model):
    """When things happened. Order enforced by ``check`` (a schema cannot compare
    fields): event <= symptom_onset <= full_criteria_met <= assessed <= today, and
    nothing before the person was born; a months figure may stray by one month."""

    symptom_onset: dt.date | None = Field(
        None, description="First symptoms: on or after the event, on or before"
        " full_criteria_met and assessed.")
    full_criteria_met: dt.date | None = Field(
        None, description="Full picture first present: on or after symptom_onset, on or"
        " before assessed.")
    assessed: dt.date | None = Field(
        None, description="Date of the assessment: not after today, not before any"
        " event or other timeline date.")
    months_since_symptom_onset: Months | None = Field(
        None, description="Months from symptom_onset to assessed: at most the"
        " time since the event; must agree with the dates within a month.")
    months_event_to_symptom_onset: Months | None = Field(
        None, description="Months from the index event to symptom_onset: at most the time"
        " from the event to assessed. More than months_event_to_full_criteria is a caution"
        " (months are estimates: the case is checked as given).")
    months_event_to_full_criteria: Months | None = Field(
        None, description="Months from the index event to full_criteria_met: at most the"
        " time from the event to assessed. Less than months_event_to_symptom_onset, or more"
        " than it plus months_since_symptom_onset, is a caution (the case is checked as"
        " given).")
    lasted_several_weeks: StrictBool | None = Field(
        None, description="Extension (ICD-11): the clinician judges that the symptoms have"
        " lasted 'several weeks', for a duration between two weeks and a month."
    )


class ImpairmentRatings(_Model):
    distress: Rating | None = None
    social: Rating | None = None
    occupational: Rating | None = None
    note: str | None = None


class Expected(_Model):
    diagnosis: Status | None = None
    criteria: dict[str, Status] = Field(default_factory=dict)
    specifiers: list[str] | None = Field(
        None, description="Exactly the specifiers that apply (omit to not check them)."
    )


class Case(_Model):
    id: str = Field(min_length=1, description="Required; unique within one run.")
    ruleset: str = "dsm5-ptsd"
    coded_in: str | None = Field(
        None, description="Extension: id of the ruleset whose item ids `symptoms` uses, when it"
        " is not `ruleset` (the checking set then reads them through its crosswalk)."
    )
    native: dict[str, dict[str, ItemValue | None]] | None = Field(
        None, description="Extension: answers coded natively in another set's items, keyed by"
        " that set's coding (e.g. icd11: {C1: 3}); what no crosswalk supplies."
    )
    title: str | None = Field(None, description="Short description (extension).")
    subject: Subject | None = None
    unlisted_symptoms: Literal["unknown", "absent"] = "unknown"
    events: list[Event] | None = Field(
        None, description="Criterion A. Omitted or null: not assessed; [] : no event."
    )
    symptoms: dict[str, ItemValue | None] = Field(default_factory=dict)
    dissociation: Dissociation | None = None
    timeline: Timeline | None = None
    impairment: Annotated[
        Annotated[StrictBool, Tag("yes_no")] | Annotated[ImpairmentRatings, Tag("detail")],
        Discriminator(
            _form,
            custom_error_type="impairment",
            custom_error_message="expected true/false or {distress: 0-4, social: 0-4,"
            " occupational: 0-4}",
        ),
    ] | None = None
    attributable_to_substance_or_medical: StrictBool | None = None
    notes: list[str] | str | None = Field(None, description="Free notes (extension).")
    expected: Expected | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_text(cls, value: Any) -> Any:
        # YAML reads `id: 14` as a number; an id is text, so accept and keep it as text.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value


#: The answer items of a dissociation block (its other keys are facts and notes).
_DISSOCIATION_ITEMS = tuple(
    name for name in Dissociation.model_fields
    if name not in {"attributable_to_substance_or_medical", "note"}
)


#: Sections of a case that hold answer items, and how to reach them.
def section_values(case: Case, section: str) -> dict[str, Any] | None:
    """The answers a case gives in one section, keyed by item id."""
    if section == "symptoms":
        return case.symptoms
    if section == "dissociation":
        d = case.dissociation
        if d is None:
            return {}
        # only the answers actually written: a key left out is unlisted, not null
        return {
            key: getattr(d, key) for key in _DISSOCIATION_ITEMS if key in d.model_fields_set
        }
    if section == "case":
        return None  # items read from a top-level key named like the item
    raise KeyError(section)
