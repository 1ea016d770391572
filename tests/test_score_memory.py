"""Rows written in two passes get the memory DuckDB's ordered writer needs to use every
thread (score/run.first_pass_memory), within a cap, never over a --memory-limit given."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsm5check.score import run as runner
from dsm5check.score.run import Engine, first_pass_memory

ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]


def test_raised_for_pcl5_rows_on_two_threads() -> None:
    # 21 columns: 16 MiB each for the second thread, a tenth more, in steps of 32 MB
    assert first_pass_memory(Engine(threads=2, memory_limit="128MB", default_mb=128),
                             21) == "384MB"


@pytest.mark.parametrize(("engine", "columns"), [
    (Engine(threads=1, memory_limit="64MB", default_mb=64), 21),  # one thread: no need
    (Engine(threads=2, memory_limit="128MB", default_mb=None), 21),  # --memory-limit given
    (Engine(threads=2, memory_limit="1024MB", default_mb=1024), 21),  # enough already
    (Engine(threads=2, memory_limit="512MB", default_mb=512), 21),
    (Engine(threads=2, memory_limit="128MB", default_mb=128), 38),  # ITQ: over the cap
])
def test_not_raised(engine: Engine, columns: int) -> None:
    assert first_pass_memory(engine, columns) is None


def _data(tmp_path: Path, rows: int) -> Path:
    import duckdb

    data = tmp_path / "d.csv"
    cols = ", ".join(f"(i * {n + 3}) % 5 AS {item}" for n, item in enumerate(ITEMS))
    duckdb.sql(f"COPY (SELECT i AS id, {cols} FROM range(1, {rows + 1}) t(i)) TO '{data}'")
    return data


@pytest.mark.parametrize("given", [None, "200MB"])
def test_limit_set_for_the_two_passes_and_put_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str | None) -> None:
    """The limits DuckDB ran the copies under, seen from the connection itself: raised
    for both passes of a CSV output and put back for the summary; left alone when
    --memory-limit was given."""
    from dsm5check.cli import main

    seen: list[tuple[str, str]] = []
    real = runner._execute

    def spy(con, sql, engine, what):  # type: ignore[no-untyped-def]
        limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        seen.append((sql.split(" ", 1)[0], limit))
        return real(con, sql, engine, what)

    monkeypatch.setattr(runner, "_execute", spy)
    monkeypatch.setattr(runner, "default_threads", lambda: 2)
    out = tmp_path / "o.csv"
    args = ["score", str(_data(tmp_path, 5000)), "--instrument", "pcl5", "--out", str(out),
            "--no-summary"]
    assert main(args + (["--memory-limit", given] if given else [])) == 0
    copies = [limit for verb, limit in seen if verb == "COPY"]
    after = [limit for verb, limit in seen if verb != "COPY"]
    assert len(copies) == 2 and after, seen
    if given is None:
        assert copies == ["366.2 MiB"] * 2, seen  # 384MB, as DuckDB shows it
        assert set(after) == {"122.0 MiB"}, seen  # back to 128MB
    else:
        assert all(c == after[0] for c in copies), seen
    import duckdb

    got = duckdb.sql(f"SELECT count(*), count(*) FILTER (WHERE row <> id) FROM '{out}'")
    assert got.fetchall() == [(5000, 0)]


def test_not_raised_for_a_long_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12: 10M rows under 300 MB. The ordered writer holds more rows back the
    longer the file (10M PCL-5 rows to CSV peaked at 323 MB raised): an input longer
    than STAGE_MAX_BYTES keeps the engine's own limit; a shorter one is raised."""
    engine = Engine(threads=2, memory_limit="128MB", default_mb=128)
    data = _data(tmp_path, 200)
    assert runner.for_input(engine, str(data)) is engine
    assert first_pass_memory(runner.for_input(engine, str(data)), 21) == "384MB"
    monkeypatch.setattr(runner, "STAGE_MAX_BYTES", data.stat().st_size - 1)
    long = runner.for_input(engine, str(data))
    assert long.long_input and first_pass_memory(long, 21) is None
    assert runner.for_input(engine, str(tmp_path / "missing.csv")) is engine


def test_a_long_input_is_scored_under_the_engines_own_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same through the command: every copy runs under the default 128 MB."""
    from dsm5check.cli import main

    seen: list[str] = []
    real = runner._execute

    def spy(con, sql, engine, what):  # type: ignore[no-untyped-def]
        seen.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
        return real(con, sql, engine, what)

    data = _data(tmp_path, 5000)
    monkeypatch.setattr(runner, "_execute", spy)
    monkeypatch.setattr(runner, "default_threads", lambda: 2)
    monkeypatch.setattr(runner, "STAGE_MAX_BYTES", data.stat().st_size - 1)
    out = tmp_path / "o.csv"
    assert main(["score", str(data), "--instrument", "pcl5", "--out", str(out),
                 "--no-summary"]) == 0
    assert seen and set(seen) == {"122.0 MiB"}, seen  # 128MB, as DuckDB shows it
