"""Asking the quiz questions: questionary on a terminal, numbered prompts with --plain.

Both prompters return a value, a list of values, or :data:`BACK`. Ctrl-C is a
KeyboardInterrupt that reaches ``main`` (exit 130): questionary prompts use
``unsafe_ask``, and end of input (Ctrl-D) becomes an interruption too, so no
answer is ever invented.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from dsm5check.engine.results import Status
from dsm5check.teach.quiz import DIAGNOSIS, Answers, Question

BACK = "__back__"
BACK_KEY = "<"
_BACK_LABEL = "<) back to the previous question"


class Prompter(Protocol):
    def select(self, message: str, choices: Sequence[tuple[str, str]], back: bool) -> str: ...

    def checkbox(
        self, message: str, choices: Sequence[tuple[str, str]], back: bool
    ) -> list[str] | str: ...


def keys_for(choices: Sequence[tuple[str, str]]) -> list[str]:
    """One key per choice: the first letter of each label when those are all
    different ("m) met", "n) not met", "c) can't tell"), else 1, 2, 3 ..."""
    firsts = [label[:1].lower() for _, label in choices]
    if all(f.isalpha() for f in firsts) and len(set(firsts)) == len(firsts) \
            and not set(firsts) & {BACK_KEY, "b"}:
        return firsts
    return [str(i) if i < 10 else "" for i in range(1, len(choices) + 1)]


def ticked_line(choices: Sequence[tuple[str, str]], picked: Sequence[str]) -> str:
    """What was ticked, by name: never only a count."""
    names = [label for value, label in choices if value in picked]
    return "  ticked: " + ("; ".join(names) if names else "none")


class QuestionaryPrompter:
    """Arrow-key lists answered with one key; ``input``/``output`` let tests drive
    it through a pipe.

    A judgement is one key press ("m" met, "n" not met, "c" can't tell; arrows
    and Enter work too); specifiers are ticked with their number keys (or space)
    and Enter ends. ``<`` goes back. Ctrl-D is an interruption, like Ctrl-C.
    """

    def __init__(self, input: Any = None, output: Any = None,
                 write: Callable[[str], None] = print) -> None:
        self.kwargs: dict[str, Any] = {}
        if input is not None:
            self.kwargs["input"] = input
        if output is not None:
            self.kwargs["output"] = output
        self.write = write

    def select(self, message: str, choices: Sequence[tuple[str, str]], back: bool) -> str:
        import questionary
        from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

        keys = keys_for(choices)
        options = [questionary.Choice(f"{k}) {label}" if k else label, value=value)
                   for k, (value, label) in zip(keys, choices, strict=True)]
        if back:
            options.append(questionary.Choice(_BACK_LABEL, value=BACK))
        hint = "one key, or arrows and Enter" + (f"; {BACK_KEY} back" if back else "")
        question = questionary.select(message, options, instruction=f"({hint})",
                                      use_jk_keys=False, **self.kwargs)
        control = _control(question)
        kb = KeyBindings()
        for i, (key, (value, _)) in enumerate(zip(keys, choices, strict=True)):
            if not key:
                continue

            def pick(event: KeyPressEvent, value: str = value, i: int = i) -> None:
                control.pointed_at = i  # the answered line shows the choice, as Enter would
                control.is_answered = True
                event.app.exit(result=value)

            kb.add(key, eager=True)(pick)
        if back:
            kb.add(BACK_KEY, eager=True)(lambda event: event.app.exit(result=BACK))
        answer: str = _ask(question, kb)
        return answer

    def checkbox(
        self, message: str, choices: Sequence[tuple[str, str]], back: bool
    ) -> list[str] | str:
        import questionary
        from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

        options = [questionary.Choice(f"{i} {label}", value=value)
                   for i, (value, label) in enumerate(choices, 1)]
        hint = "number keys or space tick, Enter when done" + (
            f"; {BACK_KEY} back" if back else "")
        question = questionary.checkbox(message, options, instruction=f"({hint})",
                                        use_jk_keys=False, **self.kwargs)
        control = _control(question)
        kb = KeyBindings()
        for i in range(min(len(choices), 9)):

            def toggle(event: KeyPressEvent, i: int = i) -> None:
                control.pointed_at = i
                value = control.choices[i].value
                if value in control.selected_options:
                    control.selected_options.remove(value)
                else:
                    control.selected_options.append(value)

            kb.add(str(i + 1), eager=True)(toggle)
        if back:
            kb.add(BACK_KEY, eager=True)(lambda event: event.app.exit(result=BACK))
        picked = _ask(question, kb)
        if picked == BACK:
            return BACK
        chosen = [value for value, _ in choices if value in picked]
        self.write(ticked_line(choices, chosen))
        return chosen


def _control(question: Any) -> Any:
    from questionary.prompts.common import InquirerControl

    for control in question.application.layout.find_all_controls():
        if isinstance(control, InquirerControl):
            return control
    raise RuntimeError("questionary layout without a choice list")  # pragma: no cover


def _ask(question: Any, kb: Any) -> Any:
    """Ask with our keys added (they win); Ctrl-D interrupts like Ctrl-C."""
    from prompt_toolkit.key_binding import KeyBindings, merge_key_bindings

    kb.add("c-d", eager=True)(lambda event: event.app.exit(exception=KeyboardInterrupt))
    app = question.application
    app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), kb])
    return question.unsafe_ask()


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

    def _show(self, message: str, choices: Sequence[tuple[str, str]], back: bool,
              keys: Sequence[str] = ()) -> None:
        self.write(message)
        for i, (_, label) in enumerate(choices, 1):
            key = f" ({keys[i - 1]})" if keys and not keys[i - 1].isdigit() else ""
            self.write(f"  {i}.{key} {label}")
        if back:
            self.write("  b. back to the previous question")

    def select(self, message: str, choices: Sequence[tuple[str, str]], back: bool) -> str:
        keys = keys_for(choices)
        self._show(message, choices, back, keys)
        letters = "" if keys[0].isdigit() else f" or {'/'.join(keys)}"
        while True:
            text = self._line(f"answer 1-{len(choices)}{letters}: ")
            if back and text in ("b", BACK_KEY):
                return BACK
            if text.isdigit() and 1 <= int(text) <= len(choices):
                return choices[int(text) - 1][0]
            if text and text in keys:
                return choices[keys.index(text)][0]
            self.write(f"please type a number from 1 to {len(choices)}{letters}")

    def checkbox(
        self, message: str, choices: Sequence[tuple[str, str]], back: bool
    ) -> list[str] | str:
        self._show(message, choices, back)
        while True:
            text = self._line("numbers separated by commas, or empty for none: ")
            if back and text in ("b", BACK_KEY):
                return BACK
            parts = [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]
            if all(p.isdigit() and 1 <= int(p) <= len(choices) for p in parts):
                picked = list(dict.fromkeys(choices[int(p) - 1][0] for p in parts))
                self.write(ticked_line(choices, picked))
                return picked
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
