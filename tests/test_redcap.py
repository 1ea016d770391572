"""`export redcap`: a REDCap data dictionary REDCap's importer would accept."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from dsm5check.cli import main
from dsm5check.engine.registry import shipped, shipped_ids
from dsm5check.exchange.redcap import HEADER, data_dictionary


def _rows(ruleset_id: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data_dictionary(shipped(ruleset_id)))))


@pytest.mark.parametrize("ruleset_id", shipped_ids())
def test_dictionary_follows_redcaps_rules(ruleset_id: str) -> None:
    text = data_dictionary(shipped(ruleset_id))
    header = next(csv.reader(io.StringIO(text)))
    assert tuple(header) == HEADER  # REDCap's 18 columns, in its order
    rows = _rows(ruleset_id)
    names = [r["Variable / Field Name"] for r in rows]
    assert names[0] == "record_id"
    assert len(names) == len(set(names))
    for r in rows:
        name = r["Variable / Field Name"]
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name), name
        assert r["Field Type"] in {"text", "notes", "radio", "checkbox", "yesno"}
        if r["Field Type"] in ("radio", "checkbox"):
            for choice in r["Choices, Calculations, OR Slider Labels"].split(" | "):
                code, _, label = choice.partition(", ")
                assert re.fullmatch(r"[A-Za-z0-9_]+", code) and label, choice
        else:
            assert not r["Choices, Calculations, OR Slider Labels"]
        for ref in re.findall(r"\[([a-z0-9_]+)(?:\(([A-Za-z0-9_]+)\))?\]",
                              r["Branching Logic (Show field only if...)"]):
            assert ref[0] in names, f"{name} branches on unknown {ref[0]}"
    rated = {i.id.lower() for i in shipped(ruleset_id).rules.items if i.section != "case"}
    assert rated <= set(names)


def test_items_skips_and_dates() -> None:
    rows = {r["Variable / Field Name"]: r for r in _rows("dsm5-ptsd")}
    b1 = rows["b1"]
    assert b1["Field Type"] == "radio"
    assert b1["Choices, Calculations, OR Slider Labels"].startswith("0, absent | 1, ")
    assert b1["Field Annotation"] == "dsm5check:B1"
    assert rows["b1_trauma_related"]["Branching Logic (Show field only if...)"] == (
        "([b1] = '2' or [b1] = '3' or [b1] = '4')")
    violent = rows["events_violent_or_accidental"]["Branching Logic (Show field only if...)"]
    assert violent == ("[events_nature(actual_or_threatened_death)] = '1' and"
                       " [events_exposure(learned_about_close_other)] = '1'")
    assert rows["events_nature"]["Form Name"] == "events"  # the repeating instrument
    assert rows["timeline_symptom_onset"]["Text Validation Type OR Show Slider Number"] == (
        "date_ymd")


def test_export_redcap_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dict.csv"
    assert main(["export", "redcap", "--rules", "dsm5-ptsd", "-o", str(out)]) == 0
    assert out.read_text() == data_dictionary(shipped("dsm5-ptsd"))
    assert main(["export", "redcap"]) == 0
    assert capsys.readouterr().out.startswith("Variable / Field Name,")
    assert main(["export", "redcap", "-o", str(tmp_path / "no" / "dir.csv")]) == 2
    assert "cannot write" in capsys.readouterr().err


# Field labels and notes say what a REDCap user needs, never the terminal
# interview's keys ("Enter to leave empty", "r to rate"): the interview shows its
# keys itself (interview/prompts.hint), the YAML holds only the question's meaning.
TERMINAL = re.compile(r"\bEnter\b|\bpress\b|\bCtrl\b|\barrows?\b|\bnumber keys\b"
                      r"|\b[a-z] to (?:rate|tick|skip|choose|answer|leave)\b"
                      r"|\(\s*[?<]\s*[:)]|\bkeys? to\b", re.IGNORECASE)


def test_the_terminal_hint_detector_can_fail() -> None:
    assert TERMINAL.search("In a few words, what happened? (Enter to leave empty)")
    assert TERMINAL.search("Answer yes or no, or r to rate distress")
    assert not TERMINAL.search("A key stretch of the event is missing from memory.")


@pytest.mark.parametrize("ruleset_id", shipped_ids())
def test_no_terminal_keys_in_the_dictionary(ruleset_id: str) -> None:
    for r in _rows(ruleset_id):
        for column in ("Field Label", "Field Note", "Section Header",
                       "Choices, Calculations, OR Slider Labels"):
            assert not TERMINAL.search(r[column]), (r["Variable / Field Name"], r[column])


def test_the_interview_still_says_enter_leaves_a_text_empty() -> None:
    from dsm5check.interview.model import Question
    from dsm5check.interview.prompts import hint

    q = Question("events.0.description", "text", "In a few words, what happened?",
                 "description", 0, "set", ("events", 0, "description"))
    assert hint(q, "not known", False).startswith("Enter: leave empty")
