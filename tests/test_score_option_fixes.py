"""`score` options refused with a clear message: --max-missing above what the items
allow, and --map mistakes reported at their line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsm5check.cli import main

PCL_HEADER = [f"q{n}" for n in range(1, 21)]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["score", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pcl(tmp_path: Path) -> Path:
    path = tmp_path / "pcl.csv"
    path.write_text(",".join(PCL_HEADER) + "\n" + ",".join(["2"] * 19 + [""]) + "\n")
    return path


# the ITQ has 12 symptom items: its items 7-9 and 16-18 rate impairment
@pytest.mark.parametrize(("instrument", "top"), [("pcl5", 19), ("caps5", 19), ("itq", 11)])
def test_max_missing_above_the_items_is_refused(pcl: Path, capsys: pytest.CaptureFixture[str],
                                                instrument: str, top: int) -> None:
    code, out, err = run(capsys, str(pcl), "--instrument", instrument, "--missing", "prorate",
                         "--max-missing", str(top + 1), "--summary-only")
    assert code == 2
    assert out == ""
    assert f"--max-missing {top + 1}:" in err
    assert f"expected a number from 0 to {top}" in err
    assert "Traceback" not in err


def test_max_missing_at_the_top_is_accepted(pcl: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    cmap = tmp_path / "map.yaml"
    cmap.write_text("positional: 1\n")
    code, out, err = run(capsys, str(pcl), "--instrument", "pcl5", "--missing", "prorate",
                         "--max-missing", "19", "--map", str(cmap), "--summary-only")
    assert code == 0, err
    assert "1 row " in out


def _map_error(tmp_path: Path, pcl: Path, capsys: pytest.CaptureFixture[str],
               text: str) -> str:
    cmap = tmp_path / "map.yaml"
    cmap.write_text(text)
    code, out, err = run(capsys, str(pcl), "--instrument", "pcl5", "--map", str(cmap))
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    return err.replace(str(cmap), "map.yaml")


def test_map_unknown_top_level_key_at_its_line(tmp_path: Path, pcl: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    err = _map_error(tmp_path, pcl, capsys, "positional: 1\n\npositonal: 3\n")
    assert err.startswith("map.yaml:3:1: unknown key 'positonal'; did you mean 'positional'?")


def test_map_unknown_key_in_a_flow_mapping_at_its_column(
        tmp_path: Path, pcl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _map_error(tmp_path, pcl, capsys, "{positional: 1, bogus: 3}\n")
    assert err.startswith("map.yaml:1:17: unknown key 'bogus'")


def test_map_unknown_item_key_at_its_line(tmp_path: Path, pcl: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    err = _map_error(tmp_path, pcl, capsys, "items:\n  B1: q1\n  Z9: q2\n")
    assert err.startswith("map.yaml:3:7: unknown item 'Z9'")


def test_map_unknown_criterion_key_at_its_line(tmp_path: Path, pcl: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    err = _map_error(tmp_path, pcl, capsys, "positional: 1\ncriteria:\n  ZZ: q1\n")
    assert err.startswith("map.yaml:3:")
    assert "unknown criterion 'ZZ'" in err


def test_map_duplicate_key_is_refused_at_its_line(tmp_path: Path, pcl: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    err = _map_error(tmp_path, pcl, capsys, "items:\n  B1: q1\n  B1: q2\n")
    assert err.startswith("map.yaml:3:3: duplicate key 'B1' (first given on line 2)")


def test_map_summed_item_named_twice_at_the_second_key(
        tmp_path: Path, pcl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _map_error(tmp_path, pcl, capsys, "items:\n  1: q1\n  B1: q2\n")
    assert err.startswith("map.yaml:3:7: item B1 is named twice in the map (also as 1)")


def test_map_summed_item_given_several_columns_at_its_key(
        tmp_path: Path, pcl: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _map_error(tmp_path, pcl, capsys, "items:\n  B1: [q1, q2]\n")
    assert err.startswith("map.yaml:2:7: item B1 adds up to the total: give it one column")


# -- threads and memory -----------------------------------------------------------------


@pytest.fixture
def rows_50k(tmp_path: Path) -> Path:
    import random

    rnd = random.Random(5)
    path = tmp_path / "many.csv"
    with path.open("w") as fh:
        fh.write("id," + ",".join(PCL_HEADER) + "\n")
        for n in range(1, 50_001):
            fh.write(f"{n}," + ",".join(str(rnd.randint(0, 4)) for _ in range(20)) + "\n")
    return path


def test_memory_limit_default_is_64mb_per_thread() -> None:
    from dsm5check.score.run import default_memory_limit

    assert default_memory_limit(1) == "64MB"
    assert default_memory_limit(2) == "128MB"


@pytest.mark.parametrize("extra", [(), ("--rules", "dsm5-ptsd,icd11-ptsd")])
def test_out_of_memory_while_reading_names_memory_limit(
        rows_50k: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        extra: tuple[str, ...]) -> None:
    cmap = tmp_path / "map.yaml"
    cmap.write_text("positional: 2\n")
    code, _out, err = run(capsys, str(rows_50k), "--instrument", "pcl5", "--map", str(cmap),
                          "--memory-limit", "2MB", "--out", str(tmp_path / "o.csv"), *extra)
    assert code == 2
    assert err.startswith("--memory-limit: DuckDB ran out of the memory it may use"), err
    assert "give more with --memory-limit" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("extra", [(), ("--rules", "dsm5-ptsd,icd11-ptsd")])
def test_out_of_memory_while_scoring_names_memory_limit(
        rows_50k: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        extra: tuple[str, ...]) -> None:
    cmap = tmp_path / "map.yaml"
    cmap.write_text("positional: 2\n")
    code, _out, err = run(capsys, str(rows_50k), "--instrument", "pcl5", "--map", str(cmap),
                          "--memory-limit", "6MB", "--threads", "1",
                          "--out", str(tmp_path / "o.csv"), *extra)
    assert code == 2
    assert err.startswith("--memory-limit: DuckDB "), err
    assert "6MB" in err and "--memory-limit (e.g. --memory-limit 1GB)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_rows_written_on_two_threads_are_numbered_in_input_order(
        rows_50k: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        suffix: str) -> None:
    """Rows are scored on every thread without numbers, then numbered on the copy."""
    import duckdb

    cmap = tmp_path / "map.yaml"
    cmap.write_text("positional: 2\n")
    out = tmp_path / f"o{suffix}"
    code, _, err = run(capsys, str(rows_50k), "--instrument", "pcl5", "--map", str(cmap),
                       "--threads", "2", "--out", str(out), "--no-summary")
    assert code == 0, err
    reader = "read_json" if suffix == ".jsonl" else "read_csv" if suffix == ".csv" else (
        "read_parquet")
    got = duckdb.sql(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE \"row\" = id),"
                     f" MIN(\"row\"), MAX(\"row\") FROM {reader}('{out}')").fetchall()
    assert got == [(50_000, 50_000, 1, 50_000)]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_parquet_input_rows_numbered_by_the_reader_in_input_order(
        rows_50k: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        suffix: str) -> None:
    import duckdb

    data = tmp_path / "many.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{rows_50k}')) TO '{data}'")
    cmap = tmp_path / "map.yaml"
    cmap.write_text("positional: 2\n")
    out = tmp_path / f"o{suffix}"
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--map", str(cmap),
                       "--threads", "2", "--out", str(out), "--no-summary")
    assert code == 0, err
    got = duckdb.sql(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE \"row\" = id) FROM '{out}'"
                     ).fetchall()
    assert got == [(50_000, 50_000)]


@pytest.mark.parametrize("mode", ["strict", "zero"])
def test_max_missing_without_prorate_is_refused(pcl: Path, capsys: pytest.CaptureFixture[str],
                                               mode: str) -> None:
    """A newcomer's finding: --max-missing 5 with the default strict mode was taken and
    did nothing, the summary saying 'missing data: strict'."""
    code, out, err = run(capsys, str(pcl), "--instrument", "pcl5", "--missing", mode,
                         "--max-missing", "5", "--summary-only")
    assert code == 2 and out == ""
    assert ("--max-missing 5 applies only with --missing prorate (missing answers are"
            f" handled as {mode} here)") in err, err
