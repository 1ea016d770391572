"""Turning pydantic validation errors into file:line:col problems."""

from __future__ import annotations

import re
from difflib import get_close_matches
from typing import Any

from pydantic import BaseModel, ValidationError

from dsm5check.cases.yamlio import Document
from dsm5check.engine.paths import types_at
from dsm5check.engine.rules_model import RULE_TAGS
from dsm5check.errors import Problem, format_path

_UNION_TAGS = RULE_TAGS | {
    "yes_no",
    "rating",
    "word",
    "detail",
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
            # pydantic puts a rule's tag right after the place that holds a rule
            # (rule, not, where, or an index of all/any/of); elsewhere the same word
            # is a field (the `all` list itself, the count `at_least`): keep those
            previous = loc[i - 1] if i else None
            if part not in RULE_TAGS or isinstance(previous, int) or previous in _RULE_PLACES:
                continue
        out.append(part)
    return tuple(out)


_RULE_PLACES = frozenset({"rule", "not", "where"})


def allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str] | None:
    """The keys a mapping at ``loc`` (inside ``model``) may have, when it is a model."""
    models = [t for t in types_at([model], loc) or ()
              if isinstance(t, type) and issubclass(t, BaseModel)]
    if len(models) != 1:
        return None
    return [f.alias or name for name, f in models[0].model_fields.items()]


def _unknown_key(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    key = str(loc[-1]) if loc else "?"
    allowed = allowed_keys(model, loc[:-1]) if model else None
    if not allowed:
        return f"unknown key {key!r}; it is not part of this format"
    close = get_close_matches(key, allowed, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown key {key!r}; {hint}expected one of: {', '.join(allowed)}"


def _describe(err: Any, model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> str:
    kind = err.get("type", "")
    msg: str = err.get("msg", "invalid value")
    if msg.startswith("Input should be "):
        msg = "expected " + msg[len("Input should be "):]
        msg = msg.replace("a valid boolean", "true or false")
    value = err.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(model, loc)
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        hint = " (YAML reads yes/no/on/off as true/false: quote the word)" if isinstance(
            value, bool) else ""
        choices = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        close = get_close_matches(str(value), choices, n=1) if isinstance(value, str) else []
        if close:
            hint = f" (did you mean {close[0]!r}?)"
        return f"got {value!r}: {msg}{hint}"
    if kind in {"less_than_equal", "greater_than_equal", "less_than", "greater_than"}:
        return f"got {value!r}: {msg[0].lower() + msg[1:]}"
    plain = kind not in {"value_error", "assertion_error"}
    if isinstance(value, (str, int, float, bool)) and plain:
        return f"got {value!r}: {msg[0].lower() + msg[1:]}"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def problems_from(
    doc: Document, exc: ValidationError, model: type[BaseModel] | None = None
) -> list[Problem]:
    """One problem per pydantic error, with the line of the offending value."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors():
        loc = _clean_loc(tuple(err["loc"]))
        message = _describe(err, model, loc)
        key = (format_path(loc), message)
        if key in seen:
            continue
        seen.add(key)
        problems.append(doc.problem(loc, message, at_key=err.get("type") == "extra_forbidden"))
    problems.sort(key=lambda p: (p.line, p.col))
    return problems
