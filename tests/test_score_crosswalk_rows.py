"""ICD-11 from PCL-5 item data, row by row, against the Python engine on the same rows.

Each generated row (PCL-5 items with missing cells, and impairment columns in three
layouts) is scored by `score --rules icd11-ptsd,icd11-cptsd` (SQL) and turned into a
case coded in DSM-5 that `dsm5check.api.evaluate` checks against the same sets through
the same YAML crosswalk. Every criterion and the diagnosis must agree in every row:
what the crosswalk can supply from the columns (items, impairment ratings) is bound,
what it cannot (exposure, duration, self-organisation) is not assessed in both.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest

from dsm5check.api import evaluate_many
from dsm5check.cli import main

DSM5 = [f"B{n}" for n in range(1, 6)] + ["C1", "C2"] + [f"D{n}" for n in range(1, 8)] + [
    f"E{n}" for n in range(1, 7)]
ITEMS = [f"pcl{n}" for n in range(1, 21)]
SETS = ("icd11-ptsd", "icd11-cptsd")
#: impairment columns: none, the ratings, or a yes/no (DSM-5 G and the case's key alike)
LAYOUTS = {"none": [], "ratings": ["impairment_social", "impairment_occupational"],
           "yes_no": ["impairment"]}


def rating(rng: random.Random, level: float) -> int | None:
    return None if rng.random() < 0.08 else max(0, min(4, round(rng.gauss(level, 1.3))))


def rows_for(layout: str, n: int, seed: int) -> list[dict[str, int | None]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        level = rng.random() * 3.5
        row: dict[str, int | None] = {c: rating(rng, level) for c in ITEMS}
        for col in LAYOUTS[layout]:
            row[col] = (rating(rng, level) if col != "impairment"
                        else rng.choice([None, 0, 1, 1]))
        out.append(row)
    return out


def case_of(n: int, row: dict[str, Any], given: bool) -> dict[str, Any]:
    case: dict[str, Any] = {"id": f"r{n}", "coded_in": "dsm5-ptsd", "symptoms": {
        item: row[col] for item, col in zip(DSM5, ITEMS, strict=True) if row[col] is not None}}
    ratings = {k: row[f"impairment_{k}"] for k in ("social", "occupational")
               if row.get(f"impairment_{k}") is not None}
    if ratings:
        case["impairment"] = ratings
    elif row.get("impairment") is not None:
        case["impairment"] = bool(row["impairment"])
    if given:  # what --assume exposure,duration takes as met, coded as facts
        case["events"] = [{"id": "e", "nature": ["serious_injury"], "exposure": ["direct"],
                           "extremely_threatening": True, "index": True}]
        case["timeline"] = {"months_since_symptom_onset": 6}
    return case


def score(tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[dict[str, Any]],
          *extra: str) -> tuple[list[dict[str, str]], dict[str, Any]]:
    data = tmp_path / "d.csv"
    cols = list(rows[0])
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r[c] is None else r[c] for c in cols])
    out = tmp_path / "scored.csv"
    args = [str(data), "--instrument", "pcl5", "--rules", ",".join(SETS), *extra]
    assert main(["score", *args, "--out", str(out), "--no-summary"]) == 0
    capsys.readouterr()
    assert main(["score", *args, "--summary-only", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    return list(csv.DictReader(out.open())), doc


def column(got: dict[str, str], rules_id: str, cid: str) -> str:
    """A criterion's status in a scored row; a criterion left open has no column but is
    named in the set's constant `<set>_left_open` column: indeterminate."""
    prefix = rules_id.replace("-", "_")
    own = f"{prefix}_{cid}_status"
    if own in got or f"{cid}_status" in got:
        return got[own] if own in got else got[f"{cid}_status"]
    assert cid in got[f"{prefix}_left_open"].split(), (cid, got)
    return "indeterminate"


@pytest.mark.parametrize("layout", list(LAYOUTS))
@pytest.mark.parametrize("given", [False, True], ids=["nothing-assumed", "assume"])
def test_rows_agree_with_the_engine(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    layout: str, given: bool) -> None:
    rows = rows_for(layout, 250, 7 + len(layout))
    extra = ("--assume", "exposure,duration") if given else ()
    got, doc = score(tmp_path, capsys, rows, *extra)
    assert len(got) == len(rows)
    cases = [case_of(n, r, given) for n, r in enumerate(rows)]
    seen: set[tuple[str, str]] = set()
    for k, rules_id in enumerate(SETS):
        results = [r.to_dict() for r in evaluate_many(cases, rules_id)]
        doc_set = doc["sets"][k]
        for n, (g, res) in enumerate(zip(got, results, strict=True)):
            want = res["diagnosis"] if isinstance(res["diagnosis"], str) else res[
                "diagnosis"]["status"]
            assert g[f"{rules_id.replace('-', '_')}_status"] == want, (rules_id, n, rows[n])
            for cid, c in res["criteria"].items():
                assert column(g, rules_id, cid) == c["status"], (rules_id, cid, n, rows[n])
                seen.add((cid, c["status"]))
        # the summary counts each criterion as the rows say
        for cid, counts in doc_set["criteria"].items():
            for word in ("met", "not_met", "indeterminate"):
                assert counts[word] == sum(1 for r in results
                                           if r["criteria"][cid]["status"] == word), cid
    # the rows exercised every status the data can give
    assert {("Re", "met"), ("Re", "not_met"), ("Re", "indeterminate")} <= seen
    if layout == "ratings":
        assert {("FI", "met"), ("FI", "not_met")} <= seen  # bound from the columns
    elif layout == "yes_no":  # a bare yes shows no impairment; a no rules it out
        assert {s for c, s in seen if c == "FI"} == {"not_met", "indeterminate"}
    else:
        assert {s for c, s in seen if c == "FI"} == {"indeterminate"}
    assert {s for c, s in seen if c in ("AD", "NSC", "DR", "DSO_FI")} == {"indeterminate"}
    # Complex PTSD is never ruled out from PCL-5 items: "does not apply" never met
    assert ("CPTSD_precedence", "met") not in seen
    assert not any(g["icd11_cptsd_status"] == "met" for g in got)
    if given:
        assert any(g["icd11_ptsd_status"] == "not_met" for g in got)
    assert not any(g["icd11_ptsd_status"] == "met" for g in got)


def test_no_row_is_both_ptsd_and_complex_ptsd(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The old reading took every criterion the PCL-5 lacks as met: the same rows came
    out met for PTSD and for Complex PTSD, and "Complex PTSD does not apply" met."""
    rows = rows_for("ratings", 200, 3)
    got, doc = score(tmp_path, capsys, rows, "--assume", "exposure,duration")
    assert not any(g["icd11_ptsd_status"] == "met" and g["icd11_cptsd_status"] == "met"
                   for g in got)
    ptsd, cptsd = doc["sets"]
    assert ptsd["left_open"] == ["AD", "NSC", "DR", "DSO_FI", "CPTSD_precedence"]
    # the status still depends on them all (CPTSD_precedence is not taken as met)
    assert ptsd["left_open_deciding"] == ptsd["left_open"]
    assert ptsd["criteria"]["CPTSD_precedence"]["met"] == 0
    assert cptsd["met"] == 0 and cptsd["indeterminate"] > 0
    assert ptsd["not_assessed"] == ["Ex", "duration"] and ptsd["assumed_by"] == "--assume"


def test_assume_names_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = rows_for("none", 5, 1)
    data = tmp_path / "d.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(ITEMS)
        for r in rows:
            w.writerow(["" if r[c] is None else r[c] for c in ITEMS])
    for rules, name, says in (("icd11-ptsd", "Re", "names no criterion these data leave open"),
                              ("icd11-ptsd", "nonsense", "open are icd11-ptsd: Ex (exposure),"
                                                         " duration (Lasting several weeks)"),
                              ("dsm5-ptsd", "exposure", "no criterion is left open")):
        code = main(["score", str(data), "--instrument", "pcl5", "--rules", rules,
                     "--assume", name, "--summary-only"])
        err = capsys.readouterr().err
        assert code == 2 and says in err and "Traceback" not in err, err


def test_impairment_columns_named_by_map_and_bad_cells(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d.csv"
    data.write_text(",".join([*ITEMS, "soc"]) + "\n"
                    + ",".join(["3"] * 20 + ["3"]) + "\n"
                    + ",".join(["3"] * 20 + ["often"]) + "\n"
                    + ",".join(["3"] * 20 + ["0"]) + "\n")
    cmap = tmp_path / "map.yaml"
    cmap.write_text("facts: {impairment.social: soc}\n")
    code = main(["score", str(data), "--instrument", "pcl5", "--rules", "icd11-ptsd",
                 "--map", str(cmap), "--summary-only", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0
    assert "d.csv:3:41:" in err and "'often'" in err  # the character column: 20 cells before
    doc = json.loads(out)
    [s] = doc["sets"]
    assert "significant impairment from the columns soc" in s["estimate"]
    # rated 3: met; 'often': missing, open; 0 with occupational unknown: open
    assert s["criteria"]["FI"] == {"met": 1, "not_met": 0, "indeterminate": 2}
    assert doc["bad_cells"] == {"rows": 1, "by_column": {"soc": 1}}
