"""FHIR R4: the Questionnaire, QuestionnaireResponse both ways, and verdicts as Observations."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("fhir.resources")
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

import dsm5check
from dsm5check.cli import main
from dsm5check.engine.registry import shipped, shipped_ids
from dsm5check.exchange import fhir
from dsm5check.exchange.form import build_form
from tests.conftest import ROOT

# A response with no assessed date is authored now (the real clock), so the checks take
# the real date as today too: a fixed date here made them fail from the next day on
# ("authored in the future").
TODAY = dt.date.today()
CASES = sorted((ROOT / "tests" / "cases").glob("*.yaml"))


def _walk(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for it in items:
        out.append(it)
        out += _walk(it.get("item", []))
    return out


@pytest.mark.parametrize("ruleset_id", shipped_ids())
def test_questionnaire_is_valid_r4_and_complete(ruleset_id: str) -> None:
    loaded = shipped(ruleset_id)
    text = fhir.dump(fhir.questionnaire(loaded))
    Questionnaire.model_validate_json(text)  # the FHIR models accept it as read back
    data = json.loads(text)
    items = _walk(data["item"])
    links = [i["linkId"] for i in items]
    assert len(links) == len(set(links)), "linkIds must be unique"
    for it in items:
        for cond in it.get("enableWhen", []):
            assert cond["question"] in links, cond
    coded = {c["code"] for it in items for c in it.get("code", [])}
    rated = {i.id for i in loaded.rules.items if i.section != "case"}
    assert rated <= coded, "every rated item is in the questionnaire with its code"
    scale = next(it for it in items if it.get("code") and it["type"] == "choice")
    assert len(scale["answerOption"]) == 5
    assert data["url"] == f"urn:dsm5check:questionnaire:{ruleset_id}"
    assert not any("sid/icd" in str(c) or "loinc" in str(c) for it in items
                   for c in it.get("code", [])), "never our codes in a standard's namespace"


def test_questionnaire_skips_like_the_interview() -> None:
    data = json.loads(fhir.dump(fhir.questionnaire(shipped("dsm5-ptsd"))))
    items = {i["linkId"]: i for i in _walk(data["item"])}
    onset = items["B1.trauma_related"]
    assert onset["enableBehavior"] == "any"
    assert {c["answerCoding"]["code"] for c in onset["enableWhen"]} == {"2", "3", "4"}
    assert items["events"]["repeats"] is True
    assert items["events"]["enableWhen"][0]["question"] == "events.any"
    months = items["timeline.months_since_symptom_onset.when1"]  # AND of two conditions
    assert months["item"][0]["enableWhen"][0]["operator"] == "exists"


def _paths(data: Any, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    if isinstance(data, dict):
        return {p for k, v in data.items() for p in _paths(v, (*prefix, str(k)))}
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        return {p for x in data for p in _paths(x, prefix)}
    return {prefix}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_response_round_trip_keeps_the_verdict(path: Path, tmp_path: Path) -> None:
    """Equal verdicts when the form asks for every key the case uses; otherwise a key
    the form does not ask for may only turn a status undecided, never decide one."""
    try:
        originals = dsm5check.evaluate_many(path, today=TODAY)
    except dsm5check.CaseError:
        pytest.skip("an invalid case has no verdict to keep")
    for n, (case, original) in enumerate(
            zip(yaml.safe_load_all(path.read_text()), originals, strict=True)):
        _round_trip(case, original, tmp_path / f"response-{n}.json")


def _round_trip(case: dict[str, Any], original: dsm5check.CaseResult, out: Path) -> None:
    loaded = shipped(original.ruleset_id)
    out.write_text(fhir.dump(fhir.response(loaded, case)))
    QuestionnaireResponse.model_validate_json(out.read_text())
    again = dsm5check.evaluate(out, today=TODAY)
    assert again.case_id == original.case_id
    before = [original.diagnosis, *(c.status for c in original.criteria),
              *(s.status for s in original.specifiers)]
    after = [again.diagnosis, *(c.status for c in again.criteria),
             *(s.status for s in again.specifiers)]
    form = {f.path for f in build_form(loaded).fields()}
    asked = {p for p in _paths(case) if p[0] not in ("id", "title", "expected", "ruleset")}
    uncovered = {p for p in asked
                 if not any(p[:len(f)] == f or p[1:1 + len(f)] == f for f in form)}
    uncovered -= {("events", "id"), ("timeline", "assessed")}  # identity; from `authored`
    if not uncovered:
        assert after == before
    else:
        assert all(a in (b, "indeterminate") for a, b in zip(after, before, strict=True))


def _response_file(tmp_path: Path, change: Any = None) -> Path:
    case = yaml.safe_load((ROOT / "tests/cases/a3-accidental-death.yaml").read_text())
    data = json.loads(fhir.dump(fhir.response(shipped("dsm5-ptsd"), case)))
    if change:
        change(data)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_bad_response_answers_are_reported_at_their_line(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    def bad_code(d: dict[str, Any]) -> None:
        d["item"][1]["item"][0]["answer"][0]["valueCoding"]["code"] = "7"

    path = _response_file(tmp_path, bad_code)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    line = _line_of(path, '"code": "7"')
    assert f"{path}:{line}:" in err
    assert "B1 intrusive memories: code '7' is not an answer" in err
    assert "Traceback" not in err


def test_case_checks_apply_to_responses(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    def future(d: dict[str, Any]) -> None:
        d["item"][0]["item"][1]["item"][0]["answer"][0]["valueDate"] = "2031-01-01"

    path = _response_file(tmp_path, future)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:{_line_of(path, '2031-01-01') - 1}:" in err
    assert "in the future" in err


def test_foreign_resources_and_questionnaires_are_refused(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    patient = tmp_path / "patient.json"
    patient.write_text('{"resourceType": "Patient"}')
    other = _response_file(tmp_path, lambda d: d.update(questionnaire="http://x.org/Q/1"))
    assert main(["check", str(patient), str(other)]) == 2
    err = capsys.readouterr().err
    assert "a FHIR Patient is not a case" in err
    assert "answers http://x.org/Q/1" in err


def test_unanswered_questions_stay_unknown(tmp_path: Path) -> None:
    def drop_b(d: dict[str, Any]) -> None:
        d["item"][1]["item"] = []  # no B answers at all

    result = dsm5check.evaluate(_response_file(tmp_path, drop_b), today=TODAY)
    assert result.criterion("B").status == "indeterminate"


def test_check_format_fhir_writes_three_valued_observations(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    files = ["tests/cases/a3-accidental-death.yaml", "tests/cases/a-exposure-missing.yaml"]
    main(["check", "--format", "fhir", *files])
    bundle = Bundle.model_validate_json(capsys.readouterr().out)
    assert bundle.type == "collection"
    obs = [e.resource for e in bundle.entry]
    results = dsm5check.evaluate_many([ROOT / f for f in files])
    for o, r in zip(obs, results, strict=True):
        assert o.valueCodeableConcept.coding[0].code == r.diagnosis
        codes = {c.code.coding[0].code: c.valueCodeableConcept.coding[0].code
                 for c in o.component}
        for c in r.criteria:
            assert codes[c.id] == c.status
        for s in r.specifiers:
            assert codes[s.id] == s.status
        assert o.extension[0].valueString == r.ruleset_sha256
        assert o.method.coding[0].version == r.ruleset_version
        assert any(c.system == "http://hl7.org/fhir/sid/icd-10-cm" and c.code == "F43.10"
                   for c in o.code.coding)
    assert {o.valueCodeableConcept.coding[0].code for o in obs} >= {"indeterminate"}


def test_export_questionnaire_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                      ) -> None:
    out = tmp_path / "q.json"
    assert main(["export", "fhir-questionnaire", "--rules", "dsm5-ptsd", "-o", str(out)]) == 0
    Questionnaire.model_validate_json(out.read_text())
    assert main(["export", "fhir-questionnaire", "--rules", "no-such-set"]) == 2
    assert "no-such-set" in capsys.readouterr().err


def test_interview_saves_a_response_that_checks_the_same(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    """Issue 13: a QuestionnaireResponse exported from an interview and checked gives the
    same verdict as the interview's own case file."""
    import argparse
    import io
    import os
    from unittest import mock

    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from dsm5check.interview.command import run_interview
    from dsm5check.interview.terminal import TerminalPrompter
    from tests.test_interview_flows import FULL

    qr = tmp_path / "case.fhir.json"
    with mock.patch.dict(os.environ, {"LINES": "200"}), create_pipe_input() as inp:
        inp.send_text(FULL + "\r")
        inp.close()
        args = argparse.Namespace(out=str(tmp_path / "case.yaml"), resume=None, draft=None,
                                  rules=None, plain=False, no_skip=False, fhir=str(qr))
        prompter = TerminalPrompter(inp, DummyOutput(), io.StringIO(), color=False)
        assert run_interview(args, prompter, TODAY) == 0
    QuestionnaireResponse.model_validate_json(qr.read_text())
    from_yaml = dsm5check.evaluate(tmp_path / "case.yaml", today=TODAY)
    from_fhir = dsm5check.evaluate(qr, today=TODAY)
    assert from_fhir.diagnosis == from_yaml.diagnosis == "met"
    assert [c.status for c in from_fhir.criteria] == [c.status for c in from_yaml.criteria]
    assert from_fhir.applied_specifiers == from_yaml.applied_specifiers
    assert main(["check", str(qr)]) == 0
