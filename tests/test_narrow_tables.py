"""Summary tables readable at 80 columns (piped output takes COLUMNS or 80).

`check` over many cases, `compare` (verdicts, prevalence, agreement) and `score`
summaries (one set and several) were cramped at 80 columns: set names and
figures cut to an ellipsis ("59% (41-7…"). They are drawn through
render/fit.Fitted: a table when the figures fit whole, else the table shared out
over two or three tables, else one stacked block per row. Each test: no line
longer than the width, no ellipsis anywhere, and the figures whole.
"""

from __future__ import annotations

import io
import json
import random
import re
from pathlib import Path

import pytest
from rich.console import Console

from dsm5check.cli import main
from dsm5check.engine.registry import shipped_ids
from dsm5check.render.fit import Column, Fitted
from tests.conftest import TESTS

ELLIPSIS = "…"


def _draw(renderable: object, width: int) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, highlight=False).print(renderable)
    return buf.getvalue()


def _fits(text: str, width: int) -> None:
    lines = text.splitlines()
    assert max(len(x.rstrip()) for x in lines) <= width, max(lines, key=len)
    assert ELLIPSIS not in text, next(x for x in lines if ELLIPSIS in x)


COLUMNS = [Column("reference"), Column("other"), Column("both decide", "right"),
           Column("agreement", "right"), Column("kappa", "right"),
           Column("sensitivity", "right"), Column("specificity", "right"),
           Column("PPV", "right"), Column("NPV", "right")]
ROW = ["dsm5-ptsd", "icd11-cptsd", "29", "59% (41-76)", "-0.07 (-0.36 to 0.22)",
       "10% (2-40)", "84% (62-95)", "25% (5-70)", "64% (45-80)"]


@pytest.mark.parametrize("width,layout", [(160, "table"), (120, "parts"), (80, "parts"),
                                          (50, "stacked")])
def test_fitted_picks_a_layout_that_keeps_figures_whole(width: int, layout: str) -> None:
    table = Fitted(COLUMNS, [ROW, ROW], keys=2, title="Agreement")
    text = _draw(table, width)
    _fits(text, width)
    for figure in ROW:
        assert figure in text  # never cut, never wrapped
    assert ("(continued)" in text) == (layout == "parts")
    assert ("  kappa:" in text) == (layout == "stacked")


def test_the_old_layout_would_fail() -> None:
    """A plain rich table of the same rows at 80 columns cuts figures: the check
    above is one that can fail."""
    from rich.table import Table

    t = Table()
    for c in COLUMNS:
        t.add_column(c.header, justify=c.justify)  # type: ignore[arg-type]
    t.add_row(*ROW)
    text = _draw(t, 80)
    assert ELLIPSIS in text or any(f not in text for f in ROW)


def test_an_optional_bar_goes_first() -> None:
    cols = [Column("set"), Column("prevalence", "right"), Column("", optional=True)]
    rows = [["subthreshold-ptsd", "14.0% (10.1%-19.0%)", "█" * 20]]
    assert "█" in _draw(Fitted(cols, rows, boxed=False), 80)
    narrow = _draw(Fitted(cols, rows, boxed=False), 45)
    _fits(narrow, 45)
    assert "█" not in narrow and "14.0% (10.1%-19.0%)" in narrow


def _cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int,
         *argv: str) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    main(list(argv))
    return capsys.readouterr().out


@pytest.mark.parametrize("width", [80, 100])
def test_check_summary_fits(width: int, capsys: pytest.CaptureFixture[str],
                            monkeypatch: pytest.MonkeyPatch) -> None:
    text = _cli(capsys, monkeypatch, width, "check", str(TESTS / "cases"))
    head = text.split("\n\n")[0]  # the summary table, before the cases that need attention
    _fits(head, width)
    assert "155 cases" in head or re.search(r"^\d+ cases", head, re.M)
    # a long case id folds over lines in its column (never an ellipsis)
    cells = [ln.split("│")[1].strip() for ln in head.splitlines() if ln.startswith("│")]
    assert "a3-death-cause-unknown-other-event-meets" in "".join(cells)


@pytest.mark.parametrize("width", [80, 100, 120])
def test_compare_text_fits_and_keeps_every_figure(width: int,
                                                  capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [str(TESTS / "cases"), "--rules", ",".join(shipped_ids())]
    text = _cli(capsys, monkeypatch, width, "compare", *paths)
    _fits(text, width)
    summary = json.loads(_cli(capsys, monkeypatch, width, "compare", *paths,
                              "--format", "json"))["summary"]
    flat = " ".join(text.split())
    for p in summary["pairs"]:
        a = p["agreement"]
        if p["exclusive"]:  # never given together: no figures, and a line that says so
            assert (f"{p['reference']} and {p['other']} are never given together"
                    in flat), (p["reference"], p["other"])
        elif a.get("estimate") is not None:
            shown = (f"{100 * a['estimate']:.0f}% ({100 * a['ci_low']:.0f}-"
                     f"{100 * a['ci_high']:.0f})")
            assert shown in flat, (p["reference"], p["other"], shown)
    for rid in shipped_ids():
        assert rid in text  # set names whole


@pytest.fixture(scope="module")
def pcl5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(7)
    path = tmp_path_factory.mktemp("pcl") / "pcl5.csv"
    lines = ["id," + ",".join(f"pcl5_{i}" for i in range(1, 21))]
    lines += [f"{r}," + ",".join(str(rng.choice([0, 1, 2, 3, 4, ""])) for _ in range(20))
              for r in range(200)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("rules", [None, "dsm5-ptsd,icd11-ptsd,subthreshold-ptsd",
                                   "icd11-ptsd"])
def test_score_summaries_fit(rules: str | None, pcl5: Path,
                             capsys: pytest.CaptureFixture[str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    argv = ["score", str(pcl5), "--instrument", "pcl5", "--summary-only"]
    if rules:
        argv += ["--rules", rules]
    text = _cli(capsys, monkeypatch, 80, *argv)
    _fits(text, 80)
    if rules and "subthreshold" in rules:
        assert "subthreshold-ptsd " in text  # the set name whole in the prevalence table
    if rules and "icd11" in rules:  # criteria named in words, not by internal id
        assert "Lasting several weeks" in text and "DSO_FI" not in text
