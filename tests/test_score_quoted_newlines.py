"""A CSV cell holding a line break (a note typed over two lines, as REDCap and
spreadsheets export it) is scored, not refused: DuckDB's parallel CSV reader gives up
on it ("The parallel scanner does not support null_padding in conjunction with quoted
new lines"), and the file is read again on one thread (score/source.read_serially).
A bad cell after such a note is reported at the line it is really on."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsm5check.cli import main

ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]


def _data(tmp_path: Path) -> Path:
    rows = ["id,note," + ",".join(ITEMS)]
    for i in range(1, 41):
        cells = ["2"] * 20
        if i == 30:
            cells[7] = "often"  # D1
        note = '"first line\nsecond line"' if i in (5, 12) else f"n{i}"
        rows.append(f"{i},{note}," + ",".join(cells))
    data = tmp_path / "notes.csv"
    data.write_text("\n".join(rows) + "\n")
    return data


@pytest.mark.parametrize("how", [
    ["--out", "OUT.parquet"], ["--out", "OUT.csv"], ["--summary-only"],
    ["--out", "OUT.parquet", "--threads", "1"],
    ["--rules", "dsm5-ptsd,icd11-ptsd", "--out", "OUT.parquet"],
    ["--rules", "dsm5-ptsd,icd11-ptsd", "--summary-only"],
])
def test_a_note_over_two_lines_is_scored(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         how: list[str]) -> None:
    data = _data(tmp_path)
    args = [a.replace("OUT", str(tmp_path / "o")) for a in how]
    code = main(["score", str(data), "--instrument", "pcl5", "--no-summary", *args]
                if "--summary-only" not in how else
                ["score", str(data), "--instrument", "pcl5", *args])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "parallel" not in err and "cannot read" not in err
    # row 30 is on line 33: the header, then two notes that each take a second line
    assert f"{data}:33:22: row 30, column 'D1' (item D1): 'often'" in err
    out = [a for a in args if a.endswith((".parquet", ".csv"))]
    if out:
        import duckdb

        got = duckdb.sql(f"SELECT row, id, note FROM '{out[0]}' WHERE id IN (5, 30)"
                         " ORDER BY row").fetchall()
        assert got == [(5, 5, "first line\nsecond line"), (30, 30, "n30")]


def test_a_bad_cell_in_the_row_of_a_note_over_lines_is_placed_on_its_own_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A newcomer's finding: the bad cell of a row whose own note spans lines was shown
    at the row's first line, at a column that was not the cell's."""
    head = "id,note," + ",".join(ITEMS)
    rest = ",".join(["1"] * 19)
    data = tmp_path / "own.csv"
    data.write_text(f'{head}\nA1,"two\nlines",7,{rest}\nA2,one,often,{rest}\n'
                    f'A3,"three\nline\nnote",{rest},2.5\n')
    assert main(["score", str(data), "--instrument", "pcl5", "--summary-only"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{data}:3:8: row 1, column 'B1' (item B1): '7'")
    assert err[1].startswith(f"{data}:4:8: row 2, column 'B1' (item B1): 'often'")
    # line 7 is 'note",' and 19 ratings of '1,': the last cell starts at column 45
    assert err[2].startswith(f"{data}:7:45: row 3, column 'E6' (item E6): '2.5'")


@pytest.mark.parametrize(("rows", "where", "what"), [
    # an extra cell in the row after a note over two lines: line 5, after 2 + 20 cells
    (['b1,"two\nlines",' + ",".join(["1"] * 20), "b2,x," + ",".join(["1"] * 20),
      "b3,y," + ",".join(["1"] * 20) + ",9"], "5:46", "this row has 23 cells, the header 22"),
    # the extra cell on the second line of the note's own row
    (["c1,x," + ",".join(["1"] * 20), 'c2,"two\nlines",' + ",".join(["1"] * 20) + ",9"],
     "4:48", "this row has 23 cells, the header 22"),
    # a byte that is not UTF-8 in the row after the note
    (['e1,"two\nlines",' + ",".join(["1"] * 20), "e2,y," + ",".join(["1"] * 20),
      "e3,z\udcff," + ",".join(["1"] * 20)], "5:5", "invalid UTF-8"),
])
def test_an_unreadable_row_after_a_note_over_lines_is_named_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[str], where: str,
        what: str) -> None:
    """A newcomer's finding: DuckDB counts rows, not lines, once a cell holds a line
    break, so these were reported a line too early (and one as a raw line dump)."""
    data = tmp_path / "broken.csv"
    text = "id,note," + ",".join(ITEMS) + "\n" + "\n".join(rows) + "\n"
    data.write_bytes(text.encode("utf-8", errors="surrogateescape"))
    assert main(["score", str(data), "--instrument", "pcl5", "--summary-only"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{data}:{where}: cannot read CSV data: {what}"), err
