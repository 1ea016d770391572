"""Every bad input gets file:line:col: message naming the key path; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsm5check.cli import main
from tests.conftest import ROOT

BAD = ROOT / "tests" / "bad"

# file -> every line that must appear on standard error (exactly)
EXPECTED: dict[str, list[str]] = {
    "syntax.yaml": [
        "syntax.yaml:4:6: YAML syntax error: mapping values are not allowed in this context",
    ],
    "unknown-key.yaml": [
        "unknown-key.yaml:2:1: unknown key 'symptom'; did you mean 'symptoms'? expected one of:"
        " id, ruleset, coded_in, native, title, subject, unlisted_symptoms, events, symptoms,"
        " dissociation, timeline, impairment, attributable_to_substance_or_medical, notes, expected"
        " (at symptom)",
        "unknown-key.yaml:7:5: unknown key 'viamedia'; did you mean 'via_media'?",
    ],
    "wrong-values.yaml": [
        "wrong-values.yaml:4:13: got 'fire': expected 'actual_or_threatened_death',"
        " 'serious_injury', 'sexual_violence' or 'other' (at events[0].nature[0])",
        "wrong-values.yaml:5:24: got 'telepathy': expected 'direct', 'witnessed',"
        " 'learned_about_close_other' or 'repeated_aversive_details' (at events[0].exposure[1])",
        "wrong-values.yaml:7:7: got 7: expected less than or equal to 4 (at symptoms.B1)",
        "wrong-values.yaml:8:7: got 'often': expected 'present', 'absent' or 'unknown'"
        " (at symptoms.B2)",
        "wrong-values.yaml:9:18: got -1: expected greater than or equal to 0"
        " (at symptoms.D1.severity)",
        "wrong-values.yaml:9:38: got 'maybe': expected true or false"
        " (at symptoms.D1.trauma_related)",
        "wrong-values.yaml:10:7: unknown item 'Z9' for ruleset dsm5-ptsd; expected one of B1,",
        "wrong-values.yaml:11:24: got 5: expected less than or equal to 4"
        " (at impairment.distress)",
        "wrong-values.yaml:12:39: got 'nope': expected true or false"
        " (at attributable_to_substance_or_medical)",
        "wrong-values.yaml:14:31: got -2: expected greater than or equal to 0"
        " (at timeline.months_since_symptom_onset)",
    ],
    "dates.yaml": [
        "dates.yaml:8:18: symptoms began 2024-04-01 (timeline.symptom_onset), before the event"
        " on 2024-05-01 (events[0].date): the symptoms counted must begin on or after it"
        " (at timeline.symptom_onset)",
        "dates.yaml:9:22: full picture first present 2024-03-01 (timeline.full_criteria_met),"
        " before the symptoms began on 2024-04-01 (timeline.symptom_onset): the full picture"
        " cannot come before the first symptom (at timeline.full_criteria_met)",
        "dates.yaml:10:13: assessed 2031-01-01 (timeline.assessed) is in the future",
    ],
    "expected.yaml": [
        "expected.yaml:3:14: got True: expected 'met', 'not_met' or 'indeterminate' (YAML reads"
        " yes/no/on/off as true/false: quote the word) (at expected.diagnosis)",
        "expected.yaml:4:25: unknown criterion 'Z'; expected one of A, B, C, D, E, F, G, H"
        " (at expected.criteria.Z)",
        "expected.yaml:5:25: unknown specifier 'severe'; expected one of"
        " with_dissociative_symptoms, with_delayed_expression, acute, chronic,"
        " with_delayed_onset (at expected.specifiers[1])",
    ],
    "garbage.yaml": ["garbage.yaml:1:1: not a text file: expected UTF-8 YAML or JSON"],
    "empty.yaml": ["empty.yaml:1:1: file is empty: expected a case (a mapping)"],
    "laughs.yaml": [
        "laughs.yaml:1:1: aliases expand to more than 100,000 values; refusing to expand",
    ],
    "list.json": [
        "list.json:1:71: got 9: expected less than or equal to 4 (at [1].symptoms.B1)",
        "list.json:2:15: duplicate key 'id' (first given on line 2); each key may appear once",
    ],
    "trailing.json": [
        "trailing.json:1:20: JSON syntax error: Expecting property name enclosed in double quotes",
    ],
    "notmapping.yaml": [
        "notmapping.yaml:1:1: expected a mapping of keys (a case), got list",
    ],
    "months-disagree.yaml": [
        "months-disagree.yaml:2:89: timeline.months_since_symptom_onset is 5 but the dates give"
        " 0.3 months from timeline.symptom_onset to timeline.assessed; the dates would win:"
        " make them agree or leave one out (at timeline.months_since_symptom_onset)",
    ],
    "child.yaml": [
        "child.yaml:2:22: outside ruleset dsm5-ptsd: it is for individuals older than 6 years;"
        " for children aged 6 and younger the DSM-5 preschool criteria apply: check with"
        " --rules dsm5-ptsd-preschool (age in years: 4 (needs more than 6))"
        " (at subject.age_years)",
    ],
    "impossible-calendar.yaml": [
        "impossible-calendar.yaml:2:17: got '2025-02-30': expected a valid date or datetime,"
        " day value is outside expected range (at events[0].date)",
        "impossible-calendar.yaml:3:22: got '2025-13-01': expected a valid date or datetime,"
        " month value is outside expected range of 1-12 (at timeline.assessed)",
    ],
    "latin1.yaml": [
        "latin1.yaml:2:11: byte 0xe9 is not UTF-8: save the file as UTF-8 (it may be Latin-1"
        " or Windows-1252)",
    ],
    "present-vs-severity.json": [
        "present-vs-severity.json:1:47: present: true disagrees with severity 0 (present means"
        " a rating of 2 or more): give one (at symptoms.B1.present)",
    ],
    "misspelt-value.json": [
        "misspelt-value.json:1:38: got 'serious_injry': expected 'actual_or_threatened_death',"
        " 'serious_injury', 'sexual_violence' or 'other' (did you mean 'serious_injury'?)"
        " (at [0].events[0].nature[0])",
    ],
    "after-assessment.yaml": [
        "after-assessment.yaml:3:65: the assessment on 2025-03-01 (timeline.assessed) would"
        " come before the full picture about 2025-08 (timeline.months_event_to_full_criteria 7,"
        " counted on from the event on 2025-01-01): the full picture cannot come after the"
        " assessment (at timeline.months_event_to_full_criteria)",
    ],
    "dupid.yaml": [
        "dupid.yaml:3:5: case id 'x1' already used in",
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_reports_every_problem(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", str(BAD / name), "--format", "json"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    lines = err.splitlines()
    for want in EXPECTED[name]:
        full = f"{BAD / name}".removesuffix(name) + want
        assert any(line.startswith(full) for line in lines), f"missing {want!r} in:\n{err}"


def test_every_bad_fixture_is_covered() -> None:
    assert {p.name for p in BAD.iterdir()} == set(EXPECTED)


def test_good_cases_still_evaluated_beside_bad_ones(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    code = main(["check", str(BAD), str(ROOT / "examples" / "vet-014.yaml"), "--format", "jsonl"])
    captured = capsys.readouterr()
    ids = [json.loads(line)["id"] for line in captured.out.splitlines()]
    assert code == 2
    # j1 (first of list.json), x1 (first of dupid.yaml) and the example are fine
    assert sorted(ids) == ["j1", "vet-014", "x1"]


def test_deeply_nested_and_missing_paths(tmp_path: object, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    (folder / "deep.json").write_text('{"id": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (folder / "deep.yaml").write_text("id: deep\nx: " + "[" * 5000 + "]" * 5000 + "\n")
    code = main(["check", str(folder), str(folder / "missing.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"{folder / 'deep.json'}:1:1: values are nested too deeply" in err
    assert f"{folder / 'deep.yaml'}:2:" in err
    assert f"{folder / 'missing.yaml'}:1:1: no such file or folder" in err
    assert "Traceback" not in err


def test_empty_folder(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", str(tmp_path)])
    assert code == 2
    assert "folder holds no *.yaml, *.yml, *.json or *.jsonl files" in capsys.readouterr().err


def test_utf16_with_byte_order_mark_is_read(tmp_path: object,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "u16.yaml"
    path.write_bytes("id: u16\nsymptoms: {B1: 3}\n".encode("utf-16"))
    assert main(["check", str(path), "--format", "jsonl"]) == 0
    assert '"id": "u16"' in capsys.readouterr().out


def test_unreadable_folders_are_reported(tmp_path: object,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    from pathlib import Path

    from dsm5check.cases.loading import expand_paths

    top = Path(str(tmp_path))
    (top / "sub").mkdir()
    (top / "a.yaml").write_text("id: a\n")
    real_walk = os.walk

    def walk(path: str, onerror: object = None) -> object:  # a folder that cannot be listed
        assert callable(onerror)
        onerror(PermissionError(13, "Permission denied", str(top / "sub")))
        return real_walk(path)

    monkeypatch.setattr(os, "walk", walk)
    found = [str(p) for p in expand_paths([str(top)])]
    assert str(top / "a.yaml") in found
    assert f"{top / 'sub'}:1:1: cannot read folder: Permission denied" in found


def test_unlisted_absent_covers_a_dissociation_key_left_out(
    capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    import json
    from pathlib import Path

    path = Path(str(tmp_path)) / "pd.yaml"
    path.write_text(
        "id: pd\nunlisted_symptoms: absent\n"
        "events: [{nature: [serious_injury], exposure: [direct]}]\n"
        "symptoms: {B1: 3, C1: 2, D2: 2, D4: 3, E3: 3, E4: 2}\n"
        "timeline: {months_since_symptom_onset: 4}\nimpairment: true\n"
        "attributable_to_substance_or_medical: false\n"
        "dissociation: {depersonalization: 0, attributable_to_substance_or_medical: false}\n"
    )
    assert main(["check", str(path), "--format", "jsonl"]) == 0
    record = json.loads(capsys.readouterr().out)
    # derealization is left out of the block: with unlisted_symptoms absent it is absent
    assert record["specifier_detail"]["with_dissociative_symptoms"]["status"] == "not_met"
    path.write_text(path.read_text().replace("unlisted_symptoms: absent\n", ""))
    main(["check", str(path), "--format", "jsonl"])
    record = json.loads(capsys.readouterr().out)
    assert record["specifier_detail"]["with_dissociative_symptoms"]["status"] == "indeterminate"


def test_a_rating_outside_a_narrower_ruleset_scale(
    tmp_path: object, capsys: pytest.CaptureFixture[str]
) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    text = (ROOT / "rules" / "dsm5-ptsd.yaml").read_text()
    old = "    max: 4\n    labels:\n      0: absent\n"
    assert old in text
    rules = folder / "three.yaml"
    rules.write_text(text.replace(old, "    max: 3\n    labels:\n      0: absent\n", 1)
                     .replace("      4: extreme, incapacitating\n", "", 1))
    case = folder / "c.yaml"
    case.write_text("id: s3\nsymptoms: {B1: 4, B2: {severity: 4}, B3: 7, B4: 3}\n")
    assert main(["check", str(case), "--rules", str(rules)]) == 2
    err = capsys.readouterr().err
    assert f"{case}:2:16: got 4: expected a rating from 0 to 3 (at symptoms.B1)" in err
    assert "got 4: expected a rating from 0 to 3 (at symptoms.B2.severity)" in err
    # 7 is outside the format itself: reported once, by the format
    assert err.count("symptoms.B3") == 1 and "expected less than or equal to 4" in err
    assert "symptoms.B4" not in err


def test_a_line_break_in_a_key_does_not_split_the_problem_line(tmp_path: Path) -> None:
    """A fuzz finding (seed 2027): a JSON key holding U+2028 or NEL was echoed raw in
    the problem's key path, so tools reading the problems line by line
    (str.splitlines) saw a line without file:line:col."""
    import json
    import subprocess
    import sys

    for ch in ("\u2028", "\x85", "\u2029"):
        case = tmp_path / "c.json"
        case.write_text(json.dumps({"id": "x", "ruleset": "dsm5-ptsd",
                                    "symptoms": {f"E3{ch}x": 2}}, ensure_ascii=False),
                        encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "dsm5check", "check", str(case)],
                              capture_output=True, text=True, encoding="utf-8")
        assert proc.returncode == 2
        lines = proc.stderr.splitlines()
        assert lines and all(ln.startswith(f"{case}:") for ln in lines), lines
        assert "E3" in lines[0] and repr(ch)[1:-1] in lines[0]
