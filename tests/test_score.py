"""`dsm5check score`: column naming, --map, outputs, summary, bad input (in-process CLI)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dsm5check.cli import main

ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]
MET_ROW = ["2", "0", "0", "0", "0", "3", "0", "2", "2", "0", "0", "0", "0", "0", "4", "2",
           "0", "0", "0", "0"]  # 1B 1C 2D 2E exactly, total 15
NOT_MET_ROW = ["1"] * 20  # total 20


def write(path: Path, header: list[str] | None, rows: list[list[str]]) -> Path:
    lines = ([",".join(header)] if header else []) + [",".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["score", *args])
    out, err = capsys.readouterr()
    return code, out, err


def rows_of(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.mark.parametrize("header", [
    ITEMS,
    [f"item{n}" for n in range(1, 21)],
    [f"PCL_{n:02d}" for n in range(1, 21)],
    [f"pcl5-{n}" for n in range(1, 21)],
    [i.lower() for i in ITEMS],
], ids=["item-ids", "item1", "PCL_01", "pcl5-1", "lower-case"])
def test_default_naming(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                        header: list[str]) -> None:
    data = write(tmp_path / "d.csv", ["id", *header], [["a", *MET_ROW], ["b", *NOT_MET_ROW]])
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    assert code == 0
    got = rows_of(out)
    assert [r["status"] for r in got] == ["met", "not_met"]
    assert [r["id"] for r in got] == ["a", "b"]
    assert [r["total"] for r in got] == [15, 20]
    assert [r["D_count"] for r in got] == [2, 0]


def test_positional_without_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", None, [MET_ROW, NOT_MET_ROW, ["4"] * 20])
    code, out, err = run(capsys, str(data), "--instrument", "pcl5")
    assert code == 0
    assert [r["status"] for r in rows_of(out)] == ["met", "not_met", "met"]
    assert "items found by: positional" in err


def test_map_by_number_and_positional(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ["subject", "site", *[f"q{n}" for n in range(1, 21)]]
    data = write(tmp_path / "d.csv", header, [["s1", "x", *MET_ROW]])
    by_number = tmp_path / "m1.yaml"
    by_number.write_text("items:\n" + "".join(f"  {n}: q{n}\n" for n in range(1, 21)))
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--map", str(by_number),
                       "--no-summary")
    assert code == 0 and rows_of(out)[0]["status"] == "met"
    assert rows_of(out)[0]["subject"] == "s1" and rows_of(out)[0]["site"] == "x"
    positional = tmp_path / "m2.yaml"
    positional.write_text("positional: 3\n")
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--map", str(positional),
                       "--no-summary")
    assert code == 0 and rows_of(out)[0]["total"] == 15


def test_map_errors_point_at_the_map(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", ITEMS, [MET_ROW])
    bad = tmp_path / "m.yaml"
    bad.write_text("items:\n  B1: nope\n  99: B2\ncriteria:\n  Z: B3\ncolour: red\n")
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--map", str(bad))
    assert code == 2
    assert f"{bad}:6:1:" in err and "colour" in err  # unknown key, with its line
    bad.write_text("items:\n  B1: nope\n  99: B2\ncriteria:\n  Z: B3\n")
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--map", str(bad))
    assert code == 2
    assert f"{bad}:2:7: no column 'nope'" in err
    assert f"{bad}:3:7: pcl5 has no item 99" in err
    assert f"{bad}:5:6: unknown criterion 'Z'" in err
    assert "Traceback" not in err


def test_columns_not_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", ["id", "x", "y"], [["1", "2", "3"]])
    code, out, err = run(capsys, str(data), "--instrument", "pcl5")
    assert code == 2 and out == ""
    assert f"{data}:1:1: cannot find the pcl5 item columns" in err and "--map" in err
    partial = write(tmp_path / "p.csv", ITEMS[:19], [MET_ROW[:19]])
    code, _, err = run(capsys, str(partial), "--instrument", "pcl5")
    assert code == 2 and "but not E6" in err


def test_bad_cells_reported_with_line_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["a", *MET_ROW], ["b", "7", *NOT_MET_ROW[1:]], ["c", "x", *MET_ROW[1:]]]
    data = write(tmp_path / "d.csv", ["id", *ITEMS], rows)
    code, out, err = run(capsys, str(data), "--instrument", "pcl5")
    assert code == 0  # bad cells never reject the file
    # line and character column where the cell starts ("a,7,...": column 3)
    assert f"{data}:3:3: row 2, column 'B1' (item B1): '7' is not a whole number 0-4" in err
    assert f"{data}:4:3: row 3, column 'B1' (item B1): 'x' is not a whole number 0-4" in err
    got = rows_of(out)
    assert [r["bad_cells"] for r in got] == [None, "B1=7", "B1=x"]
    # row c: B1 unknown, but B2..B5 are 0 -> B undecided; the row stays undecided
    assert got[2]["B_status"] == "indeterminate" and got[2]["status"] == "indeterminate"
    assert got[0]["status"] == "met"  # the good row is still scored
    assert "bad cells (counted as missing) in 2 rows: B1 2" in err


def test_gap_that_does_not_matter_keeps_the_row_decided(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    decided = list(MET_ROW)
    decided[1] = ""  # B2 missing, B already met by B1
    undecided = list(MET_ROW)
    undecided[0] = "NA"  # B1 missing, the only B item present
    hopeless = list(NOT_MET_ROW)
    hopeless[0] = ""  # C, D, E not met whatever B1 is
    data = write(tmp_path / "d.csv", ITEMS, [decided, undecided, hopeless])
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    got = rows_of(out)
    assert code == 0
    assert [r["status"] for r in got] == ["met", "indeterminate", "not_met"]
    assert [r["total"] for r in got] == [None, None, None]
    assert [r["items_missing"] for r in got] == [1, 1, 1]


def test_na_codes_and_cutpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    high = ["2"] * 19 + ["-99"]  # 38 answered, one declared missing
    data = write(tmp_path / "d.csv", ITEMS, [high, ["1"] * 19 + ["-99"]])
    code, out, err = run(capsys, str(data), "--instrument", "pcl5", "--na", "-99",
                         "--cutpoint", "33", "--no-summary")
    got = rows_of(out)
    # 38 answered >= 33: met whatever the missing item; 19 + at most 4 < 33: not met
    assert [r["cutpoint"] for r in got] == ["met", "not_met"]
    assert [r["bad_cells"] for r in got] == [None, None] and err == ""
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--cutpoint", "40",
                       "--no-summary")
    assert code == 0
    # without --na, -99 is a bad cell (missing): 38..42 against 40 is open
    assert [r["cutpoint"] for r in rows_of(out)] == ["indeterminate", "not_met"]


def test_outputs_csv_parquet_jsonl_agree(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", ["id", *ITEMS], [["a", *MET_ROW], ["b", *NOT_MET_ROW]])
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    jsonl = rows_of(out)
    for ext in ("csv", "parquet"):
        target = tmp_path / f"out.{ext}"
        assert run(capsys, str(data), "--instrument", "pcl5", "--out", str(target),
                   "--no-summary") == (0, "", "")
        got = duckdb.sql(f"SELECT * FROM '{target}' ORDER BY row").fetchall()
        assert [r[2] for r in got] == [j["status"] for j in jsonl]
        names = [d[0] for d in duckdb.sql(f"SELECT * FROM '{target}'").description]
        assert names == list(jsonl[0])
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--out", "x.xlsx")
    assert code == 2 and "expected .csv, .parquet or .jsonl" in err
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]


def test_out_never_overwrites_the_input(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", ["id", *ITEMS], [["a", *MET_ROW], ["b", *NOT_MET_ROW]])
    before = data.read_bytes()
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--out", str(data))
    assert code == 2 and "--out names the input data file" in err
    assert data.read_bytes() == before


def test_parquet_input_and_stdin(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    data = write(tmp_path / "d.csv", ["id", *ITEMS], [["a", *MET_ROW], ["b", *NOT_MET_ROW]])
    pq = tmp_path / "d.parquet"
    duckdb.sql(f"COPY (SELECT * FROM '{data}') TO '{pq}' (FORMAT parquet)")
    code, out, _ = run(capsys, str(pq), "--instrument", "pcl5", "--no-summary")
    assert [r["status"] for r in rows_of(out)] == ["met", "not_met"]

    class Stdin:
        buffer = io.BytesIO(data.read_bytes())

    monkeypatch.setattr("sys.stdin", Stdin)
    code, out, _ = run(capsys, "-", "--instrument", "pcl5", "--no-summary")
    assert code == 0 and [r["id"] for r in rows_of(out)] == ["a", "b"]


def test_summary_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [MET_ROW] * 3 + [NOT_MET_ROW] * 5 + [[""] * 20]
    data = write(tmp_path / "d.csv", ITEMS, rows)
    code, out, err = run(capsys, str(data), "--instrument", "pcl5", "--summary-only")
    assert code == 0 and err == ""
    assert "dsm5check score: 9 rows" in out
    assert "Provisional: the data cannot assess A, F, G, H" in out
    table = """\
                  met   not met  indeterminate
diagnosis    3  33.3%  5  55.6%       1  11.1%
B            3  33.3%  5  55.6%       1  11.1%
C            3  33.3%  5  55.6%       1  11.1%
D            3  33.3%  5  55.6%       1  11.1%
E            3  33.3%  5  55.6%       1  11.1%
total >= 33  0   0.0%  8  88.9%       1  11.1%
"""
    assert table in out
    assert "total severity: mean 18.12 over 8 rows" in out
    assert "  15-19  " in out and "█" in out
    assert "missing or bad item cells: 20 in 1 row" in out
    assert "{" not in out  # no rows


def test_criteria_columns_make_it_less_provisional(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", [*ITEMS, "criterion_a"],
                 [[*MET_ROW, "yes"], [*MET_ROW, "no"], [*MET_ROW, ""], [*MET_ROW, "perhaps"]])
    code, out, err = run(capsys, str(data), "--instrument", "pcl5")
    got = rows_of(out)
    assert code == 0
    assert [r["A_status"] for r in got] == ["met", "not_met", "indeterminate", "indeterminate"]
    assert [r["status"] for r in got] == ["met", "not_met", "indeterminate", "indeterminate"]
    assert got[0]["not_assessed"] == "F G H" and got[0]["provisional"] is True
    assert "'perhaps' is not yes/no" in err


def test_name_clashes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", ["status", "row", *ITEMS], [["x", "9", *MET_ROW]])
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    got = rows_of(out)[0]
    assert got["status"] == "met" and got["status_input"] == "x"
    assert got["row"] == 1 and got["row_input"] == 9
    data = write(tmp_path / "e.csv", ["__s_x", *ITEMS], [["x", *MET_ROW]])
    code, _, err = run(capsys, str(data), "--instrument", "pcl5")
    assert code == 2 and "reserved" in err


def test_missing_or_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "nowhere.csv", "--instrument", "pcl5")
    assert code == 2 and "nowhere.csv:1:1: no such file" in err
    empty = tmp_path / "e.csv"
    empty.write_text("")
    code, _, err = run(capsys, str(empty), "--instrument", "pcl5")
    assert code == 2 and "the file is empty" in err
    header_only = write(tmp_path / "h.csv", ITEMS, [])
    code, out, err = run(capsys, str(header_only), "--instrument", "pcl5")
    assert code == 0 and out == "" and "dsm5check score: 0 rows" in err
    assert f"{header_only}: no rows to score: the file holds a header and no data" in err
    for extra in (["--summary-only"], ["--rules", "dsm5-ptsd,icd11-ptsd", "--summary-only"]):
        code, _, err = run(capsys, str(header_only), "--instrument", "pcl5", *extra)
        assert code == 0 and "no rows to score" in err  # a newcomer's finding: no word
    blank = tmp_path / "b.csv"
    blank.write_text("\n\n  \n")
    code, _, err = run(capsys, str(blank), "--instrument", "pcl5")
    assert code == 2 and f"{blank}:1:1: the file holds only blank lines" in err


def test_ragged_and_garbled_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.csv"
    data.write_text(",".join(ITEMS) + "\n" + ",".join(MET_ROW) + "\n" + "2,2,2\n")
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    assert code == 0
    assert [r["items_missing"] for r in rows_of(out)] == [0, 17]


def test_progress_path_runs_the_query_in_a_worker(tmp_path: Path) -> None:
    from dsm5check.score.run import Engine, connect, execute

    con = connect(Engine(progress=True), str(tmp_path))
    assert execute(con, "SELECT count(*) FROM range(100000)", Engine(progress=True)) == [
        (100000,)]
    with pytest.raises(duckdb.Error):
        execute(con, "SELECT nonsense FROM nowhere", Engine(progress=True))


def test_caps5_numbered_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = [f"CAPS5_{n}" for n in (*range(1, 21), 23, 24, 25, 29, 30)]
    rows = [[*MET_ROW, "0", "0", "3", "2", "0"], [*MET_ROW, "0", "1", "0", "0", "0"]]
    data = write(tmp_path / "d.csv", header, rows)
    code, out, err = run(capsys, str(data), "--instrument", "caps5")
    got = rows_of(out)
    assert code == 0
    assert [r["G_status"] for r in got] == ["met", "not_met"]
    # dissociation present, but whether it is due to a substance is not in the data
    assert [r["with_dissociative_symptoms"] for r in got] == ["indeterminate", "not_met"]
    assert got[0]["not_assessed"] == "A F H" and "cutpoint" not in got[0]
    assert "not assessed inside with_dissociative_symptoms" in err


def test_bad_cell_after_the_sniffed_sample_falls_back_to_text(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # DuckDB guesses types from the first rows; a word far below must not stop the run
    rows = [[str(n), *MET_ROW] for n in range(30_000)]
    rows[25_000][3] = "often"
    data = write(tmp_path / "d.csv", ["id", *ITEMS], rows)
    out = tmp_path / "o.parquet"
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--out", str(out))
    assert code == 0
    assert f"{data}:25002:11: row 25001, column 'B3'" in err and "'often'" in err  # 25000,2,0,
    got = duckdb.sql(f"SELECT count(*), count(bad_cells), min(row), max(row) FROM '{out}'")
    assert got.fetchall() == [(30_000, 1, 1, 30_000)]
    status = duckdb.sql(f"SELECT status, bad_cells FROM '{out}' WHERE row = 25001").fetchall()
    assert status == [("met", "B3=often")]  # B1 = 2 still meets B


def test_parquet_with_text_item_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pq = tmp_path / "t.parquet"
    cols = ", ".join(f"'{v}' AS {i}" for v, i in zip(MET_ROW, ITEMS, strict=True))
    duckdb.sql(f"COPY (SELECT 'a' AS id, {cols} UNION ALL SELECT 'b', 'x', "
               f"{', '.join(repr(v) for v in MET_ROW[1:])}) TO '{pq}' (FORMAT parquet)")
    code, out, err = run(capsys, str(pq), "--instrument", "pcl5", "--no-summary")
    assert code == 0
    got = rows_of(out)
    assert [r["status"] for r in got] == ["met", "indeterminate"]
    assert got[1]["bad_cells"] == "B1=x"
    assert f"{pq}:2:2: row 2, column 'B1'" in err


def test_prorate_writes_fractional_totals(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    row = ["2"] * 18 + ["3", ""]  # mean of the 19 answered = 39 / 19
    data = write(tmp_path / "d.csv", ITEMS, [row])
    out = tmp_path / "o.csv"
    code, _, _ = run(capsys, str(data), "--instrument", "pcl5", "--missing", "prorate",
                     "--out", str(out), "--no-summary")
    assert code == 0
    total, prorated, e = duckdb.sql(
        f"SELECT total, items_prorated, E_status FROM '{out}'").fetchall()[0]
    assert total == pytest.approx(39 + 39 / 19) and prorated == 1 and e == "met"
