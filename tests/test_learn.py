"""learn: the criteria for study, from any ruleset."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from dsm5check.cli import main
from dsm5check.engine.registry import shipped
from dsm5check.engine.ruleset import load_ruleset_file
from dsm5check.teach.learn import learn_view, overview, split_notes
from dsm5check.teach.thresholds import id_list, threshold
from tests.conftest import TESTS

TOY = TESTS / "rulesets" / "teach-toy.yaml"


def _render(renderable: object, width: int = 80) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, highlight=False).print(renderable)
    return buf.getvalue()


def _flat(text: str) -> str:
    return " ".join(w for w in text.split() if w not in {"│", "┃"})


def test_overview_of_the_toy_ruleset_exactly() -> None:
    toy = load_ruleset_file(TOY).rules
    assert _render(overview(toy)) == (
        "Toy weariness syndrome (made up for tests) — overview         \n"
        "┏━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ id ┃ criterion      ┃ needs                                ┃\n"
        "┡━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩\n"
        "│ S  │ Weariness      │ at least 3 of 4 (T1-T4)              │\n"
        "│ W  │ Grown-up       │ any of W1, W2                        │\n"
        "│ L  │ Lasting        │ weariness lasting: at least 2 months │\n"
        "│ X  │ Not from pills │ not (caused by a medicine)           │\n"
        "│    │ Toy weariness  │ all of S, W, L, X met                │\n"
        "└────┴────────────────┴──────────────────────────────────────┘\n"
    )


def test_thresholds_of_the_shipped_criteria() -> None:
    r = shipped("dsm5-ptsd").rules
    needs = {c.id: threshold(c.rule) for c in r.criteria}
    assert needs == {
        "A": "some event with qualifying nature and any of A1-A4",
        "B": "at least 1 of 5 (B1-B5)",
        "C": "at least 1 of 2 (C1, C2)",
        "D": "at least 2 of 7 (D1-D7)",
        "E": "at least 2 of 6 (E1-E6)",
        "F": "symptom duration: more than 1 month",
        "G": "distress or impairment",
        "H": "not attributable to substance or medical condition",
    }
    assert threshold(r.diagnosis.rule) == "all of A, B, C, D, E, F, G, H met"
    assert id_list(["B1", "B3", "B4"]) == "B1, B3, B4"


def test_full_view_has_items_notes_pitfalls_readings_and_specifiers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["learn"]) == 0
    out = _flat(capsys.readouterr().out)
    for expected in (
        "at least 2 of 7 (D1-D7)",
        "Ways to meet it: A1: directly experienced A2: witnessed in person",
        # the pitfalls trainees must see, from the YAML
        "Media exposure counts only for A4, and only as part of the person's work",
        "For a death, A3 needs it to have been violent or accidental",
        "a memory gap caused by a head injury, alcohol or drugs as D1",
        "DSM-5 asks when the full picture was first present",
        "A pounding heart and flinching at a reminder of the event is B5; E4 is a general"
        " jumpiness",
        "Common pitfalls",
        "Our reading (where the source is silent)",
        "exactly one month is not more than one month",
        "With delayed onset [DSM-IV-TR]",
        "Source: DSM-IV-TR",
        "must begin after the event",
    ):
        assert expected in out, expected


def test_one_criterion_or_specifier(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["learn", "E"]) == 0
    out = _flat(capsys.readouterr().out)
    assert out.startswith("╭─ E Changes in arousal and reactivity")
    assert "Criterion" not in out and "D1" not in out
    assert "! Counting insomnia that was there for years before the event" in out
    assert main(["learn", "with_delayed_expression"]) == 0
    out = _flat(capsys.readouterr().out)
    assert "With delayed expression [DSM-5]" in out and "Source: DSM-5" in out


def test_unknown_criterion_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["learn", "Z"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dsm5check learn: no criterion or specifier 'Z' (known: A, B, C, D,"
                          " E, F, G, H, with_dissociative")
    assert ":1:1:" not in err  # not about a file: no file position


def test_any_ruleset(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["learn", "--rules", str(TOY)]) == 0
    out = _flat(capsys.readouterr().out)
    assert "T1 Tired on most days. ! Counting one late night as tiredness." in out
    assert "Ways to meet it: W1: an adult W2: after a long night" in out
    assert "Long haul [made up]" in out and "! Counting from the first yawn." in out
    assert "A toy reading kept for the learn view." in out
    loaded = load_ruleset_file(TOY)
    assert "Weariness" in _render(learn_view(loaded, "S"))


def test_pitfall_notes_are_split_from_teaching_notes() -> None:
    notes, traps = split_notes(("A note.", "Pitfall: doing it wrong."))
    assert notes == ["A note."] and traps == ["Doing it wrong."]
