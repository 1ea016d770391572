"""Data and helpers shared by the SQL dialect tests (test_sql_dialects, test_spark).

The data exercise every part of the emitted query: CAPS-5 symptom items with
missing, bad and text cells (``2.5``, ``often``, ``7``), the impairment and
dissociation items, yes/no criterion A, a months fact and the yes/no facts of
criterion H and the dissociative specifier, so that nothing is left not
assessed (the typed-NULL ``not_assessed`` column), and a carried id and site.
"""

from __future__ import annotations

import csv
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from dsm5check.cli import main

SYMPTOMS = [f"caps{n}" for n in range(1, 21)]
OTHER_ITEMS = ["caps23", "caps24", "caps25", "caps29", "caps30"]
FACTS = ["months_since_symptom_onset", "attributable_to_substance_or_medical",
         "dissociation_attributable_to_substance_or_medical"]
HEADER = ["pid", "site", *SYMPTOMS, *OTHER_ITEMS, "A", *FACTS]
ODD = ["7", "-1", "2.5", "often", "5", "2.0", " 3 "]  # bad, or odd but readable
YES_NO = ["1", "0", "yes", "no", "true", "false", "Y", "", "maybe"]


def _rating(rng: random.Random, p_missing: float) -> str:
    r = rng.random()
    if r < p_missing:
        return rng.choice(["", "NA"])
    if r < p_missing + 0.04:
        return rng.choice(ODD)
    return str(rng.choice([0, 0, 1, 1, 2, 3, 4]))


def make_rows(seed: int, n: int) -> list[list[str]]:
    """n rows of CAPS-5 data in a fixed pseudo-random pattern (ids shuffled)."""
    rng = random.Random(seed)
    ids = list(range(n))
    rng.shuffle(ids)  # the id order is not the file order
    rows = []
    for k in range(n):
        p = rng.choice([0.0, 0.0, 0.05, 0.1, 0.3])
        months = rng.choice(["0.5", "1", "2", "14", "", "often", "-3"])
        rows.append([f"p{ids[k]:05d}", rng.choice(["north", "south", ""]),
                     *(_rating(rng, p) for _ in SYMPTOMS),
                     *(_rating(rng, p) for _ in OTHER_ITEMS),
                     rng.choice(YES_NO), months, rng.choice(YES_NO), rng.choice(YES_NO)])
    return rows


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def duckdb_rows(capsys: pytest.CaptureFixture[str], data: Path, *args: str
                ) -> list[dict[str, Any]]:
    """`dsm5check score` run in process by DuckDB: the reference rows."""
    assert main(["score", str(data), "--instrument", "caps5", "--no-summary", *args]) == 0
    out = capsys.readouterr().out
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    for r in rows:
        r.pop("bad_cells", None)  # a DuckDB-only convenience column
    return rows


def emitted(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["score", "--instrument", "caps5", "--emit-sql", *args]) == 0
    return capsys.readouterr().out


def same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is not None and b is not None and bool(a) == bool(b)
    if isinstance(a, float | int) and isinstance(b, float | int):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b)


def assert_same_rows(want: list[dict[str, Any]], got: list[dict[str, Any]]) -> None:
    """Row by row, column by column (row numbers included)."""
    assert len(got) == len(want)
    assert list(got[0]) == list(want[0]), "the same output columns in the same order"
    for a, b in zip(want, got, strict=True):
        for key, value in a.items():
            assert same(value, b[key]), (key, value, b[key], a["row"])
