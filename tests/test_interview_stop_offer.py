"""The offer to stop early is made only when the diagnosis itself can no longer be
met, not whenever some criterion is decided as not met.

ICD-11 PTSD needs Complex PTSD ruled out: with no affect-regulation problem (AD
not met) Complex PTSD cannot apply, and PTSD can still be met (here it is). The
same answers in the Complex PTSD set do rule that diagnosis out, and the offer is
made there. Generic: flow.plan_flow asks the engine for the diagnosis; no set or
criterion is named in the code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_interview_flows import TODAY, interview

# TODAY is 2025-01-15: an event, every PTSD symptom present with impairment, onset
# months ago, then both affect-regulation items rated 0; Enter for the rest
HEAD = "v\r\ryx\r2024-10-01\ry2\r1\rn" + "3y" * 6 + "333" + "2024-10-10\r"
OFFER = "can no longer be met"


@pytest.mark.parametrize(("rules", "offered", "diagnosis"), [
    ("icd11-ptsd", False, "met"),  # Complex PTSD ruled out: PTSD still possible
    ("icd11-cptsd", True, "not_met"),  # Complex PTSD needs AD: ruled out
])
def test_stop_is_offered_only_when_the_diagnosis_is_ruled_out(
    tmp_path: Path, rules: str, offered: bool, diagnosis: str
) -> None:
    from dsm5check import evaluate

    code, out = interview(tmp_path, HEAD + "00" + "\r" * 40, rules=rules)
    assert code == 0, out[-2000:]
    assert (OFFER in out) is offered, out[-3000:]
    assert "NOT MET (0 of 2 present, 1 needed)" in out  # the criterion is still reported
    assert evaluate(tmp_path / "case.yaml", today=TODAY).diagnosis == diagnosis
    # the running status names criteria in words (no duration, DSO_FI, bare AD)
    from tests.test_plain_language import internal_ids

    status = [ln for ln in out.splitlines() if ln.startswith("Status:")]
    assert status and "Ex (exposure) met" in status[0]
    assert "Lasting several weeks met" in status[-1] and "AD (affect dysregulation)" in status[-1]
    assert internal_ids("\n".join(status)) == [], status


def test_stopping_when_offered_still_works_for_complex_ptsd(tmp_path: Path) -> None:
    from dsm5check import evaluate

    code, out = interview(tmp_path, HEAD + "00" + "s" + "\r" * 10, rules="icd11-cptsd")
    assert code == 0, out[-2000:]
    result = evaluate(tmp_path / "case.yaml", today=TODAY)
    assert result.diagnosis == "not_met"
    statuses = {c.id: c.status for c in result.criteria}
    assert statuses["NSC"] == "indeterminate"  # not asked: not assessed, never absent
