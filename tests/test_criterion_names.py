"""A criterion whose id is no code readers know is called by one wording on every
screen: its title (learn, check headings) is its name (reasons, summaries, the
interview). A newcomer found "Impairment from the self-organisation problems" in one
table and "Self-organisation impairment" in the next."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsm5check.engine.registry import resolve
from dsm5check.render.names import shown_id

SETS = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "rules").glob("*.yaml"))


@pytest.mark.parametrize("set_id", SETS)
def test_unshown_ids_are_called_by_their_title(set_id: str) -> None:
    rules = resolve(set_id).rules
    differ = [(c.id, c.title, c.name) for c in rules.criteria
              if not shown_id(c.id, c.name) and c.name != c.title]
    assert differ == []


def test_the_learn_overview_uses_the_names_the_needs_column_uses() -> None:
    from rich.console import Console

    from dsm5check.teach.learn import overview

    console = Console(width=200, record=True)
    console.print(overview(resolve("icd11-cptsd").rules))
    text = console.export_text()
    for name in ("Lasting several weeks", "Self-organisation impairment"):
        assert text.count(name) >= 2, name  # its own row, and where the diagnosis needs it


def test_icd11_exposure_and_precedence_read_plainly(
        capsys: pytest.CaptureFixture[str]) -> None:
    """A newcomer read "met by read from what happened", "in person" twice in one flat
    list, and "...requirements met is not met"; the ways of meeting exposure are now
    named groups."""
    from dsm5check.cli import main

    case = (Path(__file__).resolve().parent / "cases" / "icd11-ptsd"
            / "xwalk-sudden-natural-death.yaml")
    assert main(["check", str(case)]) == 0
    out = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "met by the event as described" in out
    assert "met by read from" not in out
    assert "learned of the sudden or violent death of someone close: met" in out
    assert "saw it happen in person: not met" in out
    assert "Complex PTSD ruled out: the full self-organisation picture is not met" in out
    assert "met is not met" not in out


def test_ways_that_are_phrases_are_set_apart() -> None:
    """"a month or more: at least 1 month or two weeks or more: at least 2 weeks and
    judged ..." read as one run of words; each way now stands apart."""
    from dsm5check.teach.thresholds import threshold

    rules = resolve("icd11-ptsd").rules
    text = threshold(rules.criterion_map["duration"].rule, rules)
    assert text.startswith("either a month or more: at least 1 month; or two weeks or more:")
    # plain alternatives keep their short form
    assert threshold(resolve("dsm5-ptsd").rules.criterion_map["A"].rule).count("either") == 0


def test_assume_refusal_pairs_ids_with_names(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`--assume` takes ids that `learn` shows only by name (duration, DSO_FI): its
    refusal lists each id with the name the other screens use."""
    from dsm5check.cli import main

    items = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [
        f"D{i}" for i in range(1, 8)] + [f"E{i}" for i in range(1, 7)]
    data = tmp_path / "d.csv"
    data.write_text(",".join(items) + "\n" + ",".join(["2"] * 20) + "\n", encoding="utf-8")
    code = main(["score", str(data), "--instrument", "pcl5", "--rules", "icd11-ptsd",
                 "--assume", "bogus", "--summary-only"])
    err = " ".join(capsys.readouterr().err.split())
    assert code == 2
    assert "duration (Lasting several weeks)" in err
    assert "DSO_FI (Self-organisation impairment)" in err
    assert "CPTSD_precedence (Complex PTSD ruled out)" in err


def test_a_not_over_all_reads_as_words() -> None:
    """learn showed "not (all of AD (...), ... met)", logic notation."""
    from dsm5check.teach.thresholds import threshold

    rules = resolve("icd11-ptsd").rules
    text = threshold(rules.criterion_map["CPTSD_precedence"].rule, rules)
    assert text.startswith("not all of AD (affect dysregulation), NSC")
    assert "(all of" not in text
