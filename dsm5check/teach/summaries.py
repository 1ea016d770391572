"""Saying many change sets in few words: "any 2 of E1, E2, E5 present", or
per criterion when the sets are every combination of per-criterion choices."""

from __future__ import annotations

from collections.abc import Iterable
from math import comb

from dsm5check.teach.changes import Change

Sets = tuple[tuple[Change, ...], ...]


def ordered(sets: Iterable[frozenset[Change]]) -> Sets:
    """Smallest sets first, then by their texts; changes in a set by text."""
    return tuple(
        tuple(sorted(s, key=lambda c: c.text))
        for s in sorted(sets, key=lambda s: (len(s), sorted(c.text for c in s)))
    )


def summarize(sets: Sets) -> str:
    """"any one of D3, D5 present", "2 of E1, E2, E5 absent", or the sets spelled out."""
    if not sets:
        return "nothing within reach"
    subjects = sorted({c.subject for s in sets for c in s}, key=_natural)
    states = {c.state for s in sets for c in s}
    sizes = {len(s) for s in sets}
    distinct = all(len({c.subject for c in s}) == len(s) for s in sets)
    if len(sizes) == 1 and len(states) == 1 and distinct:
        k = sizes.pop()
        state = states.pop()
        if len(sets) == comb(len(subjects), k):
            names = ", ".join(subjects)
            if len(subjects) == 1:
                return f"{names} {state}"
            if k == len(subjects):
                return f"all of {names} {state}"
            return f"{'any one' if k == 1 else f'any {k}'} of {names} {state}"
    return " or ".join(" and ".join(c.text for c in s) for s in sets)


def _natural(text: str) -> tuple[str, int]:
    head = text.rstrip("0123456789")
    tail = text[len(head):]
    return head, int(tail) if tail else -1


Group = tuple[str, Sets]


def factor(sets: Sets) -> list[Group] | None:
    """Sets that are every combination of per-criterion choices, as those choices.

    ``[(A, (x,), (y,)), (D, (d1,), (d3,))]`` stands for the four sets x+d1,
    x+d3, y+d1, y+d3. None when the sets are not such a product.
    """
    if len(sets) < 2:
        return None
    parts: dict[str, set[tuple[Change, ...]]] = {}
    shapes: set[tuple[str, ...]] = set()
    for s in sets:
        by: dict[str, list[Change]] = {}
        for c in s:
            by.setdefault(c.criterion, []).append(c)
        shapes.add(tuple(sorted(by)))
        for crit, cs in by.items():
            parts.setdefault(crit, set()).add(tuple(sorted(cs, key=lambda c: c.text)))
    total = 1
    for choices in parts.values():
        total *= len(choices)
    if len(shapes) != 1 or total != len(sets) or len(parts) < 2:
        return None
    return [(crit, ordered(frozenset(p) for p in parts[crit])) for crit in sorted(parts)]
