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
    assert f"d.csv:2:2: row 1, column 'B1' (item B1): '{cell}' is not a whole number 0-4" in err


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
