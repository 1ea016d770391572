"""`interview --rules ID` works for every shipped set: Enter alone to the end saves a case
that `check` reads, with no answer the keys did not choose (unknown, never absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsm5check import evaluate
from dsm5check.engine.registry import shipped_ids
from tests.test_interview_flows import TODAY, interview, saved


@pytest.mark.parametrize("ruleset", shipped_ids())
def test_enter_alone_through_every_set(ruleset: str, tmp_path: Path) -> None:
    code, out = interview(tmp_path, "vet-1\r" + "\r" * 400, rules=ruleset)
    assert code == 0, out[-2000:]
    case = saved(tmp_path)
    assert case["id"] == "vet-1"
    for value in (case.get("symptoms") or {}).values():
        assert value is None, case  # no rating the keys did not choose
    result = evaluate(tmp_path / "case.yaml", today=TODAY)
    assert result.ruleset_id == ruleset
    assert result.diagnosis == "indeterminate"
