"""Results shared between cases: one result object per distinct outcome.

A batch of cases gives the same answers over and over (an item rated 3, an
event that was direct and violent, a criterion met by the same two items).
Results are immutable, so every case that reaches the same outcome of a rule node can hold
the same result object, and what is derived from a result — its reason, the
JSON text of its record, what an undecided criterion still needs — can be worked
out once per distinct result instead of once per case.

* Each compiled rule node keeps a :class:`Table` from a key to its result: an
  item's or fact's value, a group's children (by identity: children are shared
  first, so equal children are the same objects), or for a group of facts
  alone the facts' values (the group is not evaluated at all on a hit).
* A table pays its way or stops: after :data:`TRIES` look-ups with fewer than
  one hit in :data:`MIN_HIT_RATE` (a count of seven items of five ratings each
  rarely repeats), it stops storing and looking up.
* Every shared result is registered here, with a :class:`Memo` of what is
  derived from it (a reason, JSON text). At most :data:`CAP` results are
  registered, whatever the number of cases: past the cap, results are made
  fresh as without sharing (memory stays bounded for a run of any size).
* ``set_sharing(False)`` turns it all off (every result made fresh, nothing
  remembered), to compare outputs or to measure what sharing saves.

A registered result is kept alive by its memo, so its ``id()`` is never reused
while it is registered: an ``id()`` found in :data:`MEMOS` is that result.
Nothing here knows a node kind; ``nodes.py``, ``evaluate.py``, ``reasons.py``
and ``render/records.py`` use it.
"""

from __future__ import annotations

import weakref
from typing import Any

#: Most results registered at once (all tables together).
CAP = 20_000
#: Look-ups after which a table decides whether it pays its way.
TRIES = 256
#: A table keeps going when at least one look-up in this many was a hit.
MIN_HIT_RATE = 8


class Memo:
    """What has been derived from one shared result (filled in on first use)."""

    __slots__ = ("decider", "decider_text", "obj", "piece", "reason", "text")

    def __init__(self, obj: object) -> None:
        self.obj = obj
        #: the result's reason (reasons.reason_for)
        self.reason: str | None = None
        #: how a parent's reason names it (an item in a count: its title and answer)
        self.piece: str | None = None
        #: the JSON text of its part of a record (render/records.py)
        self.text: str | None = None
        #: for an undecided criterion: what decides it, and that as JSON text
        #: (teach/whatif.py, render/records.py)
        self.decider: Any = None
        self.decider_text: str | None = None


#: id() of each registered result -> its memo (the memo holds the result).
MEMOS: dict[int, Memo] = {}

_state = {"on": True}
_TABLES: weakref.WeakSet[Table] = weakref.WeakSet()


class Table:
    """The shared results of one compiled rule node (or one kind of record)."""

    __slots__ = ("__weakref__", "decided", "entries", "hits", "live", "misses")

    def __init__(self) -> None:
        self.entries: dict[Any, Any] = {}
        self.hits = 0
        self.misses = 0
        self.decided = False
        #: look up and store; False when sharing is off or the table did not pay
        self.live = _state["on"]
        _TABLES.add(self)

    def add(self, key: Any, result: Any) -> None:
        """After a miss: remember ``result`` under ``key`` (if there is room)."""
        misses = self.misses = self.misses + 1
        if not self.decided and misses + self.hits >= TRIES:
            self.decided = True
            if self.hits * MIN_HIT_RATE < misses + self.hits:
                self.live = False  # does not pay: leave the few entries it has
                return
        if len(MEMOS) < CAP:
            self.entries[key] = result
            if id(result) not in MEMOS:
                MEMOS[id(result)] = Memo(result)


def memo(obj: object) -> Memo | None:
    """The memo of a shared result, or None for a result made for one case."""
    return MEMOS.get(id(obj))


def sharing() -> bool:
    return _state["on"]


def set_sharing(on: bool) -> None:
    """Turn sharing on or off for every table (existing and new); either way the
    results shared so far are forgotten."""
    _state["on"] = on
    clear()


def clear() -> None:
    """Forget every shared result; tables start again (and decide again)."""
    MEMOS.clear()
    for table in list(_TABLES):
        table.entries.clear()
        table.hits = table.misses = 0
        table.decided = False
        table.live = _state["on"]
