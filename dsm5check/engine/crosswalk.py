"""Reading a case coded in another set's items: natively, or through a crosswalk.

A case's answers use the item ids of one set, its *vocabulary*: ``coded_in``,
else ``ruleset``. A set that shares that vocabulary's coding reads them as they
are. Any other set reads each of its items, in this order:

1. from the case's ``native:`` block for the set's coding (coded by hand);
2. through the set's YAML ``crosswalks`` entry for the vocabulary, a rule over
   the other set's answers and the case's facts ("from DSM-5 B2");
3. else it is not assessed: unknown, never absent.

Items read from the case itself (section ``case``, e.g. ``impairment``) are the
same whatever the vocabulary. Nothing here knows a set or an item id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dsm5check.cases.case import Case
from dsm5check.engine.kinds import children
from dsm5check.engine.logic import item_status
from dsm5check.engine.nodes import Ctx
from dsm5check.engine.results import UNKNOWN, NodeResult
from dsm5check.engine.rules_model import AllNode, ItemNode, NodeModel, NotNode
from dsm5check.engine.ruleset import Crosswalk, Ruleset


def vocabulary(case: Case) -> str:
    """The ruleset whose item ids the case's answers use."""
    return case.coded_in or case.ruleset


def source_of(rules: Ruleset, vocab: str) -> Ruleset | None:
    """The shipped ruleset named ``vocab``, when it reads differently from ``rules``;
    None when ``rules`` reads a case of that vocabulary natively.

    A set read from a file (not shipped) keeps reading every case natively unless
    it declares a crosswalk from the case's set."""
    if vocab == rules.id:
        return None
    from dsm5check.engine.registry import shipped, shipped_ids

    known = shipped_ids()
    if vocab not in known:
        return None
    if rules.crosswalk_from(vocab) is None and rules.id not in known:
        return None
    source = shipped(vocab).rules
    if source.vocabulary == rules.vocabulary:
        return None
    # a set that uses another shipped set's items (subthreshold-ptsd: DSM-5's) is read
    # through the crosswalk from that set when there is none from it by name
    if (rules.crosswalk_from(vocab) is None and source.vocabulary != vocab
            and source.vocabulary in known and rules.crosswalk_from(source.vocabulary)):
        return shipped(source.vocabulary).rules
    return source


def describe(rule: NodeModel, label: str) -> str:
    """How an explanation names a crosswalk rule in words: 'DSM-5 B4 or B5' (items,
    else the labels of its leaves, joined by 'and' when all are needed; guards under
    `not` are left out)."""
    names = [n.item if isinstance(n, ItemNode) else n.label or "" for n in _leaves(rule)]
    shown = [n for n in dict.fromkeys(names) if n]
    joiner = " and " if isinstance(rule, AllNode) else " or "
    return f"{label} {joiner.join(shown)}" if shown else label


def _leaves(rule: NodeModel) -> list[NodeModel]:
    if isinstance(rule, NotNode):
        return []
    kids = children(rule)
    if not kids:
        return [rule]
    return [leaf for kid in kids for leaf in _leaves(kid)]


class Foreign:
    """How one ruleset reads one case of another vocabulary (see the module doc)."""

    __slots__ = ("crosswalk", "evaluators", "native", "source", "source_ctx", "vocab")

    def __init__(self, rules: Ruleset, source: Ruleset, evaluators: Mapping[str, Any],
                 case: Case) -> None:
        self.source = source
        self.vocab = source.id
        self.crosswalk: Crosswalk | None = rules.crosswalk_from(source.id)
        self.evaluators = evaluators
        self.native: Mapping[str, Any] = (case.native or {}).get(rules.vocabulary) or {}
        self.source_ctx: Ctx | None = None

    def item(self, item_id: str, nid: str | None, label: str | None, threshold: int,
             ctx: Any) -> NodeResult:
        if item_id in self.native:
            status, info = item_status(self.native[item_id], True, threshold, False)
            info = {**info, "native": True}
            return NodeResult("item", status, item_id, (), nid, label, info)
        ev = self.evaluators.get(item_id)
        if ev is None or self.crosswalk is None:
            return NodeResult("item", UNKNOWN, item_id, (), nid, label,
                              {"value": None, "why": "not_crosswalked", "coded_in": self.vocab})
        if self.source_ctx is None:
            self.source_ctx = Ctx(self.source, {}, ctx.case)
        found: NodeResult = ev(self.source_ctx)
        info = {"crosswalk": describe(self.crosswalk.items[item_id], self.crosswalk.label)}
        return NodeResult("item", found.status, item_id, (found,), nid, label, info)
