"""Which question comes next, given the answers so far (pure functions).

The interview has no hidden state: the questions asked, their order, the
offer to stop, the running status all follow from the plan and the answers.
That is what makes back navigation (drop an answer, replay), editing from the
review screen and resuming a draft the same operation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dsm5check.engine.results import NOT_MET
from dsm5check.interview.answers import evaluate_answers
from dsm5check.interview.deps import can_matter, criterion_blocks
from dsm5check.interview.questions import Choice, Plan, Question, block_questions

STOP_PREFIX = "flow.stop_after."


def stop_key(block: int) -> str:
    """The stop answer belongs to the place it was offered: a stale one never applies."""
    return f"{STOP_PREFIX}{block}"


STOP = "stop"
CONTINUE = "continue"


@dataclass(frozen=True, slots=True)
class Flow:
    """The questions relevant now, and whether the clinician chose to stop."""

    questions: tuple[Question, ...]
    stopped_after: int | None  # block after which the rest was skipped

    def next(self, answers: Mapping[str, Any]) -> Question | None:
        return next((q for q in self.questions if q.key not in answers), None)

    def previous(self, key: str, answers: Mapping[str, Any]) -> str | None:
        """The answered question before ``key`` (for going back one step)."""
        keys = [q.key for q in self.questions]
        end = keys.index(key) if key in keys else len(keys)
        for k in reversed(keys[:end]):
            if k in answers:
                return k
        return None

    def block_done(self, block: int, answers: Mapping[str, Any]) -> bool:
        return all(q.key in answers for q in self.questions
                   if q.block == block and q.kind != "stop")


def stop_question(block: int) -> Question:
    return Question(
        stop_key(block), "stop", "The diagnosis can no longer be met. Stop now (the remaining"
        " questions stay not assessed) or continue anyway?",
        "stop or continue", block, "none",
        choices=(Choice(CONTINUE, "continue anyway", "c"),
                 Choice(STOP, "stop here and review", "s")),
        default=CONTINUE, has_default=True, required=True,
    )


def plan_flow(plan: Plan, answers: Mapping[str, Any]) -> Flow:
    """Every question relevant for these answers, in the order they are asked."""
    out: list[Question] = []
    shown = criterion_blocks(plan)
    offered = plan.no_skip
    complete = True
    for index, _block in enumerate(plan.blocks):
        qs = block_questions(plan, index, answers)
        moot = [q for q in qs if q.skip_if_moot and q.key not in plan.steering
                and not can_matter(plan, [*out, *qs], answers, q)]
        qs = [q for q in qs if q not in moot]  # it can change nothing: not asked
        out.extend(qs)
        complete = complete and all(q.key in answers for q in qs)
        if offered or not complete or index == len(plan.blocks) - 1 or not any(
            b == index for b in shown.values()
        ):
            continue
        result = evaluate_answers(plan, out, answers)
        # Offered only when the diagnosis itself is decided as not met: a criterion
        # decided so far may be not met while the diagnosis can still be met (ICD-11
        # PTSD needs Complex PTSD's self-organisation criteria *not* all met). The
        # questions not yet asked are unknown in ``result``, never absent, so a
        # diagnosis not met here stays not met whatever they are answered.
        if result is not None and result.diagnosis == NOT_MET and any(
            c.status == NOT_MET and shown.get(c.id, len(plan.blocks)) <= index
            for c in result.criteria
        ):
            offered = True
            out.append(stop_question(index))
            if answers.get(stop_key(index)) == STOP:
                return Flow(tuple(out), index)
    at = next((i for i, q in enumerate(out) if q.kind == "stop"), None)
    if at is not None and out[at].key not in answers and all(
        q.key in answers for q in out[at + 1:]
    ):
        del out[at]  # nothing left to skip (e.g. after an edit on the review screen)
    return Flow(tuple(out), None)


def stale_after(plan: Plan, answers: Mapping[str, Any], key: str, value: Any) -> list[str]:
    """Answers to forget when ``key`` is answered ``value``, so that they are asked again.

    Those of the questions this answer makes relevant or irrelevant (an answer kept
    from an earlier branch never comes back silently: a follow-up whose condition
    changed is asked afresh), and those whose one-key shortcut took this answer's
    old value (``default_from``). Repeated until nothing more changes, since a
    forgotten answer can in turn hide other questions.
    """
    before = {q.key for q in plan_flow(plan, answers).questions}
    trial = dict(answers)
    changed = key in answers
    trial[key] = value
    dropped: list[str] = []
    while True:
        questions = plan_flow(plan, trial).questions
        after = {q.key for q in questions}
        gone = [k for k in trial if k != key and (k in after) != (k in before)]
        if changed:
            gone += [q.key for q in questions
                     if q.default_from == key and q.key in trial and q.key not in gone]
            changed = False
        if not gone:
            return dropped
        for k in gone:
            del trial[k]
        dropped += gone
