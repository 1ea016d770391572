"""`check --rules ID` checks every case with that set, reading a case coded for another set
through the crosswalk; the case's own expected block belongs to its own set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cli import main
from tests.conftest import EXAMPLES


def _records(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["check", "--format", "json", *argv])
    return code, json.loads(capsys.readouterr().out)


def test_a_case_naming_its_set_is_checked_with_the_one_asked_for(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, (record,) = _records(capsys, str(EXAMPLES / "vet-014.yaml"), "--rules", "icd11-ptsd")
    assert record["ruleset"]["id"] == "icd11-ptsd"  # type: ignore[index]
    assert record["expected"] is None  # its DSM-5 expectations are not ICD-11's
    assert code == 0
    code, (record,) = _records(capsys, str(EXAMPLES / "vet-014.yaml"), "--rules", "dsm5-asd")
    assert record["ruleset"]["id"] == "dsm5-asd"  # type: ignore[index]


def test_a_case_of_no_named_set_is_read_through_the_crosswalk(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = tmp_path / "plain.yaml"
    case.write_text("id: plain\nsymptoms: {B1: 3, B2: 3, B3: 0}\n")
    code, (record,) = _records(capsys, str(case), "--rules", "icd11-ptsd")
    assert code == 0, capsys.readouterr().err
    criteria = record["criteria"]
    assert criteria["Re"]["status"] == "met"  # type: ignore[index]  # from DSM-5 B2


def test_without_rules_each_case_keeps_its_own_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, (record,) = _records(capsys, str(EXAMPLES / "vet-014.yaml"))
    assert code == 0
    assert record["ruleset"]["id"] == "dsm5-ptsd"  # type: ignore[index]
    assert record["expected"] == {"matched": True, "mismatches": []}
