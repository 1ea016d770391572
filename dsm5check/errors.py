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
    """One thing wrong with one input file."""

    file: str
    line: int
    col: int
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f" (at {self.path})" if self.path else ""
        return f"{self.file}:{self.line}:{self.col}: {self.message}{where}"

    def as_record(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "path": self.path,
            "message": self.message,
        }


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
