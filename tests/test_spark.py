"""The Spark SQL that `score --emit-sql --dialect spark` prints, run on a real local
Spark session (PySpark, ``local[2]``, Spark's default ANSI mode) the way
docs/scoring.md tells a user to: read the CSV as Spark reads it (every column
text), register it as the view ``score_input``, run the SQL, write the result
as CSV. Row by row it must equal what `dsm5check score` gives with DuckDB.

One Spark session serves the whole test run (starting one takes most of a
minute on a small machine). `.ci/run` installs the ``spark`` extra and Java;
without either the test is skipped with the reason.
"""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.sql_support import assert_same_rows, duckdb_rows, emitted, make_rows, write_csv


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("no Java runtime: the Spark test needs one (.ci/run installs"
                    " default-jre-headless where apt-get is available as root)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        pytest.skip("pyspark is not installed: pip install 'dsm5check[spark]'")
    session = (SparkSession.builder.master("local[2]").appName("dsm5check-test")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "512m")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_sql_gives_duckdbs_rows(spark: Any, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert spark.conf.get("spark.sql.ansi.enabled") == "true"  # text cells must not stop it
    data = write_csv(tmp_path / "caps.csv", make_rows(2027, 3000))
    mode = ("--missing", "prorate", "--max-missing", "3")  # fractional totals: no decimals
    want = duckdb_rows(capsys, data, *mode)
    sql = emitted(capsys, str(data), "--dialect", "spark", *mode)
    assert '"' not in sql.split("\nWITH", 1)[1]  # Spark reads "x" as a string

    spark.read.csv(str(data), header=True).createOrReplaceTempView("score_input")
    result = spark.sql(sql.rstrip().rstrip(";"))
    types = dict(result.dtypes)
    assert types["total"] == "double" and types["not_assessed"] == "string"
    got = [r.asDict() for r in result.orderBy("row").collect()]
    assert_same_rows(want, got)
    # the rows are numbered in file order (the engine's own id), not some other order
    assert [g["pid"] for g in got] == [r[0] for r in make_rows(2027, 3000)]

    out = tmp_path / "scored"  # writable as CSV (an untyped NULL column is not)
    result.write.csv(str(out), header=True)
    parts = sorted(out.glob("part-*.csv"))
    with parts[0].open(newline="") as fh:
        assert next(csv.reader(fh)) == list(want[0])
