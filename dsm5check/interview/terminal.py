"""The arrow-key prompter, built on questionary (and prompt_toolkit under it).

Menus answer with one key: the key shown before a choice picks it at once
(0-4 for ratings, y/n for yes/no), arrows and Enter work too. Enter alone takes
the answer already given, else *not known*: never a value nobody chose. Every
prompt is wrapped: ``?`` answers "not known", ``<`` goes back, ``n`` asks for
a note where notes belong, Ctrl-D raises EOFError (select lists ignore it
otherwise) and questionary's ``unsafe_ask`` lets Ctrl-C reach the session as
KeyboardInterrupt. ``input``/``output`` are passed through to
prompt_toolkit so tests can drive it with a pipe input.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

import questionary
from prompt_toolkit.filters import Condition
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.output import Output
from questionary.prompts.common import InquirerControl

from dsm5check.interview.interrupt import hold, shielded
from dsm5check.interview.model import Question
from dsm5check.interview.prompts import (
    _ANSI,
    BACK_KEY,
    NOTE_KEY,
    SELECT_KINDS,
    UNKNOWN_KEY,
    Reply,
    _is,
    _shown,
    hint,
    note_allowed,
    parse_typed,
    refused,
)

_BACK, _NOTE, _UNKNOWN = "\x00back", "\x00note", "\x00unknown"


class TerminalPrompter:
    def __init__(self, input: Input | None = None, output: Output | None = None,
                 out: TextIO | None = None, color: bool = True) -> None:
        self.kwargs: dict[str, Any] = {}
        if input is not None:
            self.kwargs["input"] = input
        if output is not None:
            self.kwargs["output"] = output
        self.out = out or sys.stdout
        self.color = color

    def say(self, text: str, style: str = "") -> None:
        if self.color and style in _ANSI:
            text = f"{_ANSI[style]}{text}\033[0m"
        self.out.write(text + "\n")
        self.out.flush()

    def text(self, prompt: str) -> str:
        with shielded():  # Ctrl-C is taken by the prompt itself, or held until it ends
            question = questionary.text(prompt, qmark=">", **self.kwargs)
            _wrap(question, KeyBindings())
            return str(question.unsafe_ask()).strip()

    def ask(self, q: Question, default: Any, has_default: bool, unknown_label: str) -> Reply:
        with shielded():  # Ctrl-C is taken by the prompt itself, or held until it ends
            return self._ask(q, default, has_default, unknown_label)

    def _ask(self, q: Question, default: Any, has_default: bool, unknown_label: str) -> Reply:
        if q.help:
            self.say(f"  {q.help}", "dim")
        note = note_allowed(q)
        message = f"[{q.label}] {q.prompt}"
        if q.kind in SELECT_KINDS:
            result = self._select(q, message, default, has_default, unknown_label, note)
        elif q.kind == "multi":
            result = self._multi(q, message, default, has_default, unknown_label, note)
        else:
            result = self._typed(q, message, default, has_default, unknown_label)
        if result == _BACK:
            return Reply("back")
        if result == _NOTE:
            return Reply("note")
        return Reply("answer", None if result == _UNKNOWN else result)

    def _select(self, q: Question, message: str, default: Any, has_default: bool,
                unknown_label: str, note: bool) -> Any:
        keys = [c.key for c in q.choices]
        choices = [questionary.Choice(f"{c.key}) {c.label}", value=i)
                   for i, c in enumerate(q.choices)]
        if not q.required:
            keys.append(UNKNOWN_KEY)
            choices.append(questionary.Choice(f"{UNKNOWN_KEY}) {unknown_label}", value=-1))
        start = next((choices[i] for i, c in enumerate(q.choices)
                      if has_default and _is(c.value, default, q.kind)), None)
        if not q.required and (not has_default or default is None):
            start = choices[-1]  # no safe default: Enter records not known, never yes or no
        question = questionary.select(
            message, choices, default=start, use_jk_keys=False,
            instruction=f"({hint(q, unknown_label, note)})", **self.kwargs)
        control = _control(question)
        kb = KeyBindings()
        for i, key in enumerate(keys):
            if len(key) != 1:
                continue  # e.g. rating 10: arrows and Enter only
            def pick(event: KeyPressEvent, i: int = i) -> None:
                control.pointed_at = i
                control.is_answered = True
                event.app.exit(result=choices[i].value)
            kb.add(key, eager=True)(pick)
        _extra(kb, note)
        _wrap(question, kb)
        index = question.unsafe_ask()
        if isinstance(index, str):
            return index
        return _UNKNOWN if index == -1 else q.choices[index].value

    def _multi(self, q: Question, message: str, default: Any, has_default: bool,
               unknown_label: str, note: bool) -> Any:
        ticked = default if has_default and isinstance(default, list) else []
        choices = [questionary.Choice(f"{c.key} {c.label}", value=i, checked=c.value in ticked)
                   for i, c in enumerate(q.choices)]
        question = questionary.checkbox(
            message, choices, use_jk_keys=False,
            instruction=f"(number keys tick, Enter ends; Enter with nothing ticked: not known"
            f" · {hint(q, unknown_label, note)})",
            **self.kwargs)
        control = _control(question)
        kb = KeyBindings()
        for i, c in enumerate(q.choices):
            def toggle(event: KeyPressEvent, i: int = i) -> None:
                control.pointed_at = i
                if i in control.selected_options:
                    control.selected_options.remove(i)
                else:
                    control.selected_options.append(i)
            if len(c.key) == 1:
                kb.add(c.key, eager=True)(toggle)
        kb.add(UNKNOWN_KEY, eager=True)(lambda e: e.app.exit(result=_UNKNOWN))
        _extra(kb, note)
        _wrap(question, kb)
        picked = question.unsafe_ask()
        if isinstance(picked, str):
            return picked
        if not picked:
            return _UNKNOWN  # Enter with nothing ticked: not known, never "none of these"
        return [q.choices[i].value for i in sorted(picked)]

    def _typed(self, q: Question, message: str, default: Any, has_default: bool,
               unknown_label: str) -> Any:
        """A typed answer. A badly formatted one is refused like a date that would
        make the case invalid (session.py): a "Not taken" line, then a fresh, empty
        field (never the old text with new typing appended to it)."""
        shown_default = f"Enter: {_shown(q, default)} · " if has_default else ""
        instruction = f"({shown_default}{hint(q, unknown_label, False)})"
        while True:
            raw = self._text_once(q, message, instruction)
            if raw in (_UNKNOWN, _BACK):
                return raw
            ok, value = parse_typed(q, raw, default, has_default)
            if ok:
                if not raw.strip() or (raw.strip().lower() == q.default_key and q.default_from):
                    self.say(f"  = {_shown(q, value)}", "dim")
                return value
            self.say(f"  Not taken: {refused(raw)}{value}", "bad")

    def _text_once(self, q: Question, message: str, instruction: str) -> str:
        question = questionary.text(message, instruction=instruction, **self.kwargs)
        app = question.application
        empty = Condition(lambda: app.current_buffer.text == "")
        kb = KeyBindings()
        if not q.required:
            kb.add(UNKNOWN_KEY, filter=empty, eager=True)(lambda e: e.app.exit(result=_UNKNOWN))
        kb.add(BACK_KEY, filter=empty, eager=True)(lambda e: e.app.exit(result=_BACK))
        if q.default_from and q.shortcut is not None:  # one key: the earlier answer
            kb.add(q.default_key, filter=empty, eager=True)(
                lambda e: e.app.exit(result=q.default_key))
        _wrap(question, kb)
        return str(question.unsafe_ask())


def _extra(kb: KeyBindings, note: bool) -> None:
    kb.add(BACK_KEY, eager=True)(lambda e: e.app.exit(result=_BACK))
    if note:
        kb.add(NOTE_KEY, eager=True)(lambda e: e.app.exit(result=_NOTE))


def _control(question: questionary.Question) -> InquirerControl:
    for control in question.application.layout.find_all_controls():
        if isinstance(control, InquirerControl):
            return control
    raise RuntimeError("questionary layout without a choice list")  # pragma: no cover


def _wrap(question: questionary.Question, kb: KeyBindings) -> None:
    """Add our keys (they win over questionary's) and make Ctrl-D an EOFError and
    SIGINT a KeyboardInterrupt (select lists ignore both otherwise)."""

    @kb.add("c-d", eager=True)
    def _eof(event: KeyPressEvent) -> None:
        event.app.exit(exception=EOFError, style="class:aborting")

    @kb.add("<sigint>", eager=True)  # the signal (kill -INT), not only the key
    def _sigint(event: KeyPressEvent) -> None:
        if event.app.is_running and not (event.app.future and event.app.future.done()):
            event.app.exit(exception=KeyboardInterrupt, style="class:aborting")
        else:  # the prompt is already ending: interrupt right after it
            hold()

    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), kb])
