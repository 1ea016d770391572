"""The interview loop: ask, keep every answer in the draft, show status, review, save.

The loop holds no state beyond the draft's answers and the question being
revisited: the next question always comes from ``plan_flow(plan, answers)``.
Going back (``<``) or changing an answer from the review screen revisits that
question with its answer as the default; the flow then continues at the first
unanswered question. The first question (the case id) needs no ruleset, so it
is on screen before the ruleset is even loaded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dsm5check.interview.draft import Draft
from dsm5check.interview.model import Question, case_questions
from dsm5check.interview.prompts import Prompter

if TYPE_CHECKING:
    from dsm5check.interview.hint import Hint
    from dsm5check.interview.prompts import Reply
    from dsm5check.interview.questions import Plan

#: Kinds whose declared default is checked with the engine (defaults.py): it is not
#: offered when it would rule anything out. Free text decides nothing.
_DEFAULT_CHECKED = frozenset({"yes_no", "rate_or_yes", "choice", "multi", "rating", "date",
                              "number"})
_CHECKED_KINDS = frozenset({"date", "number", "text"})


class Session:
    def __init__(self, prompter: Prompter, draft: Draft, load_plan: Callable[[], Plan],
                 today: dt.date | None = None) -> None:
        self.prompter = prompter
        self.draft = draft
        self.answers = draft.answers
        self._load_plan = load_plan
        self.plan: Plan | None = None
        self.today = today or dt.date.today()
        self.revisit: list[str] = []  # keys to ask again, in order (back, review edits)
        self.heading: int | None = None
        #: a resumed draft's next question, answered before the ruleset was loaded (hint.py)
        self.prefetched: tuple[Hint, Reply] | None = None

    # -- asking --------------------------------------------------------------------
    def _default(self, q: Question) -> tuple[Any, bool]:
        """What Enter alone takes: the answer already given, else a declared default
        that rules nothing out, else nothing (Enter records not known)."""
        if q.key in self.answers:
            return self.answers[q.key], True
        if q.has_default and self.plan is not None and q.kind in _DEFAULT_CHECKED:
            from dsm5check.interview.defaults import rules_out

            if rules_out(self.plan, self.answers, q, q.default):
                return None, False  # never default to the answer that rules out
        return q.default, q.has_default

    def _with_shortcut(self, q: Question) -> Question:
        """The question with the value its one-key shortcut takes now (``default_from``)."""
        if q.default_from is None:
            return q
        import dataclasses

        return dataclasses.replace(q, shortcut=self.answers.get(q.default_from))

    def ask_one(self, q: Question, *, next_up: bool = False) -> bool:
        """Ask until answered (True) or the clinician goes back (False). ``next_up``: the
        question the flow goes on with (not one revisited), noted for ``--resume``."""
        label = self.plan.unknown_label if self.plan else "not assessed / don't know"
        q = self._with_shortcut(q)
        noted: str | None = None  # the draft text the question was last noted with
        while True:
            default, has_default = self._default(q)
            reply = self._prefetched(q, default, has_default, label)
            if reply is None:
                if next_up and self.plan is not None and self.draft.written != noted:
                    # noted again after a note was added here: the draft changed
                    from dsm5check.interview import hint

                    hint.write(self.draft, self.today, hint.Hint(
                        q, default, has_default, label, q.block, self.plan.blocks[q.block].title))
                    noted = self.draft.written
                reply = self.prompter.ask(q, default, has_default, label)
            if reply.action == "back":
                return False
            if reply.action == "note" and q.note_key:
                old = self.answers.get(q.note_key)
                keep = f" (Enter keeps: {old})" if old else ""
                text = self.prompter.text(f"Note for {q.label}{keep}")
                if text:
                    self._store(q.note_key, text)
                continue
            problem, notes = self._problem(q, reply.value)
            if problem:
                self.prompter.say(f"  Not taken: {problem}", "bad")
                continue
            for note in notes:  # taken as given; said so the interviewer can revisit it
                self.prompter.say(f"  Note: {note}", "dim")
            self._store(q.key, reply.value)
            return True

    def _prefetched(self, q: Question, default: Any, has_default: bool, label: str
                    ) -> Reply | None:
        """The answer typed to the hinted question, if it is this very question."""
        if self.prefetched is None:
            return None
        shown, reply = self.prefetched
        self.prefetched = None
        if (shown.question, shown.default, shown.has_default, shown.unknown_label) != (
                q, default, has_default, label):
            return None  # worked out afresh, it is another question: ask that one
        return reply

    def _store(self, key: str, value: Any) -> None:
        if self.plan is not None and (key not in self.answers or self.answers[key] != value):
            from dsm5check.interview.flow import stale_after

            for old in stale_after(self.plan, self.answers, key, value):
                del self.answers[old]
        self.answers[key] = value
        self.draft.save()

    def _problem(self, q: Question, value: Any) -> tuple[str | None, list[str]]:
        """A date or text that would make the case invalid (e.g. onset before the
        event), and the cautions this answer brings (figures that disagree with each
        other only: the case is still checked as given)."""
        if self.plan is None or q.kind not in _CHECKED_KINDS:
            return None, []
        from dsm5check.interview.answers import case_data, cautions, problems
        from dsm5check.interview.flow import plan_flow, stale_after

        plan = self.plan
        trial = dict(self.answers)
        for key in stale_after(plan, self.answers, q.key, value):
            del trial[key]  # asked again after this answer: not a conflict with it
        trial[q.key] = value
        before = dict(self.answers)
        before.pop(q.key, None)
        qs_before = plan_flow(plan, before).questions
        qs_trial = plan_flow(plan, trial).questions
        data_before = case_data(plan, qs_before, before)
        data_trial = case_data(plan, qs_trial, trial)
        old = set(problems(plan, qs_before, data_before))
        new = problems(plan, qs_trial, data_trial)
        fresh = [p for p in new if p not in old]
        if fresh:
            return "; ".join(fresh), []
        noted = set(cautions(qs_before, data_before))
        return None, [c for c in cautions(qs_trial, data_trial) if c not in noted]

    # -- the loop ------------------------------------------------------------------
    def run(self) -> Plan:
        """Ask until the review screen is accepted; return the plan (answers in the draft)."""
        if "id" not in self.answers:
            first = case_questions(self.today)[0]
            self._heading(0, "Case")
            while not self.ask_one(first):
                self.prompter.say("This is the first question.")
        plan = self.plan = self._load_plan()
        from dsm5check.interview.flow import plan_flow
        from dsm5check.interview.review import review

        while True:
            flow = plan_flow(plan, self.answers)
            q = None
            while self.revisit and q is None:
                key = self.revisit.pop(0)
                q = next((x for x in flow.questions if x.key == key), None)
            next_up = q is None
            q = q or flow.next(self.answers)
            if q is None or not next_up:
                self.prefetched = None  # only ever the answer to the very next question
            if q is None:
                keys = review(self, flow)
                if keys is None:
                    return plan
                self.revisit = keys
                continue
            self._heading(q.block, plan.blocks[q.block].title)
            if not self.ask_one(q, next_up=next_up):
                prev = flow.previous(q.key, self.answers)
                if prev is None:
                    self.prompter.say("This is the first question.")
                self.revisit = [prev or q.key]
                continue
            self._after(q)

    def _heading(self, block: int, title: str) -> None:
        if block != self.heading:
            self.heading = block
            self.prompter.say("")
            self.prompter.say(f"== {title} ==", "heading")

    def _after(self, q: Question) -> None:
        """After the last answer of a cluster: the running status, plainly."""
        if q.kind == "stop" or self.plan is None:
            return
        from dsm5check.interview.flow import plan_flow
        from dsm5check.interview.status import running_status

        flow = plan_flow(self.plan, self.answers)
        nxt = flow.next(self.answers)
        if not flow.block_done(q.block, self.answers) or (
            nxt is not None and nxt.block == q.block and nxt.kind != "stop"
        ):
            return
        status = running_status(self.plan, flow.questions, self.answers, q.block)
        if status is None:
            return
        self.prompter.say(f"Status: {status.line}", "ok")
        for sentence in status.newly_not_met:
            self.prompter.say(sentence, "bad")
