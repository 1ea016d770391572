"""A new criteria set needs only a YAML file: the made-up tests/rulesets/mini.yaml.

The engine, the loader and the CLI run it without a line of Python knowing
its ids (toy-fatigue, items X1-X4, criteria P, Q, T, a specifier).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from dsm5check.cases.case import Case
from dsm5check.cases.loading import RulesetResolver, load_case_file
from dsm5check.cli import main
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.ruleset import load_ruleset_file
from tests.conftest import TESTS

MINI = TESTS / "rulesets" / "mini.yaml"


def test_loads_with_its_own_ids_and_threshold() -> None:
    loaded = load_ruleset_file(MINI)
    rules = loaded.rules
    assert rules.id == "toy-fatigue"
    assert [i.id for i in rules.items] == ["X1", "X2", "X3", "X4"]
    assert [c.id for c in rules.criteria] == ["P", "Q", "T"]
    assert [s.id for s in rules.specifiers] == ["long_standing"]
    assert rules.symptom_threshold == 3
    assert len(loaded.sha256) == 64


@pytest.mark.parametrize(("symptoms", "timeline", "criteria", "diagnosis", "specifiers"), [
    # threshold 3: all four present, 30 months
    ({"X1": 3, "X2": 4, "X3": 3, "X4": 3}, {"months_since_symptom_onset": 30},
     {"P": "met", "Q": "met", "T": "met"}, "met", ["long_standing"]),
    # ratings of 2 are below this set's threshold of 3
    ({"X1": 2, "X2": 2, "X3": 2, "X4": 2}, {"months_since_symptom_onset": 30},
     {"P": "not_met", "Q": "not_met", "T": "met"}, "not_met", []),
    # forgetting alone (with X1 unknown) leaves Q undecided; dates give 6 months exactly
    ({"X2": 0, "X3": 0, "X4": 3}, {"symptom_onset": "2025-01-31", "assessed": "2025-07-31"},
     {"P": "indeterminate", "Q": "indeterminate", "T": "met"}, "indeterminate", []),
    # words and booleans count; 6 months less a day is not 6 months
    ({"X1": 0, "X2": True, "X3": "absent", "X4": "present"},
     {"symptom_onset": "2025-01-31", "assessed": "2025-07-30"},
     {"P": "met", "Q": "met", "T": "not_met"}, "not_met", []),
    # forgetting alone with the rest absent: Q not met by its `not` rule; T unknown
    ({"X1": 0, "X2": 0, "X3": 0, "X4": 4}, {},
     {"P": "not_met", "Q": "not_met", "T": "indeterminate"}, "not_met", []),
])
def test_evaluates_cases(symptoms: dict[str, Any], timeline: dict[str, Any],
                         criteria: dict[str, str], diagnosis: str, specifiers: list[str]
                         ) -> None:
    case = Case.model_validate(
        {"id": "t", "ruleset": "toy-fatigue", "symptoms": symptoms, "timeline": timeline})
    result = evaluate(load_ruleset_file(MINI), case)
    assert {c.id: c.status for c in result.criteria} == criteria
    assert result.diagnosis == diagnosis
    assert result.applied_specifiers == specifiers
    assert result.ruleset_id == "toy-fatigue"


CASE = """\
id: toy-1
ruleset: toy-fatigue
symptoms: {X1: 4, X2: 1, X3: 3, X4: 0}
timeline: {symptom_onset: 2024-01-15, assessed: 2025-03-01}
expected:
  diagnosis: met
  criteria: {P: met, Q: met, T: met}
  specifiers: []
"""


def test_case_file_through_the_loader(tmp_path: Path) -> None:
    path = tmp_path / "toy-1.yaml"
    path.write_text(CASE)
    resolver = RulesetResolver(load_ruleset_file(MINI))
    cases, problems = load_case_file(str(path), path.read_bytes(), resolver)
    assert problems == []
    result = evaluate(cases[0].ruleset, cases[0].case)
    assert result.matched is True


def test_check_with_rules_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "toy-1.yaml"
    path.write_text(CASE)
    code = main(["check", str(path), "--rules", str(MINI), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    [record] = out
    assert record["ruleset"]["id"] == "toy-fatigue"
    assert record["ruleset"]["version"] == "0.1.0"
    assert set(record["criteria"]) == {"P", "Q", "T"}
    assert record["diagnosis"] == "met"
    assert record["expected"] == {"matched": True, "mismatches": []}


def test_check_with_rules_text_and_mismatch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "toy-2.yaml"
    path.write_text(CASE.replace("toy-1", "toy-2").replace("X1: 4", "X1: 2"))
    code = main(["check", str(path), "--rules", str(MINI)])
    out = capsys.readouterr().out
    assert code == 1  # P falls to 1 of 4 (X1 at 2 is below 3): the expectation fails
    assert "toy-2" in out


def test_check_rejects_items_of_another_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "toy-3.yaml"
    path.write_text(CASE.replace("toy-1", "toy-3").replace("X4: 0", "B1: 3"))
    code = main(["check", str(path), "--rules", str(MINI), "--format", "json"])
    err = capsys.readouterr().err
    assert code == 2
    assert re.search(rf"^{re.escape(str(path))}:3:\d+: .*'B1'", err, re.M), err


def test_rules_validate_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "validate", str(MINI)]) == 0
    out = capsys.readouterr().out
    assert "ok" in out and "toy-fatigue" in out


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


BREAKAGES = {
    # name: (original text, replacement, marker on the broken line, words in the message)
    "unknown item": ("of: [{item: X3}, {item: X4}]", "of: [{item: X3}, {item: X9}]",
                     None, "X9"),
    "at_least too big": ("      at_least: 2\n", "      at_least: 5\n", "at_least: 5", "5"),
    "unknown key": ("    group: mind\n    text: Thinking", "    group: mind\n    colour: blue\n"
                    "    text: Thinking", "colour: blue", "colour"),
}


@pytest.mark.parametrize("name", list(BREAKAGES))
def test_rules_validate_broken_copy(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new, marker, word = BREAKAGES[name]
    text = MINI.read_text()
    assert text.count(old) == 1
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace(old, new))
    assert main(["rules", "validate", str(broken)]) == 2
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines, "expected messages on stderr"
    for ln in lines:
        assert re.match(rf"{re.escape(str(broken))}:\d+:\d+: \S", ln), ln
    assert any(word in ln for ln in lines), err
    if marker is not None:
        want = _line_of(broken.read_text(), marker)
        assert any(ln.startswith(f"{broken}:{want}:") for ln in lines), (want, err)
    assert "Traceback" not in err


def test_rules_validate_reports_all_schema_errors_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = MINI.read_text()
    for _name, (old, new, _marker, _word) in BREAKAGES.items():
        if _name != "unknown item":  # a reference is checked only once the schema is valid
            text = text.replace(old, new)
    broken = tmp_path / "broken-twice.yaml"
    broken.write_text(text)
    assert main(["rules", "validate", str(broken)]) == 2
    err = capsys.readouterr().err
    for marker in ("at_least: 5", "colour: blue"):
        want = _line_of(text, marker)
        assert any(ln.startswith(f"{broken}:{want}:") for ln in err.splitlines()), (marker, err)


def test_check_with_broken_rules_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINI.read_text().replace("{item: X4}]\n", "{item: X9}]\n", 1))
    case = tmp_path / "toy-1.yaml"
    case.write_text(CASE)
    assert main(["check", str(case), "--rules", str(broken)]) == 2
    err = capsys.readouterr().err
    assert re.search(rf"^{re.escape(str(broken))}:\d+:\d+: .*X9", err, re.M), err
