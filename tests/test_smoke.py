from __future__ import annotations

import json

import pytest

from dsm5check.cli import main
from tests.conftest import EXAMPLES


def test_check_example_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(EXAMPLES / "vet-014.yaml"), "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out[0]["diagnosis"] == "met"
    assert out[0]["expected"] == {"matched": True, "mismatches": []}
    assert set(out[0]["criteria"]) == set("ABCDEFGH")
