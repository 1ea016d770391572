"""The engine stays generic: no criterion or item id of a shipped ruleset in Python."""

from __future__ import annotations

import re

from dsm5check.cases.case import Case, Dissociation
from dsm5check.engine.registry import shipped, shipped_ids
from tests.conftest import ROOT


def test_no_python_module_names_a_criterion_or_item_id() -> None:
    ids: set[str] = set()
    for rid in shipped_ids():
        rules = shipped(rid).rules
        ids |= {c.id for c in rules.criteria} | {i.id for i in rules.items}
        ids |= {s.id for s in rules.specifiers}
    # keys of the case format itself (e.g. impairment, depersonalization) are the
    # format's vocabulary, which the case model must name
    ids -= set(Case.model_fields) | set(Dissociation.model_fields)
    assert {"A", "D", "B3", "with_delayed_expression"} <= ids  # the guard guards something
    for path in sorted((ROOT / "dsm5check").rglob("*.py")):
        quoted = set(re.findall(r"[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']", path.read_text()))
        found = quoted & ids
        assert not found, f"{path.relative_to(ROOT)} names {sorted(found)}"
