"""CSV rows scored into a Parquet file are staged first (score/run.Stage): copied in
input order to a Parquet file and read back numbered by the Parquet reader, so that
the scoring runs on every thread. What a user gets must not change: the same rows,
the same numbers, the same bad cells and messages as a run on one thread, which is
never staged."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from dsm5check.score import run as runner
from dsm5check.score.run import STAGE_MAX_BYTES, Engine, plan_stage
from dsm5check.score.source import Source

ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]


def _pcl5(tmp_path: Path, rows: int, name: str = "d.csv") -> Path:
    data = tmp_path / name
    cols = ", ".join(f"(i * {n + 3}) % 5 AS {item}" for n, item in enumerate(ITEMS))
    duckdb.sql(f"COPY (SELECT i AS id, {cols} FROM range(1, {rows + 1}) t(i)) TO '{data}'")
    return data


#: every how many rows, which item cell (0-based), what it holds instead of a rating
DAMAGE = ((97, 3, "2.5"), (89, 7, "often"), (83, 11, "7"), (13, 0, "NA"), (17, 5, ""),
          (19, 9, "-99"))


def _messy(tmp_path: Path) -> Path:
    """Bad cells, missing codes, blank cells, a quoted note with a comma and a line
    break, CRLF line ends: 3,000 rows, so that the rows span several chunks."""
    lines = ["id,note," + ",".join(ITEMS)]
    for i in range(1, 3001):
        cells = [str((i * (n + 3)) % 5) for n in range(20)]
        for every, cell, value in DAMAGE:
            if i % every == 0:
                cells[cell] = value
        note = '"said ""no"", then\r\nleft"' if i % 250 == 0 else f"n{i}"
        lines.append(f"{i},{note}," + ",".join(cells))
    data = tmp_path / "messy.csv"
    data.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return data


def _itq(tmp_path: Path) -> Path:
    data = tmp_path / "itq.csv"
    cols = ", ".join(f"(i * {n + 5}) % 5 AS itq{n + 1}" for n in range(18))
    duckdb.sql(f"COPY (SELECT {cols} FROM range(1, 4001) t(i)) TO '{data}'")
    return data


def _score(data: Path, out: Path, *extra: str, threads: int | None = None,
           capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    from dsm5check.cli import main

    args = ["score", str(data), "--out", str(out), "--no-summary", *extra]
    if threads:
        args += ["--threads", str(threads)]
    capsys.readouterr()
    code = main(args)
    return code, capsys.readouterr().err.replace(str(out), "OUT")


def _same_rows(a: Path, b: Path) -> None:
    con = duckdb.connect()
    one = con.execute(f"SELECT * FROM '{a}'").fetchall()
    two = con.execute(f"SELECT * FROM '{b}'").fetchall()
    assert one == two
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{a}'").fetchall()]
    assert cols == [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{b}'").fetchall()]
    rows = [r[0] for r in con.execute(f"SELECT row FROM '{a}'").fetchall()]
    assert rows == list(range(1, len(rows) + 1))


@pytest.fixture
def two_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Two threads by default (what this 2-core machine gives), and the SQL each
    statement ran, in order."""
    seen: list[str] = []
    real = runner._execute

    def spy(con, sql, engine, what):  # type: ignore[no-untyped-def]
        seen.append(sql)
        return real(con, sql, engine, what)

    monkeypatch.setattr(runner, "_execute", spy)
    monkeypatch.setattr(runner, "default_threads", lambda: 2)
    return seen


def _staged(seen: list[str]) -> bool:
    """Whether the run staged the CSV rows and scored them numbered by the Parquet
    reader."""
    stage = [s for s in seen if s.startswith("COPY (SELECT * FROM read_csv(")
             and "staged.parquet" in s]
    scored = [s for s in seen if "read_parquet(" in s and "staged.parquet" in s
              and "file_row_number + 1" in s and "ROW_NUMBER() OVER ()" not in s]
    return bool(stage) and bool(scored)


@pytest.mark.parametrize("kind", ["pcl5", "messy"])
def test_staged_rows_are_the_rows_of_one_thread(
        tmp_path: Path, two_threads: list[str], capsys: pytest.CaptureFixture[str],
        kind: str) -> None:
    data = _pcl5(tmp_path, 5000) if kind == "pcl5" else _messy(tmp_path)
    extra = ["--instrument", "pcl5", "--na", "-99"]
    code2, err2 = _score(data, tmp_path / "two.parquet", *extra, capsys=capsys)
    assert _staged(two_threads), two_threads
    two_threads.clear()
    code1, err1 = _score(data, tmp_path / "one.parquet", *extra, threads=1, capsys=capsys)
    assert not _staged(two_threads)
    assert (code2, err2) == (code1, err1)
    _same_rows(tmp_path / "two.parquet", tmp_path / "one.parquet")
    if kind == "messy":  # the bad cells are there, at their lines, as the file holds them
        assert "'2.5' is not" in err2 and "'often'" in err2 and "'7'" in err2
        out = tmp_path / "two.parquet"
        bad = duckdb.sql(f"SELECT count(*) FROM '{out}' WHERE bad_cells IS NOT NULL")
        assert bad.fetchall()[0][0] > 60
        note = duckdb.sql(f"SELECT note FROM '{out}' WHERE id = 250").fetchall()
        assert note == [('said "no", then\r\nleft',)]


def test_staged_itq_and_several_sets(tmp_path: Path, two_threads: list[str],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = _itq(tmp_path)
    assert _score(data, tmp_path / "two.parquet", "--instrument", "itq",
                  capsys=capsys)[0] == 0
    assert _staged(two_threads)
    assert _score(data, tmp_path / "one.parquet", "--instrument", "itq", threads=1,
                  capsys=capsys)[0] == 0
    _same_rows(tmp_path / "two.parquet", tmp_path / "one.parquet")
    two_threads.clear()
    pcl = _pcl5(tmp_path, 4000)
    sets = ["--instrument", "pcl5", "--rules", "dsm5-ptsd,icd11-ptsd"]
    assert _score(pcl, tmp_path / "m2.parquet", *sets, capsys=capsys)[0] == 0
    assert _staged(two_threads)
    assert _score(pcl, tmp_path / "m1.parquet", *sets, threads=1, capsys=capsys)[0] == 0
    _same_rows(tmp_path / "m2.parquet", tmp_path / "m1.parquet")


def test_a_broken_row_is_reported_the_same_way_staged(
        tmp_path: Path, two_threads: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    data = _pcl5(tmp_path, 3000)
    lines = data.read_text().splitlines()
    lines[1500] += ",9,9"  # line 1501: two cells more than the header
    data.write_text("\n".join(lines) + "\n")
    code2, err2 = _score(data, tmp_path / "two.parquet", "--instrument", "pcl5",
                         capsys=capsys)
    code1, err1 = _score(data, tmp_path / "one.parquet", "--instrument", "pcl5", threads=1,
                         capsys=capsys)
    assert code2 == code1 == 2
    assert err2 == err1
    assert f"{data}:1501:" in err2
    assert not list(tmp_path.glob("*.parquet*"))  # nothing half-written left behind


def _engine(threads: int = 2, default_mb: int | None = 128) -> Engine:
    return Engine(threads=threads, memory_limit=f"{default_mb or 128}MB",
                  default_mb=default_mb)


def test_plan_stage_for_pcl5_rows_into_parquet(tmp_path: Path) -> None:
    data = _pcl5(tmp_path, 10)
    src = Source(str(data), str(data), "csv", ())
    stage = plan_stage(_engine(), src, str(tmp_path / "o.parquet"), 21, str(tmp_path))
    assert stage is not None
    assert stage.memory == "384MB"  # what the ordered writer needs for two threads
    assert stage.path == str(tmp_path / "staged.parquet")


@pytest.mark.parametrize("case", ["csv out", "jsonl out", "stdout", "one thread",
                                  "--memory-limit", "parquet data", "too wide",
                                  "too long"])
def test_plan_stage_not_staged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               case: str) -> None:
    data = _pcl5(tmp_path, 10)
    src = Source(str(data), str(data), "csv", ())
    out: str | None = str(tmp_path / "o.parquet")
    engine, columns = _engine(), 21
    if case == "csv out":
        out = str(tmp_path / "o.csv")
    elif case == "jsonl out":
        out = str(tmp_path / "o.jsonl")
    elif case == "stdout":
        out = None
    elif case == "one thread":
        engine = _engine(threads=1, default_mb=64)
    elif case == "--memory-limit":
        engine = _engine(default_mb=None)
    elif case == "parquet data":
        src = Source(str(data), str(data), "parquet", ())
    elif case == "too wide":  # the staging writer would need more than the cap
        columns = 70
    else:
        monkeypatch.setattr(runner, "STAGE_MAX_BYTES", data.stat().st_size - 1)
    assert plan_stage(engine, src, out, columns, str(tmp_path)) is None
    assert STAGE_MAX_BYTES >= 64 * 1024 * 1024  # 1M PCL-5 rows (47 MB) are staged


def test_long_files_are_not_staged(tmp_path: Path, two_threads: list[str],
                                   monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Over the size limit the rows are scored in one pass (memory stays flat): the same
    rows again."""
    data = _pcl5(tmp_path, 2000)
    monkeypatch.setattr(runner, "STAGE_MAX_BYTES", 1000)
    assert _score(data, tmp_path / "a.parquet", "--instrument", "pcl5",
                  capsys=capsys)[0] == 0
    assert not _staged(two_threads)
    assert any("ROW_NUMBER() OVER ()" in s for s in two_threads)
    monkeypatch.setattr(runner, "STAGE_MAX_BYTES", 1 << 30)
    assert _score(data, tmp_path / "b.parquet", "--instrument", "pcl5",
                  capsys=capsys)[0] == 0
    assert _staged(two_threads)
    _same_rows(tmp_path / "a.parquet", tmp_path / "b.parquet")


def test_staged_memory_follows_the_writer_rule_within_the_cap() -> None:
    engine = _engine()
    assert runner.staged_memory(engine, 21) == "384MB"  # PCL-5 rows
    assert runner.staged_memory(engine, 38) == "704MB"  # the ITQ's scored rows
    assert runner.staged_memory(engine, 200) == f"{runner.STAGE_MAX_RAISED_MB}MB"
    assert runner.staged_memory(engine, 5) is None  # 128 MB are enough already
    assert runner.staged_memory(_engine(default_mb=1024), 38) is None


def test_each_pass_runs_under_its_own_limit_and_the_limit_is_put_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The limits DuckDB ran each statement under, seen from the connection: the copy
    under what its input columns need, the scoring under what the wider scored rows
    need, the summary under the engine's own 128 MB."""
    from dsm5check.cli import main

    seen: list[tuple[str, str]] = []
    real = runner._execute

    def spy(con, sql, engine, what):  # type: ignore[no-untyped-def]
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        seen.append((sql[:30], limit))
        return real(con, sql, engine, what)

    monkeypatch.setattr(runner, "_execute", spy)
    monkeypatch.setattr(runner, "default_threads", lambda: 2)
    data = tmp_path / "itq.csv"
    cols = ", ".join(f"(i * {n + 5}) % 5 AS itq{n + 1}" for n in range(18))
    duckdb.sql(f"COPY (SELECT {cols} FROM range(1, 2001) t(i)) TO '{data}'")
    out = tmp_path / "o.parquet"
    assert main(["score", str(data), "--instrument", "itq", "--out", str(out),
                 "--no-summary"]) == 0
    width = len(duckdb.sql(f"SELECT * FROM '{out}'").columns)
    assert width > 30
    assert seen[0][0].startswith("COPY (SELECT * FROM read_csv(")
    assert seen[0][1] == _shown("320MB") == _shown(runner.staged_memory(_engine(), 18)), seen
    assert seen[1][0].startswith("COPY (") and "read_csv" not in seen[1][0]
    assert seen[1][1] == _shown(runner.staged_memory(_engine(), width)), seen
    assert seen[1][1] != seen[0][1]
    assert {limit for _, limit in seen[2:]} == {_shown("128MB")}, seen


def _shown(limit: str | None) -> str:
    """A memory limit as DuckDB shows it (320MB: 305.1 MiB)."""
    assert limit is not None
    got = duckdb.connect(config={"memory_limit": limit}).execute(
        "SELECT current_setting('memory_limit')").fetchall()
    return str(got[0][0])
