"""Rule node kinds: the one place every consumer goes through.

Each part of dsm5check that does something per node kind (evaluation in
``nodes.py``, the one-line description in ``render/rules_view.py``, SQL in
``score/compile_sql.py``, the threshold phrase in ``teach/thresholds.py``,
the interview's dependencies in ``interview/deps.py``, the fact columns in
``score/columns.py``, the path checks in ``paths.py``, the tree walk in
``ruleset.py``) is a subclass of :class:`NodeVisitor` with one ``visit_<kind>``
method per kind, and reaches the node through :func:`visit`.

Adding a node kind is therefore one change, checked by ``mypy --strict``:

1. its model in ``rules_model.py`` (in ``Rule``, ``NodeModel``, ``Kind`` and
   ``_kind``, which tells pydantic a node's kind);
2. an abstract ``visit_<kind>`` method on :class:`NodeVisitor` and its case in
   :func:`visit` — ``assert_never`` makes mypy reject a :func:`visit` that
   misses a member of ``NodeModel``;
3. then mypy names every consumer still lacking the method: consumers are
   ``@final`` subclasses, and a final class with an abstract method left is an
   error ("Final class ... has abstract attributes"). ``reasons.py`` dispatches
   on ``Kind`` with ``match`` + ``assert_never`` as well, so the explanation of
   the new kind's results is asked for too.

``tests/test_node_kinds.py`` proves each step fails when left out.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar, assert_never, final

from dsm5check.engine.rules_model import (
    AllNode,
    AnyNode,
    AtLeastNode,
    CriterionNode,
    FactNode,
    ForAnyNode,
    ItemNode,
    Kind,
    MonthsNode,
    NodeModel,
    NotNode,
)

T = TypeVar("T")

#: A child's place under its parent, as keys of the YAML: ``("all", 0)``, ``("not",)``.
Loc = tuple[object, ...]


class NodeVisitor(ABC, Generic[T]):
    """One method per node kind, each returning a ``T``.

    Subclass it once per consumer and mark the subclass ``@final``: mypy then
    reports any kind the subclass does not handle.
    """

    @abstractmethod
    def visit_all(self, node: AllNode) -> T: ...

    @abstractmethod
    def visit_any(self, node: AnyNode) -> T: ...

    @abstractmethod
    def visit_at_least(self, node: AtLeastNode) -> T: ...

    @abstractmethod
    def visit_not(self, node: NotNode) -> T: ...

    @abstractmethod
    def visit_item(self, node: ItemNode) -> T: ...

    @abstractmethod
    def visit_criterion(self, node: CriterionNode) -> T: ...

    @abstractmethod
    def visit_fact(self, node: FactNode) -> T: ...

    @abstractmethod
    def visit_months(self, node: MonthsNode) -> T: ...

    @abstractmethod
    def visit_for_any(self, node: ForAnyNode) -> T: ...


def visit(node: NodeModel, visitor: NodeVisitor[T]) -> T:
    """The visitor's method for the node's kind (the one dispatch on node kinds)."""
    match node:
        case AllNode():
            return visitor.visit_all(node)
        case AnyNode():
            return visitor.visit_any(node)
        case AtLeastNode():
            return visitor.visit_at_least(node)
        case NotNode():
            return visitor.visit_not(node)
        case ItemNode():
            return visitor.visit_item(node)
        case CriterionNode():
            return visitor.visit_criterion(node)
        case FactNode():
            return visitor.visit_fact(node)
        case MonthsNode():
            return visitor.visit_months(node)
        case ForAnyNode():
            return visitor.visit_for_any(node)
        case _:
            assert_never(node)


# --- what every consumer shares: a node's kind and its children ---------------------


@final
class _KindOf(NodeVisitor[Kind]):
    def visit_all(self, node: AllNode) -> Kind:
        return "all"

    def visit_any(self, node: AnyNode) -> Kind:
        return "any"

    def visit_at_least(self, node: AtLeastNode) -> Kind:
        return "at_least"

    def visit_not(self, node: NotNode) -> Kind:
        return "not"

    def visit_item(self, node: ItemNode) -> Kind:
        return "item"

    def visit_criterion(self, node: CriterionNode) -> Kind:
        return "criterion"

    def visit_fact(self, node: FactNode) -> Kind:
        return "fact"

    def visit_months(self, node: MonthsNode) -> Kind:
        return "months"

    def visit_for_any(self, node: ForAnyNode) -> Kind:
        return "for_any"


_KIND_OF = _KindOf()


def kind_of(node: NodeModel) -> Kind:
    """The node's kind, as its key in the YAML and in results (``NodeResult.kind``)."""
    return visit(node, _KIND_OF)


Located = tuple[tuple[Loc, NodeModel], ...]


def _listed(key: str, kids: tuple[NodeModel, ...]) -> Located:
    return tuple(((key, i), kid) for i, kid in enumerate(kids))


@final
class _Children(NodeVisitor[Located]):
    def visit_all(self, node: AllNode) -> Located:
        return _listed("all", node.all)

    def visit_any(self, node: AnyNode) -> Located:
        return _listed("any", node.any)

    def visit_at_least(self, node: AtLeastNode) -> Located:
        return _listed("of", node.of)

    def visit_not(self, node: NotNode) -> Located:
        return ((("not",), node.not_),)

    def visit_item(self, node: ItemNode) -> Located:
        return ()

    def visit_criterion(self, node: CriterionNode) -> Located:
        return ()

    def visit_fact(self, node: FactNode) -> Located:
        return ()

    def visit_months(self, node: MonthsNode) -> Located:
        return ()

    def visit_for_any(self, node: ForAnyNode) -> Located:
        return ((("where",), node.where),)


_CHILDREN = _Children()


def located_children(node: NodeModel) -> Located:
    """The child rules of a node with their key paths under it (none for leaves)."""
    return visit(node, _CHILDREN)


def children(node: NodeModel) -> tuple[NodeModel, ...]:
    """The child rules of a node, in order (none for leaves)."""
    return tuple(kid for _loc, kid in visit(node, _CHILDREN))


__all__ = [
    "Kind",
    "Loc",
    "NodeVisitor",
    "children",
    "kind_of",
    "located_children",
    "visit",
]
