"""Teaching fixes after testing: vignette v04 narrative, quiz and learn rendering."""

from __future__ import annotations

from dsm5check.teach.vignettes import find


def test_v04_narrative_places_the_coded_avoidance_at_assessment() -> None:
    v = find("v04-office-fire")
    assert v.case.symptoms["C2"] == 3
    story = " ".join(v.narrative.split())
    # C2 coded 3: the story must say the avoidance is present now, not only "in the first weeks"
    assert "still there at assessment" in story
    assert "takes the lift even to the first floor" in story
