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


#: A summary longer than this is said briefly on text screens (JSON keeps it whole).
BRIEF = 160
#: Sets spelled out one by one in a brief summary before the rest are counted.
BRIEF_SETS = 4


def brief(sets: Sets) -> str:
    """:func:`summarize` in a few words when it runs long: each set by its subjects
    ("all of C1, C2 absent"), sets that are one choice per criterion as those
    choices joined by "and", and beyond a few sets only a count."""
    said = summarize(sets)
    if len(said) <= BRIEF:
        return said
    groups = factor(sets)
    if groups is not None:
        groups.sort(key=lambda g: min(_natural(c.subject) for s in g[1] for c in s))
        return " and ".join(_one_set_or_brief(choices) for _, choices in groups)
    shown = [_one_set(s) for s in sets[:BRIEF_SETS]]
    rest = len(sets) - len(shown)
    more = f" or {rest} other way{'s' if rest != 1 else ''} (see --format json)" if rest else ""
    return " or ".join(shown) + more


def _one_set_or_brief(choices: Sets) -> str:
    said = summarize(choices)
    if len(said) <= BRIEF:
        return said
    return " or ".join(_one_set(s) for s in choices)


def _one_set(s: tuple[Change, ...]) -> str:
    """One set by its subjects when they share a state ("all of C1, C2 absent")."""
    states = {c.state for c in s}
    if len(states) == 1 and states <= {"present", "absent"}:
        subjects = sorted({c.subject for c in s}, key=_natural)
        state = states.pop()
        if len(subjects) == 1:
            return f"{subjects[0]} {state}"
        return f"all of {', '.join(subjects)} {state}"
    return " and ".join(c.text for c in s)
