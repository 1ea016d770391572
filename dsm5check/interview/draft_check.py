"""Every answer of a resumed draft checked before it is used.

A draft may have been edited by hand. Each answer is checked against the
question it answers (the question comes from the ruleset, as in the interview):
a date must be a real date, a rating one of its scale, a yes/no a yes, no or
null, a key one the interview can ask. Every bad answer is reported as
``draft:line:col: message (at answers.KEY)``; nothing is dropped silently.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dsm5check.errors import Problem
from dsm5check.interview.answers import NOTES_KEY
from dsm5check.interview.flow import STOP_PREFIX, stop_question
from dsm5check.interview.questions import Plan, Question, block_questions, item_key

_ELEMENT = re.compile(r"^(.+)\.(\d+)\.")


def draft_problems(path: str, plan: Plan, answers: Mapping[str, Any]) -> list[Problem]:
    """Problems with the answers of the draft at ``path``, with their positions."""
    found = list(_bad_answers(plan, answers)) or list(_case_problems(plan, answers))
    return [at(path, ("answers", key) if key in answers else ("answers",), msg)
            for key, msg in found]


def at(path: str, loc: tuple[str, ...], message: str) -> Problem:
    """A problem at the value at ``loc`` in the draft at ``path``."""
    from dsm5check.cases.yamlio import iter_json

    try:
        doc = next(iter_json(path, Path(path).read_text(encoding="utf-8")))
    except Exception:  # pragma: no cover - the draft was read and parsed just before
        return Problem(path, 1, 1, message, ".".join(loc))
    return doc.problem(loc, message)


def known_questions(plan: Plan, answers: Mapping[str, Any]) -> dict[str, Question]:
    """Every question an answer of the draft may belong to, by key.

    Answers made irrelevant by a later edit stay in a draft (they come back if the
    edit is undone), so every question counts here whatever its conditions say
    now, for every element of a collection the draft mentions.
    """
    widened = dict(answers)
    for key in answers:
        m = _ELEMENT.match(key)
        if m:
            coll, index = m.group(1), int(m.group(2))
            widened[f"{coll}.any"] = True
            for j in range(index):
                widened[f"{coll}.{j}.more"] = True
    out: dict[str, Question] = {}
    for b in range(len(plan.blocks)):
        for q in block_questions(plan, b, widened, every=True):
            out.setdefault(q.key, q)
    return out


def _bad_answers(plan: Plan, answers: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    questions = known_questions(plan, answers)
    notes = {q.note_key for q in questions.values() if q.note_key}
    onsets = {f"{item_key(i)}.onset" for b in plan.blocks for i in b.items}
    for key, value in answers.items():
        q = questions.get(key)
        if key.startswith(STOP_PREFIX) and key[len(STOP_PREFIX):].isdigit():
            q = stop_question(int(key[len(STOP_PREFIX):]))
        if q is not None:
            why = value_problem(q, value)
        elif key in onsets:
            why = None if value is None or isinstance(value, bool) else \
                f"got {_js(value)}: expected true, false or null"
        elif key in notes:
            why = None if isinstance(value, str) else f"got {_js(value)}: expected a note (text)"
        elif key == NOTES_KEY:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            why = None if ok else f"got {_js(value)}: expected a list of notes (text)"
        else:
            why = "not a question of this interview (unknown answer key)"
        if why:
            yield key, why


def _case_problems(plan: Plan, answers: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """Answers that are each fine but together make no valid case (dates out of order)."""
    from pydantic import ValidationError

    from dsm5check.cases.case import Case
    from dsm5check.cases.case_checks import case_problems
    from dsm5check.interview.answers import case_data
    from dsm5check.interview.flow import plan_flow

    data = case_data(plan, plan_flow(plan, answers).questions, answers)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        found = [(e["loc"], e["msg"]) for e in exc.errors()]
    else:
        found = case_problems(data, case, plan.loaded.rules, plan.today)
    for loc, msg in found:
        yield ".".join(str(p) for p in loc), msg


def value_problem(q: Question, value: Any) -> str | None:
    """What is wrong with ``value`` as the answer to ``q``, or None."""
    if value is None:
        return f"got null: {q.label} needs an answer" if q.required else None
    if q.kind == "text":
        return None if isinstance(value, str) else f"got {_js(value)}: expected text"
    if q.kind == "date":
        try:
            dt.date.fromisoformat(value if isinstance(value, str) else "")
        except ValueError:
            return f"got {_js(value)}: expected a date as YYYY-MM-DD"
        return None
    if q.kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        if not ok or not 0 <= value < 10_000:
            return f"got {_js(value)}: expected a number of 0 or more"
        return None
    allowed = [c.value for c in q.choices]
    if q.kind == "multi":
        if isinstance(value, list) and all(_among(v, allowed) for v in value):
            return None
    elif _among(value, allowed):
        return None
    shown = ", ".join(_js(v) for v in allowed)
    many = "a list of " if q.kind == "multi" else "one of "
    return f"got {_js(value)}: expected {many}{shown}, or null (not known)"


def _among(value: Any, allowed: list[Any]) -> bool:
    return any(value == a and type(value) is type(a) for a in allowed)


def _js(value: Any) -> str:
    """A value as it is written in the draft (JSON)."""
    return json.dumps(value, ensure_ascii=False, default=str)
