"""compare's list of sets says "not a diagnosis" once for a research set: its title
already says it (subthreshold-ptsd), so no second label is added; a research set
whose title does not say it still gets the label."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsm5check.cli import main
from tests.conftest import ROOT

CASE = ROOT / "tests" / "cases" / "a3-accidental-death.yaml"


def test_subthreshold_is_called_not_a_diagnosis_once(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # one line per set, however long
    main(["compare", str(CASE), "--rules", "dsm5-ptsd,subthreshold-ptsd"])
    out, err = capsys.readouterr()
    line = next(ln for ln in out.splitlines() if ln.startswith("subthreshold-ptsd:"))
    assert line.count("not a diagnosis") == 1, line
    assert "Traceback" not in err


def test_a_research_set_without_it_in_its_title_gets_the_label(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    text = (ROOT / "rules" / "subthreshold-ptsd.yaml").read_text()
    old = "title: Subthreshold PTSD (research definition, not a diagnosis)"
    assert old in text
    mine = tmp_path / "mine.yaml"
    mine.write_text(text.replace("id: subthreshold-ptsd", "id: mine", 1)
                    .replace(old, "title: Mine (research definition)", 1))
    main(["compare", str(CASE), "--rules", f"dsm5-ptsd,{mine}"])
    out, err = capsys.readouterr()
    line = next(ln for ln in out.splitlines() if ln.startswith("mine:"))
    assert line.count("not a diagnosis") == 1, (line, err)
