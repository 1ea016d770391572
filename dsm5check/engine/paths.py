"""Checking a ruleset's fact paths against the case format, before any case.

A rule that names ``timelinee.assessed`` would otherwise be "not given" for
every case, and ``greater_than: 3`` on a date would fail at evaluation. Here
each path is followed through the Case model's fields, and the comparison is
matched to what the field holds.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from dsm5check.engine.rules_model import (
    AllNode,
    AnyNode,
    FactNode,
    ForAnyNode,
    MonthsNode,
    NodeModel,
    NotNode,
    children,
)

Loc = tuple[object, ...]


def _leaves(annotation: Any) -> list[Any]:
    """The concrete types a field may hold (Optional, Annotated and unions unwrapped)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _leaves(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _leaves(arg)]
    if annotation is type(None):
        return []
    return [annotation]


def types_at(start: list[Any], parts: Sequence[str | int]) -> list[Any] | None:
    """The types reached from ``start`` along key path ``parts`` (model fields by
    name or alias, any key of a dict, an index of a list or tuple), or None."""
    current = start
    for part in parts:
        found: list[Any] = []
        for t in current:
            origin = typing.get_origin(t)
            if isinstance(t, type) and issubclass(t, BaseModel):
                fields = {(f.alias or n): f for n, f in t.model_fields.items()}
                field = t.model_fields.get(str(part)) or fields.get(str(part))
                if field is not None:
                    found.extend(_leaves(field.annotation))
            elif origin is dict:
                found.extend(_leaves(typing.get_args(t)[1]))
            elif origin in (list, tuple) and isinstance(part, int):
                found.extend(_leaves(typing.get_args(t)[0]))
        if not found:
            return None
        current = found
    return current


def follow(path: str, scope: dict[str, Any], root: type[BaseModel]) -> list[Any] | None:
    """The types at dotted ``path`` (names in ``scope`` stand for element models)."""
    head, *rest = path.split(".")
    if head in scope:
        return types_at([scope[head]], rest)
    return types_at([root], [head, *rest])


def _is_number(t: Any) -> bool:
    return t in (int, float) or (isinstance(t, type) and issubclass(t, (int, float))
                                 and t is not bool)


def _describe(types_: list[Any]) -> str:
    return ", ".join(sorted({getattr(t, "__name__", str(t)) for t in types_}))


def _fact_problem(node: FactNode, found: list[Any]) -> str | None:
    op, value = node.comparison()
    if op in (">", ">=", "<", "<="):
        if not any(_is_number(t) for t in found):
            return f"{node.fact} holds {_describe(found)}: a number comparison does not fit"
    elif op == "includes_any":
        if not any(typing.get_origin(t) is list for t in found):
            return f"{node.fact} holds {_describe(found)}, not a list: includes_any does not fit"
    elif op == "==" and isinstance(value, bool) and bool not in found:
        return f"{node.fact} holds {_describe(found)}: it is never true or false"
    return None


def path_problems(rule: NodeModel, loc: Loc, scope: dict[str, Any], root: type[BaseModel]
                  ) -> Iterator[tuple[Loc, str]]:
    """Unknown paths and comparisons that cannot fit, anywhere in ``rule``."""
    if isinstance(rule, FactNode):
        found = follow(rule.fact, scope, root)
        if found is None:
            yield (*loc, "fact"), f"unknown fact {rule.fact!r}: no such key in a case"
        else:
            problem = _fact_problem(rule, found)
            if problem:
                yield (*loc, "fact"), problem
    elif isinstance(rule, MonthsNode):
        spec = rule.months
        for key, path, wanted in (("from", spec.from_, dt.date), ("to", spec.to, dt.date),
                                  ("or_fact", spec.or_fact, float)):
            if path is None:
                continue
            found = follow(path, scope, root)
            if found is None:
                yield (*loc, "months", key), f"unknown fact {path!r}: no such key in a case"
            elif wanted is dt.date and dt.date not in found:
                yield (*loc, "months", key), f"{path} holds {_describe(found)}, not a date"
            elif wanted is float and not any(_is_number(t) for t in found):
                yield (*loc, "months", key), f"{path} holds {_describe(found)}, not a number"
    elif isinstance(rule, ForAnyNode):
        found = follow(rule.for_any, scope, root)
        elements = [typing.get_args(t)[0] for t in found or () if typing.get_origin(t) is list]
        if not elements:
            yield (*loc, "for_any"), f"{rule.for_any!r} is not a list in a case"
            return
        yield from path_problems(rule.where, (*loc, "where"), {**scope, rule.as_: elements[0]},
                                 root)
        return
    if isinstance(rule, NotNode):
        yield from path_problems(rule.not_, (*loc, "not"), scope, root)
        return
    key = "all" if isinstance(rule, AllNode) else "any" if isinstance(rule, AnyNode) else "of"
    for i, kid in enumerate(children(rule)):
        yield from path_problems(kid, (*loc, key, i), scope, root)
