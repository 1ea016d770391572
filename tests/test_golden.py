"""Exact-text golden files for the terminal view (regenerate: UPDATE_GOLDEN=1 pytest)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from dsm5check.cases.loading import RulesetResolver
from dsm5check.check.batch import iter_results
from dsm5check.render.text import render_run
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"

RUNS = {
    "single-met": ["examples/vet-014.yaml"],
    "multi-summary": ["tests/golden/cases"],
    "multi-detail": ["tests/golden/cases"],
}


def _render(paths: list[str], detail: bool) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=80, color_system=None, highlight=False, emoji=False)
    problems: list[object] = []
    results = list(iter_results(paths, RulesetResolver(), problems))  # type: ignore[arg-type]
    render_run(console, results, detail=detail, errors=len(problems))
    return buf.getvalue()


@pytest.mark.parametrize("name", sorted(RUNS))
def test_terminal_view_matches_golden(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = _render(RUNS[name], detail=name.endswith("detail"))
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == Path(path).read_text(encoding="utf-8")


def test_plain_output_has_no_escape_codes(capsys: pytest.CaptureFixture[str]) -> None:
    from dsm5check.cli import main

    main(["check", str(ROOT / "examples" / "vet-014.yaml")])
    assert "\x1b[" not in capsys.readouterr().out
