"""Interview questions generated from a ruleset.

A :class:`Plan` is compiled once from a ruleset: a case block (id, assessment
date), then one block per step of the ruleset's ``interview:`` block (or one
block per item group when there is none). :func:`block_questions` turns a block
and the answers so far into concrete :class:`Question` objects; which of them
are asked, and in what order, is decided in ``flow.py``. Nothing here knows a
criterion id: prompts, labels and conditions all come from the YAML.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["YES_NO", "Block", "Choice", "Plan", "Question", "block_questions", "case_questions",
           "compile_plan", "item_key", "present", "scale_choices"]

from dsm5check.engine.ruleset import Item, LoadedRuleset, Scale
from dsm5check.interview.model import YES_NO, Choice, Question, case_questions
from dsm5check.interview.spec import EventsSpec, FieldQuestion, Step

MAX_ELEMENTS = 9  # one key each in the index question


@dataclass(frozen=True, slots=True)
class Block:
    title: str
    step: Step | None  # None: the case block
    items: tuple[Item, ...] = ()
    roots: tuple[str, ...] = ()  # answer keys (prefixes) this block can produce


@dataclass(slots=True)
class Plan:
    loaded: LoadedRuleset
    blocks: tuple[Block, ...]
    today: dt.date
    no_skip: bool = False
    unknown_label: str = "not assessed / don't know"
    onset_questions: dict[str, str] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    criterion_blocks: dict[str, int] | None = None  # cache, see deps.py
    #: answer keys that other questions' ``when`` or ``default_from`` name: such an
    #: answer steers the interview, so it is asked even when it decides nothing
    steering: frozenset[str] = frozenset()
    moot: dict[str, bool] = field(default_factory=dict)  # cache, see deps.can_matter


def item_key(item: Item) -> str:
    """Where a case holds an item's answer, as an answer key."""
    return item.id if item.section == "case" else f"{item.section}.{item.id}"


def compile_plan(loaded: LoadedRuleset, today: dt.date, *, no_skip: bool = False) -> Plan:
    rules = loaded.rules
    groups = dict(rules.item_groups)
    spec = rules.interview
    steps = spec.steps if spec and spec.steps else tuple(
        Step(items=g) for g in groups if any(
            rules.item_map[i].section != "case" for i in groups[g])
    )
    blocks = [Block("Case", None, (), ("id", "timeline.assessed"))]
    for step in steps:
        items = tuple(
            rules.item_map[i] for i in groups.get(step.items or "", ())
            if rules.item_map[i].section != "case"
        )
        roots = [item_key(i) for i in items] + [q.key for q in step.questions]
        if step.events:
            roots.append(step.events.collection)
        blocks.append(Block(step.title or _group_title(loaded, items, step), step, items,
                            tuple(roots)))
    plan = Plan(loaded, tuple(blocks), today, no_skip, groups=groups)
    if spec:
        plan.unknown_label = spec.unknown_label
        plan.onset_questions = dict(spec.onset_questions)
        plan.steering = frozenset(
            key for step in spec.steps for fq in step.questions
            for key in (*fq.when, *([fq.default_from] if fq.default_from else [])))
    return plan


def _group_title(loaded: LoadedRuleset, items: tuple[Item, ...], step: Step) -> str:
    """A cluster's title: the criterion that counts its items, else the group name."""
    from dsm5check.engine.rules_model import ItemNode
    from dsm5check.engine.ruleset import walk

    ids = {i.id for i in items}
    for crit in loaded.rules.criteria:
        used = {n.item for n in walk(crit.rule) if isinstance(n, ItemNode)}
        if ids and ids <= used:
            return f"{crit.id} {crit.title}"
    return step.items or "Questions"


def block_questions(plan: Plan, index: int, answers: Mapping[str, Any], *,
                    every: bool = False) -> list[Question]:
    """The questions of one block, given the answers so far (``every``: also those
    whose conditions do not hold now, e.g. to check the answers of a draft)."""
    block = plan.blocks[index]
    if block.step is None:
        return case_questions(plan.today)
    out: list[Question] = []
    for item in block.items:
        out.extend(_item_questions(plan, item, index, answers))
    if block.step.events is not None:
        out.extend(_event_questions(plan, block.step.events, index, answers, every))
    for n, fq in enumerate(block.step.questions, start=1):
        if every or _asked(plan, fq, "", answers):
            out.extend(_field_questions(plan, fq, index, fq.key, fq.label or fq.key, answers,
                                        code=fq.code or f"q{index}.{n}"))
    return out


def scale_choices(scale: Scale) -> tuple[Choice, ...]:
    return tuple(
        Choice(v, scale.labels.get(v, str(v)), str(v)) for v in range(scale.min, scale.max + 1)
    )


def _item_questions(plan: Plan, item: Item, block: int, answers: Mapping[str, Any]
                    ) -> list[Question]:
    rules = plan.loaded.rules
    key = item_key(item)
    scale = rules.scale_of(item)
    out = [Question(key, "rating", item.prompt or item.text, item.id, block, "item",
                    tuple(key.split(".")), item.help, scale_choices(scale),
                    note_key=f"{key}.note", code=item.id, name=item.short)]
    value = answers.get(key)
    onset_text = plan.onset_questions.get(item.onset or "")
    if onset_text and present(value, rules.symptom_threshold):
        out.append(Question(f"{key}.onset", "yes_no", onset_text, f"{item.id} after the event",
                            block, "onset", tuple(key.split(".")), None, YES_NO,
                            code=item.id, name="began after the event"))
    return out


def present(value: Any, threshold: int) -> bool:
    if isinstance(value, bool):
        return value
    return isinstance(value, int) and value >= threshold


def _event_questions(plan: Plan, spec: EventsSpec, block: int, answers: Mapping[str, Any],
                     every: bool = False) -> list[Question]:
    coll, noun = spec.collection, spec.noun
    out = [Question(f"{coll}.any", "yes_no", spec.any_prompt, f"any {noun}", block, "elements",
                    (coll,), None, YES_NO, code=spec.code)]
    if answers.get(f"{coll}.any") is not True:
        return out
    count = 0
    for i in range(MAX_ELEMENTS):
        count += 1
        prefix = f"{coll}.{i}"
        for fq in spec.fields:
            if every or _asked(plan, fq, prefix + ".", answers):
                out.extend(_field_questions(
                    plan, fq, block, f"{prefix}.{fq.key}",
                    f"{noun} {i + 1}: {fq.label or fq.key}", answers,
                    target=(coll, i, *fq.key.split(".")), note_key=f"{prefix}.note",
                    code=f"{spec.code}{i + 1}",
                ))
        if i + 1 < MAX_ELEMENTS:
            out.append(Question(f"{prefix}.more", "yes_no", spec.more_prompt,
                                f"another {noun} after {noun} {i + 1}", block, "none",
                                (), None, YES_NO, code=f"{spec.code}{i + 1}"))
        if answers.get(f"{prefix}.more") is not True:
            break
    if count > 1 and spec.index_prompt and spec.index_flag:
        choices = tuple(
            Choice(i, _element_label(spec, i, answers), str(i + 1)) for i in range(count)
        )
        out.append(Question(f"{coll}.index", "choice", spec.index_prompt, f"index {noun}",
                            block, "index", (coll, spec.index_flag), None, choices,
                            code=spec.code))
    return out


def _element_label(spec: EventsSpec, i: int, answers: Mapping[str, Any]) -> str:
    prefix = f"{spec.collection}.{i}."
    parts = [f"{spec.noun} {i + 1}"]
    for name in (spec.label_field, "date"):
        value = answers.get(prefix + name) if name else None
        if value:
            parts.append(str(value))
    return ", ".join(parts)


def _field_questions(plan: Plan, fq: FieldQuestion, block: int, key: str, label: str,
                     answers: Mapping[str, Any], *, target: tuple[str | int, ...] | None = None,
                     note_key: str | None = None, code: str = "") -> list[Question]:
    rules = plan.loaded.rules
    item = rules.item_map.get(fq.item) if fq.item else None
    prompt = fq.prompt or (item.prompt or item.text if item else key)
    help_text = fq.help or (item.help if item else None)
    whole_case = target is None  # not a part of an element (an event's record)
    target = target or tuple(key.split("."))
    default: Any = fq.default
    if default == "today" and fq.kind == "date":
        default = plan.today.isoformat()
    common: dict[str, Any] = {
        "help": help_text, "default": default, "has_default": default is not None,
        "default_from": fq.default_from, "default_key": fq.default_key,
        "default_label": fq.default_label, "unknown": fq.unknown, "code": code,
        # a question about the case as a whole, not a part of an element's record
        "skip_if_moot": whole_case and fq.kind in ("yes_no", "choice"),
    }
    yes_no = tuple(Choice(c.value, fq.choices.get(c.label, c.label), c.key) for c in YES_NO)
    if fq.kind == "yes_no":
        return [Question(key, "yes_no", prompt, label, block, "set", target, choices=yes_no,
                         **common)]
    if fq.kind in ("choice", "multi"):
        choices = tuple(
            Choice(v, lab, str(n)) for n, (v, lab) in enumerate(fq.choices.items(), start=1)
        )
        return [Question(key, fq.kind, prompt, label, block, "set", target, choices=choices,
                         note_key=note_key, **common)]
    if fq.kind == "yes_no_or_ratings":
        scale = rules.scale_of(item) if item else Scale()
        rate = Choice("ratings", f"rate {', '.join(fq.ratings.values())}"
                      f" ({scale.min}-{scale.max} each)", "r")
        out = [Question(key, "rate_or_yes", prompt, label, block, "set", target,
                        choices=(*yes_no, rate), **common)]
        if answers.get(key) == "ratings":
            for name, what in fq.ratings.items():
                ask = fq.rating_prompts.get(name) or f"Rate {what}"
                out.append(Question(f"{key}.{name}", "rating", ask, f"{label}: {what}",
                                    block, "set", (*target, name), None, scale_choices(scale),
                                    code=code))
        return out
    kind = fq.kind
    write = "date" if kind == "date" else "set"
    return [Question(key, kind, prompt, label, block, write, target, **common)]


def _asked(plan: Plan, fq: FieldQuestion, prefix: str, answers: Mapping[str, Any]) -> bool:
    """Whether a field question's conditions hold for the answers so far."""
    for name, want in fq.when.items():
        key = prefix + name
        if key not in answers:
            return False
        got = answers[key]
        if want is None:
            if got is not None:
                return False
            continue
        wanted = want if isinstance(want, list) else [want]
        have = got if isinstance(got, list) else [got]
        if not any(_same(h, w) for h in have for w in wanted):
            return False
    if fq.when_any_present:
        rules = plan.loaded.rules
        ids: list[str] = []
        for name in fq.when_any_present:
            ids.extend(plan.groups.get(name, (name,)))
        items = [rules.item_map[i] for i in ids if i in rules.item_map]
        if not any(present(answers.get(item_key(i)), rules.symptom_threshold) for i in items):
            return False
    return True


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return bool(a == b)
