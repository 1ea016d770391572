"""The rule tree: generic node kinds, parsed once into frozen pydantic models.

A rule is a mapping whose one *kind key* says what it is:

=============  ==============================================================
``all``        every child holds (Kleene AND)
``any``        at least one child holds (Kleene OR)
``at_least``   at least *n* of the children in ``of`` hold (a count)
``not``        the child does not hold
``item``       an answer item is present (rated at or above the threshold,
               or ``true``) and counts (not marked unrelated to the event)
``criterion``  another criterion's status (or ``diagnosis``)
``fact``       a comparison of one fact of the case (a value at a dotted path)
``months``     a duration in calendar months between two dated facts, or a
               fallback fact holding the months, compared with a number
``for_any``    some element of a collection (e.g. ``events``) meets ``where``
=============  ==============================================================

Any node may carry an ``id`` and a ``label`` for the explanation. The engine
knows these kinds only; criteria live in the YAML. ``kinds.py`` is the one
dispatch on them that every consumer (evaluation, explanations, SQL, ...) goes
through; docs/rulesets.md says how to add a kind.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

Scalar = str | int | float | bool | dt.date


class _Node(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    id: str | None = Field(None, description="Optional id shown in explanations, e.g. A1.")
    label: str | None = Field(None, description="Short words shown in explanations.")


class AllNode(_Node):
    all: tuple[Rule, ...] = Field(min_length=1, description="Every child must hold.")


class AnyNode(_Node):
    any: tuple[Rule, ...] = Field(min_length=1, description="At least one child must hold.")


class AtLeastNode(_Node):
    at_least: int = Field(ge=1, description="How many of `of` must hold.")
    of: tuple[Rule, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _reachable(self) -> AtLeastNode:
        if self.at_least > len(self.of):
            raise ValueError(
                f"at_least {self.at_least} can never be reached with {len(self.of)} children"
            )
        return self


class NotNode(_Node):
    not_: Rule = Field(alias="not", description="The child must not hold.")


class ItemNode(_Node):
    item: str = Field(description="Id of an answer item of this ruleset.")


class CriterionNode(_Node):
    criterion: str = Field(description="Id of a criterion, or `diagnosis`.")


class _Comparison(_Node):
    """Exactly one comparison key; missing facts are unknown, never false."""

    equals: Scalar | None = None
    one_of: tuple[Scalar, ...] | None = None
    includes_any: tuple[Scalar, ...] | None = Field(
        None, description="The fact is a list holding at least one of these."
    )
    greater_than: float | None = None
    at_least_value: float | None = Field(None, alias="at_least")
    less_than: float | None = None
    at_most: float | None = None

    @model_validator(mode="after")
    def _one_comparison(self) -> _Comparison:
        given = [
            name
            for name in (
                "equals",
                "one_of",
                "includes_any",
                "greater_than",
                "at_least_value",
                "less_than",
                "at_most",
            )
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "expected exactly one comparison (equals, one_of, includes_any,"
                f" greater_than, at_least, less_than, at_most); got {len(given)}"
            )
        return self

    def comparison(self) -> tuple[str, Any]:
        for name, op in (
            ("equals", "=="),
            ("one_of", "in"),
            ("includes_any", "includes_any"),
            ("greater_than", ">"),
            ("at_least_value", ">="),
            ("less_than", "<"),
            ("at_most", "<="),
        ):
            value = getattr(self, name)
            if value is not None:
                return op, value
        raise AssertionError("validated to hold exactly one comparison")  # pragma: no cover


class FactNode(_Comparison):
    fact: str = Field(description="Dotted path of a fact, e.g. timeline.assessed or event.nature.")
    default: Scalar | None = Field(
        None, description="Value used when the case does not give the fact."
    )


class MonthsSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    from_: str = Field(alias="from", description="Dotted path of the earlier date.")
    to: str = Field(description="Dotted path of the later date.")
    or_fact: str | None = Field(
        None, description="Fact holding the months directly, used when a date is missing."
    )


class MonthsNode(_Comparison):
    months: MonthsSpec
    if_unknown: Literal["met", "not_met"] | None = Field(
        None,
        description="Status when the dates (and or_fact) are missing, for a guard that only"
        " a known date can decide; omitted: indeterminate.",
    )


class ForAnyNode(_Node):
    for_any: str = Field(description="Collection of the case, e.g. events.")
    as_: str = Field(alias="as", description="Name of the element inside `where`.")
    where: Rule


#: A node kind: its key in the YAML and ``NodeResult.kind``.
Kind = Literal[
    "all", "any", "at_least", "not", "item", "criterion", "fact", "months", "for_any"
]

_KINDS: dict[str, str] = {
    "all": "all",
    "any": "any",
    "at_least": "at_least",
    "not": "not",
    "item": "item",
    "criterion": "criterion",
    "fact": "fact",
    "months": "months",
    "for_any": "for_any",
}


def _kind(value: Any) -> str | None:
    if isinstance(value, dict):
        # `at_least` is both a count node and a comparison key: a count has `of`.
        if "fact" in value:
            return "fact"
        if "months" in value:
            return "months"
        for key in _KINDS:
            if key in value:
                return key
        return None
    if isinstance(value, BaseModel):
        return {
            AllNode: "all",
            AnyNode: "any",
            AtLeastNode: "at_least",
            NotNode: "not",
            ItemNode: "item",
            CriterionNode: "criterion",
            FactNode: "fact",
            MonthsNode: "months",
            ForAnyNode: "for_any",
        }.get(type(value))
    return None


Rule = Annotated[
    Annotated[AllNode, Tag("all")]
    | Annotated[AnyNode, Tag("any")]
    | Annotated[AtLeastNode, Tag("at_least")]
    | Annotated[NotNode, Tag("not")]
    | Annotated[ItemNode, Tag("item")]
    | Annotated[CriterionNode, Tag("criterion")]
    | Annotated[FactNode, Tag("fact")]
    | Annotated[MonthsNode, Tag("months")]
    | Annotated[ForAnyNode, Tag("for_any")],
    Discriminator(
        _kind,
        custom_error_type="rule_kind",
        custom_error_message=(
            "expected a rule: a mapping with one of all, any, at_least (with of), not,"
            " item, criterion, fact, months, for_any"
        ),
    ),
]

#: Tags pydantic puts into error locations for the union above; skipped when
#: mapping a location back to a line.
RULE_TAGS = frozenset(_KINDS)

for _model in (AllNode, AnyNode, AtLeastNode, NotNode, ForAnyNode):
    _model.model_rebuild()

NodeModel = (
    AllNode
    | AnyNode
    | AtLeastNode
    | NotNode
    | ItemNode
    | CriterionNode
    | FactNode
    | MonthsNode
    | ForAnyNode
)

__all__ = [
    "RULE_TAGS",
    "AllNode",
    "AnyNode",
    "AtLeastNode",
    "CriterionNode",
    "FactNode",
    "ForAnyNode",
    "ItemNode",
    "Kind",
    "MonthsNode",
    "NodeModel",
    "NotNode",
    "Rule",
    "Scalar",
]

