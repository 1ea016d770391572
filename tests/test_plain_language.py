"""Plain language on every screen (issue 9 point 3).

Every case under tests/cases (walked recursively: other sets add sub-folders)
and every quiz vignette is rendered in text form, as a person sees it, and the
text must hold no field path (``events[0].exposure``, ``timeline.assessed``), no
snake_case key (``unlisted_symptoms``) and no logic jargon ("Kleene"). Names the
user gave (case and event ids) are taken out first: they are the user's words.
The JSON output keeps its keys; that is checked too.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from dsm5check.cases.loading import CASE_SUFFIXES, RulesetResolver
from dsm5check.check.batch import iter_results
from dsm5check.cli import main
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.engine.results import MET, NOT_MET, CaseResult
from dsm5check.render.text import case_tree, readings, summary_table
from dsm5check.teach.quiz import Answers, mark
from dsm5check.teach.render_quiz import marked_view, vignette_view
from dsm5check.teach.vignettes import Vignette, library
from tests.conftest import ROOT, TESTS

CASE_FILES = sorted(p for p in (TESTS / "cases").rglob("*") if p.suffix in CASE_SUFFIXES)

FIELD_PATH = re.compile(r"\b[a-z_]+\[\d+\](?:\.[a-z_]+)*"
                        r"|\b(?!e\.g\b|i\.e\b|a\.m\b|p\.m\b)[a-z]+(?:_[a-z0-9]+)*\.[a-z_]+\b")
SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
JARGON = re.compile(r"\bKleene\b|\bindeterminate\b(?= logic)|\bfor_any\b", re.IGNORECASE)


def _text(*renderables: object) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=100, color_system=None, highlight=False, emoji=False)
    for r in renderables:
        console.print(r)
    return buf.getvalue()


def _user_names(result: CaseResult, case_events: list[str]) -> list[str]:
    return sorted({result.case_id, *case_events}, key=len, reverse=True)


def offending(text: str, user_names: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """Tokens a person should not see: field paths, snake_case keys, jargon."""
    for name in user_names:
        text = text.replace(name, " ")
    flat = " ".join(text.split())  # a wrapped line may split a token; join them back
    found = [m.group(0) for rx in (FIELD_PATH, SNAKE, JARGON) for m in rx.finditer(flat)]
    return sorted(set(found))


def test_the_detector_finds_what_it_must() -> None:
    assert offending("needs events[0].exposure") == ["events[0].exposure"]
    assert offending("not listed (unlisted_symptoms: absent)") == ["unlisted_symptoms"]
    assert offending("combined by Kleene logic") == ["Kleene"]
    assert offending("from timeline.symptom_onset to x") == [
        "symptom_onset", "timeline.symptom_onset"]
    assert offending("a plain sentence, e.g. this one; 8 months 11 days (1.0.0)") == []


def _results() -> list[tuple[Path, CaseResult]]:
    out: list[tuple[Path, CaseResult]] = []
    for path in CASE_FILES:
        problems: list[object] = []
        for r in iter_results([str(path)], RulesetResolver(), problems):  # type: ignore[arg-type]
            out.append((path, r))
    return out


RESULTS = _results()


@pytest.mark.parametrize("path,result", RESULTS,
                         ids=[f"{p.relative_to(TESTS / 'cases')}:{r.case_id}" for p, r in RESULTS])
def test_check_text_of_every_case_is_plain(path: Path, result: CaseResult) -> None:
    events = re.findall(r"^\s*-?\s*id:\s*([\w.-]+)", path.read_text(encoding="utf-8"), re.M)
    text = _text(case_tree(result))
    assert offending(text, _user_names(result, events)) == [], text


def test_summary_table_names_specifiers_in_words() -> None:
    results = [r for _, r in RESULTS]
    names = [n for r in results for n in (r.case_id,)]
    text = _text(summary_table(results))
    assert offending(text, names) == []
    assert "Chronic (course)" in text


def test_readings_of_every_shipped_ruleset_are_plain() -> None:
    from dsm5check.engine.registry import shipped_ids

    for rid in shipped_ids():
        rules = shipped(rid).rules
        assert offending(_text(readings(rules)), [rules.id]) == [], rid


def _all_wrong(v: Vignette) -> tuple[CaseResult, Answers]:
    """Answers that disagree with the engine everywhere, so every reason is shown."""
    loaded = shipped(v.case.ruleset)
    result = evaluate(loaded, v.case)
    judged = {c.id: (NOT_MET if c.status == MET else MET) for c in result.criteria}
    judged["diagnosis"] = NOT_MET if result.diagnosis == MET else MET
    picked = frozenset(s.id for s in result.specifiers if s.status != MET)
    return result, Answers(judged, picked)


VIGNETTES = list(library())


@pytest.mark.parametrize("v", VIGNETTES, ids=[v.id for v in VIGNETTES])
def test_quiz_screens_of_every_vignette_are_plain(v: Vignette) -> None:
    result, answers = _all_wrong(v)
    marked = mark(v.id, result, answers)
    assert not any(r.right for r in marked.rows)  # every reason is on screen
    events = [e.id for e in v.case.events or [] if e.id]
    text = _text(vignette_view(v), marked_view(marked, v))
    assert offending(text, [v.id, *events]) == [], text


def test_json_keeps_its_keys(capsys: pytest.CaptureFixture[str]) -> None:
    case = ROOT / "tests" / "cases" / "unlisted-absent.yaml"
    assert main(["check", str(case), "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)[0]
    assert record["specifiers"] == ["chronic"]
    assert set(record["criteria"]) == set("ABCDEFGH")


# The interview refuses an answer that would make the timeline impossible, saying why
# (issue 9 point 2). Each answer below is refused once, then a good one is given: the
# event after the assessment and in the future, symptoms before the event, a months
# figure that puts them before it, the full picture before the first symptoms.
TIMELINE_KEYS = ("vet-1\r\rybomb blast\r" + "2026-01-01\r" + "2024-03-02\r" + "2\r1\rn"
                 + "3y3y000" + "2y0" + "3y3y00002y" + "3y3y002y2y"
                 + "2024-01-01\r" + "?" + "20\r" + "9\r" + "2024-03-01\r" + "2024-06-01\r"
                 + "yn03n\r")


def test_interview_timeline_messages_are_plain(tmp_path: Path) -> None:
    from tests.test_interview_flows import interview

    code, out = interview(tmp_path, TIMELINE_KEYS)
    assert code == 0, out
    refused = [" ".join(line.split()) for line in out.splitlines() if "Not taken" in line]
    assert len(refused) == 4, out
    for line in refused:
        assert offending(line, ["vet-1"]) == [], line
    event, before_event, months, full = refused
    assert "event 1 on 2026-01-01 is in the future" in event
    assert "event 1 on 2026-01-01, after the assessment on 2025-01-15" in event
    assert "before event 1 on 2024-03-02" in before_event
    assert "about 2023-05 (20 months before the assessment on 2025-01-15)" in months
    assert "would come before event 1 on 2024-03-02" in months
    assert "the full picture on 2024-03-01 would come before the first symptoms" in full


def test_timeline_words_are_those_of_every_ruleset() -> None:
    """The words the timeline checks use for case fields are the rulesets' own."""
    from dsm5check.cases.timeline_checks import FIELD_WORDS
    from dsm5check.engine.registry import shipped_ids

    for rid in shipped_ids():
        facts = shipped(rid).rules.facts
        for key, words in FIELD_WORDS.items():
            assert facts[key].name == words, (rid, key)
