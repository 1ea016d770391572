"""The review screen: every answer, numbered; change any of them, add notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dsm5check.interview.answers import NOTES_KEY, unanswered_items
from dsm5check.interview.flow import Flow
from dsm5check.interview.prompts import shown

if TYPE_CHECKING:
    from dsm5check.interview.session import Session

PROMPT = "Type a number to change that answer, n to add a case note, Enter to save"


def review(session: Session, flow: Flow) -> str | None:
    """Show the answers; return the key of an answer to change, or None to save."""
    answers = session.answers
    say = session.prompter.say
    while True:
        listed = [q for q in flow.questions if q.key in answers]
        skipped = unanswered_items(session.plan, answers) if session.plan else []
        say("")
        say(f"== Review: {len(listed)} answers ==", "heading")
        width = len(str(len(listed)))
        for n, q in enumerate(listed, start=1):
            line = f"{n:>{width}}. {q.label}: {shown(q, answers[q.key])}"
            if q.note_key and answers.get(q.note_key):
                line += f"  [note: {answers[q.note_key]}]"
            say(line)
        if flow.stopped_after is not None:
            say(f"Stopped early: {_count(skipped)} not asked; they stay not assessed"
                " (unknown). Change the stop answer to continue.", "warn")
        for note in answers.get(NOTES_KEY) or ():
            say(f"  case note: {note}")
        cmd = session.prompter.text(PROMPT)
        if not cmd:
            return None
        if cmd.lower() == "n":
            text = session.prompter.text("Case note")
            if text:
                notes = list(answers.get(NOTES_KEY) or ())
                answers[NOTES_KEY] = [*notes, text]
                session.draft.save()
            continue
        if cmd.isdigit() and 1 <= int(cmd) <= len(listed):
            return listed[int(cmd) - 1].key
        say(f"  expected a number from 1 to {len(listed)}, n, or Enter", "bad")


def _count(skipped: list[str]) -> str:
    n = len(skipped)
    return "1 rated item" if n == 1 else f"{n} rated items"
