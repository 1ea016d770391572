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


def test_subthreshold_reads_dsm5_cases_natively() -> None:
    """The research label is built on DSM-5 PTSD's items (`coding: dsm5-ptsd`): every
    DSM-5 case in tests/cases, checked with it, gets the same B, C, D and E as under
    DSM-5 PTSD (the same counts of the same items), and its own expected block (for
    DSM-5) is not applied to the other set."""
    from dsm5check.api import evaluate_many

    files = sorted((TESTS / "cases").glob("*.yaml"))
    assert len(files) >= 40
    for path in files:
        dsm5s = evaluate_many(path)
        subs = evaluate_many(path, ruleset="subthreshold-ptsd")
        assert len(subs) == len(dsm5s) >= 1
        for dsm5, sub in zip(dsm5s, subs, strict=True):
            assert dsm5.ruleset_id == "dsm5-ptsd" and sub.ruleset_id == "subthreshold-ptsd"
            for cid in "BCDE":
                assert sub.criterion(cid).status == dsm5.criterion(cid).status, (path.name, cid)
            assert not sub.mismatches, path.name
