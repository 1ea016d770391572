"""The summary's first line names the instrument as people know it (PCL-5, ITQ) with
one set or several -- several sets said `(pcl5, ...)` -- and counts one row as a row.
JSON keeps the instrument's id."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cli import main

PCL5 = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]


def _data(tmp_path: Path, instrument: str, rows: int) -> Path:
    cols = PCL5 if instrument == "pcl5" else [f"itq{n}" for n in range(1, 19)]
    data = tmp_path / "d.csv"
    body = "".join(",".join(["2"] * len(cols)) + "\n" for _ in range(rows))
    data.write_text(",".join(cols) + "\n" + body, encoding="utf-8")
    return data


@pytest.mark.parametrize(("instrument", "rules", "shown"), [
    ("pcl5", [], "PCL-5"),
    ("pcl5", ["--rules", "dsm5-ptsd,icd11-ptsd"], "PCL-5"),
    ("itq", [], "ITQ"),
])
@pytest.mark.parametrize("rows", [1, 3])
def test_first_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], instrument: str,
                    rules: list[str], shown: str, rows: int) -> None:
    data = _data(tmp_path, instrument, rows)
    assert main(["score", str(data), "--instrument", instrument, *rules,
                 "--summary-only"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    counted = "1 row " if rows == 1 else f"{rows} rows "
    assert first.startswith(f"dsm5check score: {counted}({shown}, missing data: strict)")


def test_json_keeps_the_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _data(tmp_path, "pcl5", 2)
    assert main(["score", str(data), "--instrument", "pcl5", "--rules",
                 "dsm5-ptsd,icd11-ptsd", "--summary-only", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["instrument"] == "pcl5"


@pytest.mark.parametrize("width", [40, 60, 100])
def test_bad_cells_wrap_between_pairs(width: int) -> None:
    """"... pcl5_14" at a line's end and its count "1" on the next: a newcomer's find."""
    import re

    from rich.console import Console

    from dsm5check.score.summary import print_bad_cells

    console = Console(width=width, record=True, color_system=None)
    by_column = {f"pcl5_{n}": n * 7 for n in range(1, 21)}
    print_bad_cells(console, 30, by_column)
    lines = console.export_text().splitlines()
    assert len(lines) > 1
    for line in lines:
        assert len(line) <= width
        assert not re.search(r"pcl5_\d+$", line), line  # a name without its count
    pairs = re.findall(r"(pcl5_\d+) (\d+)", " ".join(lines))
    assert {k: int(v) for k, v in pairs} == by_column
