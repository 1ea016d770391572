"""User-facing input errors that point at their source.

Every problem with a file the user gave us becomes a :class:`Problem` with a
file, a line, a column, the key path inside the document and what was
expected. Commands collect all problems of a file at once and print them as
``file:line:col: message`` (the format of compilers, yamllint and ruff).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input file.

    Line 0 means no position in a file: the problem is about an option
    (``--report``), an argument (``DATA``) or a case given to the API as a
    mapping, and prints as ``NAME: message`` — never a made-up ``:1:1:``.
    """

    file: str
    line: int
    col: int
    message: str
    path: str = ""

    @classmethod
    def about(cls, name: str, message: str) -> Problem:
        """A problem with something that is not a file (an option, an argument)."""
        return cls(name, 0, 0, message)

    def __str__(self) -> str:
        # the key path and the file name come from the input: a line break in them
        # (a key holding U+2028, say) must not split the problem's one line
        where = f" (at {one_line(self.path)})" if self.path else ""
        name = one_line(self.file)
        if not self.file:  # a command-line problem: no file to point at
            return f"{self.message}{where}"
        if self.line <= 0:  # not about a position in a file
            return f"{name}: {self.message}{where}"
        return f"{name}:{self.line}:{self.col}: {self.message}{where}"

    def as_record(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "path": self.path,
            "message": self.message,
        }


#: what str.splitlines() takes for the end of a line
_BREAKS = {ch: repr(ch)[1:-1] for ch in "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"}


def one_line(text: str) -> str:
    """``text`` with every character that ends a line written as its escape."""
    if text.isprintable() or not any(ch in _BREAKS for ch in text):
        return text
    return "".join(_BREAKS.get(ch, ch) for ch in text)


class InputError(Exception):
    """One or more problems with an input file; raised instead of a traceback."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: Sequence[Problem] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def format_path(loc: Sequence[object]) -> str:
    """Render a key path such as ``symptoms.D1.severity`` or ``events[0].nature``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class UsageError(InputError):
    """A mistake on the command line (an unknown id, a number out of range).

    Not about a file, so printed without a ``file:line:col:`` prefix; the exit
    code is that of bad input (2). ``problems`` holds one position-less
    :class:`Problem`, so code that reads problems keeps working.
    """

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__([Problem("", 0, 0, message)])


def did_you_mean(word: str, known: Iterable[str]) -> list[str]:
    """Close matches of ``word`` among ``known``, ignoring case, best first."""
    import difflib

    pool = list(dict.fromkeys(known))
    lowered = {k.lower(): k for k in pool}
    if word.lower() in lowered:
        return [lowered[word.lower()]]
    close = difflib.get_close_matches(word.lower(), list(lowered), n=3, cutoff=0.6)
    if close:  # only the clear winners: 'dsm5-ptds' means dsm5-ptsd, not dsm5-asd as well
        ratio = {k: difflib.SequenceMatcher(None, word.lower(), k).ratio() for k in close}
        best = max(ratio.values())
        close = [k for k in close if ratio[k] >= best - 0.1]
    starts = [k for k in lowered if k.startswith(word.lower()) and k not in close] if word else []
    return [lowered[k] for k in [*close, *starts][:3]]


def unknown(what: str, word: str, known: Iterable[str], hint: str = "") -> UsageError:
    """``no vignette 'nope'; did you mean 'v01-…'? (known: …)`` as a UsageError."""
    pool = list(known)
    near = did_you_mean(word, pool)
    text = f"no {what} {word!r}"
    if near:
        text += "; did you mean " + " or ".join(repr(n) for n in near) + "?"
    if hint:
        text += f" ({hint})"
    elif len(pool) <= 20:
        text += f" (known: {', '.join(pool)})"
    return UsageError(text)
