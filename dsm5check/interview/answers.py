"""From interview answers to case data (case format 1), and back to problems.

Answers are kept as JSON values under their question keys (dates as ISO
text, "not known" as null). :func:`case_data` writes only the answers of the
questions that are currently relevant, so an answer made irrelevant by a later
edit never leaks into the case. Rated items that were not answered (skipped
after a decided criterion) are written as null: not assessed, never absent.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from dsm5check.interview.questions import Plan, Question, item_key

if TYPE_CHECKING:
    from dsm5check.engine.results import CaseResult

NOTES_KEY = "notes"


def case_data(plan: Plan, questions: Sequence[Question], answers: Mapping[str, Any]
              ) -> dict[str, Any]:
    data: dict[str, Any] = {"id": answers.get("id") or "case", "ruleset": plan.loaded.rules.id}
    for q in questions:
        if q.write in ("none", "") or q.kind == "stop":
            continue
        if q.key not in answers:
            if q.write == "item":
                _set(data, q.target, None)
            continue
        _write(q, answers[q.key], data, answers)
    for item_key_ in unanswered_items(plan, answers):
        path = tuple(item_key_.split("."))
        if _get(data, path) is None:
            _set(data, path, None)  # skipped: not assessed, written as such
    notes = answers.get(NOTES_KEY)
    if notes:
        data["notes"] = list(notes)
    return data


def evaluate_answers(plan: Plan, questions: Sequence[Question], answers: Mapping[str, Any]
                     ) -> CaseResult | None:
    """The engine's result for the case the answers make (None if not yet a valid case)."""
    from pydantic import ValidationError

    from dsm5check.cases.case import Case
    from dsm5check.engine.evaluate import evaluate

    try:
        case = Case.model_validate(case_data(plan, questions, answers))
    except ValidationError:
        return None
    return evaluate(plan.loaded, case)


def unanswered_items(plan: Plan, answers: Mapping[str, Any]) -> list[str]:
    """Keys of the rated items of the plan that have no answer (yet)."""
    return [item_key(i) for b in plan.blocks for i in b.items if item_key(i) not in answers]


def _write(q: Question, value: Any, data: dict[str, Any], answers: Mapping[str, Any]) -> None:
    if q.write == "elements":
        if value is False:
            _set(data, q.target, [])
        elif value is None:
            # not known whether there was any: one element about which nothing is known
            # (an empty list would mean "none", which decides the criterion as not met)
            _set(data, q.target, [{}])
        return
    if q.write == "index":
        if isinstance(value, int):
            _set(data, (q.target[0], value, q.target[1]), True)
        return
    if q.write == "onset":
        detail = _detail(data, q.target)
        detail["trauma_related"] = value
        return
    if value is None and q.unknown == "omit":
        return
    if q.write == "date" and isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if q.kind == "rate_or_yes" and value == "ratings":
        value = {}
    if q.kind == "text" and value is None and not q.required:
        return
    _set(data, q.target, value)
    if q.write == "item" and q.note_key and answers.get(q.note_key):
        _detail(data, q.target)["note"] = answers[q.note_key]
    if q.note_key and q.write != "item" and answers.get(q.note_key):
        # an element's note (e.g. an event's) sits beside its fields
        _set(data, (*q.target[:-1], "note"), answers[q.note_key])


def _detail(data: dict[str, Any], target: tuple[str | int, ...]) -> dict[str, Any]:
    """The long form of an item's answer, created from its rating if needed."""
    current = _get(data, target)
    if not isinstance(current, dict):
        current = {"severity": current}
        _set(data, target, current)
    return current


def _get(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        if isinstance(data, list) and isinstance(part, int):
            data = data[part] if part < len(data) else None
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _set(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    node: Any = data
    for here, nxt in itertools.pairwise(path):
        empty: Any = [] if isinstance(nxt, int) else {}
        if isinstance(node, list):
            assert isinstance(here, int)
            while len(node) <= here:
                node.append({})
            if not isinstance(node[here], (dict, list)):
                node[here] = empty
            node = node[here]
        else:
            if not isinstance(node.get(here), (dict, list)):
                node[here] = empty
            node = node[here]
    last = path[-1]
    if isinstance(node, list):
        assert isinstance(last, int)
        while len(node) <= last:
            node.append({})
        node[last] = value
    else:
        node[last] = value


def problems(plan: Plan, questions: Sequence[Question], data: dict[str, Any]) -> list[str]:
    """What is wrong with the case the answers make (format and dates), as sentences
    that name the question concerned, never a field path."""
    from pydantic import ValidationError

    from dsm5check.cases.case import Case
    from dsm5check.cases.case_checks import case_problems

    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        found: list[tuple[tuple[Any, ...], str]] = [(tuple(e["loc"]), e["msg"])
                                                    for e in exc.errors()]
    else:
        found = [(tuple(loc), msg) for loc, msg in
                 case_problems(data, case, plan.loaded.rules, plan.today)]
    # a timeline check says it in words too (timeline_checks.Said): fields by name,
    # events counted from 1, as a person answering the questions knows them
    return [f"{_named(questions, loc)}: {getattr(msg, 'words', msg)}" for loc, msg in found]


def cautions(questions: Sequence[Question], data: dict[str, Any]) -> list[str]:
    """What a careful reader would point out about the answers, though the case is
    still checked as given (months figures that disagree only with each other), as
    sentences that name the question concerned."""
    from pydantic import ValidationError

    from dsm5check.cases.case import Case
    from dsm5check.cases.timeline_checks import timeline_cautions

    try:
        case = Case.model_validate(data)
    except ValidationError:
        return []  # a problem, said by problems()
    return [f"{_named(questions, c.loc)}: {c.message.words}" for c in timeline_cautions(case)]


def _named(questions: Sequence[Question], loc: tuple[Any, ...]) -> str:
    """The label of the question whose answer is at ``loc`` (or holds it)."""
    best = None
    for q in questions:
        n = len(q.target)
        if n and tuple(loc[:n]) == tuple(q.target) and (best is None or n > len(best.target)):
            best = q
    if best is not None:
        return best.label
    from dsm5check.errors import format_path

    return format_path(loc)


def to_yaml(data: dict[str, Any]) -> str:
    import yaml

    head = "# Case written by `dsm5check interview` (case format 1).\n"
    return head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
