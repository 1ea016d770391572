"""Engine reasons in plain words: a limit the rules give in months under a month is
said in weeks ("at least 2 weeks", not "0.5 months"), and a criterion read inside
another is named once ("affect dysregulation (not met: ...)", not "affect
dysregulation (affect dysregulation not met: ...)")."""

from __future__ import annotations

import pytest

from dsm5check.cli import main
from dsm5check.engine.reasons import duration_words
from tests.conftest import ROOT

CASES = ROOT / "tests" / "cases"


@pytest.mark.parametrize(("months", "said"), [
    (0.5, "2 weeks"), (0.25, "1 week"), (0.75, "3 weeks"), (1, "1 month"),
    (1.0, "1 month"), (6, "6 months"), (1.5, "1.5 months"), (0.1, "0.1 months"),
])
def test_duration_words(months: float, said: str) -> None:
    assert duration_words(months) == said


def test_two_weeks_said_in_weeks(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(CASES / "icd11-cptsd" / "ten-days.yaml"), "--rules", "icd11-ptsd"])
    flat = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "10 days (needs at least 2 weeks)" in flat
    assert "0.5 month" not in flat
    main(["what-if", str(CASES / "icd11-cptsd" / "ten-days.yaml"), "--rules", "icd11-ptsd"])
    flat = " ".join(capsys.readouterr().out.split())
    assert "two weeks or more at least 2 weeks" in flat
    assert "0.5 month" not in flat


def test_a_criterion_read_inside_another_is_named_once(
        capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(CASES / "icd11-ptsd" / "xwalk-unlisted-absent.yaml")])
    flat = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "affect dysregulation (not met: 0 of 2 present, 1 needed)" in flat
    assert "affect dysregulation (affect dysregulation" not in flat
    assert "negative self-concept (negative self-concept" not in flat
