"""`learn --compare A B`: two sets side by side, with what reads across and what does not."""

from __future__ import annotations

import pytest

from dsm5check.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["learn", "--no-pager", *argv]) == 0
    return " ".join(capsys.readouterr().out.split())


def test_dsm5_and_icd11_side_by_side(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    out = _run(capsys, "--compare", "dsm5-ptsd", "icd11-ptsd")
    assert "B Intrusion symptoms" in out and "Re Re-experiencing in the present" in out
    assert "at least 2 of 7 (D1-D7)" in out
    assert "With delayed expression (DSM-5)" in out
    assert "P1 upsetting dreams of the event │ B2 upsetting dreams" in out
    assert "C1 slow to calm down │ no counterpart: not assessed unless coded" in out


def test_either_order_and_other_sets(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    out = _run(capsys, "--compare", "dsm4tr-ptsd", "dsm5-ptsd")  # crosswalk found either way
    assert "Reading a case coded in dsm5-ptsd for dsm4tr-ptsd" in out
    assert "C7 no sense of a future │ no counterpart" in out
    out = _run(capsys, "--compare", "icd11-ptsd", "dsm5-asd")
    assert "Neither set declares how it reads the other's items" in out


def test_unknown_set_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["learn", "--compare", "dsm5-ptsd", "icd12"]) == 2
    assert "no ruleset 'icd12'" in capsys.readouterr().err
