"""Statuses, and the shape of a rule node's outcome as explanations read it.

The lowest piece of the engine's output: ``reasons.py`` explains anything of
the :class:`Outcome` shape, and ``results.py`` holds the records themselves
(``NodeResult`` has this shape and gets its ``reason`` from ``reasons.py``), so
neither imports the other's module back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol

from dsm5check.engine.rules_model import Kind

Status = Literal["met", "not_met", "indeterminate"]
MET: Status = "met"
NOT_MET: Status = "not_met"
UNKNOWN: Status = "indeterminate"

#: The kind of a result node: a rule node's kind, or ``element`` for one
#: element of a ``for_any`` collection.
ResultKind = Kind | Literal["element"]


class Outcome(Protocol):
    """What an explanation reads of a node's outcome (``results.NodeResult``)."""

    @property
    def kind(self) -> ResultKind: ...

    @property
    def status(self) -> Status: ...

    @property
    def name(self) -> str: ...

    @property
    def children(self) -> Sequence[Outcome]: ...

    @property
    def id(self) -> str | None: ...

    @property
    def label(self) -> str | None: ...

    @property
    def detail(self) -> Mapping[str, Any]: ...

    @property
    def title(self) -> str: ...

    @property
    def reason(self) -> str: ...
