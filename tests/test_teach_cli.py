"""Teaching that teaches (issue 9, points 4 and 7): the quiz names the items and
facts that decided each criterion, points out answers that contradict each
other, takes one key per answer and says what was ticked; what-if names each
item with its current rating; `--plain` is ASCII only; `learn` pages long text
on a terminal."""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from rich.console import Console

from dsm5check.cli import main
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.engine.results import MET, NOT_MET, UNKNOWN, Status
from dsm5check.teach.ask import BACK, PlainPrompter, QuestionaryPrompter, keys_for
from dsm5check.teach.output import to_ascii
from dsm5check.teach.quiz import DIAGNOSIS, JUDGEMENTS, Answers, mark
from dsm5check.teach.session import run_session
from dsm5check.teach.vignettes import find, library
from dsm5check.teach.whatif import what_if
from dsm5check.teach.why import field_name, implied, why, words
from tests.conftest import EXAMPLES, ROOT

PTSD = shipped("dsm5-ptsd")
CRITERIA = "ABCDEFGH"


def _answers(judged: dict[str, Status], diagnosis: Status) -> Answers:
    return Answers({**judged, DIAGNOSIS: diagnosis}, frozenset())


def _marked(vid: str, judged: dict[str, Status], diagnosis: Status) -> object:
    v = find(vid)
    return mark(v.id, evaluate(PTSD, v.case), _answers(judged, diagnosis), PTSD.rules)


# -- what decided each criterion ------------------------------------------------------


def test_a_job_loss_says_which_event_natures_were_missing() -> None:
    result = evaluate(PTSD, find("v10-redundancy-divorce").case)
    assert why(result.criterion("A").node, PTSD.rules) == (
        "redundancy-and-separation: qualifying nature: no (nature is other; needs actual or"
        " threatened death, serious injury or sexual violence)",
    )


def test_a_met_count_names_the_items_that_counted_with_their_ratings() -> None:
    result = evaluate(PTSD, find("v10-redundancy-divorce").case)
    assert why(result.criterion("B").node, PTSD.rules) == (
        "B1 intrusive memories: rated 3, severe, clearly above threshold",
        "B2 upsetting dreams: rated 2, moderate, at threshold",
        "B4 upset at reminders: rated 2, moderate, at threshold",
        "B5 bodily reactions to reminders: rated 2, moderate, at threshold",
    )


def test_a_short_count_names_what_counted() -> None:
    result = evaluate(PTSD, find("v13-motorbike-concussion").case)
    assert result.criterion("D").status == NOT_MET
    assert why(result.criterion("D").node, PTSD.rules) == (
        "D4 persistent negative emotions: rated 2, moderate, at threshold",
    )


def test_too_early_names_the_span_and_what_it_needs() -> None:
    result = evaluate(PTSD, find("v16-bus-crash-three-weeks").case)
    assert why(result.criterion("F").node, PTSD.rules) == (
        "symptom duration: 21 days, 2026-10-01 to 2026-10-22 (needs more than 1 month)",
    )


def test_an_undecided_criterion_names_what_is_missing() -> None:
    result = evaluate(PTSD, find("v21-brother-found-dead").case)
    (line,) = why(result.criterion("A").node, PTSD.rules)
    assert line.endswith("violent or accidental: not given)")


@pytest.mark.parametrize("vid", [v.id for v in library()])
def test_every_vignette_criterion_is_explained_in_plain_words(vid: str) -> None:
    v = find(vid)
    loaded = shipped(v.case.ruleset)
    result = evaluate(loaded, v.case)
    for node in [c.node for c in result.criteria] + [s.node for s in result.specifiers]:
        lines = why(node, loaded.rules)
        assert lines, (vid, node.name)
        for line in lines:
            assert not re.search(r"\w\[\d+\]|\b[a-z]+_[a-z_]+\b|timeline\.", line), line


def test_words_and_field_names() -> None:
    assert words(["serious_injury", "sexual_violence"], "or") == "serious injury or sexual violence"
    assert words(True) == "yes" and words([]) == "none"
    assert field_name("events[0].nature") == "nature of event 1"
    assert field_name("attributable_to_substance_or_medical") == (
        "attributable to substance or medical")
    assert field_name("timeline.assessed") == "assessed"


# -- answers that contradict each other -----------------------------------------------


def test_criterion_not_met_but_diagnosis_met_is_pointed_out() -> None:
    judged = {c: MET for c in CRITERIA} | {"C": NOT_MET}
    marked = _marked("v10-redundancy-divorce", judged, MET)
    assert marked.notes == (  # type: ignore[attr-defined]
        "You judged C not met, and the diagnosis needs all of A, B, C, D, E, F, G and H met:"
        " by your own answers the diagnosis is not met, yet you answered 'met'.",)


def test_every_criterion_met_but_diagnosis_not_met_is_pointed_out() -> None:
    marked = _marked("v01-motorway-crash", dict.fromkeys(CRITERIA, MET), NOT_MET)
    (note,) = marked.notes  # type: ignore[attr-defined]
    assert note.startswith("You judged every criterion the diagnosis needs as met")
    assert note.endswith("yet you answered 'not met'.")


def test_cant_tell_but_diagnosis_decided_is_pointed_out() -> None:
    judged = dict.fromkeys(CRITERIA, MET) | {"A": UNKNOWN}
    (note,) = _marked("v21-brother-found-dead", judged, MET).notes  # type: ignore[attr-defined]
    assert note.startswith("You could not tell for A")


@pytest.mark.parametrize(("judged", "diagnosis"), [
    (dict.fromkeys(CRITERIA, MET), MET),
    (dict.fromkeys(CRITERIA, MET) | {"C": NOT_MET}, NOT_MET),
    (dict.fromkeys(CRITERIA, MET) | {"A": UNKNOWN}, UNKNOWN),
    (dict.fromkeys(CRITERIA, MET) | {"A": UNKNOWN, "C": NOT_MET}, NOT_MET),
])
def test_consistent_answers_get_no_remark(judged: dict[str, Status], diagnosis: Status) -> None:
    assert _marked("v10-redundancy-divorce", judged, diagnosis).notes == ()  # type: ignore


def test_implied_follows_any_rule_shape() -> None:
    result = evaluate(PTSD, find("v01-motorway-crash").case)
    node = result.diagnosis_node
    assert implied(node, dict.fromkeys(CRITERIA, MET)) == MET
    assert implied(node, dict.fromkeys(CRITERIA, MET) | {"H": NOT_MET}) == NOT_MET
    assert implied(node, {}) == UNKNOWN


def test_the_contradiction_is_shown_after_the_quiz(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("m\nm\nn\nm\nm\nm\nm\nm\nm\n\n"))
    assert main(["quiz", "--vignette", "v10", "--plain"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Check your reasoning: You judged C not met" in out
    assert "Where you and the engine differ, and what decided it:" in out
    assert ("A Exposure to a traumatic event: you said met, the engine says not met no event"
            " qualifies (1 event given)") in out
    assert ("qualifying nature (what the event involved: something else (needs a death or"
            " threat of death, serious injury or sexual violence))") in out
    assert "- C1 avoids inner reminders: rated 2, moderate, at threshold" in out


# -- one key per answer; what was ticked ---------------------------------------------


def test_judgements_have_one_key_each() -> None:
    assert keys_for(JUDGEMENTS) == ["m", "n", "c"]
    assert keys_for([("a", "alpha"), ("b", "also")]) == ["1", "2"]  # clash: numbers


def _ask(keys: str, kind: str, back: bool = False) -> tuple[object, list[str]]:
    said: list[str] = []
    with create_pipe_input() as pipe:
        pipe.send_text(keys)
        p = QuestionaryPrompter(input=pipe, output=DummyOutput(), write=said.append)
        if kind == "select":
            return p.select("Criterion A:", JUDGEMENTS, back=back), said
        choices = (("x", "With X"), ("y", "With Y"), ("z", "With Z"))
        return p.checkbox("Which apply?", choices, back=back), said


@pytest.mark.parametrize(("key", "status"), [("m", MET), ("n", NOT_MET), ("c", UNKNOWN)])
def test_a_single_key_answers_a_judgement(key: str, status: Status) -> None:
    assert _ask(key, "select")[0] == status  # no Enter sent


def test_back_is_one_key_too() -> None:
    assert _ask("<", "select", back=True)[0] == BACK
    assert _ask("<", "checkbox", back=True)[0] == BACK


def test_number_keys_tick_and_the_ticked_ones_are_named() -> None:
    picked, said = _ask("13\r", "checkbox")
    assert picked == ["x", "z"]
    assert said == ["  ticked: With X; With Z"]
    picked, said = _ask("\r", "checkbox")
    assert picked == [] and said == ["  ticked: none"]


def test_plain_prompter_takes_letters_and_names_what_was_ticked() -> None:
    lines = iter(["n", "2,3"])
    said: list[str] = []
    p = PlainPrompter(read=lambda prompt: next(lines), write=said.append)
    assert p.select("Criterion A:", JUDGEMENTS, back=False) == NOT_MET
    assert "  1. (m) met" in said
    assert p.checkbox("Which?", (("x", "With X"), ("y", "With Y"), ("z", "With Z")),
                      back=False) == ["y", "z"]
    assert said[-1] == "  ticked: With Y; With Z"


def test_a_whole_quiz_with_single_keys() -> None:
    # v12: every criterion met except C; diagnosis not met; no specifier
    buf = io.StringIO()
    with create_pipe_input() as pipe:
        pipe.send_text("mmnmmmmmn\r")
        prompter = QuestionaryPrompter(input=pipe, output=DummyOutput(), write=lambda s: None)
        marked = run_session(find("v12-platform-mugging"), prompter,
                             Console(file=buf, width=100))
    assert (marked.correct, marked.total) == (14, 14)


# -- --plain is ASCII -----------------------------------------------------------------


def test_to_ascii() -> None:
    assert to_ascii("a — b · c ≥ “d” ╭─╮ é") .isascii()
    assert to_ascii("A — B").startswith("A - B")


@pytest.mark.parametrize("argv", [["learn", "--plain"], ["learn", "D", "--plain"],
                                  ["learn", "--rules", "dsm5-ptsd", "--plain"]])
def test_learn_plain_is_ascii(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.isascii() and "+-" in out and "|" in out


def test_quiz_plain_is_ascii(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = tmp_path / "q.jsonl"
    monkeypatch.setattr(sys, "stdin", io.StringIO("1\n1\n2\n1\n1\n1\n1\n1\n2\n4\n"))
    assert main(["quiz", "--vignette", "v12-platform-mugging", "--plain", "--log",
                 str(log)]) == 0
    out = capsys.readouterr().out
    assert out.isascii(), [c for c in out if not c.isascii()]
    assert "ticked: Chronic (course) [DSM-IV-TR]" in out
    assert main(["quiz", "--progress", str(log), "--plain"]) == 0
    assert capsys.readouterr().out.isascii()


# -- what-if names each item, its current rating and the change ----------------------


def test_what_if_names_items_with_their_current_rating(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["what-if", str(EXAMPLES / "vet-014.yaml")]) == 0
    out = capsys.readouterr().out
    assert "C1 avoids inner reminders: now rated 2 (moderate, at threshold); rate it" in out
    assert "C2 avoids outer reminders: now not assessed; rate it below 2" in out
    assert "H: attributable to substance or medical: now no; set to yes" in out
    assert not re.search(r"\w\[\d+\]|events\.|symptoms\.", out)


def test_what_if_change_texts_have_no_field_paths() -> None:
    for v in library()[::3]:
        w = what_if(PTSD, v.case, max_changes=2)
        for s in w.sets:
            for c in s:
                assert not re.search(r"\w\[\d+\]|\b[a-z]+_[a-z_]+\b|timeline\.", c.text), c.text
                assert c.text.split(": ")[0]  # names what it changes


# -- learn pages on a terminal --------------------------------------------------------


def _learn_in_a_terminal(tmp_path: Path, *args: str) -> tuple[str, Path]:
    paged = tmp_path / "paged.txt"
    env = {**os.environ, "TERM": "xterm", "PAGER": f"sh -c 'cat > {paged}'"}
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(sys.executable, ["-m", "dsm5check", "learn", *args], cwd=str(ROOT),
                          env=env, encoding="utf-8", timeout=60, dimensions=(40, 120))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    return child.before or "", paged


def test_learn_longer_than_the_screen_goes_through_the_pager(tmp_path: Path) -> None:
    shown, paged = _learn_in_a_terminal(tmp_path)
    text = paged.read_text(encoding="utf-8")
    assert "overview" in text and "Specifiers" in text
    assert text.count("\n") > 40
    assert "overview" not in shown  # nothing printed around the pager


def test_learn_that_fits_is_printed_without_a_pager(tmp_path: Path) -> None:
    shown, paged = _learn_in_a_terminal(tmp_path, "H")
    assert not paged.exists()
    assert "Not due to a substance or medical condition" in shown


def test_no_pager_and_pipes_never_page(tmp_path: Path) -> None:
    shown, paged = _learn_in_a_terminal(tmp_path, "--no-pager")
    assert not paged.exists() and "Specifiers" in shown
