"""A ruleset's interview as a static form: the one shape every export reads.

The terminal interview decides question by question what to ask next; a FHIR
Questionnaire or a REDCap instrument is a fixed form whose skips are written as
conditions. This module turns a ruleset's items and ``interview:`` block into
such a form once — sections, fields, answer options and show-when conditions —
and ``fhir_questionnaire``, ``fhir_response`` and ``redcap`` all read it, so the
three agree by construction. Nothing here is specific to one ruleset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from dsm5check.engine.ruleset import Item, LoadedRuleset
from dsm5check.interview.spec import EventsSpec, FieldQuestion, Step

FieldKind = Literal["string", "date", "boolean", "decimal", "choice", "multi", "rating"]

YES_NO_LABELS = {True: "yes", False: "no"}


@dataclass(frozen=True, slots=True)
class Option:
    code: str  # as exchanged (FHIR coding code, REDCap raw value)
    label: str
    value: Any  # as written in a case file


@dataclass(frozen=True, slots=True)
class Condition:
    """Show a field when the field ``link_id`` has ``value`` (``None``: has no answer)."""

    link_id: str
    value: Any


@dataclass(frozen=True, slots=True)
class FormField:
    link_id: str  # unique in the form: an item id, events.nature, timeline.assessed
    path: tuple[str, ...]  # where the answer goes in a case (inside the element if repeated)
    kind: FieldKind
    text: str
    label: str  # short name
    options: tuple[Option, ...] = ()
    code: str | None = None  # the ruleset's item id, for rated items
    help: str | None = None
    # show when, for every inner tuple, any of its conditions holds (AND of ORs)
    show_when: tuple[tuple[Condition, ...], ...] = ()
    role: Literal["answer", "onset", "any", "index", "rating_of"] = "answer"


@dataclass(frozen=True, slots=True)
class Section:
    link_id: str
    title: str
    fields: tuple[FormField, ...]
    collection: str | None = None  # a repeated group: one element of this case list each
    show_when: tuple[tuple[Condition, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Form:
    ruleset_id: str
    version: str
    title: str
    sections: tuple[Section, ...]
    unknown_label: str = "not assessed / don't know"
    threshold: int = 2
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def fields(self) -> list[FormField]:
        return [f for s in self.sections for f in s.fields]


def build_form(loaded: LoadedRuleset) -> Form:
    rules = loaded.rules
    groups = dict(rules.item_groups)
    spec = rules.interview
    steps: tuple[Step, ...] = (
        spec.steps if spec and spec.steps else tuple(Step(items=g) for g in groups)
    )
    onset = dict(spec.onset_questions) if spec else {}
    builder = _Builder(loaded, groups, onset)
    sections = [builder.section(i, step) for i, step in enumerate(steps)]
    asked = {f.code for s in sections for f in s.fields if f.code}
    rest = [i for i in rules.items if i.id not in asked and i.section != "case"]
    if rest:  # items no step asks: still part of the form, so nothing is lost
        sections.append(Section("other-items", "Other items",
                                tuple(f for i in rest for f in builder.item_fields(i))))
    return Form(rules.id, rules.version, rules.title, tuple(sections),
                spec.unknown_label if spec else "not assessed / don't know",
                rules.symptom_threshold, builder.groups)


class _Builder:
    def __init__(self, loaded: LoadedRuleset, groups: dict[str, tuple[str, ...]],
                 onset: dict[str, str]) -> None:
        self.rules = loaded.rules
        self.groups = groups
        self.onset = onset

    def section(self, index: int, step: Step) -> Section:
        if step.events is not None:
            return self.events_section(index, step.events, step.title)
        fields: list[FormField] = []
        if step.items:
            for iid in self.groups.get(step.items, ()):
                fields.extend(self.item_fields(self.rules.item_map[iid]))
        for fq in step.questions:
            fields.extend(self.question_fields(fq, fq.key, None))
        title = step.title or f"{step.items} items"
        return Section(f"step-{index + 1}", title, tuple(fields))

    def item_fields(self, item: Item) -> list[FormField]:
        scale = self.rules.scale_of(item)
        key = item.id if item.section == "case" else f"{item.section}.{item.id}"
        options = tuple(
            Option(str(v), scale.labels.get(v, str(v)), v) for v in range(scale.min, scale.max + 1)
        )
        name = item.short or item.text
        out = [FormField(item.id, tuple(key.split(".")), "rating", item.prompt or item.text,
                         f"{item.id} {name}", options, item.id, item.help)]
        question = self.onset.get(item.onset or "")
        if question:
            present = tuple(Condition(item.id, o.value) for o in options
                            if o.value >= self.rules.symptom_threshold)
            out.append(FormField(f"{item.id}.trauma_related", (*key.split("."), "trauma_related"),
                                 "boolean", question, f"{item.id} after the event",
                                 _yes_no(), item.id, None, (present,), "onset"))
        return out

    def question_fields(self, fq: FieldQuestion, key: str, collection: str | None
                        ) -> list[FormField]:
        item = self.rules.item_map.get(fq.item) if fq.item else None
        text = fq.prompt or (item.prompt or item.text if item else key)
        label = fq.label or key.split(".")[-1].replace("_", " ")
        link = f"{collection}.{key}" if collection else key
        prefix = f"{collection}." if collection else ""
        show = self.conditions(fq, prefix)
        path = tuple(key.split("."))
        help_text = fq.help or (item.help if item else None)
        if fq.kind == "yes_no_or_ratings":
            main = FormField(link, path, "boolean", text, label, _yes_no(), fq.item, help_text,
                             show)
            scale = self.rules.scales.get("impairment") or next(iter(self.rules.scales.values()))
            levels = tuple(Option(str(v), scale.labels.get(v, str(v)), v)
                           for v in range(scale.min, scale.max + 1))
            ratings = [FormField(f"{link}.{r}", (*path, r), "rating", f"{label}: {name}",
                                 f"{label}: {name}", levels, None, None, show, "rating_of")
                       for r, name in fq.ratings.items()]
            return [main, *ratings]
        kind: FieldKind = {
            "text": "string", "date": "date", "yes_no": "boolean", "choice": "choice",
            "multi": "multi", "number": "decimal",
        }[fq.kind]  # type: ignore[assignment]
        options: tuple[Option, ...] = ()
        if kind in ("choice", "multi"):
            options = tuple(Option(str(v), lab, v) for v, lab in fq.choices.items())
        elif kind == "boolean":
            options = _yes_no()
        return [FormField(link, path, kind, text, label, options, fq.item, help_text, show)]

    def conditions(self, fq: FieldQuestion, prefix: str) -> tuple[tuple[Condition, ...], ...]:
        sets: list[tuple[Condition, ...]] = []
        for key, wanted in fq.when.items():
            link = prefix + key
            values = wanted if isinstance(wanted, list) else [wanted]
            sets.append(tuple(Condition(link, v) for v in values))
        if fq.when_any_present:
            present: list[Condition] = []
            for name in fq.when_any_present:
                for iid in self.groups.get(name, (name,)):
                    item = self.rules.item_map.get(iid)
                    if item is None:
                        continue
                    scale = self.rules.scale_of(item)
                    present.extend(Condition(iid, v) for v in range(scale.min, scale.max + 1)
                                   if v >= self.rules.symptom_threshold)
            sets.append(tuple(present))
        return tuple(sets)

    def events_section(self, index: int, spec: EventsSpec, title: str | None) -> Section:
        coll = spec.collection
        fields: list[FormField] = [
            FormField(f"{coll}.any", (coll,), "boolean", spec.any_prompt, f"any {spec.noun}",
                      _yes_no(), role="any")
        ]
        inner: list[FormField] = []
        for fq in spec.fields:
            inner.extend(self.question_fields(fq, fq.key, coll))
        if spec.index_flag:
            inner.append(FormField(f"{coll}.{spec.index_flag}", (spec.index_flag,), "boolean",
                                   f"Is this the index {spec.noun}?", f"index {spec.noun}",
                                   _yes_no(), help=spec.index_prompt, role="index"))
        return Section(f"step-{index + 1}", title or coll, (*fields, *inner), coll)


def _yes_no() -> tuple[Option, ...]:
    return (Option("true", "yes", True), Option("false", "no", False))
