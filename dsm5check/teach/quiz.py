"""The quiz, without any I/O: questions from a ruleset, marking against the engine.

A trainee judges every criterion (met / not met / can't tell), the diagnosis,
and which specifiers apply. :func:`mark` lays their answers beside the
engine's, with the engine's reason for every disagreement, and scores one
point per criterion, one for the diagnosis and one per specifier.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from dsm5check.results import MET, NOT_MET, UNKNOWN, CaseResult, Status
from dsm5check.ruleset import Ruleset

#: The three judgements, as the trainee sees them.
JUDGEMENTS: tuple[tuple[Status, str], ...] = (
    (MET, "met"),
    (NOT_MET, "not met"),
    (UNKNOWN, "can't tell"),
)
WORDS: dict[str, str] = dict(JUDGEMENTS)
DIAGNOSIS = "diagnosis"


@dataclass(frozen=True, slots=True)
class Question:
    key: str  # a criterion id, "diagnosis", or "specifiers"
    kind: Literal["judge", "pick"]
    text: str
    choices: tuple[tuple[str, str], ...]  # (value, label)


def questions(rules: Ruleset) -> list[Question]:
    out = [
        Question(c.id, "judge", f"Criterion {c.id} ({c.title}):", JUDGEMENTS)
        for c in rules.criteria
    ]
    out.append(Question(DIAGNOSIS, "judge", f"Diagnosis: {rules.diagnosis.title}?", JUDGEMENTS))
    if rules.specifiers:
        out.append(Question(
            "specifiers", "pick", "Which specifiers apply? (none is a valid answer)",
            tuple((s.id, f"{s.title} [{s.source}]") for s in rules.specifiers),
        ))
    return out


@dataclass(frozen=True, slots=True)
class Answers:
    judged: Mapping[str, Status]  # criterion ids and "diagnosis"
    specifiers: frozenset[str]


@dataclass(frozen=True, slots=True)
class Row:
    key: str  # criterion id, "diagnosis", or a specifier id
    group: Literal["criterion", "diagnosis", "specifier"]
    title: str
    yours: str
    engine: str
    right: bool
    reason: str  # the engine's reason (shown for every disagreement)


@dataclass(frozen=True, slots=True)
class Marked:
    vignette: str
    ruleset: str
    rows: tuple[Row, ...]

    @property
    def correct(self) -> int:
        return sum(r.right for r in self.rows)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def score(self) -> float:
        return self.correct / self.total if self.total else 0.0


def _applies(flag: bool) -> str:
    return "applies" if flag else "does not apply"


def mark(vignette_id: str, result: CaseResult, answers: Answers) -> Marked:
    rows: list[Row] = []
    for c in result.criteria:
        yours = answers.judged[c.id]
        rows.append(Row(c.id, "criterion", c.title, WORDS[yours], WORDS[c.status],
                        yours == c.status, c.reason))
    yours = answers.judged[DIAGNOSIS]
    failing = [c.id for c in result.criteria if c.status != MET]
    why = (
        f"criteria not met or undecided: {', '.join(failing)}" if failing
        else "every criterion is met"
    )
    rows.append(Row(DIAGNOSIS, "diagnosis", result.diagnosis_title, WORDS[yours],
                    WORDS[result.diagnosis], yours == result.diagnosis, why))
    for s in result.specifiers:
        picked = s.id in answers.specifiers
        applies = s.status == MET
        rows.append(Row(s.id, "specifier", f"{s.title} [{s.source}]", _applies(picked),
                        _applies(applies), picked == applies, s.reason))
    return Marked(vignette_id, result.ruleset_id, tuple(rows))


def log_record(marked: Marked, when: dt.datetime | None = None) -> dict[str, Any]:
    """One JSON Lines record of a finished quiz (see docs/teaching.md)."""
    when = when or dt.datetime.now(dt.UTC)
    return {
        "timestamp": when.isoformat(timespec="seconds"),
        "vignette": marked.vignette,
        "ruleset": marked.ruleset,
        "criteria": {r.key: r.right for r in marked.rows if r.group == "criterion"},
        "diagnosis": next(r.right for r in marked.rows if r.group == "diagnosis"),
        "specifiers": {r.key: r.right for r in marked.rows if r.group == "specifier"},
        "correct": marked.correct,
        "total": marked.total,
        "score": round(marked.score, 4),
    }
