"""Missing answers in Parquet data count as missing, not as bad cells (a newcomer's
findings): a float NaN (what pandas writes for a missing number), the missing-value
codes in a text column of ratings (NA, N/A, ., null), and a numeric code given with
--na. The columns carried through keep what the file holds."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from dsm5check.cli import main

ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]


def test_missing_answers_in_parquet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.parquet"
    # B1 a DOUBLE with NaN in rows 1-2, B2 text with codes, B3 an INTEGER with -99
    rest = ", ".join(f"2 AS {item}" for item in ITEMS[3:])
    duckdb.sql(f"""COPY (SELECT i AS id, CASE WHEN i = 1 THEN 'NA' ELSE 'Leeds' END AS site,
        CASE WHEN i <= 2 THEN 'NaN'::DOUBLE ELSE 2.0 END AS B1,
        CASE i WHEN 1 THEN 'NA' WHEN 2 THEN 'N/A' WHEN 3 THEN '.' WHEN 4 THEN 'often'
               ELSE '2' END AS B2,
        CASE WHEN i = 3 THEN -99 ELSE 2 END::INTEGER AS B3, {rest}
        FROM range(1, 7) t(i)) TO '{data}'""")
    out = tmp_path / "o.jsonl"
    assert main(["score", str(data), "--instrument", "pcl5", "--na", "-99", "--out", str(out),
                 "--no-summary"]) == 0
    err = capsys.readouterr().err
    # only 'often' is a bad cell
    assert err.count("is not a whole number") == 1 and "'often'" in err, err
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["items_missing"] for r in rows] == [2, 2, 2, 1, 0, 0]
    assert [r["bad_cells"] for r in rows] == [None, None, None, "B2=often", None, None]
    assert rows[0]["site"] == "NA"  # carried through as the file holds it
