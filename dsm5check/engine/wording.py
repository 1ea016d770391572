"""One phrasing of an item's answer, shared by every text that states it.

The explanation of a result (``engine/reasons.py``) and the quiz's "what decided
it" lines (``teach/why.py``) both say how an item was answered: "rated 3,
severe", "absent", "not assessed", with "(counts from 2)" under the threshold
and ", but not related to the event: does not count" when the answer is marked
unrelated. They say it with these functions, so the two never drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def rating_words(value: int, labels: Mapping[int, str], *, listed: bool = False) -> str:
    """``3, severe`` (or ``3 (severe)`` inside a list); the number alone without a label."""
    label = labels.get(value)
    if not label:
        return str(value)
    return f"{value} ({label})" if listed else f"{value}, {label}"


def item_answer(detail: Mapping[str, Any], labels: Mapping[int, str], *,
                with_note: bool = True) -> str:
    """An item's answer as an item node's ``detail`` holds it (value, threshold,
    and when the item asks for it, whether it is related to the event and a note)."""
    value = detail.get("value")
    if value is None:
        text = "not assessed"
    elif isinstance(value, bool):
        text = "present" if value else "absent"
    else:
        text = f"rated {rating_words(value, labels)}"
        if value < detail["threshold"]:
            text += f" (counts from {detail['threshold']})"
    if "trauma_related" in detail:
        if detail["trauma_related"] is False:
            text += ", but not related to the event: does not count"
        else:
            text += ", but whether it is related to the event is not known"
        if with_note and detail.get("note"):
            text += f" (note: {detail['note']})"
    return text
