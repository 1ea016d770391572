"""Turning pydantic validation errors into file:line:col problems."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from dsm5check.errors import Problem, format_path
from dsm5check.rules_model import RULE_TAGS
from dsm5check.yamlio import Document

_UNION_TAGS = RULE_TAGS | {
    "bool",
    "int",
    "str",
    "float",
    "list[str]",
    "function-after",
    "function-before",
    "function-plain",
    "function-wrap",
    "constrained-int",
    "tagged-union",
    "union",
    "literal",
}


def _clean_loc(loc: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop the segments pydantic adds for union members and validators."""
    out: list[int | str] = []
    for i, part in enumerate(loc):
        if isinstance(part, str) and (
            part in _UNION_TAGS or part.startswith(("function-", "constrained-", "literal["))
        ):
            # a rule tag is followed by the field of the same name: keep one
            if part in RULE_TAGS and i + 1 < len(loc) and loc[i + 1] == part:
                continue
            if part not in RULE_TAGS:
                continue
        out.append(part)
    return tuple(out)


def _describe(err: Any) -> str:
    kind = err.get("type", "")
    msg: str = err.get("msg", "invalid value")
    value = err.get("input")
    if kind == "extra_forbidden":
        return "unknown key; it is not part of this format (check the spelling)"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        return f"got {value!r}: {msg[0].lower() + msg[1:]}"
    if kind in {"less_than_equal", "greater_than_equal", "less_than", "greater_than"}:
        return f"got {value!r}: {msg[0].lower() + msg[1:]}"
    if isinstance(value, (str, int, float, bool)) and kind not in {"value_error", "assertion_error"}:
        return f"got {value!r}: {msg[0].lower() + msg[1:]}"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def problems_from(doc: Document, exc: ValidationError) -> list[Problem]:
    """One problem per pydantic error, with the line of the offending value."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors():
        loc = _clean_loc(tuple(err["loc"]))
        message = _describe(err)
        key = (format_path(loc), message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(doc.problem(loc, message))
    problems.sort(key=lambda p: (p.line, p.col))
    return problems
