"""`compare`: verdicts side by side, what decides them, and agreement figures by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cli import main
from dsm5check.compare.cases import CaseComparison, Tally
from dsm5check.engine.results import CaseResult
from tests.conftest import ROOT

CASES = ROOT / "tests" / "cases"


def _fake(rid: str, status: str) -> CaseResult:
    from dsm5check.engine.results import NodeResult

    node = NodeResult("all", status, "diagnosis")  # type: ignore[arg-type]
    return CaseResult("c", rid, "1", "", status, node, (), (), None,  # type: ignore[arg-type]
                      False, ())


def test_agreement_figures_match_a_table_computed_by_hand() -> None:
    # reference a vs b: 20 both met, 5 a only, 10 b only, 60 neither, 5 b undecided
    rows = ([("met", "met")] * 20 + [("met", "not_met")] * 5 + [("not_met", "met")] * 10
            + [("not_met", "not_met")] * 60 + [("met", "indeterminate")] * 5)
    tally = Tally(["a", "b"])
    for x, y in rows:
        tally.add(CaseComparison("c", "f", 1, (_fake("a", x), _fake("b", y))))
    pair = tally.summary()["pairs"][0]
    assert pair["both_decided"] == 95 and pair["indeterminate_in_either"] == 5
    assert pair["agreement"]["estimate"] == pytest.approx(80 / 95)
    # kappa by hand: po = 80/95; pe = (25*30 + 70*65) / 95^2
    po, pe = 80 / 95, (25 * 30 + 70 * 65) / 95**2
    assert pair["kappa"]["kappa"] == pytest.approx((po - pe) / (1 - pe))
    assert pair["sensitivity"]["estimate"] == pytest.approx(20 / 25)
    assert pair["specificity"]["estimate"] == pytest.approx(60 / 70)
    assert pair["ppv"]["estimate"] == pytest.approx(20 / 30)
    assert pair["npv"]["estimate"] == pytest.approx(60 / 65)
    prev = tally.summary()["prevalence"]["b"]
    assert (prev["met"], prev["not_met"], prev["indeterminate"]) == (30, 65, 5)


def test_reference_turns_the_pair_round() -> None:
    tally = Tally(["a", "b"])
    for x, y in [("met", "met"), ("met", "not_met"), ("not_met", "not_met")]:
        tally.add(CaseComparison("c", "f", 1, (_fake("a", x), _fake("b", y))))
    pair = tally.summary("b")["pairs"][0]
    assert (pair["reference"], pair["other"]) == ("b", "a")
    assert pair["sensitivity"]["estimate"] == 1.0  # b's one met case is met in a
    assert pair["specificity"]["estimate"] == pytest.approx(1 / 2)


def test_sudden_natural_death_differs_and_says_why(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "220")
    case = CASES / "icd11-ptsd" / "xwalk-sudden-natural-death.yaml"
    if not case.exists():
        case = next((CASES / "icd11-ptsd").glob("*sudden-natural-death*"))
    code = main(["compare", str(case), "--rules", "dsm5-ptsd,icd11-ptsd", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0
    (one,) = doc["cases"]
    assert one["diagnosis"] == {"dsm5-ptsd": "not_met", "icd11-ptsd": "met"}
    assert one["deciding"]["dsm5-ptsd"] == ["A"] and one["agree"] is False
    main(["compare", str(case), "--rules", "dsm5-ptsd,icd11-ptsd"])
    out = capsys.readouterr().out
    assert "dsm5-ptsd not met: exposure to a traumatic event" in out
    assert "not_met" not in out and "indeterminate" not in out  # words, not JSON values


def test_jsonl_streams_cases_then_summary(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(p) for p in sorted(CASES.glob("a*.yaml"))]
    assert main(["compare", *files, "--format", "jsonl", "--rules",
                 "dsm5-ptsd,icd11-ptsd,icd11-cptsd"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    import dsm5check

    in_order = [r.case_id for r in dsm5check.evaluate_many([Path(f) for f in files])]
    assert [x["id"] for x in lines[:-1]] == in_order
    assert len(lines) - 1 == lines[-1]["summary"]["cases"] >= len(files)
    assert len(lines[-1]["summary"]["pairs"]) == 3


def test_expected_blocks_are_checked_against_the_cases_own_set(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("id: w\nevents: [{nature: [other], exposure: [direct]}]\n"
                     "expected: {diagnosis: met}\n")
    assert main(["compare", str(wrong), "--rules", "dsm5-ptsd,icd11-ptsd"]) == 1


def test_bad_input_and_bad_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: b\nsymptoms: {B1: 9}\n")
    good = CASES / "clear-full-ptsd.yaml"
    assert main(["compare", str(bad), str(good), "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert f"{bad}:2:" in captured.err
    assert [c["id"] for c in json.loads(captured.out)["cases"]] == ["clear-full-ptsd"]
    assert main(["compare", str(good), "--rules", "dsm5-ptsd"]) == 2
    assert "at least two" in capsys.readouterr().err
    assert main(["compare", str(good), "--rules", "dsm5-ptsd,icd11-ptsd",
                 "--reference", "icd11-cptsd"]) == 2
    assert "not one of the compared sets" in capsys.readouterr().err
