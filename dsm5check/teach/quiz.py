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

from dsm5check.engine.results import MET, NOT_MET, UNKNOWN, CaseResult, NodeResult, Status
from dsm5check.engine.ruleset import Ruleset
from dsm5check.render.names import criterion_heading, criterion_name, is_code

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
        Question(c.id, "judge",
                 # a code with its title beside it needs no name too: "Criterion AD (...)"
                 f"Criterion ({c.title}):" if c.name and not is_code(c.id)
                 else f"Criterion {c.id} ({c.title}):",
                 JUDGEMENTS)
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
    why: tuple[str, ...] = ()  # the items and facts that decided it, in plain words


@dataclass(frozen=True, slots=True)
class Marked:
    vignette: str
    ruleset: str
    rows: tuple[Row, ...]
    #: where the trainee's own answers disagree with each other (see :func:`consistency`)
    notes: tuple[str, ...] = ()

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


def mark(vignette_id: str, result: CaseResult, answers: Answers,
         rules: Ruleset | None = None) -> Marked:
    """Lay the answers beside the engine's; with ``rules``, each row also names
    the items and facts that decided it (item names and rating meanings)."""
    from dsm5check.teach.why import why as why_lines

    def decided(node: NodeResult) -> tuple[str, ...]:
        return why_lines(node, rules) if rules is not None else ()

    rows: list[Row] = []
    for c in result.criteria:
        yours = answers.judged[c.id]
        head = criterion_heading(c.id, c.title, c.name)
        rows.append(Row(c.id, "criterion", head, WORDS[yours], WORDS[c.status],
                        yours == c.status, c.reason, decided(c.node)))
    yours = answers.judged[DIAGNOSIS]
    failing = [criterion_name(c.id, c.name) for c in result.criteria if c.status != MET]
    why = (
        f"criteria not met or undecided: {', '.join(failing)}" if failing
        else "every criterion is met"
    )
    rows.append(Row(DIAGNOSIS, "diagnosis", result.diagnosis_title, WORDS[yours],
                    WORDS[result.diagnosis], yours == result.diagnosis, why,
                    decided(result.diagnosis_node)))
    for s in result.specifiers:
        picked = s.id in answers.specifiers
        applies = s.status == MET
        rows.append(Row(s.id, "specifier", f"{s.title} [{s.source}]", _applies(picked),
                        _applies(applies), picked == applies, s.reason,
                        # its own rule's items, when they are what decided it
                        decided(s.node) if s.node.status == s.status else ()))
    return Marked(vignette_id, result.ruleset_id, tuple(rows), consistency(result, answers))


def consistency(result: CaseResult, answers: Answers) -> tuple[str, ...]:
    """Where the trainee's diagnosis does not follow from their own criterion
    judgements through the diagnosis rule (e.g. C judged not met, diagnosis met)."""
    from dsm5check.teach.why import implied, referenced

    node = result.diagnosis_node
    theirs = answers.judged[DIAGNOSIS]
    follows = implied(node, answers.judged)
    if follows == theirs:
        return ()
    needed = list(dict.fromkeys(referenced(node)))
    labels = {c.id: criterion_name(c.id, c.name) for c in result.criteria}
    against = [labels.get(c, c) for c in needed if answers.judged.get(c) == NOT_MET]
    open_ = [labels.get(c, c) for c in needed if answers.judged.get(c) == UNKNOWN]
    rule = f"the diagnosis needs {_needs(result)}"
    if follows == NOT_MET:
        said = (f"You judged {_ids(against)} not met, and {rule}: by your own answers"
                f" the diagnosis is not met, yet you answered {WORDS[theirs]!r}.")
    elif follows == MET:
        said = (f"You judged every criterion the diagnosis needs as met ({rule}): by"
                f" your own answers the diagnosis is met, yet you answered {WORDS[theirs]!r}.")
    else:
        said = (f"You could not tell for {_ids(open_)}, and {rule}: your own answers"
                f" leave the diagnosis open, yet you answered {WORDS[theirs]!r}.")
    return (said,)


def _ids(ids: list[str]) -> str:
    if len(ids) <= 1:
        return "".join(ids) or "none"
    return ", ".join(ids[:-1]) + " and " + ids[-1]


def _needs(result: CaseResult) -> str:
    from dsm5check.teach.why import referenced

    node = result.diagnosis_node
    labels = {c.id: criterion_name(c.id, c.name) for c in result.criteria}
    ids = [labels.get(c, c) for c in dict.fromkeys(referenced(node))]
    if node.kind == "all" and len(ids) == len(node.children):
        return f"all of {_ids(ids)} met"
    return f"{result.diagnosis_title}'s rule over {_ids(ids)}"


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
        "consistent": not marked.notes,
        "correct": marked.correct,
        "total": marked.total,
        "score": round(marked.score, 4),
    }
