"""Which answer Enter may take: never the one that rules something out.

A yes/no question (or yes/no/ratings) keeps its default only when that answer,
given the answers so far, does not decide as not met the diagnosis, a criterion
or a specifier that another answer (or "not known") would leave open. Questions
without a default, or whose default fails this test, start on "not known":
Enter alone records not known (unknown), never yes or no. Decided with the
engine, so it holds for any ruleset and needs no criterion id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dsm5check.engine.results import NOT_MET
from dsm5check.interview.questions import Plan, Question


def rules_out(plan: Plan, answers: Mapping[str, Any], q: Question, value: Any) -> bool:
    """Whether answering ``value`` decides something as not met that another answer leaves open."""
    mine = _not_met(plan, answers, q, value)
    if not mine:
        return False
    others = [c.value for c in q.choices if not (c.value == value and type(c.value) is
                                                   type(value))]
    for other in [*others, None]:
        theirs = _not_met(plan, answers, q, other)
        if theirs is not None and mine - theirs:
            return True
    return False


def _not_met(plan: Plan, answers: Mapping[str, Any], q: Question, value: Any
             ) -> set[str] | None:
    from dsm5check.interview.answers import evaluate_answers
    from dsm5check.interview.flow import plan_flow

    trial = dict(answers)
    trial[q.key] = value
    result = evaluate_answers(plan, plan_flow(plan, trial).questions, trial)
    if result is None:
        return None
    out = {f"criterion {c.id}" for c in result.criteria if c.status == NOT_MET}
    out |= {f"specifier {s.id}" for s in result.specifiers if s.status == NOT_MET}
    if result.diagnosis == NOT_MET:
        out.add("diagnosis")
    return out
