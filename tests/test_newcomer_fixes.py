"""Findings of a newcomer's session (session 3), each a regression test."""

from __future__ import annotations

import pytest

from dsm5check.cli import main
from tests.conftest import EXAMPLES, TESTS


@pytest.mark.parametrize("command", ["check", "compare"])
@pytest.mark.parametrize("jobs", ["0", "-3", "many"])
def test_jobs_must_be_a_positive_number(capsys: pytest.CaptureFixture[str], command: str,
                                        jobs: str) -> None:
    assert main([command, str(EXAMPLES / "vet-014.yaml"), "--jobs", jobs]) == 2
    err = capsys.readouterr().err
    assert "--jobs" in err and "Traceback" not in err


def test_learn_compare_of_a_set_with_itself_is_refused(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["learn", "--compare", "dsm5-ptsd", "dsm5-ptsd"]) == 2
    assert "two different criteria sets" in capsys.readouterr().err


def test_compare_does_not_count_undecided_cases_as_agreement(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A case every set leaves undecided is counted apart, not as an agreement."""
    case = TESTS / "cases" / "a-exposure-missing.yaml"
    main(["compare", str(case), "--rules", "dsm5-ptsd,dsm4tr-ptsd"])
    out = capsys.readouterr().out
    assert "all sets reach the same verdict on 0; every set leaves 1 undecided." in out
