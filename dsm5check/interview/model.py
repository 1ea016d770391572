"""Questions as plain data, importable without pydantic or a ruleset.

Kept apart from ``questions.py`` (which compiles them from a ruleset) so that
the first question can be on screen before the ruleset is loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Choice:
    value: Any
    label: str
    key: str  # the single key that picks it


@dataclass(frozen=True, slots=True)
class Question:
    """One concrete question. ``key`` is where its answer is kept in a draft."""

    key: str
    kind: str  # text date yes_no choice multi number rating rate_or_yes stop
    prompt: str
    label: str  # short name for the review screen, an item id or "event 1: date"
    block: int
    write: str = "set"  # how the answer goes into the case (see answers.py)
    target: tuple[str | int, ...] = ()
    help: str | None = None
    choices: tuple[Choice, ...] = ()
    default: Any = None
    has_default: bool = False
    default_from: str | None = None  # an answer key: one key (default_key) takes its value
    default_key: str = "s"
    default_label: str | None = None  # what that key means, e.g. "from the start"
    note_key: str | None = None
    unknown: str = "null"  # "omit": not known is left out of the case
    required: bool = False
    code: str = ""  # stable code of its line on the review screen (e.g. an item id)
    name: str | None = None  # a few words naming it on the review screen
    shortcut: Any = None  # the value default_key takes now (set by the session)
    #: a yes/no or choice question about the case as a whole (not a part of an event):
    #: asked only while some answer to it can still change a result (deps.can_matter)
    skip_if_moot: bool = False


YES_NO = (Choice(True, "yes", "y"), Choice(False, "no", "n"))


def case_questions(today: dt.date) -> list[Question]:
    """The first block; needs no ruleset, so it can be shown before one is loaded."""
    return [
        Question("id", "text", "Case id (a name for this case, no personal data)", "case id", 0,
                 target=("id",), default=f"case-{today:%Y%m%d}", has_default=True,
                 required=True, code="id"),
        Question("timeline.assessed", "date", "Date of this assessment (YYYY-MM-DD)",
                 "assessment date", 0, write="date", target=("timeline", "assessed"),
                 default=today.isoformat(), has_default=True, code="date"),
    ]
