"""The trainee's quiz log (JSON Lines): append one record, read them all back.

Each line is one finished quiz (see :func:`dsm5check.teach.quiz.log_record`).
A line that cannot be read becomes a ``file:line:col: message`` problem; the
good lines are still used.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dsm5check.errors import InputError, Problem


class LogEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    timestamp: dt.datetime
    vignette: str
    ruleset: str | None = None
    criteria: dict[str, bool]
    diagnosis: bool
    specifiers: dict[str, bool] = Field(default_factory=dict)
    score: float = Field(ge=0, le=1)


def append(path: str | Path, record: dict[str, Any]) -> None:
    p = Path(path)
    try:
        with p.open("a", encoding="utf-8") as f:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise InputError([Problem(str(path), 1, 1, f"cannot write log: {exc.strerror}")]) from None


def read(path: str | Path) -> tuple[list[LogEntry], list[Problem]]:
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise InputError([Problem(name, 1, 1, f"cannot read log: {why}")]) from None
    entries: list[LogEntry] = []
    problems: list[Problem] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, n, exc.colno, f"not JSON: {exc.msg}"))
            continue
        try:
            entries.append(LogEntry.model_validate(data))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or "record"
            problems.append(Problem(name, n, 1, f"{where}: {err['msg']}"))
    return entries, problems


@dataclass(frozen=True, slots=True)
class Tally:
    key: str
    right: int
    total: int
    buckets: tuple[float | None, ...]  # accuracy per stretch of sessions, oldest first

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


def _buckets(n: int, parts: int) -> list[range]:
    parts = max(1, min(parts, n))
    edges = [round(i * n / parts) for i in range(parts + 1)]
    return [range(edges[i], edges[i + 1]) for i in range(parts)]


def tallies(entries: list[LogEntry], parts: int = 8) -> list[Tally]:
    """Accuracy per criterion, diagnosis and specifier, overall and over time."""
    ordered = sorted(entries, key=lambda e: e.timestamp)
    rows: dict[str, list[bool | None]] = {}
    for i, e in enumerate(ordered):
        said = {**e.criteria, "diagnosis": e.diagnosis, **e.specifiers}
        for key, ok in said.items():
            rows.setdefault(key, [None] * len(ordered))[i] = ok
    out = []
    for key, marks in rows.items():  # marks: one per quiz, None when not asked
        given = [m for m in marks if m is not None]
        trend: list[float | None] = []
        for span in _buckets(len(ordered), parts):
            part = [marks[j] for j in span if marks[j] is not None]
            trend.append(sum(bool(m) for m in part) / len(part) if part else None)
        out.append(Tally(key, sum(bool(m) for m in given), len(given), tuple(trend)))
    return out
