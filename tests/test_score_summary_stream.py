"""Where `score` writes its summary: on standard output when the rows are not written
there (``--out FILE`` or ``--summary-only``), so that a script can read it without the
bad-cell lines; on standard error when the rows are on standard output. Bad cells are
problems: always on standard error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cli import main

ITEMS = [f"pcl{n}" for n in range(1, 21)]
BAD = "d.csv:3:3: row 2, column 'pcl1' (item B1): '9' is not a whole number 0-4;" \
      " counted as missing"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "d.csv"
    path.write_text(",".join(["id", *ITEMS]) + "\n" + "1," + ",".join(["2"] * 20) + "\n"
                    + "2,9," + ",".join(["2"] * 19) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("extra", [
    [],  # one set, text summary
    ["--format", "json"],
    ["--rules", "dsm5-ptsd,icd11-ptsd"],
])
def test_rows_in_a_file_leave_standard_output_to_the_summary(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, extra: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["score", "d.csv", "--instrument", "pcl5", "--out", "scored.csv",
                 *extra]) == 0
    out, err = capsys.readouterr()
    assert err.splitlines() == [BAD]
    if "json" in extra:
        assert json.loads(out)["rows"] == 2
    else:
        assert out.startswith("dsm5check score: 2 rows (PCL-5, missing data: strict)")
    assert (tmp_path / "scored.csv").read_text().count("\n") == 3


def test_rows_on_standard_output_send_the_summary_to_standard_error(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["score", "d.csv", "--instrument", "pcl5", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == [1, 2]
    assert err.startswith(BAD + "\n")
    assert json.loads(err[len(BAD) + 1:])["rows"] == 2


def test_no_summary_with_rows_in_a_file_prints_nothing_but_problems(
        data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["score", "d.csv", "--instrument", "pcl5", "--out", "scored.csv",
                 "--no-summary"]) == 0
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [BAD]


def test_summary_only_and_no_summary_together_are_refused(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A newcomer's finding: both were accepted, and the summary printed."""
    assert main(["score", str(data), "--instrument", "pcl5", "--summary-only",
                 "--no-summary"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--summary-only and --no-summary ask for opposite things" in err
