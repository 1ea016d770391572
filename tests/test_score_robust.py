"""`dsm5check score` on damaged input and bad options (issue 12 findings, score side).

Every case: a clear `file:line:col: message`, the documented exit code (2 for
input that cannot be used), never a traceback, never a hang.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dsm5check.cli import main

ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]
ROW = ["2"] * 20


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["score", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return write(tmp_path / "d.csv", ["id", *ITEMS], [["1", *ROW], ["2", *(["1"] * 20)]])


def test_memory_limit_that_is_not_a_size(data: Path) -> None:
    """Was a DuckDB ParserException traceback with exit 1 (the code of a mismatch)."""
    proc = subprocess.run([sys.executable, "-m", "dsm5check", "score", str(data),
                           "--instrument", "pcl5", "--memory-limit", "banana"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("--memory-limit: 'banana' is not a memory size")
    assert proc.stdout == ""


@pytest.mark.parametrize("size", ["64MB", "1GB", "512 MiB", "0.5GB"])
def test_memory_limit_sizes_accepted(data: Path, capsys: pytest.CaptureFixture[str],
                                     size: str) -> None:
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--no-summary",
                       "--memory-limit", size)
    assert code == 0 and len(out.splitlines()) == 2


def test_out_naming_a_folder(data: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    """Was IsADirectoryError from os.replace after all the work (a folder named x.csv)."""
    folder = tmp_path / "scored.csv"
    folder.mkdir()
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--out", str(folder))
    assert code == 2
    assert err.startswith(f"{folder}:1:1: --out names a folder; expected a file")
    assert list(folder.iterdir()) == []  # nothing written inside it
    assert list(tmp_path.glob(".*partial")) == []


def test_out_in_a_missing_folder(data: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "nowhere" / "scored.csv"
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--out", str(out_path))
    assert code == 2
    assert "--out: no folder" in err


@pytest.mark.parametrize("threads", ["100000", "-1"])
def test_threads_out_of_range_refused_at_once(data: Path, threads: str) -> None:
    """`--threads 100000` did not return."""
    proc = subprocess.run([sys.executable, "-m", "dsm5check", "score", str(data),
                           "--instrument", "pcl5", "--threads", threads],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith(f"--threads: {threads} threads: expected a number from 1")


def test_score_on_a_folder_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Said "no such file" about a folder that exists."""
    code, _, err = run(capsys, str(tmp_path), "--instrument", "pcl5")
    assert code == 2
    assert err.startswith(f"{tmp_path}:1:1: is a folder; expected a CSV or Parquet file")
    assert "no such file" not in err


def test_score_on_a_fifo_is_refused_without_blocking(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "d.csv"
    import os

    os.mkfifo(fifo)
    code, _, err = run(capsys, str(fifo), "--instrument", "pcl5")
    assert code == 2
    assert "is not a regular file" in err


@pytest.mark.parametrize("cell", ["2.5", "0x3", "3.0001", "-0.5"])
def test_fractional_and_hex_cells_are_bad_cells(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                cell: str) -> None:
    """`2.5` and `0x3` were read as the rating 3 with no bad cell (the CSV fast path)."""
    data = write(tmp_path / "d.csv", ["id", *ITEMS], [["1", cell, *ROW[1:]], ["2", *ROW]])
    code, out, err = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    assert code == 0
    import json

    rows = [json.loads(x) for x in out.splitlines()]
    assert rows[0]["bad_cells"] == f"B1={cell}"
    assert rows[0]["total"] is None and rows[0]["items_missing"] == 1
    assert rows[1]["bad_cells"] is None and rows[1]["total"] == 40
    assert f"d.csv:2:3: row 1, column 'B1' (item B1): '{cell}' is not a whole number 0-4" in err


def test_bad_cell_in_parquet_float_column(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    import duckdb

    src = write(tmp_path / "d.csv", ["id", *ITEMS], [["1", "2.5", *ROW[1:]], ["2", *ROW]])
    pq = tmp_path / "d.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{src}', types={{'B1': 'DOUBLE'}})) TO '{pq}'")
    code, out, _ = run(capsys, str(pq), "--instrument", "pcl5", "--no-summary")
    assert code == 0
    assert '"bad_cells":"B1=2.5"' in out.splitlines()[0]


def test_invalid_utf8_reported_at_its_line_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CSV read errors were always at 1:1 although the message named the line."""
    data = tmp_path / "d.csv"
    lines = [",".join(["id", *ITEMS])] + [",".join([str(n), *ROW]) for n in range(1, 6)]
    body = "\n".join(lines).encode() + b"\n6,2,\xff\xfe," + ",".join(ROW[2:]).encode() + b"\n"
    data.write_bytes(body)
    code, out, err = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    assert code == 2
    assert out == ""
    assert err.splitlines() == [f"{data}:7:5: cannot read CSV data: invalid UTF-8"
                                " (save the file as UTF-8)"]


def test_caps5_named_by_item_id_still_reads_numbered_g_and_dissociation(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """B1..E6 columns left caps23..caps30 unused: G showed as not assessed."""
    header = ["id", *ITEMS, "caps23", "caps24", "caps25", "caps29", "caps30"]
    data = write(tmp_path / "d.csv", header, [
        ["1", *ROW, "0", "0", "0", "0", "0"],   # G not met
        ["2", *ROW, "0", "0", "3", "3", "0"],   # G met by item 25; depersonalization
        ["3", *ROW, "", "", "", "", ""],        # G unknown
    ])
    code, out, err = run(capsys, str(data), "--instrument", "caps5", "--no-summary")
    assert code == 0, err
    import json

    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["G_status"] for r in rows] == ["not_met", "met", "indeterminate"]
    assert [r["not_assessed"] for r in rows] == ["A F H"] * 3
    # row 2: depersonalization present, but whether a substance explains it is unknown
    assert [r["with_dissociative_symptoms"] for r in rows] == ["not_met", "indeterminate",
                                                                "indeterminate"]
    assert not any(k.startswith("caps") for k in rows[0])  # read, not carried


def test_rows_keep_input_order_with_two_threads(tmp_path: Path) -> None:
    """The default of 2 threads must not reorder rows, in CSV or Parquet output."""
    import duckdb

    data = tmp_path / "big.csv"
    cols = ", ".join(f"(i * {n + 7}) % 5 AS {item}" for n, item in enumerate(ITEMS))
    duckdb.sql(f"COPY (SELECT i AS id, {cols} FROM range(1, 200001) t(i)) TO '{data}'")
    for ext in ("csv", "parquet"):
        out = tmp_path / f"scored.{ext}"
        assert main(["score", str(data), "--instrument", "pcl5", "--no-summary",
                     "--out", str(out)]) == 0
        got = duckdb.sql(f"SELECT count(*), count(*) FILTER (WHERE row <> id),"
                         f" count(*) FILTER (WHERE row <> prev + 1) FROM (SELECT row, id,"
                         f" LAG(row) OVER () AS prev FROM '{out}')").fetchall()
        assert got == [(200000, 0, 0)], ext


# --- issue 12 leftovers: bad cells as the file holds them; rows wider than the header


@pytest.mark.parametrize("cell", ["2.50", "-1.0", "07", "+5", "1e0x", " 2.5 ", "4.00001"])
@pytest.mark.parametrize("out_kind", ["jsonl", "parquet", "csv", "summary"])
def test_bad_cell_shown_exactly_as_the_file_holds_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str, out_kind: str) -> None:
    """The fast path reads ratings as numbers: `2.50` was reported as `2.5`."""
    import duckdb

    rows = [["1", *ROW], ["2", *ROW[:4], cell, *ROW[5:]], ["3", *(["1"] * 20)]]
    data = write(tmp_path / "d.csv", ["id", *ITEMS], rows)
    args = [str(data), "--instrument", "pcl5"]
    if out_kind == "summary":
        args.append("--summary-only")
    elif out_kind != "jsonl":
        args += ["--out", str(tmp_path / f"o.{out_kind}"), "--no-summary"]
    else:
        args.append("--no-summary")
    code, out, err = run(capsys, *args)
    assert code == 0
    shown = cell.strip()  # a cell's surrounding blanks are not part of what it holds
    # the character column where the cell starts: "2,2,2,2,2," is 10 characters
    assert f"d.csv:3:11: row 2, column 'B5' (item B5): {shown!r} is not a whole number 0-4" in err
    assert err.count("is not a whole number") == 1
    if out_kind == "summary":
        assert "bad cells (counted as missing) in 1 row: B5 1" in out
        return
    if out_kind == "jsonl":
        import json

        got = [json.loads(x) for x in out.splitlines()]
    else:
        rel = duckdb.sql(f"SELECT * FROM '{tmp_path / f'o.{out_kind}'}' ORDER BY row")
        got = [dict(zip(rel.columns, r, strict=True)) for r in rel.fetchall()]
    assert len(got) == 3  # every row once (the second pass replaces, never appends)
    assert [r["bad_cells"] for r in got] == [None, f"B5={shown}", None]
    assert [r["id"] for r in got] == [1, 2, 3]  # the other columns keep their types


def test_bad_cell_text_below_the_sniffed_rows_and_na_codes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing-value code far below the sniffed sample, with a bad cell: both read."""
    rows = [[str(n), *ROW] for n in range(1, 30_001)]
    rows[20_000][3] = "NA"
    rows[25_000][7] = "2.50"
    data = write(tmp_path / "d.csv", ["id", *ITEMS], rows)
    code, out, err = run(capsys, str(data), "--instrument", "pcl5", "--summary-only")
    assert code == 0
    assert "d.csv:25002:19: row 25001, column 'C2' (item C2): '2.50'" in err  # 25001, + 6 cells
    assert "missing or bad item cells: 2 in 2 rows" in out


def test_row_with_more_cells_than_the_header_is_a_problem_at_its_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["1", *ROW], ["2", *ROW, "3", "extra"], ["3", *ROW]]
    data = write(tmp_path / "d.csv", ["id", *ITEMS], rows)
    line = data.read_text().splitlines()[2]
    col = len(",".join(["2", *ROW])) + 2  # where the first cell beyond the header starts
    assert line[col - 1:] == "3,extra"
    for extra in ([], ["--out", str(tmp_path / "o.parquet")], ["--summary-only"]):
        code, out, err = run(capsys, str(data), "--instrument", "pcl5", *extra)
        assert code == 2, err
        assert err.startswith(f"{data}:3:{col}: cannot read CSV data: this row has 23 cells,"
                              " the header 21")
        assert "Traceback" not in err and "column21" not in out
    assert not (tmp_path / "o.parquet").exists()


def test_wider_row_far_below_the_sniffed_rows(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    rows = [[str(n), *ROW] for n in range(1, 40_001)]
    rows[35_000].append("9")
    data = write(tmp_path / "d.csv", ["id", *ITEMS], rows)
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--summary-only")
    assert code == 2
    assert f"{data}:35002:" in err and "this row has 22 cells, the header 21" in err


def test_shorter_rows_are_still_padded_with_missing_cells(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", ["id", *ITEMS], [["1", *ROW], ["2", "2", "2"]])
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    import json

    assert code == 0
    assert [json.loads(x)["items_missing"] for x in out.splitlines()] == [0, 18]


def test_dialect_sniffed_once_still_reads_semicolons_crlf_and_quotes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Later reads reuse the sniffed dialect: a quoted cell below the sniffed rows
    (which held no quotes) still reads as the rating it holds."""
    rows = [[str(n), *ROW] for n in range(1, 25_001)]
    rows[24_000] = [f'"{c}"' for c in rows[24_000]]
    data = tmp_path / "d.csv"
    data.write_bytes(("\r\n".join(";".join(r) for r in [["id", *ITEMS], *rows])
                      + "\r\n").encode())
    code, out, err = run(capsys, str(data), "--instrument", "pcl5", "--summary-only")
    assert code == 0, err
    assert "bad cells: none" in out and "25,000 rows" in out


# --- the lean first pass: the reader gets only the missing codes that look like numbers


def _jsonl(out: str) -> list[dict[str, object]]:
    import json

    return [json.loads(x) for x in out.splitlines()]


def test_missing_codes_in_text_columns_stay_missing_on_the_lean_pass(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [["P1", "NA", *ROW], ["P2", "north", *ROW], ["N/A", ".", *ROW]]
    data = write(tmp_path / "d.csv", ["id", "site", *ITEMS], rows)
    code, out, err = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    assert code == 0, err
    got = _jsonl(out)
    assert [r["id"] for r in got] == ["P1", "P2", None]
    assert [r["site"] for r in got] == [None, "north", None]
    assert [r["bad_cells"] for r in got] == [None, None, None]


@pytest.mark.parametrize("code", ["NA", "NaN", "nan", ".", "null"])
def test_default_missing_codes_in_rating_cells(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str],
                                               code: str) -> None:
    rows = [["1", *ROW], ["2", code, *ROW[1:]]]
    data = write(tmp_path / "d.csv", ["id", *ITEMS], rows)
    code_, out, err = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    assert code_ == 0 and err == ""
    got = _jsonl(out)
    assert [r["items_missing"] for r in got] == [0, 1]
    assert [r["bad_cells"] for r in got] == [None, None]
    assert [r["id"] for r in got] == [1, 2]


@pytest.mark.parametrize("code", ["0", "-99", "9.5", "+1"])
def test_number_like_missing_codes_are_never_read_as_ratings(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str) -> None:
    """`--na 0` declares 0 missing: a lean pass must not read it as the rating 0."""
    rows = [["1", *ROW], ["2", code, *ROW[1:]]]
    data = write(tmp_path / "d.csv", ["id", *ITEMS], rows)
    code_, out, err = run(capsys, str(data), "--instrument", "pcl5", "--na", code,
                          "--no-summary")
    assert code_ == 0 and err == ""
    assert [r["items_missing"] for r in _jsonl(out)] == [0, 1]


def test_lean_pass_and_text_fallback_agree_on_every_row(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same rows scored on the lean pass and (one word added) on the text pass."""
    import random

    rnd = random.Random(5)
    cells = ["0", "1", "2", "3", "4", "", "-99"]
    rows = [[str(n), rnd.choice(["NA", "a", ".", ""]), *(rnd.choice(cells) for _ in ITEMS)]
            for n in range(1, 400)]
    header = ["id", "site", *ITEMS]
    data = write(tmp_path / "d.csv", header, rows)
    code, out, err = run(capsys, str(data), "--instrument", "pcl5", "--na", "-99",
                         "--no-summary")
    assert code == 0 and err == ""
    forced = write(tmp_path / "f.csv", header, [*rows, ["400", "a", "often", *ROW[1:]]])
    code, out2, err = run(capsys, str(forced), "--instrument", "pcl5", "--na", "-99",
                          "--no-summary")
    assert code == 0 and "'often'" in err
    a, b = _jsonl(out), _jsonl(out2)[:-1]
    assert len(a) == 399 and a == b
    assert {r["site"] for r in a} == {None, "a"}


@pytest.mark.parametrize(("cores", "load", "threads"), [
    (2, 0.0, 2), (2, 0.4, 2), (2, 0.6, 2), (2, 9.0, 2), (1, 0.0, 1), (8, 3.0, 2)])
def test_default_threads_are_the_usable_cores_at_most_two(
        monkeypatch: pytest.MonkeyPatch, cores: int, load: float, threads: int) -> None:
    """The load average no longer lowers the default (it counts the runs just before)."""
    import os

    from dsm5check.score import run as runner

    monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: set(range(cores)))
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert runner.default_threads() == threads


@pytest.mark.parametrize("extra", [["--summary-only"], ["--no-summary", "--out", "o.parquet"]])
def test_bad_cells_at_their_rows_with_two_threads(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]) -> None:
    """The summary pass lets threads work in any order; the rows it names stay right."""
    rows = [[str(n), *ROW] for n in range(1, 150_001)]
    for n in (3, 77_777, 149_999):
        rows[n - 1][1] = "9"
    data = write(tmp_path / "d.csv", ["id", *ITEMS], rows)
    extra = [str(tmp_path / x) if x.endswith(".parquet") else x for x in extra]
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--threads", "2", *extra)
    assert code == 0
    for n in (3, 77_777, 149_999):
        col = len(str(n)) + 2  # the character column after "<id>,"
        assert f"d.csv:{n + 1}:{col}: row {n}, column 'B1' (item B1): '9'" in err
