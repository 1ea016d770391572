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
    assert internal_ids(text, _user_names(result, events)) == [], text


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
    # with the ruleset, as the quiz marks: each row also says what decided it
    marked = mark(v.id, result, answers, shipped(v.case.ruleset).rules)
    assert not any(r.right for r in marked.rows)  # every reason is on screen
    events = [e.id for e in v.case.events or [] if e.id]
    text = _text(vignette_view(v), marked_view(marked, v))
    assert internal_ids(text, [v.id, *events]) == [], text


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


# --- every shipped ruleset, every text screen: no internal criterion ids ----------------
#
# Issue 10 follow-up: ICD-11 ids such as `duration`, `DSO_FI` and `CPTSD_precedence`
# reached quiz, learn, what-if, check and compare text. A criterion whose id is not a
# code readers know carries a plain `name` in its YAML; text shows that (or its title).
# Besides field paths and snake_case, the detector below fails on any token with an
# underscore (DSO_FI), on camelCase, and on a named criterion's id used where an id
# stands: "duration Lasting ...", "criterion duration", "duration: ...", "duration met".

from dsm5check.engine.registry import shipped_ids  # noqa: E402

UNDERSCORED = re.compile(r"\b\w*[A-Za-z0-9]_\w+\b")
CAMEL = re.compile(r"\b[a-z]+[A-Z][A-Za-z]*\b")
CODE = re.compile(r"^[A-Z]$")  # DSM's lettered criteria: the only codes readers know
SHORT = re.compile(r"^[A-Z][A-Za-z]{0,3}[0-9]*$")  # a code shown with its name: Re, NSC


def _named_ids() -> set[str]:
    """Named criteria whose id is no code at all (duration, DSO_FI): never shown."""
    return {c.id for rid in shipped_ids() for c in shipped(rid).rules.criteria
            if c.name and not SHORT.match(c.id)}


def _named_codes() -> dict[str, str]:
    """Short codes with a name (ICD-11's Ex, Re, AD ...): shown only beside their
    name ("AD (affect dysregulation)") or heading their title ("AD Problems in ...")."""
    return {c.id: c.name for rid in shipped_ids() for c in shipped(rid).rules.criteria
            if c.name and SHORT.match(c.id)}


NAMED_CODES = _named_codes()


def _id_patterns() -> list[re.Pattern[str]]:
    """Where an id stands as an id: before its title, after "criterion", heading a
    line ("duration: ..."), or in a list of criteria ("Re, duration, FI")."""
    out = []
    for cid in sorted(_named_ids()):
        e = re.escape(cid)
        out.append(re.compile(
            rf"(?<![\w-]){e} [A-Z][a-z]|[Cc]riterion {e}\b"
            rf"|^[\s│├└─┃|?]*(?:\[.\]\s*)?(?:- )?{e}:"
            rf"|, {e}(?:,| met\b| and\b)|\bof {e},",
            re.MULTILINE))
    return out


ID_PATTERNS = _id_patterns()
NAMES = sorted({c.name for rid in shipped_ids() for c in shipped(rid).rules.criteria if c.name},
               key=len, reverse=True)


def internal_ids(text: str, user_names: list[str] = ()) -> list[str]:  # type: ignore[assignment]
    """Internal ids a person should not see (besides :func:`offending`)."""
    for name in user_names:
        text = text.replace(name, " ")
    found = offending(text)
    flat = " ".join(text.split())
    found += [m.group(0) for rx in (UNDERSCORED, CAMEL) for m in rx.finditer(flat)]
    found += bare_codes(text)
    for name in NAMES:  # a plain name wrapped over two lines is still the name
        text = re.sub(r"\s+".join(map(re.escape, name.split())), "<name>", text)
    found += [m.group(0).strip() for rx in ID_PATTERNS for m in rx.finditer(text)]
    return sorted(set(found))


def bare_codes(text: str) -> list[str]:
    """A short code (AD) standing alone: not followed by its name in brackets nor by
    the title it heads. Items (C1) and ordinary words are not matched."""
    # a table cell's text wrapped over lines reads on across the other cells' borders
    flat = " ".join(re.sub(r"[│┃|]", " ", text).split())
    out = []
    for cid, name in NAMED_CODES.items():
        for m in re.finditer(rf"(?<![\w-]){re.escape(cid)}(?![\w-])", flat):
            after = flat[m.end():]
            # "AD (affect dysregulation)", "AD Problems in ...", or a table's id
            # column beside the title: "AD │ Problems in ..."
            # ... or with its title in brackets: "Criterion AD (Problems in ...)"
            if after.startswith(f" ({name})") or re.match(r" \(?[A-Z][a-z]", after):
                continue
            # in a table, another cell's words may come between the code and its name
            first = re.escape(name.split()[0])
            last = " " + name.split()[-1]
            if re.match(rf" (?:\S+ ){{0,3}}\({first}\b", after) and last in after[:120]:
                continue
            out.append(flat[max(0, m.start() - 20):m.end() + 20])
    return out


def test_the_id_detector_finds_what_it_must() -> None:
    assert "DSO_FI" in internal_ids("├── [?] DSO_FI Impairment")
    assert "Criterion duration" in internal_ids(
        "? Criterion duration (Lasting at least several weeks):")
    assert internal_ids("│ duration Lasting at least several weeks │") == ["duration La"]
    assert internal_ids("    └── clusters: C1") == ["└── clusters:"]
    assert internal_ids("│   ├── [?] duration: indeterminate") == ["│   ├── [?] duration:"]
    # a wrapped name
    assert internal_ids("is NOT MET (Two or three of the four symptom\nclusters: not met)") == []
    # the short codes standing alone are found too (Ex, Re, FI: bare_codes)
    assert ", duration," in internal_ids("needs: all of Ex, Re, duration, FI met")
    assert internal_ids("needs: all of Ex (exposure), Re (re-experiencing), Lasting"
                        " several weeks, FI (functional impairment) met") == []
    assert internal_ids("a helpfulThing here") == ["helpfulThing"]
    # plain prose with the same words is fine
    assert internal_ids("symptom duration: more than 1 month; Duration counts from onset;"
                        " Duration of more than one month; two or three clusters met,"
                        " clusters with impairment; the clusters B, C, D and E;"
                        " [?] all four clusters: undecided") == []


def test_the_code_detector_finds_what_it_must() -> None:
    assert bare_codes("needs all of AD, NSC met") != []
    assert bare_codes("├── [-] AD: not met") != []
    assert bare_codes("AD (affect dysregulation): not met; AD Problems in affect"
                      " regulation; Re-experiencing; C1 slow to calm down;"
                      " Criterion AD (Problems in affect regulation):") == []


def test_every_criterion_id_readers_do_not_know_has_a_name() -> None:
    for rid in shipped_ids():
        for c in shipped(rid).rules.criteria:
            assert CODE.match(c.id) or c.name, f"{rid}: criterion {c.id} needs a plain name"


def _cli_text(capsys: pytest.CaptureFixture[str], *argv: str, codes: tuple[int, ...] = (0, 1)
              ) -> str:
    code = main(list(argv))
    got = capsys.readouterr()
    assert code in codes, (argv, code, got.out, got.err)
    return got.out + got.err


SETS = shipped_ids()


@pytest.fixture(autouse=False)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")


@pytest.mark.parametrize("rid", SETS)
def test_learn_of_every_set_shows_no_ids(rid: str, capsys: pytest.CaptureFixture[str],
                                         wide: None) -> None:
    text = _cli_text(capsys, "learn", "--no-pager", "--rules", rid)
    assert internal_ids(text, [rid]) == [], rid
    for c in shipped(rid).rules.criteria:
        one = _cli_text(capsys, "learn", "--no-pager", "--rules", rid, c.id)
        assert internal_ids(one, [rid]) == [], (rid, c.id)


@pytest.mark.parametrize("a", SETS)
def test_learn_compare_of_every_pair_shows_no_ids(a: str, capsys: pytest.CaptureFixture[str],
                                                  wide: None) -> None:
    for b in SETS:
        if a != b:
            text = _cli_text(capsys, "learn", "--no-pager", "--compare", a, b)
            assert internal_ids(text, [a, b]) == [], (a, b, text)


@pytest.mark.parametrize("rid", SETS)
def test_quiz_questions_of_every_set_show_no_ids(rid: str) -> None:
    from dsm5check.teach.quiz import questions

    text = "\n".join([q.text for q in questions(shipped(rid).rules)]
                     + [label for q in questions(shipped(rid).rules) for _, label in q.choices])
    assert internal_ids(text) == [], text


def _sample_cases() -> list[Path]:
    """A few cases coded for each set (the top folder is DSM-5 PTSD)."""
    folders = [TESTS / "cases", *sorted(p for p in (TESTS / "cases").iterdir() if p.is_dir())]
    out: list[Path] = []
    for f in folders:
        out += sorted(p for p in f.iterdir() if p.suffix == ".yaml")[:4]
    return out


SAMPLE = _sample_cases()


def _names_in(path: Path) -> list[str]:
    return [path.stem, *re.findall(r"^\s*-?\s*(?:id|case_id):\s*([\w.-]+)",
                                   path.read_text(encoding="utf-8"), re.M)]


@pytest.mark.parametrize("rid", SETS)
def test_check_text_against_every_set_shows_no_ids(rid: str, capsys: pytest.CaptureFixture[str],
                                                   wide: None) -> None:
    """Each sampled case read by every set (through its crosswalk or not at all)."""
    for path in SAMPLE:
        # 2: a case outside the set (a child's case for the adult set) is refused
        code = main(["check", "--rules", rid, str(path)])
        text = capsys.readouterr().out  # results; problems with the file are on stderr
        assert code in (0, 1, 2)
        assert internal_ids(text, [*_names_in(path), rid]) == [], (path, rid, text)


@pytest.mark.parametrize("path", SAMPLE, ids=[str(p.relative_to(TESTS)) for p in SAMPLE])
def test_what_if_text_shows_no_ids(path: Path, capsys: pytest.CaptureFixture[str],
                                   wide: None) -> None:
    text = _cli_text(capsys, "what-if", str(path), "--max-changes", "2")
    assert internal_ids(text, _names_in(path)) == [], text


def test_compare_text_over_every_set_shows_no_ids(capsys: pytest.CaptureFixture[str],
                                                  wide: None) -> None:
    main(["compare", *map(str, SAMPLE), "--rules", ",".join(SETS), "--all"])
    text = capsys.readouterr().out  # the cases outside a set are refused on stderr
    names = [n for p in SAMPLE for n in _names_in(p)] + list(SETS)
    assert internal_ids(text, names) == [], text


def test_quiz_progress_names_criteria_in_words(tmp_path: Path) -> None:
    from dsm5check.teach.progress import read, tallies
    from dsm5check.teach.render_quiz import progress_view

    log = tmp_path / "log.jsonl"
    log.write_text(json.dumps({
        "timestamp": "2026-12-01T10:00:00+00:00", "vignette": "v32-three-weeks",
        "ruleset": "icd11-ptsd", "criteria": {"Ex": True, "duration": False, "DSO_FI": True,
                                              "CPTSD_precedence": True},
        "diagnosis": True, "score": 0.8}) + "\n", encoding="utf-8")
    entries, problems = read(log)
    assert not problems
    text = _text(progress_view(entries, tallies(entries)))
    assert internal_ids(text, ["v32-three-weeks"]) == [], text
    assert "Lasting several weeks" in text


# --- session 5: short codes with their names, brief "still needed", learn wording -------


def test_named_codes_read_with_their_names(capsys: pytest.CaptureFixture[str],
                                           wide: None) -> None:
    from dsm5check.render.names import criterion_heading, criterion_name

    assert criterion_name("B", None) == "B"
    assert criterion_name("AD", "affect dysregulation") == "AD (affect dysregulation)"
    assert criterion_name("duration", "Lasting several weeks") == "Lasting several weeks"
    assert criterion_heading("AD", "Problems in affect regulation", "affect dysregulation") == (
        "AD Problems in affect regulation")
    assert criterion_heading("DSO_FI", "Impairment", "Self-organisation impairment") == (
        "Impairment")
    text = _cli_text(capsys, "check", str(TESTS / "cases" / "icd11-ptsd"
                                          / "native-cptsd-precedence.yaml"))
    assert "AD (affect dysregulation): met" in " ".join(text.split()), text


def test_still_needed_for_a_criterion_read_from_others_is_brief(
    capsys: pytest.CaptureFixture[str], wide: None
) -> None:
    """ICD-11 PTSD with the self-organisation items not assessed: "Complex PTSD ruled
    out" listed every combination of C1-C9 (about 80 lines); now three that still say
    what decides it. JSON keeps every set."""
    case = str(TESTS / "cases" / "icd11-ptsd" / "xwalk-dso-not-assessed.yaml")
    text = _cli_text(capsys, "check", case)
    block = text[text.index("Still needed"):]
    lines = block[block.index("Complex PTSD ruled out"):].splitlines()
    said = " ".join(" ".join(ln.strip("│├└─ ") for ln in lines[1:4]).split())
    assert len(block.splitlines()) <= 16, block
    assert "met with all of C1, C2 absent or all of C3, C4 absent or all of C5, C6 absent" in said
    assert ("not met with any one of C1, C2 present and any one of C3, C4 present and any one"
            " of C5, C6 present and any one of C7, C8, C9 present") in said
    assert "Expected" in lines[4], block
    whatif = _cli_text(capsys, "what-if", case)
    assert len(whatif.splitlines()) <= 25, whatif
    record = json.loads(_cli_text(capsys, "check", case, "--format", "json"))[0]
    assert len(json.dumps(record)) > 2000  # every set is still in the JSON


def test_brief_falls_back_to_a_count() -> None:
    from dsm5check.teach.changes import change
    from dsm5check.teach.summaries import brief

    sets = tuple((change(f"p{i}", 1, f"X{i} " + "long words " * 8, f"X{i}", "present"),
                  change(f"q{i}", 1, f"Y{i} text", f"Y{i}", "absent"))
                 for i in range(9))
    said = brief(sets)
    assert said.endswith("or 5 other ways (see --format json)"), said
    assert "X0 long words" in said and "X5 " not in said


def test_learn_compare_says_two_weeks_and_pairs_specifiers_by_id(
    capsys: pytest.CaptureFixture[str], wide: None
) -> None:
    from dsm5check.teach.compare_sets import specifier_rows

    text = _cli_text(capsys, "learn", "--no-pager", "--compare", "dsm5-ptsd", "icd11-ptsd")
    flat = " ".join(text.split())
    assert "two weeks or more: at least 2 weeks" in flat
    assert "0.5 months" not in flat
    assert "icd11-ptsd has no specifiers" in flat
    rows = specifier_rows(shipped("dsm5-ptsd").rules, shipped("dsm4tr-ptsd").rules)
    for a, b in rows:
        assert a is None or b is None or a.id == b.id, (a, b)
    assert [(a.id if a else None, b.id if b else None) for a, b in rows][:3] == [
        ("with_dissociative_symptoms", None), ("with_delayed_expression", None),
        ("acute", "acute")]


def test_learn_names_a_collection_not_the_rules_name_for_its_element(
    capsys: pytest.CaptureFixture[str], wide: None
) -> None:
    text = _cli_text(capsys, "learn", "--no-pager", "--rules",
                     str(TESTS / "rulesets" / "interview-toy.yaml"))
    assert "some event with happened to them" in text
    assert "some ev " not in text
