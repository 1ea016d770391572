"""Asking one question: arrow-key menus (questionary) or numbered plain prompts.

Both prompters answer the same way: a :class:`Reply` holding the value, or a
request to go back one question, or to add a note. In every question ``?``
means "not assessed / don't know" (the answer becomes unknown) and ``<`` goes
back. Ctrl-C raises KeyboardInterrupt and Ctrl-D raises EOFError at every
prompt, menus included; the session turns both into exit status 130.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from dsm5check.interview.model import Question

UNKNOWN_KEY, BACK_KEY, NOTE_KEY = "?", "<", "n"
SELECT_KINDS = frozenset({"yes_no", "choice", "rating", "rate_or_yes", "stop"})
_ANSI = {"heading": "\033[1m", "dim": "\033[2m", "ok": "\033[32m", "bad": "\033[1;31m",
         "warn": "\033[33m"}


@dataclass(frozen=True, slots=True)
class Reply:
    action: str  # "answer", "back" or "note"
    value: Any = None


class Prompter(Protocol):
    out: TextIO

    def ask(self, q: Question, default: Any, has_default: bool, unknown_label: str) -> Reply: ...

    def text(self, prompt: str) -> str: ...

    def say(self, text: str, style: str = "") -> None: ...


def parse_typed(q: Question, raw: str, default: Any, has_default: bool) -> tuple[bool, Any]:
    """A typed answer as a value: (True, value) or (False, what was expected)."""
    raw = raw.strip()
    if raw == UNKNOWN_KEY:
        return (False, "an answer is needed here") if q.required else (True, None)
    if not raw:
        if has_default:
            return True, default
        if q.required:
            return False, "an answer is needed here"
        return True, None  # Enter alone: not known, never a value nobody typed
    if raw.lower() == q.default_key and q.default_from:
        if q.shortcut is None:
            return False, f"{q.default_key} takes an earlier answer that is not known here"
        return True, q.shortcut
    if q.kind == "date":
        try:
            return True, dt.date.fromisoformat(raw).isoformat()
        except ValueError:
            return False, "expected a date as YYYY-MM-DD (e.g. 2024-03-02), or ? if not known"
    if q.kind == "number":
        try:
            number = float(raw)
        except ValueError:
            return False, "expected a number (e.g. 5 or 0.5), or ? if not known"
        if not 0 <= number < 10_000:
            return False, "expected a number of 0 or more"
        return True, int(number) if number.is_integer() else number
    return True, raw


def refused(raw: str) -> str:
    """The start of a "Not taken" line for a typed answer: what was typed."""
    raw = raw.strip()
    return f"{raw!r}: " if raw else ""


def _shown(q: Question, value: Any) -> str:
    """An answer in words, as the review screen shows it."""
    if value is None:
        return "not known"
    for c in q.choices:
        if c.value == value and type(c.value) is type(value):
            return f"{c.key} {c.label}" if q.kind == "rating" else c.label
    if isinstance(value, list):
        labels = {c.value: c.label for c in q.choices}
        return "; ".join(labels.get(v, str(v)) for v in value) or "none"
    return str(value)


def shown(q: Question, value: Any) -> str:
    return _shown(q, value)


def hint(q: Question, unknown_label: str, note: bool) -> str:
    """The keys a prompt takes besides its answers, e.g. ``?: not known · <: back``."""
    parts = []
    if q.kind == "text" and not q.required:
        parts.append("Enter: leave empty")  # the forms' texts never name keys
    if q.default_from and q.shortcut is not None:
        parts.append(f"{q.default_key}: {q.default_label or 'same as before'} ({q.shortcut})")
    if not q.required:
        parts.append(f"{UNKNOWN_KEY}: not known")
    parts.append(f"{BACK_KEY}: back")
    if note:
        parts.append(f"{NOTE_KEY}: note")
    return " · ".join(parts)


def note_allowed(q: Question) -> bool:
    return q.note_key is not None and all(c.key != NOTE_KEY for c in q.choices)


class PlainPrompter:
    """Numbered prompts on plain lines (input()), no menus and no colour."""

    def __init__(self, stdin: TextIO | None = None, out: TextIO | None = None) -> None:
        self.stdin = stdin
        self.out = out or sys.stdout

    def _input(self, prompt: str) -> str:
        self.out.write(prompt)
        self.out.flush()
        if self.stdin is None:
            return input()
        line = self.stdin.readline()
        if not line:
            raise EOFError
        return line.rstrip("\n")

    def say(self, text: str, style: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def text(self, prompt: str) -> str:
        return self._input(f"{prompt}\n> ").strip()

    def ask(self, q: Question, default: Any, has_default: bool, unknown_label: str) -> Reply:
        note = note_allowed(q)
        self.say(f"[{q.label}] {q.prompt}")
        if q.help:
            self.say(f"  {q.help}")
        if q.choices:
            for c in q.choices:
                mark = " (default)" if has_default and _is(c.value, default, q.kind) else ""
                self.say(f"  {c.key}  {c.label}{mark}")
        elif has_default:
            self.say(f"  Enter: {_shown(q, default)}")
        if not q.required and not has_default:
            self.say(f"  Enter: {unknown_label}")
        if q.kind == "multi":
            self.say("  (type the numbers of all that apply, e.g. 1 3)")
        self.say(f"  ({hint(q, unknown_label, note)})")
        while True:
            raw = self._input("> ").strip()
            if raw == BACK_KEY:
                return Reply("back")
            if note and raw == NOTE_KEY:
                return Reply("note")
            ok, value = self._parse(q, raw, default, has_default)
            if ok:
                return Reply("answer", value)
            self.say(f"  Not taken: {refused(raw)}{value}")

    def _parse(self, q: Question, raw: str, default: Any, has_default: bool) -> tuple[bool, Any]:
        if q.kind in SELECT_KINDS:
            if raw == UNKNOWN_KEY and not q.required:
                return True, None
            if not raw and has_default:
                return True, default
            if not raw and not q.required:
                return True, None  # no safe default: Enter records not known
            for c in q.choices:
                if raw.lower() == c.key.lower():
                    return True, c.value
            keys = "/".join(c.key for c in q.choices)
            return False, f"type one of {keys}, or ? if not known"
        if q.kind == "multi":
            if raw == UNKNOWN_KEY:
                return True, None
            if not raw:
                return True, default if has_default else None
            by_key = {c.key: c.value for c in q.choices}
            picked = raw.replace(",", " ").split()
            if picked and all(p in by_key for p in picked):
                return True, [c.value for c in q.choices if c.key in picked]
            return False, f"type numbers from {', '.join(by_key)} (e.g. 1 3), or ? if not known"
        return parse_typed(q, raw, default, has_default)


def _is(value: Any, default: Any, kind: str) -> bool:
    return value == default and type(value) is type(default)
