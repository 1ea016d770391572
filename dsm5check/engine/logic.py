"""Three-valued building blocks: Kleene connectives, comparisons, answers.

Pure functions on values; the rule engine (``nodes.py``) combines them.
"""

from __future__ import annotations

from typing import Any

from dsm5check.cases.case import ImpairmentRatings, ItemDetail
from dsm5check.engine.results import MET, NOT_MET, UNKNOWN, Status


def kleene_all(statuses: list[Status]) -> Status:
    if NOT_MET in statuses:
        return NOT_MET
    if UNKNOWN in statuses:
        return UNKNOWN
    return MET


def kleene_any(statuses: list[Status]) -> Status:
    if MET in statuses:
        return MET
    if UNKNOWN in statuses:
        return UNKNOWN
    return NOT_MET


def compare(actual: Any, op: str, expected: Any) -> bool:
    if op == "==":
        if isinstance(actual, bool) or isinstance(expected, bool):
            return actual is expected  # true is not 1
        return bool(actual == expected)
    if op == "in":
        return any(compare(actual, "==", e) for e in expected)
    if op == "includes_any":
        return any(a in expected for a in actual)
    if op == ">":
        return bool(actual > expected)
    if op == ">=":
        return bool(actual >= expected)
    if op == "<":
        return bool(actual < expected)
    if op == "<=":
        return bool(actual <= expected)
    raise ValueError(op)  # pragma: no cover - the model allows no other


#: The ratings of an impairment mapping (its other key is a note).
_RATINGS = tuple(name for name in ImpairmentRatings.model_fields if name != "note")


def item_status(value: Any, listed: bool, threshold: int, unlisted_absent: bool) -> tuple[
    Status, dict[str, Any]
]:
    """Whether one answer counts as present, and what it was decided on."""
    if not listed:
        if unlisted_absent:
            return NOT_MET, {"value": "absent", "why": "unlisted"}
        return UNKNOWN, {"value": None, "why": "not_assessed"}
    if value is None or value == "unknown":
        return UNKNOWN, {"value": None, "why": "not_assessed"}
    if value is True or value == "present":
        return MET, {"value": True}
    if value is False or value == "absent":
        return NOT_MET, {"value": False}
    if isinstance(value, int):
        return (MET if value >= threshold else NOT_MET), {"value": value, "threshold": threshold}
    if isinstance(value, ItemDetail):
        return _detail_status(value, threshold)
    if isinstance(value, ImpairmentRatings):
        ratings = {k: getattr(value, k) for k in _RATINGS}
        info: dict[str, Any] = {"ratings": ratings, "threshold": threshold}
        given = [v for v in ratings.values() if v is not None]
        if any(v >= threshold for v in given):
            return MET, info
        return (NOT_MET if len(given) == len(ratings) else UNKNOWN), info
    raise TypeError(f"unexpected answer {value!r}")  # pragma: no cover - models forbid it


def _detail_status(value: ItemDetail, threshold: int) -> tuple[Status, dict[str, Any]]:
    base: Status
    info: dict[str, Any]
    if value.present is not None:
        base, info = (MET if value.present else NOT_MET), {"value": value.present}
    elif value.severity is not None:
        base = MET if value.severity >= threshold else NOT_MET
        info = {"value": value.severity, "threshold": threshold}
    else:
        base, info = UNKNOWN, {"value": None, "why": "not_assessed"}
    if value.note:
        info["note"] = value.note
    if base == NOT_MET or value.trauma_related is True:
        return base, info
    info["trauma_related"] = value.trauma_related
    if value.trauma_related is False:
        return NOT_MET, info  # present, but does not count
    return UNKNOWN, info  # present (or unknown), and its relation to the event unknown
