"""A reason that says an item was read from another set's answers names them in
words: 'from DSM-5 PTSD B4 or B5', never the symbol 'B4 / B5'."""

from __future__ import annotations

import pytest

from dsm5check.cases.case import Case
from dsm5check.cli import main
from dsm5check.engine.crosswalk import describe
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.engine.rules_model import AllNode, AnyNode, ItemNode
from tests.conftest import ROOT

CLEAR = ROOT / "tests" / "cases" / "clear-full-ptsd.yaml"


def _case() -> Case:
    return Case.model_validate({
        "id": "t",
        "symptoms": {"B4": 3, "B5": 0, "D1": 0},
        "dissociation": {"depersonalization": 0, "derealization": 3},
    })


def test_either_of_two_items_reads_or() -> None:
    result = evaluate(shipped("dsm5-asd"), _case())
    items = {k.name: k for c in result.criteria for k in c.node.children}
    assert items["B4"].reason.startswith("from DSM-5 PTSD B4 or B5: ")
    assert items["B6"].reason.startswith(
        "from DSM-5 PTSD depersonalization or derealization: ")
    assert items["B7"].reason.startswith("from DSM-5 PTSD D1: rated 0")
    assert all("/" not in k.reason for k in items.values())


def test_all_of_reads_and() -> None:
    both = AllNode.model_validate({"all": [{"item": "B4"}, {"item": "B5"}]})
    either = AnyNode.model_validate({"any": [{"item": "B4"}, {"item": "B5"}]})
    assert describe(both, "DSM-5") == "DSM-5 B4 and B5"
    assert describe(either, "DSM-5") == "DSM-5 B4 or B5"
    assert describe(ItemNode.model_validate({"item": "B2"}), "DSM-5") == "DSM-5 B2"


def test_check_and_learn_print_words(capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", str(CLEAR), "--rules", "dsm5-asd"])
    out = " ".join(capsys.readouterr().out.split())
    assert "from DSM-5 PTSD B4 or B5:" in out
    assert " / " not in out
    assert main(["learn", "B", "--rules", "dsm5-asd"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "read from DSM-5 PTSD B4 or B5" in out
    assert "B4 / B5" not in out
