"""Teaching fixes after testing: vignette v04 narrative, quiz and learn rendering."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType

from dsm5check.engine.registry import shipped
from dsm5check.teach.learn import bullets, learn_view
from dsm5check.teach.quiz import Marked, Row
from dsm5check.teach.render_quiz import marked_view
from dsm5check.teach.vignettes import find

PTSD = shipped("dsm5-ptsd")


def test_v04_narrative_places_the_coded_avoidance_at_assessment() -> None:
    v = find("v04-office-fire")
    assert v.case.symptoms["C2"] == 3
    story = " ".join(v.narrative.split())
    # C2 coded 3: the story must say the avoidance is present now, not only "in the first weeks"
    assert "still there at assessment" in story
    assert "takes the lift even to the first floor" in story


def _render(renderable: RenderableType, width: int) -> list[str]:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(renderable)
    return buf.getvalue().splitlines()


def test_quiz_reasons_wrap_and_are_never_cut() -> None:
    reason = ("months from timeline.symptom_onset to timeline.assessed_or_reassessed_date"
              " is 0.7 (needs more than 1)")
    why = ("symptom duration: 21 days, 2026-10-01 to 2026-10-22 (needs more than 1 month)",)
    rows = (Row("F", "criterion", "Duration of the disturbance", "met", "not met", False,
                reason, why),)
    v = find("v04-office-fire")
    lines = _render(marked_view(Marked(v.id, "dsm5-ptsd", rows), v), 72)
    assert not any("…" in line for line in lines)
    at = next(i for i, line in enumerate(lines) if "you said met, the engine says not met" in line)
    below = " ".join(line.strip() for line in lines[at + 1:at + 6])
    assert reason.replace(" ", "") in below.replace(" ", "")
    assert "- " + why[0] in below
    assert max(len(line) for line in lines) <= 72


def test_learn_wrapped_notes_keep_their_indent() -> None:
    lines = [line.strip("│") for line in _render(learn_view(PTSD, "D"), 60)]
    at = next(i for i, line in enumerate(lines) if "· Gaps from a head injury" in line)
    note_col = lines[at].index("Gaps")
    follow = lines[at + 1]
    assert follow[:note_col].strip() == "" and follow[note_col] != " ", lines[at:at + 2]
    pit = next(i for i, line in enumerate(lines) if "! Counting a memory gap" in line)
    col = lines[pit].index("Counting")
    assert lines[pit + 1][:col].strip() == "" and lines[pit + 1][col] != " "


def test_bullets_hang_for_any_text() -> None:
    text = "word " * 40
    lines = _render(bullets([("·", text, "")]), 30)
    assert len(lines) > 3
    assert lines[0].startswith("  · word")
    assert all(line.startswith("    word") for line in lines[1:])
