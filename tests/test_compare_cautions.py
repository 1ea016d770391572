"""compare says a case's cautions as check does (a newcomer's finding: check showed
the contract's months example with a caution, compare showed nothing), and a case
every set leaves undecided is not listed as "all agree"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cli import main

CASE = """\
id: m1
events:
  - id: e1
    nature: serious_injury
    exposure: direct
symptoms: {B1: 3, B2: 3, C1: 3, D1: 3, D2: 3, E1: 3, E2: 3}
timeline:
  months_since_symptom_onset: 5
  months_event_to_symptom_onset: 0.5
  months_event_to_full_criteria: 7
"""


@pytest.fixture
def months(tmp_path: Path) -> Path:
    path = tmp_path / "months.yaml"
    path.write_text(CASE)
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["compare", *args, "--rules", "dsm5-ptsd,icd11-ptsd"])
    return code, capsys.readouterr().out


def test_text_says_the_caution_and_not_all_agree(months: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, str(months))
    assert code == 0
    assert "Caution (m1): the months figures disagree" in " ".join(out.split())
    assert "all agree" not in out and "all undecided" in out


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_records_carry_the_cautions_as_check_does(
        months: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    code, out = run(capsys, str(months), "--format", fmt)
    assert code == 0
    record = (json.loads(out)["cases"][0] if fmt == "json"
              else json.loads(out.splitlines()[0]))
    main(["check", str(months), "--format", "json"])  # its exit status is not the point here
    checked = json.loads(capsys.readouterr().out)
    checked = checked[0] if isinstance(checked, list) else checked
    assert record["cautions"] == checked["cautions"]
    assert record["cautions"][0]["at"] == "timeline.months_event_to_full_criteria"


def test_a_case_without_cautions_has_no_key(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(CASE.replace("months_event_to_full_criteria: 7",
                                 "months_event_to_full_criteria: 1"))
    code, out = run(capsys, str(path), "--format", "jsonl")
    assert code == 0
    assert "cautions" not in json.loads(out.splitlines()[0])
