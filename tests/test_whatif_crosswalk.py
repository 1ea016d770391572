"""what-if on a case read through a crosswalk (ICD-11 PTSD over a DSM-5 case): the
changes are made to the inputs the case gives (the crosswalk's source), an input
that several items are read from is one change, and each change says the input's
real current value; a fact the case leaves out is said as not given, with what the
rule reads it as."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dsm5check.cases.case import Case
from dsm5check.cases.loading import RulesetResolver, load_case_file
from dsm5check.cli import main
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import resolve, shipped
from dsm5check.engine.results import NOT_MET
from dsm5check.teach.changes import apply_changes, base_data
from dsm5check.teach.whatif import what_if

ICD11 = shipped("icd11-ptsd")
DSO = {f"C{i}": 0 for i in range(1, 10)}
CASE = {
    "id": "xwalk",
    "events": [{"id": "e1", "nature": ["serious_injury"], "exposure": ["direct"]}],
    "timeline": {"symptom_onset": "2024-01-20", "assessed": "2024-06-01"},
    "symptoms": {"B2": 3, "C1": 3, "E3": 3, "E4": 3, "D2": 3, "D4": 3},
    "attributable_to_substance_or_medical": False,
    "impairment": {"social": 0, "occupational": 3, "distress": 0},
    "native": {"icd11": DSO},
}


def _case() -> Case:
    """The case as `what-if CASE --rules icd11-ptsd` reads it (coded in DSM-5)."""
    cases, problems = load_case_file("case.yaml", yaml.safe_dump(CASE).encode(),
                                     RulesetResolver(resolve("icd11-ptsd")))
    assert not problems
    return cases[0].case


def _sets() -> list[list[tuple[str, object, str]]]:
    w = what_if(ICD11, _case())
    return [[(c.path, c.value, c.text) for c in s] for s in w.sets]


def test_one_rating_read_for_two_items_is_one_change() -> None:
    sets = _sets()
    paths = [[p for p, _, _ in s] for s in sets]
    assert ["impairment.occupational"] in paths
    work = next(s for s in sets if [p for p, _, _ in s] == ["impairment.occupational"])
    assert work[0][1] == 1 and isinstance(work[0][1], int)
    assert "work or study: now 3; set to 1" in work[0][2]
    # the items the case does not give are never the ones changed
    assert not any(p.startswith("native.") for s in paths for p in s)
    # the change does what it says (check agrees)
    changed = dict(CASE, impairment={"social": 0, "occupational": 1, "distress": 0})
    assert evaluate(ICD11, Case.model_validate(changed)).diagnosis == NOT_MET


def test_a_crosswalked_item_says_its_real_value_and_source() -> None:
    texts = [t for s in _sets() for _, _, t in s]
    dreams = [t for t in texts if t.startswith("P1 ")]
    assert dreams, texts
    assert all("not assessed" not in t for t in dreams)
    assert ("P1 upsetting dreams of the event, read from B2 upsetting dreams: now rated 3"
            in dreams[0])


def test_a_fact_the_case_leaves_out_is_said_as_not_given() -> None:
    texts = [t for s in _sets() for _, _, t in s]
    threat = [t for t in texts if "extremely threatening" in t]
    assert threat
    assert all("now yes" not in t for t in threat)
    assert "now not given (the rule reads it as yes); set to no" in threat[0]


def test_every_offered_set_is_made_of_inputs_and_works() -> None:
    data = base_data(_case())
    w = what_if(ICD11, _case())
    for s in w.sets:
        case = apply_changes(data, s)
        assert case is not None
        assert evaluate(ICD11, case).diagnosis == NOT_MET


def test_cli_json_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(CASE))
    assert main(["what-if", str(path), "--rules", "icd11-ptsd"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "work or study: now 3; set to 1" in out
    assert "P8" not in out and "P9" not in out
    assert "now not assessed; rate it below 2 + P2" not in out
    assert main(["what-if", str(path), "--rules", "icd11-ptsd", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert "native.icd11" not in json.dumps(doc)
