"""The review screen: every answer, numbered; change any of them, add notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dsm5check.interview.answers import NOTES_KEY, unanswered_items
from dsm5check.interview.flow import Flow
from dsm5check.interview.prompts import shown

if TYPE_CHECKING:
    from dsm5check.interview.session import Session

PROMPT = ("Type a number to change that answer, n to add a case note (or n and the note),"
          " Enter to save")


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
        picked = _command(session, len(listed))
        if picked is None:
            return None
        if picked > 0:
            return listed[picked - 1].key
        # 0: a note was added; list again to show it


def _command(session: Session, count: int) -> int | None:
    """Ask until a valid command: an answer's number, 0 after a note, None to save.

    A refusal is said in the prompt itself, right where the clinician types (a
    line above a long list would scroll away), and text that is not a command is
    offered as a case note rather than thrown away.
    """
    ask = session.prompter.text
    prompt, offered = PROMPT, ""
    while True:
        cmd = ask(prompt)
        if offered and cmd.lower() in ("y", "yes"):
            _add_note(session, offered)
            return 0
        if not cmd:
            return None
        if cmd.lower() == "n" or cmd.lower().startswith(("n ", "n:")):
            text = cmd[1:].lstrip(" :").strip() or ask("Case note (Enter alone adds none)")
            if text:
                _add_note(session, text)
                return 0
            prompt, offered = f"No note added. {PROMPT}", ""
            continue
        if cmd.isdigit() and 1 <= int(cmd) <= count:
            return int(cmd)
        offered = cmd if not cmd.isdigit() else ""
        keep = " (or y to keep it as a case note)" if offered else ""
        prompt = (f"Not taken: {cmd!r} is not a number from 1 to {count}, n, or Enter{keep}."
                  f" {PROMPT}")


def _add_note(session: Session, text: str) -> None:
    answers = session.answers
    answers[NOTES_KEY] = [*(answers.get(NOTES_KEY) or ()), text]
    session.draft.save()


def _count(skipped: list[str]) -> str:
    n = len(skipped)
    return "1 rated item" if n == 1 else f"{n} rated items"
