"""A case that leaves a collection out (no `events:` at all) has it not assessed:
`check`'s "Still needed" and its JSON say in words what would decide it (the case
saying there were none), never an empty change set ("not met with " and nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cli import main


def _case(tmp_path: Path) -> str:
    path = tmp_path / "case.yaml"
    path.write_text("id: e\nsymptoms: {B1: 3}\n")
    return str(path)


def test_check_says_what_decides_a_left_out_collection(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path)
    main(["check", case])
    out = capsys.readouterr().out
    lines = out.splitlines()
    at = next(i for i, ln in enumerate(lines) if "A: events" in ln)
    said = lines[at + 1].strip("│├└─ ")
    assert said == "not met with events given as none", lines[at:at + 2]
    main(["check", case, "--format", "json"])
    a = json.loads(capsys.readouterr().out)[0]["what_if"]["A"]
    assert [] not in a["to_not_met"] and [] not in a["to_met"]
    assert a["to_not_met"] == [[{"path": "events", "value": [], "criterion": "A",
                                 "text": "A: events: now not given; say there were none"}]]
    assert a["summary"] == "not met with events given as none"


def test_what_if_checks_it_with_the_engine(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    case = _case(tmp_path)
    main(["what-if", case, "--format", "json"])
    doc = json.loads(capsys.readouterr().out)[0]
    a = next(d for d in doc["deciders"] if d["criterion"] == "A")
    assert a["to_not_met"] == [[{"path": "events", "value": [], "criterion": "A",
                                 "text": "A: events: now not given; say there were none"}]]
    (tmp_path / "none.yaml").write_text("id: e\nevents: []\nsymptoms: {B1: 3}\n")
    main(["check", str(tmp_path / "none.yaml"), "--format", "json"])
    record = json.loads(capsys.readouterr().out)[0]
    assert record["criteria"]["A"]["status"] == "not_met"
