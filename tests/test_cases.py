"""Every coded case under tests/cases (and examples/) meets its `expected` block.

One parametrized test per case document: adding a vignette needs no Python.
A file that cannot be loaded becomes one failing test that shows its problems.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from dsm5check.cases.loading import CASE_SUFFIXES, LoadedCase, RulesetResolver, load_case_file
from dsm5check.cli import main
from dsm5check.engine.evaluate import evaluate
from dsm5check.errors import Problem
from tests.conftest import EXAMPLES, ROOT, TESTS

CASES = TESTS / "cases"


def _case_files() -> list[Path]:
    files = sorted(p for p in CASES.rglob("*") if p.suffix in CASE_SUFFIXES)
    return files + sorted(EXAMPLES.glob("*.yaml"))


@cache
def _load(path: Path) -> tuple[tuple[LoadedCase, ...], tuple[Problem, ...]]:
    cases, problems = load_case_file(str(path.relative_to(ROOT)), path.read_bytes(),
                                     RulesetResolver())
    return tuple(cases), tuple(problems)


def _params() -> list[object]:
    out: list[object] = []
    for path in _case_files():
        cases, problems = _load(path)
        if problems or not cases:
            out.append(pytest.param(path, None, id=path.name))
        for i, loaded in enumerate(cases):
            out.append(pytest.param(path, i, id=loaded.case.id))
    return out


def test_enough_cases_with_expectations() -> None:
    cases = [c for p in _case_files() if p.parent == CASES for c in _load(p)[0]]
    assert len(cases) >= 44
    ids = [c.case.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique across tests/cases"
    for c in cases:
        exp = c.case.expected
        assert exp is not None and exp.diagnosis is not None, c.case.id
        assert exp.specifiers is not None, f"{c.case.id}: expected.specifiers must be given"
        assert c.case.title, f"{c.case.id}: needs a title"
    suffixes = {p.suffix for p in _case_files()}
    assert {".yaml", ".json"} <= suffixes


@pytest.mark.parametrize(("path", "index"), _params())
def test_case_meets_expectation(path: Path, index: int | None) -> None:
    cases, problems = _load(path)
    assert not problems, "\n".join(str(p) for p in problems)
    assert index is not None, f"{path}: no case in the file"
    loaded = cases[index]
    assert loaded.case.expected is not None, f"{loaded.case.id}: no expected block"
    result = evaluate(loaded.ruleset, loaded.case, file=str(path), line=loaded.doc.line)
    assert result.expected_checked
    assert not result.mismatches, f"{path}:{loaded.doc.line} {loaded.case.id}: " + "; ".join(
        str(m) for m in result.mismatches
    )


def test_check_folder_jsonl(capsys: pytest.CaptureFixture[str]) -> None:
    expected_ids = [c.case.id for p in _case_files() if CASES in p.parents for c in _load(p)[0]]
    code = main(["check", str(CASES), "--format", "jsonl"])
    captured = capsys.readouterr()
    assert captured.err == ""
    lines = captured.out.splitlines()
    records = [json.loads(line) for line in lines]
    assert code == 0
    assert len(lines) == len(expected_ids)
    assert sorted(r["id"] for r in records) == sorted(expected_ids)
    for r in records:
        assert r["expected"] == {"matched": True, "mismatches": []}, r["id"]
        from dsm5check.engine.registry import shipped

        rules = shipped(r["ruleset"]["id"]).rules
        assert set(r["criteria"]) == {c.id for c in rules.criteria}
        if r["file"].count("/") == str(CASES).count("/") + 1:  # top level: DSM-5 cases
            assert r["ruleset"]["id"] == "dsm5-ptsd"
