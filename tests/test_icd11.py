"""The ICD-11 sets (6B40, 6B41) and the generic crosswalk mechanism they use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cases.case import Case
from dsm5check.cli import main
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from tests.conftest import ROOT

DSM_CASE = ROOT / "tests" / "cases" / "a3-natural-death.yaml"
SUDDEN = ROOT / "tests" / "cases" / "icd11-ptsd" / "xwalk-sudden-natural-death.yaml"


def _case(**extra: object) -> Case:
    data: dict[str, object] = {
        "id": "t",
        "events": [{"date": "2024-02-10", "nature": ["serious_injury"], "exposure": ["direct"]}],
        "symptoms": {"B1": 3, "B2": 0, "B3": 3, "C1": 0, "C2": 2, "E3": 2, "E4": 0},
        "timeline": {"symptom_onset": "2024-02-11", "assessed": "2024-09-01"},
        "impairment": {"distress": 2, "social": 3, "occupational": 0},
    }
    data.update(extra)
    return Case.model_validate(data)


def test_rules_list_shows_both_sets(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list"]) == 0
    out = capsys.readouterr().out
    assert "icd11-ptsd" in out and "icd11-cptsd" in out


@pytest.mark.parametrize("rid", ["icd11-ptsd", "icd11-cptsd"])
def test_rules_validate_and_codes(rid: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "validate", str(ROOT / "rules" / f"{rid}.yaml")]) == 0
    rules = shipped(rid).rules
    code = "6B40" if rid == "icd11-ptsd" else "6B41"
    assert [(c.system, c.code) for c in rules.diagnosis.codes] == [
        ("http://id.who.int/icd/release/11/mms", code)]
    assert rules.specifiers == ()  # ICD-11 has no DSM specifiers
    assert rules.interpretation and rules.criterion_map["duration"].interpretation


def test_dsm5_case_read_through_the_crosswalk() -> None:
    """A case coded in DSM-5 (ruleset dsm5-ptsd) checked against ICD-11: items come
    from DSM-5 B3, C2, E3 and the impairment ratings, and say so."""
    result = evaluate(shipped("icd11-ptsd"), _case())
    by_id = {c.id: c for c in result.criteria}
    re_items = {k.name: k for k in by_id["Re"].node.children}
    assert re_items["P2"].status == "met" and re_items["P1"].status == "not_met"
    assert re_items["P2"].reason.startswith("from DSM-5 B3: rated 3")
    assert by_id["FI"].status == "met"  # social rating 3
    # B1 alone (intrusive memories) is not ICD-11 re-experiencing: nothing reads it
    alone = evaluate(shipped("icd11-ptsd"), _case(symptoms={"B1": 4, "B2": 0, "B3": 0}))
    assert {c.id: c.status for c in alone.criteria}["Re"] == "not_met"


def test_what_no_crosswalk_supplies_is_unknown_never_absent() -> None:
    case = _case(unlisted_symptoms="absent")
    result = evaluate(shipped("icd11-cptsd"), case)
    status = {c.id: c.status for c in result.criteria}
    assert status["AD"] == status["NSC"] == status["DR"] == "indeterminate"
    item = next(c for c in result.criteria if c.id == "AD").node.children[0]
    assert "not assessed" in item.reason and "dsm5-ptsd" in item.reason
    # the unlisted DSM-5 items do count as absent through the crosswalk
    assert status["Th"] == "met"
    assert {c.id: c.status for c in result.criteria}["Av"] == "met"


def test_native_answers_fill_the_gap_in_the_same_file() -> None:
    dso = {"C1": 3, "C2": 0, "C3": 2, "C4": 0, "C5": 3, "C6": 0, "C7": 2, "C8": 0, "C9": 0}
    result = evaluate(shipped("icd11-cptsd"), _case(native={"icd11": dso}))
    assert {c.id: c.status for c in result.criteria}["DR"] == "met"
    assert result.diagnosis == "met"
    ptsd = evaluate(shipped("icd11-ptsd"), _case(native={"icd11": dso}))
    assert ptsd.diagnosis == "not_met"  # Complex PTSD takes precedence
    assert {c.id: c.status for c in ptsd.criteria}["CPTSD_precedence"] == "not_met"


def test_a_native_answer_wins_over_the_crosswalk() -> None:
    result = evaluate(shipped("icd11-ptsd"), _case(native={"icd11": {"P2": 0}}))
    p2 = next(c for c in result.criteria if c.id == "Re").node.children[1]
    assert p2.status == "not_met" and "crosswalk" not in p2.detail


def test_the_dsm5_set_reads_an_icd11_case_as_not_assessed() -> None:
    """No crosswalk from ICD-11 into DSM-5: a case coded in ITQ items leaves every DSM-5
    symptom unknown, even with unlisted_symptoms: absent (those are ICD-11 items)."""
    case = Case.model_validate({
        "id": "i", "ruleset": "icd11-ptsd", "unlisted_symptoms": "absent",
        "symptoms": {"P1": 3}, "events": [], "impairment": True,
    })
    result = evaluate(shipped("dsm5-ptsd"), case)
    assert {c.id: c.status for c in result.criteria}["B"] == "indeterminate"


def test_check_explains_crosswalked_items(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(SUDDEN)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "from DSM-5 B2" in out and "from DSM-5 E3" in out
    assert "Complex PTSD ruled out" in out  # the criterion CPTSD_precedence, by its name
    # a rule default is shown as such, never as if the case had said it
    assert "judged it extremely threatening or horrific: not given, read as no" in out


def test_sudden_natural_death_differs_between_the_systems(
    capsys: pytest.CaptureFixture[str]
) -> None:
    """ICD-11 counts a parent's sudden natural death; DSM-5 A3 does not."""
    assert main(["check", str(DSM_CASE), "--format", "json"]) == 0
    dsm = json.loads(capsys.readouterr().out)[0]
    assert dsm["criteria"]["A"]["status"] == "not_met"
    assert main(["check", str(SUDDEN), "--format", "json"]) == 0
    icd = json.loads(capsys.readouterr().out)[0]
    assert icd["criteria"]["Ex"]["status"] == "met" and icd["diagnosis"] == "met"


@pytest.mark.parametrize(("text", "message"), [
    ("coded_in: dsm4-ptsd\n", "no shipped ruleset 'dsm4-ptsd'"),
    ("native: {icd11: {Q1: 2}}\n", "unknown item 'Q1' for coding icd11"),
    ("native: {icd12: {P1: 2}}\n", "unknown coding 'icd12'"),
    ("native: {dsm5-ptsd: {B1: 2}}\n", "coded in 'dsm5-ptsd' already"),
    ("symptoms: {P1: 2}\n", "unknown item 'P1' for ruleset dsm5-ptsd"),
])
def test_bad_coding_keys_name_file_line_col(tmp_path: Path, text: str, message: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("id: c\nruleset: dsm5-ptsd\n" + text)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3:" in err and message in err, err


@pytest.mark.parametrize(("old", "new", "message"), [
    ("P1: {item: B2}", "P1: {item: B9}", "unknown item 'B9' of dsm5-ptsd"),
    ("P1: {item: B2}", "Z1: {item: B2}", "unknown item 'Z1'"),
    ("P1: {item: B2}", "P1: {criterion: B}", "not criteria"),
    ("- from: dsm5-ptsd", "- from: dsm3-ptsd", "no shipped ruleset 'dsm3-ptsd'"),
    ("P1: {item: B2}", "P1: {fact: timeline.nowhere, equals: 1}", "unknown fact"),
])
def test_rules_validate_checks_crosswalks(tmp_path: Path, old: str, new: str, message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "rules" / "icd11-ptsd.yaml").read_text()
    assert old in text
    path = tmp_path / "r.yaml"
    path.write_text(text.replace(old, new, 1))
    assert main(["rules", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err and message in err, err


def test_enough_icd11_cases_per_set() -> None:
    for rid in ("icd11-ptsd", "icd11-cptsd"):
        files = list((ROOT / "tests" / "cases" / rid).iterdir())
        assert len(files) >= 15, rid
        coded_in = [f for f in files if "coded_in: dsm5-ptsd" in f.read_text()]
        assert coded_in and len(coded_in) < len(files)  # crosswalked and native both


def test_case_schema_follows_coded_in(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    import yaml

    for rid in ("icd11-ptsd", "icd11-cptsd"):
        assert main(["schema", "case", "--rules", rid]) == 0
        validator = jsonschema.Draft202012Validator(json.loads(capsys.readouterr().out))
        for path in sorted((ROOT / "tests" / "cases" / rid).iterdir()):
            raw = path.read_text()
            doc = json.loads(raw) if path.suffix == ".json" else yaml.safe_load(raw)
            plain = json.loads(json.dumps(doc, default=str))
            assert not list(validator.iter_errors(plain)), path.name
        wrong = {"id": "w", "coded_in": "dsm5-ptsd", "symptoms": {"P1": 2}}
        assert list(validator.iter_errors(wrong))
        wrong = {"id": "w", "ruleset": rid, "symptoms": {"B1": 2}}
        assert list(validator.iter_errors(wrong))


def test_quiz_library_has_icd11_vignettes_with_disagreements() -> None:
    from dsm5check.teach.vignettes import library

    for rid in ("icd11-ptsd", "icd11-cptsd"):
        mine = [v for v in library() if v.case.ruleset == rid]
        assert len(mine) >= 6, rid
        verdicts = {evaluate(shipped(rid), v.case).diagnosis for v in mine}
        assert {"met", "not_met"} <= verdicts, rid
        assert sum("systems-disagree" in v.topics for v in mine) >= 1, rid
    # one vignette coded in DSM-5 answers, read through the crosswalk
    assert any(v.case.coded_in == "dsm5-ptsd" for v in library())


def test_what_if_on_a_crosswalked_case_proposes_native_answers(
    capsys: pytest.CaptureFixture[str]
) -> None:
    """The self-organisation items of a DSM-5-coded case go under native: icd11, never
    under symptoms (where C1 is DSM-5 avoidance); applying them decides 6B40."""
    import yaml

    path = ROOT / "tests" / "cases" / "icd11-ptsd" / "xwalk-dso-not-assessed.yaml"
    assert main(["what-if", str(path), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"native.icd11.C1"' in out and '"symptoms.C1"' not in out
    data = yaml.safe_load(path.read_text())
    data["native"] = {"icd11": {c: 0 for c in ("C1", "C2")}}
    data.pop("expected")
    assert evaluate(shipped("icd11-ptsd"), Case.model_validate(data)).diagnosis == "met"


def test_icd11_interview_asks_the_itq_clusters_and_saves_a_native_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.test_interview_flows import interview, saved

    keys = ("icd-1\r\rybomb blast\r2024-03-02\r" + "y" + "2\r1\rn"  # judged extreme, event
            + "3y0" + "3y0" + "3y0" + "300"  # Re, Av, Th (with onset), FI
            + "2024-03-20\r" + "\r"  # onset; 'several weeks' not known
            + "000000000" + "\r" * 10)  # self-organisation items, then save
    code, out = interview(tmp_path, keys, rules=str(ROOT / "rules" / "icd11-ptsd.yaml"))
    assert code == 0, out[-2000:]
    assert "[C4]" in out and "[P9]" in out  # the DSO items are asked
    case = saved(tmp_path)
    assert case["ruleset"] == "icd11-ptsd"
    assert case["events"][0]["extremely_threatening"] is True
    assert case["symptoms"]["P1"] == {"severity": 3, "trauma_related": True}
    assert "lasted_several_weeks" not in case.get("timeline", {})  # not known: left out
    capsys.readouterr()
    assert main(["check", str(tmp_path / "case.yaml"), "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)[0]
    assert record["diagnosis"] == "met"
    assert record["criteria"]["CPTSD_precedence"]["status"] == "met"


def test_rules_show_lists_the_crosswalk(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "show", "icd11-ptsd"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Reading a case coded in dsm5-ptsd (DSM-5)" in out
    assert "P2 reliving it here and now │ DSM-5 B3" in out
    assert "DSM-5 social impairment rating" in out
    assert "C1 slow to calm down │ not assessed: code it natively" in out


def test_learn_says_where_each_item_comes_from(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["learn", "--rules", str(ROOT / "rules" / "icd11-cptsd.yaml"), "Re"]) == 0
    out = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "in a case coded in dsm5-ptsd: read from DSM-5 B3" in out
    assert main(["learn", "--rules", str(ROOT / "rules" / "icd11-cptsd.yaml"), "AD"]) == 0
    out = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "not assessed unless coded natively" in out
