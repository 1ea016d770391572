"""A bad cell of a CSV file is reported at its line and at the character column where
the cell starts, as every other `file:line:col` problem is -- not at the cell's place
in the row (a newcomer found `d.csv:12:4` for a cell that starts at column 13)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsm5check.cli import main
from dsm5check.score.source import field_starts

ITEMS = [f"pcl5_{n}" for n in range(1, 21)]


def test_field_starts_honour_quotes() -> None:
    assert field_starts('ab,"c,d",,e', ",", '"') == [1, 4, 10, 11]
    assert field_starts('x;"say ""hi""";3', ";", '"') == [1, 3, 16]


@pytest.mark.parametrize(("delim", "line", "col"), [
    (",", '17,"Smith, Jo",2,2,5,2', 20),  # a quoted cell holding the delimiter
    (";", "17;Jo;2;2;5;2", 11),
])
def test_bad_cell_at_its_character_column(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          delim: str, line: str, col: int) -> None:
    head = delim.join(["id", "name", *ITEMS])
    good = delim.join(["1", "Al", *(["2"] * 20)])
    rest = delim.join(["2"] * 16)  # items 5-20
    data = tmp_path / "d.csv"
    data.write_text(f"{head}\n{good}\n{line}{delim}{rest}\n", encoding="utf-8")
    assert line[col - 1] == "5"  # the bad cell starts there
    code = main(["score", str(data), "--instrument", "pcl5", "--no-summary",
                 "--out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 0
    assert f"d.csv:3:{col}: row 2, column 'pcl5_3' (item B3): '5' is not a whole number" in err


@pytest.mark.parametrize("rules", [[], ["--rules", "dsm5-ptsd,icd11-ptsd"]])
def test_a_row_wider_than_the_header_at_its_line_with_one_set_or_several(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: list[str]) -> None:
    """Several sets said `d.csv:1:1: cannot score the data: Invalid Input Error: CSV
    Error on Line: 3` where one set names the line, the column and what is wrong."""
    data = tmp_path / "d.csv"
    good = ",".join(["2"] * 20)
    data.write_text(",".join(["id", *ITEMS]) + f"\n1,{good}\n2,{good},9\n", encoding="utf-8")
    code = main(["score", str(data), "--instrument", "pcl5", *rules, "--summary-only"])
    err = capsys.readouterr().err
    assert code == 2
    col = len(f"2,{good},") + 1  # where the cell beyond the header starts
    assert f"d.csv:3:{col}: cannot read CSV data: this row has 22 cells, the header 21" in err
    assert "Invalid Input Error" not in err


@pytest.mark.parametrize("rules", [[], ["--rules", "dsm5-ptsd,icd11-ptsd"]])
def test_a_wide_row_in_a_crlf_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   rules: list[str]) -> None:
    """With CRLF line ends DuckDB puts the row it read on a line of its own, which was
    shown as the problem (`plain.csv:20:1: cannot read CSV data: P019,N19,0,3,...`)."""
    head = ",".join(["id", "name", *ITEMS])
    rows = [",".join([f"P{n:03d}", f"N{n}", *(["2"] * 20)]) for n in range(1, 6)]
    rows[3] += ",2"  # line 5: one cell more than the header
    data = tmp_path / "d.csv"
    data.write_bytes(("\r\n".join([head, *rows]) + "\r\n").encode())
    code = main(["score", str(data), "--instrument", "pcl5", *rules, "--summary-only"])
    err = capsys.readouterr().err
    assert code == 2
    col = len(rows[3])  # where the 23rd cell, the last character, starts
    assert (f"d.csv:5:{col}: cannot read CSV data: this row has 23 cells, the header 22"
            in err), err


@pytest.mark.parametrize("rules", [[], ["--rules", "dsm5-ptsd,icd11-ptsd"]])
def test_a_carriage_return_inside_a_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         rules: list[str]) -> None:
    """A line edited on another system ("...,3,2\\r,2\\r\\n") made DuckDB say only `The
    CSV Parser state machine reached an invalid state`, at 1:1."""
    head = ",".join(["id", "name", *ITEMS])
    rows = [",".join([f"P{n:03d}", f'"Smith, {n}"', *(["2"] * 20)]) for n in range(1, 6)]
    rows[2] += "\r,2"
    data = tmp_path / "d.csv"
    data.write_bytes(("\r\n".join([head, *rows]) + "\r\n").encode())
    code = main(["score", str(data), "--instrument", "pcl5", *rules, "--summary-only"])
    err = capsys.readouterr().err
    assert code == 2
    col = len(rows[2]) - 2  # the CR's own column
    assert f"d.csv:4:{col}: cannot read CSV data: a carriage return (CR) inside the line" in err
    assert "state machine" not in err
