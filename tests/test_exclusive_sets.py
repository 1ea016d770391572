"""Sets whose diagnoses are never given together (a ruleset's ``excludes``: ICD-11
PTSD and Complex PTSD) get no agreement figures in `score` (text, JSON, report) and
`compare`: kappa between two diagnoses that exclude each other measures nothing
(an ITQ run printed kappa -0.135 for them). The cross-table and how many rows each
set alone gives stay."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from dsm5check.cli import main
from dsm5check.engine.registry import shipped
from dsm5check.engine.ruleset import load_ruleset_file
from dsm5check.errors import InputError
from tests.conftest import ROOT

ITQ = [f"itq{n}" for n in range(1, 19)]
PCL = [f"pcl{n}" for n in range(1, 21)]


def _data(path: Path, items: list[str], rows: int = 200) -> Path:
    rng = random.Random(11)
    lines = [",".join(["id", *items])]
    for n in range(rows):
        level = rng.random() * 4
        lines.append(",".join([str(n), *(str(max(0, min(4, round(rng.gauss(level, 1)))))
                                         for _ in items)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_icd11_sets_exclude_each_other_and_no_other() -> None:
    ptsd, cptsd = shipped("icd11-ptsd").rules, shipped("icd11-cptsd").rules
    dsm5 = shipped("dsm5-ptsd").rules
    assert ptsd.exclusive_with(cptsd) and cptsd.exclusive_with(ptsd)
    assert not ptsd.exclusive_with(dsm5) and not dsm5.exclusive_with(cptsd)


def test_itq_summary_has_no_agreement_figures(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(tmp_path / "itq.csv", ITQ)
    assert main(["score", str(data), "--instrument", "itq", "--summary-only"]) == 0
    out = capsys.readouterr().out
    assert "icd11-ptsd (rows) against icd11-cptsd (columns)" in out
    flat = " ".join(out.split())
    assert ("no agreement figures: icd11-ptsd and icd11-cptsd are never given together"
            in flat)
    assert "kappa" not in out and "sensitivity" not in out
    assert "only icd11-ptsd: " in out
    assert main(["score", str(data), "--instrument", "itq", "--summary-only",
                 "--format", "json"]) == 0
    [pair] = json.loads(capsys.readouterr().out)["pairs"]
    assert pair["exclusive"] is True
    assert pair["table"][0][0] == 0  # never both met: what "exclusive" means


def test_sets_that_do_not_exclude_keep_their_figures(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(tmp_path / "pcl.csv", PCL)
    assert main(["score", str(data), "--instrument", "pcl5", "--summary-only", "--rules",
                 "dsm5-ptsd,subthreshold-ptsd"]) == 0
    out = capsys.readouterr().out
    assert "Cohen's kappa" in out and "never given together" not in out
    assert main(["score", str(data), "--instrument", "pcl5", "--summary-only", "--rules",
                 "dsm5-ptsd,subthreshold-ptsd", "--format", "json"]) == 0
    [pair] = json.loads(capsys.readouterr().out)["pairs"]
    assert pair["exclusive"] is False


def test_the_report_shows_how_rows_split(tmp_path: Path) -> None:
    pytest.importorskip("plotly")
    data = _data(tmp_path / "itq.csv", ITQ)
    report = tmp_path / "itq.html"
    assert main(["score", str(data), "--instrument", "itq", "--summary-only", "--report",
                 str(report)]) == 0
    text = report.read_text(encoding="utf-8")
    assert "How the rows split: icd11-ptsd and icd11-cptsd" in text
    assert "no agreement figures: icd11-ptsd and icd11-cptsd are never given together" in text


def test_compare_shows_dashes_and_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    cases = str(ROOT / "tests" / "cases" / "icd11-cptsd")
    main(["compare", cases, "--rules", "icd11-ptsd,icd11-cptsd"])
    out = " ".join(capsys.readouterr().out.split())
    assert ("icd11-ptsd and icd11-cptsd are never given together (one excludes the other):"
            " no agreement figures; only icd11-ptsd:") in out
    main(["compare", cases, "--rules", "icd11-ptsd,icd11-cptsd", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    [pair] = doc["summary"]["pairs"]
    assert pair["exclusive"] is True
    main(["compare", cases, "--rules", "dsm5-ptsd,icd11-ptsd", "--format", "json"])
    [pair] = json.loads(capsys.readouterr().out)["summary"]["pairs"]
    assert pair["exclusive"] is False


def test_a_set_cannot_exclude_itself(tmp_path: Path) -> None:
    text = (ROOT / "rules" / "icd11-ptsd.yaml").read_text(encoding="utf-8")
    text = text.replace("id: icd11-ptsd\n", "id: my-ptsd\n", 1).replace(
        "excludes: [icd11-cptsd]", "excludes: [icd11-cptsd, my-ptsd]")
    mine = tmp_path / "mine.yaml"
    mine.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_ruleset_file(mine)
    [p] = [p for p in err.value.problems if "exclude itself" in p.message]
    line = text.splitlines().index("excludes: [icd11-cptsd, my-ptsd]") + 1
    assert (p.file, p.line) == (str(mine), line)
