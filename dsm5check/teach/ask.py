"""Asking the quiz questions: questionary on a terminal, numbered prompts with --plain.

Both prompters return a value, a list of values, or :data:`BACK`. Ctrl-C is a
KeyboardInterrupt that reaches ``main`` (exit 130): questionary prompts use
``unsafe_ask``, and end of input (Ctrl-D) becomes an interruption too, so no
answer is ever invented.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from dsm5check.results import Status
from dsm5check.teach.quiz import DIAGNOSIS, Answers, Question

BACK = "__back__"
_BACK_LABEL = "<- back to the previous question"


class Prompter(Protocol):
    def select(self, message: str, choices: Sequence[tuple[str, str]], back: bool) -> str: ...

    def checkbox(
        self, message: str, choices: Sequence[tuple[str, str]], back: bool
    ) -> list[str] | str: ...


class QuestionaryPrompter:
    """Arrow-key lists; ``input``/``output`` let tests drive it through a pipe."""

    def __init__(self, input: Any = None, output: Any = None) -> None:
        self.kwargs: dict[str, Any] = {}
        if input is not None:
            self.kwargs["input"] = input
        if output is not None:
            self.kwargs["output"] = output

    def select(self, message: str, choices: Sequence[tuple[str, str]], back: bool) -> str:
        import questionary

        options = [questionary.Choice(label, value=value) for value, label in choices]
        if back:
            options.append(questionary.Choice(_BACK_LABEL, value=BACK))
        answer: str = questionary.select(message, options, **self.kwargs).unsafe_ask()
        return answer

    def checkbox(
        self, message: str, choices: Sequence[tuple[str, str]], back: bool
    ) -> list[str] | str:
        import questionary

        options = [questionary.Choice(label, value=value) for value, label in choices]
        if back:
            options.append(questionary.Choice(_BACK_LABEL, value=BACK))
        picked: list[str] = questionary.checkbox(
            message, options, instruction="(space to tick, enter when done)", **self.kwargs
        ).unsafe_ask()
        return BACK if BACK in picked else picked


class PlainPrompter:
    """Numbered choices read line by line: works with a pipe or a screen reader."""

    def __init__(self, read: Callable[[str], str] = input,
                 write: Callable[[str], None] = print) -> None:
        self.read, self.write = read, write

    def _line(self, prompt: str) -> str:
        try:
            return self.read(prompt).strip().lower()
        except EOFError:
            self.write("")
            raise KeyboardInterrupt from None

    def _show(self, message: str, choices: Sequence[tuple[str, str]], back: bool) -> None:
        self.write(message)
        for i, (_, label) in enumerate(choices, 1):
            self.write(f"  {i}. {label}")
        if back:
            self.write("  b. back to the previous question")

    def select(self, message: str, choices: Sequence[tuple[str, str]], back: bool) -> str:
        self._show(message, choices, back)
        while True:
            text = self._line(f"answer 1-{len(choices)}: ")
            if back and text == "b":
                return BACK
            if text.isdigit() and 1 <= int(text) <= len(choices):
                return choices[int(text) - 1][0]
            self.write(f"please type a number from 1 to {len(choices)}")

    def checkbox(
        self, message: str, choices: Sequence[tuple[str, str]], back: bool
    ) -> list[str] | str:
        self._show(message, choices, back)
        while True:
            text = self._line("numbers separated by commas, or empty for none: ")
            if back and text == "b":
                return BACK
            parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
            if all(p.isdigit() and 1 <= int(p) <= len(choices) for p in parts):
                return list(dict.fromkeys(choices[int(p) - 1][0] for p in parts))
            self.write(f"please type numbers from 1 to {len(choices)}, e.g. 1,3")


def ask_all(prompter: Prompter, qs: Sequence[Question]) -> Answers:
    """Ask every question in turn; BACK replays the previous one."""
    got: dict[str, Any] = {}
    i = 0
    while i < len(qs):
        q = qs[i]
        if q.kind == "judge":
            answer: Any = prompter.select(q.text, q.choices, back=i > 0)
        else:
            answer = prompter.checkbox(q.text, q.choices, back=i > 0)
        if answer == BACK:
            i -= 1
            continue
        got[q.key] = answer
        i += 1
    judged: dict[str, Status] = {
        q.key: got[q.key] for q in qs if q.kind == "judge"
    }
    picked = frozenset(got.get("specifiers", ()))
    assert DIAGNOSIS in judged
    return Answers(judged, picked)
