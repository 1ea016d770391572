"""What a rule asks for, in a few words: "at least 2 of 7 (D1-D7)".

Read from the rule tree's node kinds only, so it works for any ruleset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, final

from dsm5check.engine.kinds import NodeVisitor, visit
from dsm5check.engine.reasons import duration_words, show_value
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
from dsm5check.render.names import name_of

if TYPE_CHECKING:
    from dsm5check.engine.ruleset import Ruleset

#: Above this length the conditions on a collection's element are summed up by the
#: node's label ("some event: extremely threatening event").
LONG = 90

_CMP = {
    "==": "is", "in": "is one of", "includes_any": "includes one of",
    ">": "more than", ">=": "at least", "<": "less than", "<=": "at most",
}


def _shown(v: object) -> str:
    return show_value(v, "")


def id_list(ids: list[str]) -> str:
    """"B1-B5" for a run of numbered ids with one prefix, else the ids listed."""
    heads = {i.rstrip("0123456789") for i in ids}
    nums = [i[len(i.rstrip("0123456789")):] for i in ids]
    if len(ids) > 2 and len(heads) == 1 and all(nums):
        values = [int(n) for n in nums]
        if values == list(range(values[0], values[0] + len(values))):
            return f"{ids[0]}-{ids[-1]}"
    return ", ".join(ids)


def _crit(cid: str, rules: Ruleset | None) -> str:
    """A criterion as people see it: its id, or its plain name when it has one."""
    found = rules.criterion_map.get(cid) if rules is not None else None
    return name_of(found) if found is not None else cid


def threshold(node: NodeModel, rules: Ruleset | None = None) -> str:
    """A short phrase for what the rule needs (``rules`` names criteria in words)."""
    return visit(node, _THRESHOLD if rules is None else _Threshold(rules))


@final
class _Threshold(NodeVisitor[str]):
    def __init__(self, rules: Ruleset | None = None) -> None:
        self.rules = rules

    def visit_all(self, node: AllNode) -> str:
        refs = [k.criterion for k in node.all if isinstance(k, CriterionNode)]
        if len(refs) == len(node.all) > 1:
            return f"all of {', '.join(_crit(c, self.rules) for c in refs)} met"
        return " and ".join(_part(k, self.rules) for k in node.all)

    def visit_any(self, node: AnyNode) -> str:
        ids = [k.id for k in node.any]
        if all(ids):
            return f"any of {id_list([i for i in ids if i])}"
        parts = [_part(k, self.rules) for k in node.any]
        if len(parts) > 1 and any(" and " in p or " or " in p or ": " in p for p in parts):
            # ways that are phrases of their own: "either a month or more: at least 1
            # month; or two weeks or more: ... and ...", not one run of words
            return "either " + "; or ".join(parts)
        return " or ".join(parts)

    def visit_at_least(self, node: AtLeastNode) -> str:
        kids = node.of
        names = [k.item if isinstance(k, ItemNode) else (k.id or "") for k in kids]
        inside = f" ({id_list(names)})" if all(names) else ""
        return f"at least {node.at_least} of {len(kids)}{inside}"

    def visit_not(self, node: NotNode) -> str:
        inner = threshold(node.not_, self.rules)
        if inner.startswith("all of "):  # "not all of AD, NSC, DR met", not "not (all ...)"
            return f"not {inner}"
        return f"not ({inner})"

    def visit_item(self, node: ItemNode) -> str:
        return node.label or f"{node.item} present"

    def visit_criterion(self, node: CriterionNode) -> str:
        return f"{_crit(node.criterion, self.rules)} met"

    def visit_fact(self, node: FactNode) -> str:
        if node.label:
            return node.label
        op, value = node.comparison()
        return f"{node.fact} {_CMP[op]} {_shown(value)}"

    def visit_months(self, node: MonthsNode) -> str:
        op, value = node.comparison()
        what = node.label or f"months from {node.months.from_} to {node.months.to}"
        return f"{what}: {_CMP[op]} {span_words(value)}"

    def visit_for_any(self, node: ForAnyNode) -> str:
        inner = threshold(node.where, self.rules)
        # the collection's own word ("events" -> "event"), not the rule's name for
        # one element (a ruleset may call it "ev")
        noun = node.for_any.rsplit(".", 1)[-1]
        noun = noun[:-1] if noun.endswith("s") and len(noun) > 1 else noun
        if len(inner) > LONG and node.label:
            return f"some {noun}: {node.label}"
        return f"some {noun} with {inner}"


_THRESHOLD = _Threshold()


def span_words(months: float) -> str:
    """A span in months as people say it: "1 month", "3 months", and under a
    month in weeks when it is a whole number of them ("2 weeks" for 0.5, the
    rulesets' reading of two weeks as half a month)."""
    return duration_words(months)


def _part(node: NodeModel, rules: Ruleset | None = None) -> str:
    if node.id and not isinstance(node, (AtLeastNode, ItemNode)):
        return node.id
    return threshold(node, rules)
