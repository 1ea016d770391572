"""`dsm5check score` cross-checked row by row, three ways.

1. against the scalar engine (dsm5check.engine.evaluate) on a Case built from
   each row: the compiled SQL and the interview engine must agree everywhere;
2. against an independent few-line reference of the PCL-5 DSM-5 rule written
   here, without the ruleset;
3. the SQL printed by --emit-sql, run on SQLite, against DuckDB.

The data cover every pattern that matters: each cluster just met, just not
met, decided despite gaps and undecided because of them; bad cells (7, -1,
2.5, text); missing criterion columns; and the three missing-data modes.
"""

from __future__ import annotations

import csv
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from dsm5check.cases.case import Case
from dsm5check.cli import main
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped

ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]
CLUSTERS = {"B": (ITEMS[0:5], 1), "C": (ITEMS[5:7], 1), "D": (ITEMS[7:14], 2),
            "E": (ITEMS[14:20], 2)}
BAD = ["7", "-1", "2.5", "often", "5"]


def _cell(rng: random.Random, p_missing: float, p_bad: float) -> str:
    r = rng.random()
    if r < p_missing:
        return rng.choice(["", "NA"])
    if r < p_missing + p_bad:
        return rng.choice(BAD)
    return str(rng.choice([0, 0, 1, 1, 2, 3, 4]))


def _edge_rows() -> list[list[str]]:
    """Hand-made patterns: each cluster exactly at, just below, and open because of gaps."""
    rows = []
    for name, (items, need) in CLUSTERS.items():
        for present, missing in ((need, 0), (need - 1, 0), (need - 1, 1), (need - 1, 2),
                                 (need, 3), (0, len(items))):
            row = {i: "4" for i in ITEMS}  # every other cluster clearly met
            for k, item in enumerate(items):
                row[item] = "2" if k < present else ("" if k < present + missing else "1")
            rows.append([row[i] for i in ITEMS])
        del name
    rows.append(["0"] * 20)
    rows.append(["4"] * 20)
    rows.append([""] * 20)
    return rows


def make_rows(seed: int, n: int, *, bad: bool) -> list[list[str]]:
    rng = random.Random(seed)
    rows = _edge_rows()
    for _ in range(n):
        p_missing = rng.choice([0.0, 0.0, 0.05, 0.2, 0.5])
        rows.append([_cell(rng, p_missing, 0.05 if bad else 0.0) for _ in ITEMS])
    return rows


def rating(cell: str) -> int | None:
    """The reading of a cell the docs promise: a whole number 0-4, else missing."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return int(value) if value.is_integer() and 0 <= value <= 4 else None


def bool_cell(cell: str) -> bool | None:
    return {"1": True, "0": False, "true": True, "false": False, "yes": True,
            "no": False}.get(cell.strip().lower())


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def score_jsonl(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert main(["score", *args, "--no-summary"]) == 0
    out = capsys.readouterr().out
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# ---------------------------------------------------------------- reference
def kleene_count(values: list[int | None], need: int, threshold: int = 2) -> str:
    present = sum(1 for v in values if v is not None and v >= threshold)
    unknown = sum(1 for v in values if v is None)
    if present >= need:
        return "met"
    return "not_met" if present + unknown < need else "indeterminate"


def reference(values: list[int | None], cut: int = 33) -> dict[str, Any]:
    """The PCL-5 DSM-5 rule (1B, 1C, 2D, 2E; item >= 2) and totals, in a few lines."""
    out: dict[str, Any] = {}
    for name, (items, need) in CLUSTERS.items():
        vals = [values[ITEMS.index(i)] for i in items]
        out[f"{name}_status"] = kleene_count(vals, need)
        out[f"{name}_severity"] = None if None in vals else sum(vals)  # type: ignore[arg-type]
    st = [out[f"{c}_status"] for c in CLUSTERS]
    out["status"] = ("not_met" if "not_met" in st else
                     "indeterminate" if "indeterminate" in st else "met")
    known = [v for v in values if v is not None]
    out["total"] = sum(known) if len(known) == 20 else None
    low, high = sum(known), sum(known) + 4 * (20 - len(known))
    out["cutpoint"] = "met" if low >= cut else "not_met" if high < cut else "indeterminate"
    return out


def test_items_only_matches_reference(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = make_rows(11, 1500, bad=True)
    data = tmp_path / "pcl.csv"
    write_csv(data, ["id", *ITEMS], [[f"p{n}", *r] for n, r in enumerate(rows)])
    got = score_jsonl(capsys, str(data), "--instrument", "pcl5")
    assert len(got) == len(rows)
    statuses = set()
    for n, (row, res) in enumerate(zip(rows, got, strict=True)):
        want = reference([rating(c) for c in row])
        assert res["id"] == f"p{n}" and res["row"] == n + 1
        assert res["provisional"] is True and res["not_assessed"] == "A F G H"
        for key, value in want.items():
            assert res[key] == value, (n, key, row)
        bad = [f"{i}={c}" for i, c in zip(ITEMS, row, strict=True)
               if c not in ("", "NA") and rating(c) is None]
        assert res["bad_cells"] == ("; ".join(bad) if bad else None), row
        assert res["items_missing"] == sum(1 for c in row if rating(c) is None)
        statuses.add(res["status"])
    assert statuses == {"met", "not_met", "indeterminate"}


# ---------------------------------------------------------------- engine
FULL = ["A", "months_since_symptom_onset", "impairment", "attributable_to_substance_or_medical"]


def _case(n: int, values: list[int | None], extra: dict[str, str] | None) -> Case:
    """The row as a case file would give it; criteria the data lack are made met
    (the provisional reading: the status if the unassessed criteria hold)."""
    data: dict[str, Any] = {"id": f"r{n}", "symptoms": dict(zip(ITEMS, values, strict=True))}
    a = bool_cell(extra["A"]) if extra else True
    event = {"nature": ["serious_injury"], "exposure": ["direct"]}
    data["events"] = [event] if a is True else [] if a is False else [{"exposure": ["direct"]}]
    months = rating_months(extra["months_since_symptom_onset"]) if extra else 2.0
    if months is not None:
        data["timeline"] = {"months_since_symptom_onset": months}
    g = rating(extra["impairment"]) if extra else 3
    if g is not None:
        data["impairment"] = g >= 2
    h = bool_cell(extra["attributable_to_substance_or_medical"]) if extra else False
    if h is not None:
        data["attributable_to_substance_or_medical"] = h
    return Case.model_validate(data)


def rating_months(cell: str) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if value >= 0 else None


@pytest.mark.parametrize("full", [False, True], ids=["provisional", "full-criteria"])
def test_compiled_matches_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 full: bool) -> None:
    rng = random.Random(5)
    rows = make_rows(7, 700, bad=True)
    header = list(ITEMS)
    extras: list[dict[str, str] | None] = []
    body = []
    for r in rows:
        if full:
            e = {"A": rng.choice(["1", "0", "", "yes", "no", "maybe"]),
                 "months_since_symptom_onset": rng.choice(["0.5", "1", "1.5", "30", "", "x"]),
                 "impairment": rng.choice(["0", "1", "2", "4", "", "9"]),
                 "attributable_to_substance_or_medical": rng.choice(["0", "1", "", "false"])}
            extras.append(e)
            body.append([*r, *(e[k] for k in FULL)])
        else:
            extras.append(None)
            body.append(r)
    if full:
        header += FULL
    data = tmp_path / "d.csv"
    write_csv(data, header, body)
    got = score_jsonl(capsys, str(data), "--instrument", "pcl5")
    loaded = shipped("dsm5-ptsd")
    seen = set()
    for n, (row, extra, res) in enumerate(zip(rows, extras, got, strict=True)):
        result = evaluate(loaded, _case(n, [rating(c) for c in row], extra))
        assert res["status"] == result.diagnosis, (n, row, extra)
        for crit in result.criteria:
            key = f"{crit.id}_status"
            if full or crit.id in CLUSTERS:
                assert res[key] == crit.status, (n, key, row, extra)
            else:
                assert key not in res
        seen.add((res["status"], res.get("A_status")))
    assert res["provisional"] is (not full)
    assert {s for s, _ in seen} == {"met", "not_met", "indeterminate"}


def test_caps5_dissociation_and_impairment_match_engine(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(3)
    rows = make_rows(4, 400, bad=False)
    cols = [f"caps{i}" for i in range(1, 21)] + ["caps23", "caps24", "caps25", "caps29",
                                                 "caps30", "crit_a", "duration_months",
                                                 "dissociation_attributable_to_substance_or_medical",
                                                 "attributable_to_substance_or_medical"]
    body, extra = [], []
    for r in rows:
        e = [rng.choice(["0", "1", "2", "3", ""]) for _ in range(5)]
        e += [rng.choice(["1", "1", "0", ""]), rng.choice(["0.5", "2", "13", ""]),
              rng.choice(["0", "0", "1", ""]),
              rng.choice(["0", "0", ""])]
        body.append([*r, *e])
        extra.append(e)
    data = tmp_path / "caps.csv"
    write_csv(data, cols, body)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("facts:\n  timeline.months_since_symptom_onset: duration_months\n")
    got = score_jsonl(capsys, str(data), "--instrument", "caps5", "--map", str(mapping))
    loaded = shipped("dsm5-ptsd")
    applied = set()
    for n, (row, e, res) in enumerate(zip(rows, extra, got, strict=True)):
        g = dict(zip(("distress", "social", "occupational"), (rating(x) for x in e[0:3]),
                     strict=True))
        a = bool_cell(e[5])
        case: dict[str, Any] = {
            "id": f"c{n}", "symptoms": {i: rating(c) for i, c in zip(ITEMS, row, strict=True)},
            "events": [{"nature": ["sexual_violence"], "exposure": ["direct"]}] if a
            else [] if a is False else [{"nature": ["sexual_violence"]}],
            "impairment": g,
            "dissociation": {"depersonalization": rating(e[3]), "derealization": rating(e[4]),
                             "attributable_to_substance_or_medical": bool_cell(e[7])},
        }
        if rating_months(e[6]) is not None:
            case["timeline"] = {"months_since_symptom_onset": rating_months(e[6])}
        if bool_cell(e[8]) is not None:
            case["attributable_to_substance_or_medical"] = bool_cell(e[8])
        result = evaluate(loaded, Case.model_validate(case))
        assert res["status"] == result.diagnosis, (n, res)
        for crit in result.criteria:
            assert res[f"{crit.id}_status"] == crit.status, (n, crit.id, res)
        spec = next(s for s in result.specifiers if s.id == "with_dissociative_symptoms")
        assert res["with_dissociative_symptoms"] == spec.status, (n, res)
        applied.add(spec.status)
    assert res["provisional"] is False and res["not_assessed"] is None
    assert "cutpoint" not in res
    assert len(applied) == 3  # met, not met and undecided all occur


# ---------------------------------------------------------------- missing modes
def prorated(values: list[int | None], limit: int) -> list[float | None]:
    known = [v for v in values if v is not None]
    if not known or 20 - len(known) > limit:
        return list(values)
    mean = sum(known) / len(known)
    return [mean if v is None else v for v in values]


@pytest.mark.parametrize("mode", ["prorate", "zero"])
def test_missing_modes(tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str) -> None:
    rows = make_rows(21, 600, bad=False)
    data = tmp_path / "m.csv"
    write_csv(data, ITEMS, rows)
    # --max-missing applies to prorate only (refused with zero: it would do nothing)
    limit = ("--max-missing", "3") if mode == "prorate" else ()
    got = score_jsonl(capsys, str(data), "--instrument", "pcl5", "--missing", mode, *limit)
    for row, res in zip(rows, got, strict=True):
        values = [rating(c) for c in row]
        filled = prorated(values, 3) if mode == "prorate" else [v or 0 for v in values]
        for name, (items, need) in CLUSTERS.items():
            vals = [filled[ITEMS.index(i)] for i in items]
            assert res[f"{name}_status"] == kleene_count(vals, need), (row, name)  # type: ignore[arg-type]
        total = None if None in filled else sum(filled)  # type: ignore[arg-type]
        if total is None:
            assert res["total"] is None
        else:
            assert res["total"] == pytest.approx(total)
        if mode == "prorate":
            n_missing = values.count(None)
            assert res["items_prorated"] == (n_missing if filled != values else 0)


# ---------------------------------------------------------------- SQLite
def test_emitted_sql_runs_on_sqlite_with_duckdb_results(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = make_rows(13, 500, bad=True)
    header = ["pid", *ITEMS, "A"]
    body = [[f"s{n}", *r, ["1", "0", ""][n % 3]] for n, r in enumerate(rows)]
    data = tmp_path / "s.csv"
    write_csv(data, header, body)
    duck = score_jsonl(capsys, str(data), "--instrument", "pcl5", "--cutpoint", "30")
    assert main(["score", str(data), "--instrument", "pcl5", "--cutpoint", "30",
                 "--emit-sql", "--dialect", "sqlite"]) == 0
    sql = capsys.readouterr().out
    assert "read_csv" not in sql and "score_input" in sql
    db = sqlite3.connect(":memory:")
    numeric = ", ".join(f"{c} NUMERIC" for c in header[1:])
    db.execute(f"CREATE TABLE score_input (pid TEXT, {numeric})")

    def value(cell: str) -> object:
        return None if cell in ("", "NA") else cell  # NUMERIC affinity makes numbers of "2"

    db.executemany(f"INSERT INTO score_input VALUES ({', '.join('?' * len(header))})",
                   [[value(c) for c in r] for r in body])
    cur = db.execute(sql.rstrip().rstrip(";"))
    names = [d[0] for d in cur.description]
    lite = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    assert len(lite) == len(duck)
    for a, b in zip(duck, lite, strict=True):
        for key, want in a.items():
            if key == "bad_cells":
                continue  # a DuckDB-only convenience column
            got = b[key]
            if isinstance(want, bool):
                got = bool(got)
            assert got == want, (key, a, b)


def test_emit_sql_without_data_names_items_by_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--instrument", "pcl5", "--emit-sql", "--dialect", "sqlite"]) == 0
    sql = capsys.readouterr().out
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE TABLE score_input ({', '.join(ITEMS)})")
    db.execute(f"INSERT INTO score_input VALUES ({', '.join(['2'] * 20)})")
    db.execute(f"INSERT INTO score_input VALUES ({', '.join(['1'] * 19 + ['NULL'])})")
    cur = db.execute(sql.rstrip().rstrip(";"))
    names = [d[0] for d in cur.description]
    got = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    assert [g["status"] for g in got] == ["met", "not_met"]
    assert [g["total"] for g in got] == [40, None]
    assert [g["cutpoint"] for g in got] == ["met", "not_met"]


def test_reference_helpers_are_honest() -> None:
    # the reference itself must be able to say all three things
    assert kleene_count([2, None], 1) == "met"
    assert kleene_count([1, None], 1) == "indeterminate"
    assert kleene_count([1, 0], 1) == "not_met"
    assert rating("2.0") == 2 and rating("2.5") is None and rating("x") is None
