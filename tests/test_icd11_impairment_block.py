"""An ICD-11-coded case reads the contract's `impairment` block when it does not
answer P7-P9 itself (public contract: `impairment` is a key of every case).

P7 comes from the social rating, P8 and P9 from the occupational rating, each at
2 or more -- exactly as the crosswalk reads a DSM-5-coded case -- so the same
answers give the same FI whichever set's items they are coded in. Native P7-P9
answers, when given, decide; a bare `impairment: true` shows no particular
impairment (undecided), and `impairment: false` rules it out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import dsm5check
from dsm5check.cli import main

ICD11 = {"P1": 3, "P2": 0, "P3": 3, "P4": 0, "P5": 3, "P6": 0,
         "C1": 0, "C2": 0, "C3": 0, "C4": 0, "C5": 0, "C6": 0, "C7": 0, "C8": 0, "C9": 0}
# the same PTSD picture coded in DSM-5 items (B2 -> P1, C1 -> P3, E3 -> P5),
# with the self-organisation items given natively
DSM5 = {"B2": 3, "B3": 0, "C1": 3, "C2": 0, "E3": 3, "E4": 0}
DSO = {f"C{n}": 0 for n in range(1, 10)}


def icd11_case(impairment: Any, **answers: int) -> dict[str, Any]:
    case: dict[str, Any] = {"id": "icd", "ruleset": "icd11-ptsd",
                            "symptoms": {**ICD11, **answers}}
    if impairment is not None:
        case["impairment"] = impairment
    return case


def dsm5_case(impairment: Any) -> dict[str, Any]:
    case: dict[str, Any] = {"id": "dsm", "ruleset": "icd11-ptsd", "coded_in": "dsm5-ptsd",
                            "symptoms": DSM5, "native": {"icd11": DSO}}
    if impairment is not None:
        case["impairment"] = impairment
    return case


def fi(result: dsm5check.CaseResult) -> str:
    return next(c.status for c in result.criteria if c.id == "FI")


@pytest.mark.parametrize(("impairment", "expected"), [
    ({"social": 3}, "met"),
    ({"occupational": 2}, "met"),
    ({"social": 1, "occupational": 1}, "not_met"),
    ({"distress": 4}, "indeterminate"),  # distress alone does not show impairment
    (True, "indeterminate"),  # a bare yes names no area
    (False, "not_met"),
    (None, "indeterminate"),
])
def test_api_icd11_case_reads_impairment_like_a_dsm5_coded_one(impairment: Any,
                                                               expected: str) -> None:
    native = dsm5check.evaluate(icd11_case(impairment))
    crossed = dsm5check.evaluate(dsm5_case(impairment))
    assert fi(native) == expected
    assert fi(crossed) == expected


def test_native_p7_p9_answers_decide_over_the_impairment_block() -> None:
    assert fi(dsm5check.evaluate(icd11_case({"social": 4}, P7=0, P8=0, P9=0))) == "not_met"
    assert fi(dsm5check.evaluate(icd11_case({"social": 0}, P8=3))) == "met"
    # P7 answered 0; P8, P9 not answered: the occupational rating decides them
    assert fi(dsm5check.evaluate(icd11_case({"occupational": 3}, P7=0))) == "met"


def test_icd11_cptsd_reads_it_too() -> None:
    case = icd11_case({"social": 3})
    case["ruleset"] = "icd11-cptsd"
    assert fi(dsm5check.evaluate(case)) == "met"


def test_check_json_and_reason_name_the_rating(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(icd11_case({"social": 3})))
    assert main(["check", str(path), "--format", "json"]) in (0, 1)
    out, err = capsys.readouterr()
    [record] = json.loads(out)
    entry = record["criteria"]["FI"]
    assert entry["status"] == "met"
    assert entry["items"]["P7"] == "met"
    assert "from the social impairment rating" in entry["reason"]
    assert "Traceback" not in err


@pytest.mark.parametrize(("old", "new", "words"), [
    ("- {fact: impairment.social, label: social impairment rating, at_least: 2}",
     "- {item: P1}", "reads the case's facts"),
    ("- {fact: impairment.social, label: social impairment rating, at_least: 2}",
     "- {fact: impairment.sociall, at_least: 2}", "sociall"),
])
def test_a_bad_otherwise_rule_is_refused_at_its_place(tmp_path: Path, old: str, new: str,
                                                      words: str) -> None:
    from dsm5check.engine.ruleset import load_ruleset_file
    from dsm5check.errors import InputError
    from tests.conftest import ROOT

    text = (ROOT / "rules" / "icd11-ptsd.yaml").read_text()
    assert text.index(old) < text.index("crosswalks:")  # the first is P7's `otherwise`
    path = tmp_path / "mine.yaml"
    path.write_text(text.replace("id: icd11-ptsd", "id: mine", 1).replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_ruleset_file(path)
    shown = str(err.value)
    assert words in shown
    assert "mine.yaml:" in shown


def test_what_if_says_the_item_was_read_from_the_rating(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    case = icd11_case({"social": 0, "occupational": 1})
    case["events"] = [{"extremely_threatening": True, "index": True}]
    case["timeline"] = {"months_since_symptom_onset": 3}
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump(case))
    main(["what-if", str(path)])
    out, err = capsys.readouterr()
    assert ("P7 PTSD problems affect relationships: now not answered (read from the social"
            " impairment rating); rate it 2 or more") in out, out + err


def test_many_cases_in_one_run_each_read_their_own_block() -> None:
    # results shared between cases (engine/shared.py) must not carry one case's
    # impairment reading over to another with the same (missing) P7-P9
    forms: list[tuple[Any, str]] = [({"social": 3}, "met"), (None, "indeterminate"),
                                     (False, "not_met"), ({"social": 0}, "indeterminate"),
                                     ({"occupational": 4}, "met")]
    cases = []
    for n in range(600):
        case = icd11_case(forms[n % len(forms)][0])
        case["id"] = f"c{n}"
        cases.append(case)
    results = dsm5check.evaluate_many(cases)
    assert [fi(r) for r in results] == [forms[n % len(forms)][1] for n in range(600)]
