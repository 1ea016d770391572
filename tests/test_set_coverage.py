"""Every shipped criteria set is covered: at least 15 coded cases with expected
blocks under tests/cases/ and a property test over random cases (issue 10's
"done when"). A new set added to rules/ without them fails here."""

from __future__ import annotations

import ast
from collections import Counter

from dsm5check.cases.loading import RulesetResolver, load_case_file
from dsm5check.engine.registry import shipped_ids
from tests.conftest import ROOT, TESTS


def _cases_per_set() -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted((TESTS / "cases").rglob("*")):
        if path.suffix not in {".yaml", ".yml", ".json", ".jsonl"}:
            continue
        cases, _ = load_case_file(str(path.relative_to(ROOT)), path.read_bytes(),
                                  RulesetResolver())
        for loaded in cases:
            if loaded.case.expected is not None:
                counts[loaded.case.ruleset or "dsm5-ptsd"] += 1
    return counts


def test_every_shipped_set_has_fifteen_coded_cases() -> None:
    counts = _cases_per_set()
    short = {rid: counts[rid] for rid in shipped_ids() if counts[rid] < 15}
    assert not short, f"sets with fewer than 15 coded cases in tests/cases: {short}"


def _sets_named_in_property_tests() -> set[str]:
    named: set[str] = set()
    for path in TESTS.glob("test_properties*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                named.add(node.value)
    return named


def test_every_shipped_set_has_a_property_test() -> None:
    missing = set(shipped_ids()) - _sets_named_in_property_tests()
    assert not missing, f"no property test names these sets: {sorted(missing)}"
