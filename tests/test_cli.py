"""The command line, in-process through main([...]), as a script would use it."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from dsm5check import __version__
from dsm5check.cli import main
from tests.conftest import EXAMPLES, ROOT

VET = str(EXAMPLES / "vet-014.yaml")


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"dsm5check {__version__}"
    assert main(["--debug", "--version"]) == 0  # through argparse: the same line
    assert capsys.readouterr().out.strip() == f"dsm5check {__version__}"
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("check", "rules", "schema"):
        assert command in out


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: dsm5check" in capsys.readouterr().out


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["check", "--help"]])
def test_startup_imports_nothing_heavy(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from dsm5check.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('pydantic', 'rich', 'yaml', 'questionary', 'duckdb')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=False)
    assert "HEAVY []" in proc.stderr, proc.stderr


def test_json_record_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", VET, "--format", "json"]) == 0
    [record] = json.loads(capsys.readouterr().out)
    assert record["id"] == "vet-014"
    assert set(record["ruleset"]) == {"id", "version", "sha256"}
    assert len(record["ruleset"]["sha256"]) == 64
    assert record["tool"] == {"name": "dsm5check", "version": __version__}
    assert record["diagnosis"] == "met"
    assert list(record["criteria"]) == list("ABCDEFGH")
    assert all({"status", "reason"} <= set(v) for v in record["criteria"].values())
    assert record["criteria"]["D"]["reason"] == "2 of 7 present, 2 needed, 4 not assessed"
    assert record["criteria"]["D"]["items"]["D1"] == "not_met"
    assert sorted(record["specifiers"]) == [
        "chronic", "with_delayed_expression", "with_dissociative_symptoms"
    ]
    assert record["specifier_detail"]["acute"]["source"] == "DSM-IV-TR"
    assert record["expected"] == {"matched": True, "mismatches": []}


def test_exit_code_1_on_mismatch(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    text = (EXAMPLES / "vet-014.yaml").read_text().replace("diagnosis: met", "diagnosis: not_met")
    case = Path(str(tmp_path)) / "wrong.yaml"
    case.write_text(text)
    assert main(["check", str(case), "--format", "jsonl"]) == 1
    record = json.loads(capsys.readouterr().out)
    assert record["expected"]["matched"] is False
    assert record["expected"]["mismatches"] == [
        {"what": "diagnosis", "expected": "not_met", "actual": "met"}
    ]


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    raw = (EXAMPLES / "vet-014.yaml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    assert main(["check", "-", "--format", "jsonl"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["file"] == "<stdin>"


def test_json_and_jsonl_same_records(capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(ROOT / "tests" / "golden" / "cases")
    main(["check", folder, "--format", "json"])
    as_list = json.loads(capsys.readouterr().out)
    main(["check", folder, "--format", "jsonl"])
    as_lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert as_list == as_lines
    assert [r["id"] for r in as_list] == ["g1-met", "g2-undecided", "g3-mismatch"]


def test_parallel_jobs_give_identical_output(capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(ROOT / "tests" / "golden" / "cases")
    code1 = main(["check", folder, VET, "--format", "jsonl", "--jobs", "1"])
    one = capsys.readouterr().out
    code2 = main(["check", folder, VET, "--format", "jsonl", "--jobs", "2"])
    two = capsys.readouterr().out
    assert (code1, one) == (code2, two)
    assert code1 == 1  # g3-mismatch's expectation is wrong on purpose


def test_detail_shows_every_tree(capsys: pytest.CaptureFixture[str]) -> None:
    folder = str(ROOT / "tests" / "golden" / "cases")
    main(["check", folder])
    brief = capsys.readouterr().out
    main(["check", folder, "--detail"])
    detail = capsys.readouterr().out
    assert "g1-met  PTSD (DSM-5): MET" not in brief
    assert "g1-met  PTSD (DSM-5): MET" in detail


def test_rules_list_show_validate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list"]) == 0
    assert "dsm5-ptsd" in capsys.readouterr().out
    assert main(["rules", "show", "dsm5-ptsd"]) == 0
    shown = capsys.readouterr().out
    assert "Exposure to a traumatic event" in shown
    assert "at least 2 of 7" in shown
    assert "DSM-IV-TR" in shown
    assert main(["rules", "validate", str(ROOT / "rules" / "dsm5-ptsd.yaml")]) == 0
    assert ": ok (dsm5-ptsd" in capsys.readouterr().out


def test_rules_validate_reports_lines(tmp_path: object, capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    from pathlib import Path

    text = (ROOT / "rules" / "dsm5-ptsd.yaml").read_text()
    broken = text.replace("of: [{item: C1}, {item: C2}]", "of: [{item: C1}, {item: C9}]")
    broken = broken.replace("symptom_threshold: 2", "symptom_threshold: 2\nthreshhold: 3")
    path = Path(str(tmp_path)) / "broken.yaml"
    path.write_text(broken)
    assert main(["rules", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "unknown key 'threshhold'" in err
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "threshhold" in t)
    assert f"{path}:{line}:1: unknown key 'threshhold'" in err
    # once the keys are right, the reference to an unknown item is found at its own line
    fixed_keys = broken.replace("\nthreshhold: 3", "")
    path.write_text(fixed_keys)
    assert main(["rules", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    line = next(i for i, t in enumerate(fixed_keys.splitlines(), 1) if "{item: C9}" in t)
    assert f"{path}:{line}:31: unknown item 'C9'; expected an id listed under items" in err


def test_schema_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "case"]) == 0
    case_schema = json.loads(capsys.readouterr().out)
    assert case_schema["$schema"].endswith("2020-12/schema")
    assert "symptoms" in case_schema["$defs"]["Case"]["properties"]
    assert case_schema["$defs"]["Case"]["additionalProperties"] is False
    assert main(["schema", "ruleset"]) == 0
    assert "criteria" in json.loads(capsys.readouterr().out)["properties"]


def _case_validator(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    jsonschema = pytest.importorskip("jsonschema")
    assert main(["schema", "case", *argv]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_case_schema_accepts_what_check_accepts(capsys: pytest.CaptureFixture[str]) -> None:
    import re

    import yaml

    validator = _case_validator(capsys)
    contract = (ROOT.parent / "shared" / "case-format.md")
    docs: list[object] = []
    if contract.exists():  # the public contract's own example
        example = re.search(r"```yaml\n(.*?)```", contract.read_text(), re.S)
        assert example is not None
        docs.append(yaml.safe_load(example.group(1)))
    for path in sorted((ROOT / "tests" / "cases").iterdir()):
        if path.is_dir():  # a folder per other ruleset, with its own item names
            continue
        if path.suffix == ".json":
            data = json.loads(path.read_text())
            docs.extend(data if isinstance(data, list) else [data])
        else:
            docs.extend(yaml.safe_load_all(path.read_text()))
    docs += [{"id": 123}, {"id": "w", "events": [{"nature": "serious_injury"}]}]
    docs.append([{"id": "a"}, {"id": "b"}])  # a JSON list of cases
    for doc in docs:
        plain = json.loads(json.dumps(doc, default=str))
        errors = [e.message for e in validator.iter_errors(plain)]  # type: ignore[attr-defined]
        assert not errors, (doc, errors)


def test_case_schema_rejects_names_the_ruleset_does_not_know(
    capsys: pytest.CaptureFixture[str],
) -> None:
    validator = _case_validator(capsys)
    for bad in ({"id": "x", "symptoms": {"D9": 1}},
                {"id": "x", "expected": {"specifiers": ["severe"]}},
                {"id": "x", "expected": {"criteria": {"Z": "met"}}},
                {"id": "x", "symptoms": {"B1": 7}},
                {"id": "x", "viamedia": True}):
        assert list(validator.iter_errors(bad)), bad  # type: ignore[attr-defined]
    open_validator = _case_validator(capsys, "--rules", "none")
    assert not list(open_validator.iter_errors({"id": "x", "symptoms": {"D9": 1}}))  # type: ignore[attr-defined]


def test_other_ruleset_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", VET, "--rules", str(ROOT / "rules" / "dsm5-ptsd.yaml"),
                 "--format", "jsonl"]) == 0
    assert json.loads(capsys.readouterr().out)["diagnosis"] == "met"


def test_unknown_ruleset_named_in_case(tmp_path: object, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "c.yaml"
    path.write_text("id: c1\nruleset: icd10-ptsd\n")
    assert main(["check", str(path)]) == 2
    assert f"{path}:2:10: no shipped ruleset 'icd10-ptsd'" in capsys.readouterr().err


def test_rules_validate_catches_a_repeated_and_an_unused_criterion(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    text = (ROOT / "rules" / "dsm5-ptsd.yaml").read_text()
    assert "      - {criterion: B}\n" in text
    path = Path(str(tmp_path)) / "slip.yaml"
    path.write_text(text.replace("      - {criterion: B}\n", "      - {criterion: A}\n"))
    assert main(["rules", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "criterion 'B' is not used by the diagnosis rule" in err
    assert "criterion 'A' is named twice in the diagnosis rule" in err


def test_rules_validate_checks_fact_paths_against_the_case_format(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    text = (ROOT / "rules" / "dsm5-ptsd.yaml").read_text()
    swaps = [
        ("      fact: attributable_to_substance_or_medical\n",
         "      fact: attributable_to_substance_or_medicall\n"),
        ("- fact: event.via_media\n                    label: not through media\n"
         "                    equals: false",
         "- fact: event.date\n                    label: not through media\n"
         "                    greater_than: 3"),
        ("fact: event.nature\n            label: qualifying nature",
         "fact: event.via_media\n            label: qualifying nature"),
        ("to: timeline.assessed, or_fact: timeline.months_since_symptom_onset}\n"
         "      label: symptom duration",
         "to: timeline.assessd, or_fact: timeline.symptom_onset}\n"
         "      label: symptom duration"),
    ]
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = Path(str(tmp_path)) / "paths.yaml"
    path.write_text(text)
    assert main(["rules", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    for want in (
        "unknown fact 'attributable_to_substance_or_medicall': no such key in a case",
        "event.date holds date: a number comparison does not fit",
        "event.via_media holds bool, not a list: includes_any does not fit",
        "unknown fact 'timeline.assessd': no such key in a case",
        "timeline.symptom_onset holds date, not a number",
    ):
        assert want in err, (want, err)
    assert "Traceback" not in err


def test_a_case_names_a_ruleset_by_id_never_by_path(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "c.yaml"
    path.write_text("id: c1\nruleset: ../rules/dsm5-ptsd\n")
    assert main(["check", str(path)]) == 2
    assert "no shipped ruleset '../rules/dsm5-ptsd'" in capsys.readouterr().err


def test_an_unknown_key_inside_a_rule_is_found_at_its_key(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    text = (ROOT / "rules" / "dsm5-ptsd.yaml").read_text()
    old = "      of: [{item: C1}, {item: C2}]"
    assert old in text
    bad = text.replace(old, "      of: [{item: C1, lable: x}, {item: C2}]")
    path = Path(str(tmp_path)) / "rk.yaml"
    path.write_text(bad)
    assert main(["rules", "validate", str(path)]) == 2
    line = next(i for i, t in enumerate(bad.splitlines(), 1) if "lable" in t)
    err = capsys.readouterr().err
    assert f"{path}:{line}:23: unknown key 'lable'" in err
    assert "(at criteria[2].rule.of[0].lable)" in err  # no union tags in the path
