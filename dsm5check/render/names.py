"""How a criterion is named to people, in one place.

A criterion's id is shown only when it is a code readers know: the lettered
criteria of DSM (A, B, ... H), and the short codes of ICD-11 (Ex, AD, NSC ...)
with their plain ``name`` beside them, "AD (affect dysregulation)". An id that is
no code at all (``duration``, ``DSO_FI``) is never shown: its ``name`` stands
alone ("Lasting several weeks"). A criterion with neither a letter id nor a name
is shown by its id (a made-up ruleset's own words).

Every text screen (check, learn, quiz, what-if, interview) names criteria through
these functions; JSON keeps the ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

#: Ids that read as a code: a capital, up to three letters more, digits (A, B2, NSC).
_CODE = re.compile(r"^[A-Z][A-Za-z]{0,3}[0-9]*$")


class Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str | None: ...


def is_code(cid: str) -> bool:
    """Whether ``cid`` reads as a code that may be shown beside its name."""
    return bool(_CODE.match(cid))


def criterion_name(cid: str, name: str | None) -> str:
    """The criterion where it stands alone: B, "AD (affect dysregulation)",
    "Lasting several weeks"."""
    if not name:
        return cid
    if is_code(cid) and name != cid:
        return f"{cid} ({name})"
    return name


def criterion_heading(cid: str, title: str, name: str | None) -> str:
    """The criterion's heading before its reason or text: "B Intrusion symptoms",
    "AD Problems in affect regulation"; the title alone for an id that is no code."""
    if name and not is_code(cid):
        return title
    return f"{cid} {title}"


def name_of(c: Named) -> str:
    return criterion_name(c.id, c.name)


def id_and_name(c: Named) -> str:
    """The id a command-line option takes, with the name the screens use:
    "duration (Lasting several weeks)"; an id with no name alone."""
    return f"{c.id} ({c.name})" if c.name and c.name != c.id else c.id


def names_of(criteria: Iterable[Named]) -> dict[str, str]:
    """Each criterion's id and how people see it named."""
    return {c.id: criterion_name(c.id, c.name) for c in criteria}


def shown_id(cid: str, name: str | None) -> str:
    """The id column of a table: the code, or nothing for an id that is no code."""
    return "" if name and not is_code(cid) else cid
