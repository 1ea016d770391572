"""The pytest plugin: off by default; with --dsm5check, cases with expected blocks are tests."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

MATCHING = """\
id: ok-case
events: [{nature: [serious_injury], exposure: [direct]}]
symptoms: {B1: 3, C1: 2, D1: 2, D2: 3, E1: 2, E3: 3}
timeline: {months_since_symptom_onset: 4}
impairment: true
attributable_to_substance_or_medical: false
expected: {diagnosis: met, criteria: {A: met}}
"""

WRONG = """\
id: wrong-case
events: [{nature: [other], exposure: [direct]}]
expected: {diagnosis: met}
"""

NO_EXPECTED = "id: plain-case\n"

BROKEN = "id: broken\nsymptoms: {B1: often}\nexpected: {diagnosis: met}\n"


def _files(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", ok=MATCHING, wrong=WRONG, plain=NO_EXPECTED, broken=BROKEN)


def test_off_unless_asked(pytester: pytest.Pytester) -> None:
    _files(pytester)
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_flag_collects_and_reports_readably(pytester: pytest.Pytester) -> None:
    _files(pytester)
    result = pytester.runpytest_subprocess("--dsm5check", "-v")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    assert "ok.yaml::ok-case PASSED" in out
    assert "plain-case" not in out
    result.stdout.fnmatch_lines([
        "*broken.yaml:2:*",
        "*wrong-case (dsm5-ptsd) does not match its expected block:*",
        "*diagnosis: expected met, got not met*",
        "*A: not met - *",
    ])
    assert "Traceback" not in out


def test_ini_switch_and_ruleset_option(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", ok=MATCHING)
    pytester.makeini("[pytest]\ndsm5check = true\n")
    result = pytester.runpytest_subprocess(
                                           "--dsm5check-rules", "dsm5-ptsd")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest_subprocess(
                                           "--dsm5check-rules", "nope-set")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*no ruleset 'nope-set'*"])


def test_entry_point_is_registered() -> None:
    from importlib.metadata import entry_points

    names = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert names.get("dsm5check") == "dsm5check.pytest_plugin"
