"""`score --emit-sql --dialect D`: the SQL for other engines, run where it is cheap.

- DuckDB (the default dialect), SQLite (python's sqlite3) and the PostgreSQL
  dialect (checked by PostgreSQL's own parser through pglast, and run by
  DuckDB, whose parser comes from PostgreSQL's) must give the rows of
  `dsm5check score` itself, row by row, over text cells as a warehouse
  staging table holds them (``2.5``, ``often``, ``7``, ``yes``).
- BigQuery, Snowflake and T-SQL cannot be run here: their SQL must parse as
  that dialect, keep no double-quoted identifier where the engine reads it as
  a string, and (T-SQL) use no boolean value.
- Mistakes are exit-2 errors naming the option, never a traceback.
(The Spark dialect runs on a real Spark session in test_spark.py.)
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from dsm5check.cli import main
from tests.sql_support import (
    HEADER,
    assert_same_rows,
    duckdb_rows,
    emitted,
    make_rows,
    write_csv,
)

MODES = [("--missing", "strict"), ("--missing", "prorate"), ("--missing", "zero")]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_csv(tmp_path_factory.mktemp("sql") / "caps.csv", make_rows(99, 1500))


def _duck(sql: str, data: Path, typed: bool = False) -> list[dict[str, Any]]:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE score_input AS SELECT * FROM read_csv('{data}',"
                f" header = true, all_varchar = {str(not typed).lower()})")
    cur = con.execute(sql)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _by_row(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: int(r["row"]))


@pytest.mark.parametrize("mode", MODES, ids=[m[1] for m in MODES])
def test_duckdb_dialect_over_text_and_typed_cells(
        data: Path, mode: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    want = duckdb_rows(capsys, data, *mode)
    sql = emitted(capsys, str(data), *mode)
    assert sql.startswith("-- dsm5check score --emit-sql --dialect duckdb")
    assert_same_rows(want, _by_row(_duck(sql, data)))
    assert_same_rows(want, _by_row(_duck(sql, data, typed=True)))


@pytest.mark.parametrize("mode", MODES, ids=[m[1] for m in MODES])
def test_sqlite_dialect_over_text_cells(data: Path, mode: tuple[str, str], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    import csv

    want = duckdb_rows(capsys, data, *mode)
    sql = emitted(capsys, str(data), "--dialect", "sqlite", *mode)
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE score_input ({', '.join(HEADER)})")  # no types: cells as text
    with data.open(newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    db.executemany(f"INSERT INTO score_input VALUES ({', '.join('?' * len(HEADER))})",
                   [[c if c != "" else None for c in r] for r in rows])
    cur = db.execute(sql)
    names = [d[0] for d in cur.description]
    got = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    assert_same_rows(want, _by_row(got))


def test_postgres_dialect_parses_as_postgres_and_runs(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pglast = pytest.importorskip("pglast", reason="pglast (PostgreSQL's parser) not installed")
    mode = ("--missing", "prorate")
    want = duckdb_rows(capsys, data, *mode)
    sql = emitted(capsys, str(data), "--dialect", "postgres", "--order-by", "pid", *mode)
    assert "ORDER BY \"pid\"" in sql and "TRY_CAST" not in sql  # PostgreSQL has none
    pglast.parse_sql(sql)  # the real PostgreSQL grammar (libpg_query)
    got = _by_row(_duck(sql, data))
    # numbered by pid, the ordering named: the same rows, sorted by pid
    by_pid = sorted(want, key=lambda r: str(r["pid"]))
    assert [g["row"] for g in got] == list(range(1, len(want) + 1))
    for w, g in zip(by_pid, got, strict=True):
        w["row"] = g["row"]
    assert_same_rows(by_pid, got)


def test_postgres_default_numbers_rows_by_ctid(capsys: pytest.CaptureFixture[str]) -> None:
    sql = emitted(capsys, "--dialect", "postgres")
    assert "ROW_NUMBER() OVER (ORDER BY ctid" in sql
    layers = re.findall(r"(__s_\w+) AS (MATERIALIZED )?\(", sql)  # planned once each
    assert len(layers) > 5 and all(m for _, m in layers)
    assert "score_input must be a table" in sql


@pytest.mark.parametrize("dialect", ["bigquery", "snowflake", "tsql", "spark"])
def test_other_dialects_parse_in_their_own_sql(
        dialect: str, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlglot
    from sqlglot import exp

    sql = emitted(capsys, "--dialect", dialect, "--order-by", "pid", "--missing", "prorate")
    body = sql.split("\nWITH", 1)[1]
    tree = sqlglot.parse_one("WITH" + body.rstrip().rstrip(";"), read=dialect)
    if dialect in ("bigquery", "spark"):
        assert '"' not in body  # both read "x" as a string
    assert "OVER ()" not in body  # refused by Spark and Snowflake
    final = tree.expressions
    assert [p.alias for p in final][:2] == ["row", "pid"]
    assert not any(isinstance(p.this, exp.Null) for p in final)  # typed NULLs only
    decimals = [n for n in tree.find_all(exp.Literal) if not n.is_string and "." in n.this]
    assert all(isinstance(n.parent, exp.Cast) for n in decimals)
    if dialect == "tsql":  # no boolean values anywhere a value is due
        for node in tree.find_all(exp.Alias):
            inner = node.this
            while isinstance(inner, exp.Paren):
                inner = inner.this
            assert not isinstance(inner, exp.Predicate | exp.Connector | exp.Not), node.sql()
        rounds = list(tree.find_all(exp.Round))
        assert rounds and all(r.args.get("decimals") is not None for r in rounds)


@pytest.mark.parametrize("dialect", ["bigquery", "snowflake", "tsql"])
def test_engines_without_a_row_id_need_an_ordering(
        dialect: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--instrument", "pcl5", "--emit-sql", "--dialect", dialect]) == 2
    err = capsys.readouterr().err
    assert "--order-by" in err and "no row id" in err and "Traceback" not in err


def test_no_data_file_header_is_honest_about_columns(capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    sql = emitted(capsys, "--dialect", "spark")
    assert "carried through" not in sql.split("Other input columns are not in the output")[0]
    assert "Other input columns are not in the output" in sql
    with_id = emitted(capsys, "--dialect", "snowflake", "--order-by", "pid")
    assert "Carried through unchanged: pid." in with_id
    assert "ORDER BY row restores it" in with_id


def test_carried_columns_are_listed_with_a_data_file(
        data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = emitted(capsys, str(data), "--dialect", "spark")
    assert "Carried through unchanged: pid, site." in sql
    assert "Other input columns" not in sql


@pytest.mark.parametrize(("args", "message"), [
    (["--emit-sql", "--dialect", "oracle9"], "unknown SQL dialect 'oracle9'"),
    (["--dialect", "spark"], "--dialect applies to the SQL that --emit-sql prints"),
    (["--order-by", "pid"], "--order-by applies to the SQL that --emit-sql prints"),
])
def test_option_mistakes_are_clear(args: list[str], message: str, data: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(data), "--instrument", "caps5", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_order_by_a_column_the_data_lack(data: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    assert main(["score", str(data), "--instrument", "caps5", "--emit-sql",
                 "--order-by", "person"]) == 2
    err = capsys.readouterr().err
    assert "--order-by: no column 'person' in the data; columns are: pid, site" in err


def test_without_sqlglot_the_message_names_the_extra(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "sqlglot", None)  # import sqlglot raises ImportError
    assert main(["score", "--instrument", "pcl5", "--emit-sql"]) == 2
    assert "pip install 'dsm5check[sql]'" in capsys.readouterr().err


def test_importing_dsm5check_does_not_import_sqlglot() -> None:
    code = ("import sys, dsm5check, dsm5check.cli, dsm5check.score.app;"
            " print(sorted(m for m in ('sqlglot', 'pyspark') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _psql_value(want: Any, cell: str) -> Any:
    """A cell of psql --csv read as the type of DuckDB's value."""
    if cell == "" and not isinstance(want, str):
        return None
    if isinstance(want, bool):
        return cell == "t"
    if isinstance(want, int | float):
        return float(cell)
    return cell if cell or want is not None else None


def test_postgres_dialect_on_a_postgres_server(data: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Where PostgreSQL's server binaries are installed: initdb, start, load, query."""
    import csv
    import os
    import tempfile

    pg = _pg_bin()
    if pg is None or shutil.which("psql") is None:
        pytest.skip("no PostgreSQL server binaries here (Debian: apt-get install postgresql)")
    run_as: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root
        if shutil.which("runuser") is None:
            pytest.skip("running as root without runuser: cannot start PostgreSQL")
        run_as = ["runuser", "-u", "postgres", "--"]
    tmp_path = Path(tempfile.mkdtemp(prefix="dsm5check-pg-"))  # pytest's is private to root
    if run_as:
        shutil.chown(tmp_path, "postgres")
    db = tmp_path / "pg"
    subprocess.run([*run_as, str(pg / "initdb"), "-D", str(db), "-A", "trust", "-U",
                    "postgres", "--no-sync"], check=True, capture_output=True)
    subprocess.run([*run_as, str(pg / "pg_ctl"), "-D", str(db), "-w", "-l",
                    str(tmp_path / "log"), "-o", f"-k {tmp_path} -c listen_addresses='' -F",
                    "start"], check=True, capture_output=True)
    psql = ["psql", "-h", str(tmp_path), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]
    try:
        columns = ", ".join(f'"{c}" text' for c in HEADER)  # a staging table of text
        subprocess.run([*psql, "-c", f"CREATE TABLE score_input ({columns})", "-c",
                        f"\\copy score_input FROM '{data}' CSV HEADER"], check=True,
                       capture_output=True)
        mode = ("--missing", "prorate")
        want = duckdb_rows(capsys, data, *mode)
        sql = tmp_path / "score.sql"  # rows numbered by ctid: the load order
        sql.write_text(emitted(capsys, str(data), "--dialect", "postgres", *mode))
        out = subprocess.run([*psql, "--csv", "-f", str(sql)], check=True,
                             capture_output=True, text=True).stdout
    finally:
        subprocess.run([*run_as, str(pg / "pg_ctl"), "-D", str(db), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(tmp_path, ignore_errors=True)
    reader = csv.reader(out.splitlines())
    names = next(reader)
    got = [dict(zip(names, r, strict=True)) for r in reader]
    typed = [{k: _psql_value(w[k], g[k]) for k in g} for w, g in zip(want, got, strict=True)]
    assert_same_rows(want, sorted(typed, key=lambda r: int(r["row"])))
