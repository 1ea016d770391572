"""The review screen: every answer under its criterion, one line per item or event.

Each line is numbered, and a rated item's line shows the item's id (``B2``);
typing the number, the item's id, or the line's stable code (``ev1`` for the
first event, ``T1``, the code the ruleset gives a question: older transcripts
and habits keep working, though these codes are not shown) asks that line's
questions again, each with its answer as the Enter choice. Criteria are named
in words (render/names.py). The list is paged to the terminal's height: Enter
shows the next page, and saves only on the last one.
"""

from __future__ import annotations

import math
import shutil
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dsm5check.interview.answers import NOTES_KEY, unanswered_items
from dsm5check.interview.flow import Flow
from dsm5check.interview.model import Question
from dsm5check.interview.prompts import BACK_KEY, shown
from dsm5check.render.names import criterion_name

if TYPE_CHECKING:
    from dsm5check.interview.draft import Draft
    from dsm5check.interview.prompts import Prompter
    from dsm5check.interview.questions import Plan


class ReviewSession(Protocol):
    """What the review screen uses of the interview (``session.Session``, which
    calls :func:`review`; this module does not import it back)."""

    @property
    def answers(self) -> dict[str, Any]: ...

    @property
    def plan(self) -> Plan | None: ...

    @property
    def prompter(self) -> Prompter: ...

    @property
    def draft(self) -> Draft: ...

KEYS = "To change a line type its number or item (e.g. {example}) · n: note · <: back"
LAST = " · Enter: save"
MORE = " · Enter: next page"
PROMPT_ROWS = 4  # the page header, a blank line and the prompt (which may wrap once)


@dataclass(frozen=True, slots=True)
class Line:
    code: str  # stable, typed but not shown unless an item's id
    questions: tuple[Question, ...]
    text: str
    number: int = 0  # shown; counts the lines from 1 in the order asked

    @property
    def item(self) -> bool:
        """A rated item's line, known by the item's id (B2)."""
        return self.questions[0].kind == "rating"


def lines_of(session: ReviewSession, flow: Flow) -> list[tuple[str, list[Line]]]:
    """The answers of the flow as (heading, lines) groups, in the order asked."""
    answers = session.answers
    groups: list[tuple[str, list[Line]]] = []
    by_code: dict[str, list[Question]] = {}
    order: list[tuple[int, str]] = []
    for q in flow.questions:
        if q.key not in answers:
            continue
        code = q.code or q.key
        if code not in by_code:
            by_code[code] = []
            order.append((q.block, code))
        by_code[code].append(q)
    for block, code in order:
        heading = _heading(session.plan, block)
        if not groups or groups[-1][0] != heading:
            groups.append((heading, []))
        qs = tuple(by_code[code])
        number = sum(len(lines) for _, lines in groups) + 1
        groups[-1][1].append(Line(code, qs, _text(code, qs, answers, number), number))
    return groups


def _heading(plan: Plan | None, block: int) -> str:
    if plan is None:
        return "Case"
    from dsm5check.interview.deps import criterion_blocks

    title = plan.blocks[block].title
    ids = [c for c, b in criterion_blocks(plan).items() if b == block]
    if ids and not any(title.startswith(f"{c} ") for c in ids):
        crits = plan.loaded.rules.criterion_map
        names = [crits[c].name for c in ids]
        if not any(names):
            many = "criteria" if len(ids) > 1 else "criterion"
            return f"{title} ({many} {', '.join(ids)})"
        # "Timeline: Lasting several weeks", "Avoidance: Av (avoidance)"
        said = [criterion_name(c, n) for c, n in zip(ids, names, strict=True)]
        return f"{title}: {', '.join(said)}"
    return title


def _text(code: str, qs: tuple[Question, ...], answers: dict[str, object], number: int) -> str:
    """``   7  B2 nightmares: 3 severe; began after the event: yes``; a line that is no
    rated item shows no code (``  28  symptoms began: 2024-03-20``)."""
    first = qs[0]
    parts = []
    for i, q in enumerate(qs):
        if i == 0:
            name = f"{q.label} {q.name}" if q.name else q.label
            if name.startswith(code + " "):
                name = name[len(code) + 1:]
        else:
            name = q.name or _without_head(q.label, first.label)
        note = answers.get(q.note_key) if q.note_key else None
        parts.append(f"{name}: {shown(q, answers[q.key])}" + (f" [note: {note}]" if note else ""))
    head = f"{code} " if first.kind == "rating" else ""
    return f"{number:>4}  {head}{'; '.join(parts)}"


def _without_head(label: str, first: str) -> str:
    """``date`` for ``event 1: date`` after ``event 1: description``."""
    if label.startswith(first + ": "):
        return label[len(first) + 2:]
    head = first.split(": ", 1)[0] + ": "
    return label[len(head):] if label.startswith(head) and ": " in first else label


def review(session: ReviewSession, flow: Flow) -> list[str] | None:
    """Show the answers; return the keys to ask again, or None to save."""
    answers = session.answers
    say = session.prompter.say
    page = 0
    while True:
        groups = lines_of(session, flow)
        pages = _pages(session, flow, groups)
        page = min(page, len(pages) - 1)
        codes = {ln.code.lower(): ln for _, lines in groups for ln in lines}
        codes.update({str(ln.number): ln for _, lines in groups for ln in lines})
        count = sum(len(lines) for _, lines in groups)
        say("")
        of = f", page {page + 1} of {len(pages)}" if len(pages) > 1 else ""
        say(f"== Review: {count} lines{of} ==", "heading")
        for text, style in pages[page]:
            say(text, style)
        last = page == len(pages) - 1
        item = next((ln for _, lines in groups for ln in lines if ln.item), None)
        example = f"{item.number}, {item.code}" if item else "1"
        prompt = KEYS.format(example=example) + (LAST if last else MORE)
        picked = _command(session, prompt, codes)
        if picked == "":
            if last:
                return None
            page += 1
        elif picked == BACK_KEY:
            if page > 0:
                page -= 1
            else:
                prev = flow.previous("", answers)
                return [prev] if prev else []
        elif picked == NOTES_KEY:
            continue  # a note was added: show the page again
        else:
            return [q.key for q in codes[picked].questions]


def _pages(session: ReviewSession, flow: Flow, groups: list[tuple[str, list[Line]]]
           ) -> list[list[tuple[str, str]]]:
    """The screen lines in pages that fit the terminal (a heading never ends a page)."""
    size = shutil.get_terminal_size((100, 40))
    room = max(size.lines - PROMPT_ROWS, 6)
    rows: list[tuple[str, str, bool]] = []  # text, style, is a heading
    for heading, lines in groups:
        rows.append((f"{heading}", "heading", True))
        rows += [(ln.text, "", False) for ln in lines]
    answers = session.answers
    if flow.stopped_after is not None and session.plan is not None:
        skipped = unanswered_items(session.plan, answers)
        rows.append((f"Stopped early: {_count(skipped)} not asked; they stay not assessed"
                     " (unknown). Change the stop line to continue.", "warn", False))
    rows += [(f"  case note: {note}", "", False) for note in answers.get(NOTES_KEY) or ()]
    def height(text: str) -> int:
        return max(1, math.ceil(len(text) / max(size.columns, 20)))

    pages: list[list[tuple[str, str]]] = [[]]
    used = 0
    for i, (text, style, is_heading) in enumerate(rows):
        need = height(text)
        if is_heading and i + 1 < len(rows):
            need += height(rows[i + 1][0])  # a heading goes with its first line
        if pages[-1] and used + need > room:
            pages.append([])
            used = 0
        pages[-1].append((text, style))
        used += height(text)
    return pages


def _command(session: ReviewSession, prompt: str, codes: dict[str, Line]) -> str:
    """Ask until a valid command: a line's code, "" (Enter), ``<``, or "notes" after a note.

    A refusal is said in the prompt itself, right where the clinician types, and
    text that is not a command is offered as a case note rather than thrown away.
    """
    ask = session.prompter.text
    base, shown_prompt, offered = prompt, prompt, ""
    while True:
        cmd = ask(shown_prompt)
        if offered and cmd.lower() in ("y", "yes"):
            _add_note(session, offered)
            return NOTES_KEY
        if not cmd or cmd == BACK_KEY:
            return cmd
        if cmd.lower() == "n" or cmd.lower().startswith(("n ", "n:")):
            text = cmd[1:].lstrip(" :").strip() or ask("Case note (Enter alone adds none)")
            if text:
                _add_note(session, text)
                return NOTES_KEY
            shown_prompt, offered = f"No note added. {base}", ""
            continue
        found = _find(cmd, codes)
        if found:
            return found
        offered = cmd if " " in cmd.strip() else ""
        keep = " (or y to keep it as a case note)" if offered else ""
        shown_prompt = f"Not taken: {cmd!r} is not a line on this list{keep}. {base}"


def _find(cmd: str, codes: dict[str, Line]) -> str | None:
    """The code typed (any case), or the one code it is the start of."""
    key = cmd.strip().lower()
    if key in codes:
        return key
    starts = [c for c in codes if len(key) >= 2 and c.startswith(key)]
    return starts[0] if len(starts) == 1 else None


def _add_note(session: ReviewSession, text: str) -> None:
    answers = session.answers
    answers[NOTES_KEY] = [*(answers.get(NOTES_KEY) or ()), text]
    session.draft.save()


def _count(skipped: list[str]) -> str:
    n = len(skipped)
    return "1 rated item" if n == 1 else f"{n} rated items"
