"""`compare` over a folder of cases of several kinds: a set skips the cases it is
not for (a child of 6 or under for the adult criteria; cases coded in items it
cannot read), counts them in one line per set, lists them with --verbose, and
carries them in JSON under "skipped"; skipping alone never makes the run fail."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dsm5check.cli import main
from tests.conftest import ROOT

CASES = ROOT / "tests" / "cases"


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    out = tmp_path / "mixed"
    out.mkdir()
    shutil.copy(CASES / "clear-full-ptsd.yaml", out / "adult.yaml")
    shutil.copy(CASES / "dsm5-ptsd-preschool" / "dog-bite-full.yaml", out / "child.yaml")
    shutil.copy(CASES / "dsm4tr-ptsd" / "avoidance-not-new.yaml", out / "dsm4.yaml")
    return out


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_text_one_line_per_set_and_exit_0(mixed: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["compare", str(mixed), "--rules", "dsm5-ptsd,icd11-ptsd"], capsys)
    assert code == 0, err
    assert err == ""
    assert "dsm5-ptsd: 2 cases skipped — 1 outside the people it is for, 1 coded for" \
        " another set" in " ".join(out.split())
    assert "icd11-ptsd: 2 cases skipped — coded for another set" in out
    assert "child.yaml" not in out  # listed only with --verbose
    code, out, _ = run(["compare", str(mixed), "--rules", "dsm5-ptsd,icd11-ptsd",
                        "--verbose"], capsys)
    assert code == 0
    lines = out.splitlines()  # one line per skipped case, never wrapped
    assert any(line.startswith("  pre-dog-bite-full  ")
               and line.endswith("child.yaml:1  it is for individuals older than 6 years; for"
                                 " children aged 6 and younger the DSM-5 preschool criteria"
                                 " apply: check with --rules dsm5-ptsd-preschool (age in"
                                 " years: 4 (needs more than 6))") for line in lines), out
    assert any("dsm4.yaml:1  its answers use the items of dsm4tr-ptsd, and icd11-ptsd has no"
               " crosswalk from them" in line for line in lines)


def test_json_carries_skipped(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["compare", str(mixed), "--rules", "dsm5-ptsd,icd11-ptsd",
                        "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    # the adult case is read by both; the DSM-IV-TR case by neither; the child's case
    # by neither (too young for DSM-5, preschool items ICD-11 cannot read)
    assert [c["id"] for c in doc["cases"]] == ["clear-full-ptsd"]
    assert doc["summary"]["cases"] == 1
    dsm5 = doc["skipped"]["dsm5-ptsd"]
    assert dsm5["count"] == 2
    assert dsm5["reasons"] == {"outside_population": 1, "coded_for_another_set": 1}
    assert {c["reason"] for c in dsm5["cases"]} == {"outside_population",
                                                    "coded_for_another_set"}
    assert all(set(c) == {"id", "file", "line", "reason", "why"} for c in dsm5["cases"])
    assert doc["skipped"]["icd11-ptsd"]["reasons"] == {"coded_for_another_set": 2}
    assert doc["cases"][0]["skipped"] == {}


def test_jsonl_summary_line_carries_skipped(mixed: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["compare", str(mixed), "--format", "jsonl"], capsys)
    assert code == 0
    last = json.loads(out.splitlines()[-1])
    assert set(last) == {"summary", "skipped"}
    assert last["skipped"]["dsm5-ptsd"]["count"] == 2


def test_a_case_one_set_reads_is_compared_where_it_can_be(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A DSM-5 case without an age is read by DSM-5 and (through the crosswalk)
    ICD-11; a DSM-IV-TR coded case is read by DSM-IV-TR alone: its record shows
    the others skipped and 'agree' is null (nothing to agree with)."""
    shutil.copy(CASES / "dsm4tr-ptsd" / "avoidance-not-new.yaml", tmp_path / "dsm4.yaml")
    code, out, _ = run(["compare", str(tmp_path), "--rules", "dsm4tr-ptsd,icd11-ptsd",
                        "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    (case,) = doc["cases"]
    assert list(case["diagnosis"]) == ["dsm4tr-ptsd"]
    assert case["skipped"] == {"icd11-ptsd": "coded_for_another_set"}
    assert case["agree"] is None
    pair = doc["summary"]["pairs"][0]
    assert pair["rows"] == 0  # never counted in a pair it is not in
    assert doc["summary"]["prevalence"]["icd11-ptsd"]["rows"] == 0
    code, out, _ = run(["compare", str(tmp_path), "--rules", "dsm4tr-ptsd,icd11-ptsd"],
                       capsys)
    assert code == 0
    assert "skipped" in out and "Traceback" not in out
    assert "1 case; all sets reach the same verdict on 0." in out  # not "1 cases"


def test_native_answers_make_a_set_read_the_case(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A case coded in DSM-IV-TR items with ICD-11 answers under native: is read by
    ICD-11 (not skipped)."""
    (tmp_path / "c.yaml").write_text(
        "id: n1\nruleset: dsm4tr-ptsd\nsymptoms: {B1: 3}\n"
        "native: {icd11: {P1: 3, P2: 0}}\n", encoding="utf-8")
    code, out, err = run(["compare", str(tmp_path / "c.yaml"), "--rules",
                          "dsm4tr-ptsd,icd11-ptsd", "--format", "json"], capsys)
    assert code == 0, err
    doc = json.loads(out)
    assert doc["skipped"] == {}
    assert set(doc["cases"][0]["diagnosis"]) == {"dsm4tr-ptsd", "icd11-ptsd"}


def test_workers_skip_the_same(mixed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["compare", str(mixed), "--format", "jsonl"]
    assert run([*base, "--jobs", "2"], capsys) == run([*base, "--jobs", "1"], capsys)


def test_a_set_using_dsm5_items_is_read_through_the_dsm5_crosswalk(
        capsys: pytest.CaptureFixture[str]) -> None:
    """subthreshold-ptsd cases use DSM-5's items (its coding): ICD-11 reads them
    through its crosswalk from DSM-5, so they are compared, not skipped."""
    code, out, _ = run(["compare", str(CASES / "subthreshold-ptsd"), "--rules",
                        "subthreshold-ptsd,icd11-ptsd", "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["skipped"] == {}
    assert doc["summary"]["prevalence"]["icd11-ptsd"]["rows"] == len(doc["cases"]) > 10
    main(["check", str(CASES / "subthreshold-ptsd" / "st-unknown-that-decides.yaml"),
          "--rules", "icd11-ptsd"])
    assert "from DSM-5 " in capsys.readouterr().out
