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
from typing import Any, final

from pydantic import BaseModel

from dsm5check.engine.kinds import Loc, NodeVisitor, located_children, visit
from dsm5check.engine.rules_model import (
    AllNode,
    AnyNode,
    AtLeastNode,
    CriterionNode,
    FactNode,
    ForAnyNode,
    ItemNode,
    MonthsNode,
    NodeModel,
    NotNode,
)


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


Problems = Iterator[tuple[Loc, str]]


def path_problems(rule: NodeModel, loc: Loc, scope: dict[str, Any], root: type[BaseModel]
                  ) -> Problems:
    """Unknown paths and comparisons that cannot fit, anywhere in ``rule``."""
    return visit(rule, _PathCheck(loc, scope, root))


@final
class _PathCheck(NodeVisitor[Problems]):
    def __init__(self, loc: Loc, scope: dict[str, Any], root: type[BaseModel]) -> None:
        self.loc, self.scope, self.root = loc, scope, root

    def _children(self, node: NodeModel) -> Problems:
        for at, kid in located_children(node):
            yield from path_problems(kid, (*self.loc, *at), self.scope, self.root)

    def visit_all(self, node: AllNode) -> Problems:
        return self._children(node)

    def visit_any(self, node: AnyNode) -> Problems:
        return self._children(node)

    def visit_at_least(self, node: AtLeastNode) -> Problems:
        return self._children(node)

    def visit_not(self, node: NotNode) -> Problems:
        return self._children(node)

    def visit_item(self, node: ItemNode) -> Problems:
        return iter(())

    def visit_criterion(self, node: CriterionNode) -> Problems:
        return iter(())

    def visit_fact(self, node: FactNode) -> Problems:
        found = follow(node.fact, self.scope, self.root)
        if found is None:
            yield (*self.loc, "fact"), f"unknown fact {node.fact!r}: no such key in a case"
        else:
            problem = _fact_problem(node, found)
            if problem:
                yield (*self.loc, "fact"), problem

    def visit_months(self, node: MonthsNode) -> Problems:
        spec, loc = node.months, self.loc
        for key, path, wanted in (("from", spec.from_, dt.date), ("to", spec.to, dt.date),
                                  ("or_fact", spec.or_fact, float)):
            if path is None:
                continue
            found = follow(path, self.scope, self.root)
            if found is None:
                yield (*loc, "months", key), f"unknown fact {path!r}: no such key in a case"
            elif wanted is dt.date and dt.date not in found:
                yield (*loc, "months", key), f"{path} holds {_describe(found)}, not a date"
            elif wanted is float and not any(_is_number(t) for t in found):
                yield (*loc, "months", key), f"{path} holds {_describe(found)}, not a number"

    def visit_for_any(self, node: ForAnyNode) -> Problems:
        found = follow(node.for_any, self.scope, self.root)
        elements = [typing.get_args(t)[0] for t in found or () if typing.get_origin(t) is list]
        if not elements:
            yield (*self.loc, "for_any"), f"{node.for_any!r} is not a list in a case"
            return
        yield from path_problems(node.where, (*self.loc, "where"),
                                 {**self.scope, node.as_: elements[0]}, self.root)
