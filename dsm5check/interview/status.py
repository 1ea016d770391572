"""The one-line running status after each cluster ("B met · C met · D 1 of 2 so far").

A criterion is shown once the last block holding an answer it depends on is
done (see ``deps.py``), so no criterion id is known here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dsm5check.engine.results import MET, NOT_MET, CriterionResult
from dsm5check.interview.answers import evaluate_answers
from dsm5check.interview.deps import criterion_blocks
from dsm5check.interview.questions import Plan, Question
from dsm5check.render.names import criterion_heading, criterion_name


def _short(c: CriterionResult) -> str:
    name = criterion_name(c.id, c.name)
    if c.status == MET:
        return f"{name} met"
    if c.status == NOT_MET:
        return f"{name} not met"
    d = c.node.detail
    if c.node.kind == "at_least":
        return f"{name} {d['met']} of {d['needed']} so far"
    return f"{name} open"


@dataclass(frozen=True, slots=True)
class Status:
    line: str
    newly_not_met: tuple[str, ...]  # full sentences


def running_status(plan: Plan, questions: Sequence[Question], answers: Mapping[str, Any],
                   block: int) -> Status | None:
    """Status of the criteria decided by blocks up to ``block``; None if none is shown yet."""
    shown = criterion_blocks(plan)
    upto = [q for q in questions if q.block <= block]
    result = evaluate_answers(plan, upto, answers)
    if result is None:
        return None
    visible = [c for c in result.criteria if shown.get(c.id, 10**6) <= block]
    if not any(shown[c.id] == block for c in visible):
        return None  # this cluster decides no criterion
    new = tuple(
        f"{criterion_heading(c.id, c.title, c.name)}: NOT MET ({c.reason})." for c in visible
        if c.status == NOT_MET and shown[c.id] == block
    )
    return Status(" · ".join(_short(c) for c in visible), new)
