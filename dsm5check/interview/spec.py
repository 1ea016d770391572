"""The optional ``interview:`` block of a ruleset: questions beyond the items.

A ruleset without the block can still be interviewed: every item group becomes
one cluster of rated items. The block adds the questions that are not items
(events, timeline, yes/no facts), their order, and the follow-up wording. All
wording lives in the YAML; keys are paths in a case file, never criterion ids.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["text", "date", "yes_no", "choice", "multi", "number", "yes_no_or_ratings"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class FieldQuestion(_Frozen):
    """One question whose answer goes to ``key`` (a dotted path in the case)."""

    key: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
    kind: Kind
    label: str | None = Field(None, description="Short name on the review screen.")
    prompt: str | None = Field(None, description="The question; default: the item's prompt.")
    item: str | None = Field(None, description="Item whose prompt and help are used.")
    help: str | None = None
    choices: dict[str, str] = Field(
        default_factory=dict, description="choice and multi: value -> short label, in order;"
        " yes_no and yes_no_or_ratings: labels for `yes` and `no`.")
    ratings: dict[str, str] = Field(
        default_factory=dict, description="yes_no_or_ratings: rating key -> short label."
    )
    rating_prompts: dict[str, str] = Field(
        default_factory=dict, description="yes_no_or_ratings: rating key -> its question"
        " (default: `Rate <label>`).")
    default: str | bool | float | None = Field(
        None, description="Answer taken on Enter; for dates `today`."
    )
    default_from: str | None = Field(
        None, description="Answer key whose value one key (`default_key`) takes; Enter alone"
        " still records not known.")
    default_key: str = Field("s", pattern=r"^[a-z]$",
                             description="The key that takes the `default_from` answer.")
    default_label: str | None = Field(
        None, description="What `default_key` means, e.g. `from the start`.")
    code: str | None = Field(
        None, pattern=r"^[A-Za-z][A-Za-z0-9]{0,7}$",
        description="Short code of the answer on the review screen (typed to change it).")
    when: dict[str, Any] = Field(
        default_factory=dict,
        description="Ask only when every named answer matches: a list (includes any), a value,"
        " or null (answered as not known).",
    )
    when_any_present: tuple[str, ...] = Field(
        (), description="Ask only when one of these items (or item groups) is present."
    )
    unknown: Literal["null", "omit"] = Field(
        "null", description="How 'not known' is written to the case: null or left out."
    )

    @model_validator(mode="after")
    def _complete(self) -> FieldQuestion:
        if self.prompt is None and self.item is None:
            raise ValueError("expected `prompt` or `item` (whose prompt is used)")
        if self.kind in ("choice", "multi") and not self.choices:
            raise ValueError(f"a {self.kind} question needs `choices`")
        if self.kind == "yes_no_or_ratings" and not self.ratings:
            raise ValueError("a yes_no_or_ratings question needs `ratings`")
        if self.kind in ("yes_no", "yes_no_or_ratings") and set(self.choices) - {"yes", "no"}:
            raise ValueError("the choices of a yes/no question relabel only `yes` and `no`")
        if set(self.rating_prompts) - set(self.ratings):
            raise ValueError("`rating_prompts` names a rating that `ratings` lacks")
        return self


class EventsSpec(_Frozen):
    """A repeated group of questions, one element of ``collection`` each."""

    collection: str = "events"
    noun: str = "event"
    any_prompt: str = Field(description="Whether there is any element to record (yes/no).")
    more_prompt: str = Field(description="Whether to record another element.")
    index_prompt: str | None = Field(None, description="Which element is the index element.")
    index_flag: str | None = Field(None, description="Element key set to true on the index.")
    label_field: str | None = Field(None, description="Element key naming it in lists.")
    code: str = Field("ev", pattern=r"^[a-z]{1,4}$",
                      description="Review code: `ev` for the list, `ev1`, `ev2` ... per element.")
    fields: tuple[FieldQuestion, ...] = Field(min_length=1)


class Step(_Frozen):
    """A cluster of the interview: rated items of a group, events, or questions."""

    title: str | None = None
    items: str | None = Field(None, description="Item group asked in this cluster.")
    events: EventsSpec | None = None
    questions: tuple[FieldQuestion, ...] = ()

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        if self.events is not None and (self.items or self.questions):
            raise ValueError("an events step holds only `events`")
        if self.events is None and not self.items and not self.questions:
            raise ValueError("expected `items`, `events` or `questions`")
        return self


class InterviewSpec(_Frozen):
    unknown_label: str = "not assessed / don't know"
    onset_questions: dict[str, str] = Field(
        default_factory=dict,
        description="Follow-up per item `onset` value, asked when the item is rated present;"
        " `no` marks it as not related to the event.",
    )
    steps: tuple[Step, ...] = ()

    def problems(self, items: dict[str, str | None]) -> list[tuple[tuple[object, ...], str]]:
        """Names the block uses that the ruleset lacks: (loc, message) pairs.

        ``items`` maps each item id of the ruleset to its group.
        """
        groups = {g for g in items.values() if g}
        out: list[tuple[tuple[object, ...], str]] = []
        for i, step in enumerate(self.steps):
            loc: tuple[object, ...] = ("interview", "steps", i)
            if step.items and step.items not in groups:
                out.append(((*loc, "items"), f"unknown item group {step.items!r};"
                            f" expected one of {', '.join(sorted(groups))}"))
            fields = step.events.fields if step.events else step.questions
            where = "events" if step.events else "questions"
            for j, fq in enumerate(fields):
                floc = (*loc, where, *(("fields",) if step.events else ()), j)
                if fq.item and fq.item not in items:
                    out.append(((*floc, "item"), f"unknown item {fq.item!r}"))
                for name in fq.when_any_present:
                    if name not in items and name not in groups:
                        out.append(((*floc, "when_any_present"),
                                    f"unknown item or group {name!r}"))
        for value in self.onset_questions:
            if value not in ("began_after", "began_or_worsened_after"):
                out.append((("interview", "onset_questions", value),
                            f"unknown onset {value!r}; expected began_after or"
                            " began_or_worsened_after"))
        return out
