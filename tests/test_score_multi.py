"""`score --rules A,B`: several criteria sets in one pass, summary figures, JSON shape."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest

from dsm5check.cli import main
from dsm5check.compare.stats import compare_pair, cross_from_rows, prevalence

ITEMS = [f"pcl{n}" for n in range(1, 21)]
CLUSTERS = {"B": range(0, 5), "C": range(5, 7), "D": range(7, 14), "E": range(14, 20)}
NEED = {"B": 1, "C": 1, "D": 2, "E": 2}
TWO_SETS = "dsm5-ptsd,subthreshold-ptsd"


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", *ITEMS])
        for n, r in enumerate(rows):
            w.writerow([f"p{n + 1}", *r])
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["score", *args])
    out, err = capsys.readouterr()
    return code, out, err


# -- an independent three-valued reference of the two definitions ---------------------

def cluster(row: list[int | None], c: str) -> bool | None:
    vals = [row[i] for i in CLUSTERS[c]]
    yes = sum(1 for v in vals if v is not None and v >= 2)
    unknown = sum(1 for v in vals if v is None)
    if yes >= NEED[c]:
        return True
    if yes + unknown < NEED[c]:
        return False
    return None


def word(x: bool | None) -> str:
    return "met" if x is True else "not_met" if x is False else "indeterminate"


def dsm5(row: list[int | None]) -> str:
    cs = [cluster(row, c) for c in "BCDE"]
    if any(c is False for c in cs):
        return "not_met"
    return "met" if all(cs) else "indeterminate"


def subthreshold(row: list[int | None]) -> str:
    """A (not assessed: assumed met) and 2 or 3 of B-E, by enumerating the unknowns."""
    cs = [cluster(row, c) for c in "BCDE"]
    open_ = [i for i, c in enumerate(cs) if c is None]
    outcomes = set()
    for mask in range(2 ** len(open_)):
        filled = list(cs)
        for k, i in enumerate(open_):
            filled[i] = bool(mask >> k & 1)
        outcomes.add(2 <= sum(bool(c) for c in filled) <= 3)
    return word(outcomes.pop()) if len(outcomes) == 1 else "indeterminate"


def random_rows(n: int, seed: int) -> list[list[int | None]]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        level = rng.random() * 3.5
        row: list[int | None] = [max(0, min(4, round(rng.gauss(level, 1.2)))) for _ in ITEMS]
        for i in range(20):
            if rng.random() < 0.04:
                row[i] = None
        out.append(row)
    return out


def cells(rows: list[list[int | None]]) -> list[list[str]]:
    return [["" if v is None else str(v) for v in r] for r in rows]


def test_each_set_row_by_row_and_summary_from_the_rows(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = random_rows(600, 11)
    data = write(tmp_path / "d.csv", cells(rows))
    out = tmp_path / "scored.csv"
    code, _, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules", TWO_SETS,
                     "--out", str(out), "--no-summary")
    assert code == 0
    got = list(csv.DictReader(out.open()))
    assert [g["id"] for g in got] == [f"p{n + 1}" for n in range(600)]
    assert [g["dsm5_ptsd_status"] for g in got] == [dsm5(r) for r in rows]
    assert [g["subthreshold_ptsd_status"] for g in got] == [subthreshold(r) for r in rows]
    assert {"B_severity", "total", "cutpoint", "items_missing", "bad_cells"} <= set(got[0])
    assert "subthreshold_ptsd_total" not in got[0]  # item-based columns appear once
    # some rows of every kind, or the test would prove little
    kinds = {(g["dsm5_ptsd_status"], g["subthreshold_ptsd_status"]) for g in got}
    assert {("met", "not_met"), ("not_met", "met"), ("not_met", "not_met")} <= kinds
    assert any("indeterminate" in k for k in kinds)

    code, text, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules", TWO_SETS,
                        "--summary-only", "--format", "json")
    assert code == 0
    doc = json.loads(text)
    pairs = [(dsm5(r), subthreshold(r)) for r in rows]
    first = prevalence({w: sum(1 for a, _ in pairs if a == w)
                        for w in ("met", "not_met", "indeterminate")})
    assert doc["sets"][0]["prevalence"] == first["prevalence"]
    assert doc["sets"][0]["indeterminate"] == first["indeterminate"]
    expected = compare_pair(cross_from_rows(pairs))
    pair = doc["pairs"][0]
    assert pair["table"] == expected["table"]
    assert pair["kappa"] == expected["kappa"]
    assert pair["sensitivity"] == expected["sensitivity"]


def test_agreement_figures_on_a_small_table_by_hand(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    full = ["4"] * 20                                  # DSM-5 met, subthreshold not (all four)
    partial = ["3"] * 7 + ["0"] * 13                   # B and C only: subthreshold met
    none = ["0"] * 20                                  # neither
    unknown = [""] * 20                                # indeterminate in both
    data = write(tmp_path / "d.csv", [full] * 3 + [partial] * 2 + [none] * 4 + [unknown])
    code, text, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules", TWO_SETS,
                        "--summary-only", "--format", "json")
    assert code == 0
    doc = json.loads(text)
    dsm, sub = doc["sets"]
    assert (dsm["met"], dsm["not_met"], dsm["indeterminate"]) == (3, 6, 1)
    assert (sub["met"], sub["not_met"], sub["indeterminate"]) == (2, 7, 1)
    assert dsm["prevalence"]["estimate"] == pytest.approx(3 / 9)  # over decided rows
    assert dsm["bounds"] == [pytest.approx(0.3), pytest.approx(0.4)]
    p = doc["pairs"][0]
    assert p["table"] == [[0, 3, 0], [2, 4, 0], [0, 0, 1]]
    assert p["both_decided"] == 9 and p["indeterminate_in_either"] == 1
    # by hand: p_o = 4/9; margins DSM-5 met 3/9, subthreshold met 2/9;
    # p_e = 3/9 * 2/9 + 6/9 * 7/9 = 48/81; kappa = (36/81 - 48/81) / (33/81) = -12/33
    assert p["agreement"]["estimate"] == pytest.approx(4 / 9)
    assert p["kappa"]["chance_agreement"] == pytest.approx(48 / 81)
    assert p["kappa"]["kappa"] == pytest.approx(-12 / 33)
    assert p["sensitivity"]["estimate"] == 0.0            # 0 of the 3 DSM-5 cases
    assert p["specificity"]["estimate"] == pytest.approx(4 / 6)
    assert p["ppv"]["estimate"] == 0.0
    assert p["npv"]["estimate"] == pytest.approx(4 / 7)


def test_json_shape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", cells(random_rows(50, 3)))
    code, text, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules", TWO_SETS,
                        "--summary-only", "--format", "json")
    assert code == 0
    doc: dict[str, Any] = json.loads(text)
    assert set(doc) == {"shape", "instrument", "missing", "rows", "statuses", "sets", "pairs",
                        "categories", "bad_cells", "cutpoint"}
    assert doc["cutpoint"]["at_least"] == 33
    assert sum(doc["cutpoint"][w] for w in ("met", "not_met", "indeterminate")) == 50
    assert doc["sets"][0]["criterion_columns"]["B"] == "B_status"  # the same rule in both
    assert doc["shape"] == 1 and doc["rows"] == 50 and doc["categories"] is None
    s = doc["sets"][1]
    assert set(s) >= {"id", "title", "column", "research_only", "provisional", "not_assessed",
                      "estimate", "estimate_note", "rows", "met", "not_met", "indeterminate",
                      "prevalence", "bounds", "criterion_columns"}
    assert s["id"] == "subthreshold-ptsd" and s["research_only"] is True
    assert doc["sets"][0]["research_only"] is False
    assert doc["sets"][0]["not_assessed"] == ["A", "F", "G", "H"]
    assert set(s["prevalence"]) == {"count", "n", "estimate", "ci_low", "ci_high"}
    assert set(doc["pairs"][0]) >= {"first", "second", "reference", "table", "agreement",
                                    "kappa", "sensitivity", "specificity", "ppv", "npv"}


def test_text_summary_names_the_research_label(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", cells(random_rows(40, 5)))
    code, text, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules", TWO_SETS,
                        "--summary-only")
    assert code == 0
    assert "subthreshold-ptsd: a research label, not a diagnosis" in text
    assert "prevalence (95% CI)" in text and "Cohen's kappa" in text
    assert "sensitivity" in text and "dsm5-ptsd: provisional" in text


@pytest.mark.parametrize(("rules", "message"), [
    ("dsm5-ptsd,nope", "no ruleset 'nope'"),
    ("dsm5-ptsd,dsm5-ptsd", "named twice"),
    ("dsm5-ptsd,", "empty name"),
])
def test_bad_rules_lists(tmp_path: Path, capsys: pytest.CaptureFixture[str], rules: str,
                         message: str) -> None:
    data = write(tmp_path / "d.csv", cells(random_rows(3, 1)))
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--rules", rules)
    assert code == 2
    assert message in err and "Traceback" not in err


def test_report_needs_an_html_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = write(tmp_path / "d.csv", cells(random_rows(3, 1)))
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--rules", TWO_SETS,
                       "--report", str(tmp_path / "r.txt"))
    assert code == 2 and "ending in .html" in err


def icd11_estimate(row: list[int | None], assumed: bool = False) -> str:
    """ICD-11 PTSD from PCL-5 items as the crosswalk reads them: re-experiencing from
    items 2-3 (B2 nightmares, B3 flashbacks), avoidance from 6-7 (C1, C2), threat from
    17-18 (E3, E4). Exposure, duration, impairment and the self-organisation clusters
    (hence whether Complex PTSD takes precedence) are not in the PCL-5: open, unless
    ``assumed`` (everything the PCL-5 cannot assess taken as met, PTSD not Complex)."""
    def pair(a: int, b: int) -> bool | None:
        vals = [row[a - 1], row[b - 1]]
        if any(v is not None and v >= 2 for v in vals):
            return True
        return None if any(v is None for v in vals) else False
    parts = [pair(2, 3), pair(6, 7), pair(17, 18)]
    if any(p is False for p in parts):
        return "not_met"
    return "met" if assumed and all(parts) else "indeterminate"


ASSUME_ALL = "exposure,duration,FI,CPTSD_precedence"


def test_pcl5_estimate_of_icd11_ptsd(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = random_rows(500, 23)
    data = write(tmp_path / "d.csv", cells(rows))
    out = tmp_path / "scored.csv"
    code, _, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules",
                     "dsm5-ptsd,icd11-ptsd", "--out", str(out), "--no-summary")
    assert code == 0
    got = list(csv.DictReader(out.open()))
    # nothing the PCL-5 cannot supply is taken as given: never met
    want = [icd11_estimate(r) for r in rows]
    assert [g["icd11_ptsd_status"] for g in got] == want
    assert {"not_met", "indeterminate"} == set(want)
    assert [g["dsm5_ptsd_status"] for g in got] == [dsm5(r) for r in rows]
    # what the PCL-5 cannot assess is named in one constant column, not a status each
    assert {g["icd11_ptsd_left_open"] for g in got} == {
        "Ex duration FI AD NSC DR DSO_FI CPTSD_precedence"}
    assert "icd11_ptsd_Ex_status" not in got[0] and "AD_severity" not in got[0]
    assert {g["icd11_ptsd_provisional"] for g in got} == {"false"}
    # the researcher takes them as given, explicitly
    code, _, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules",
                     "dsm5-ptsd,icd11-ptsd", "--out", str(out), "--no-summary",
                     "--assume", ASSUME_ALL)
    assert code == 0
    got = list(csv.DictReader(out.open()))
    want = [icd11_estimate(r, assumed=True) for r in rows]
    assert [g["icd11_ptsd_status"] for g in got] == want
    assert {"met", "not_met", "indeterminate"} <= set(want)
    assert got[0]["icd11_ptsd_provisional"] == "true"
    assert got[0]["icd11_ptsd_not_assessed"] == "Ex duration FI CPTSD_precedence"
    code, text, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules", "icd11-ptsd",
                        "--summary-only", "--format", "json", "--assume", ASSUME_ALL)
    assert code == 0
    [s] = json.loads(text)["sets"]
    assert s["estimate"].startswith("an estimate of PTSD (ICD-11) from PCL-5 items")
    assert "P1 from DSM-5 B2" in s["estimate"] and s["estimate_note"]
    assert s["provisional"] and s["assumed_by"] == "--assume"
    assert s["not_assessed"] == ["Ex", "duration", "FI", "CPTSD_precedence"]
    assert s["left_open"] == ["AD", "NSC", "DR", "DSO_FI"]
    # behind CPTSD_precedence, taken as met: they no longer decide the status (a
    # newcomer's finding: the text gave "no estimate" where the JSON gave one)
    assert s["left_open_deciding"] == []
    assert s["met"] == want.count("met")
    code, text, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules", "icd11-ptsd",
                        "--summary-only", "--assume", ASSUME_ALL)
    row = next(ln for ln in text.splitlines() if ln.startswith("icd11-ptsd "))
    p = s["prevalence"]
    assert not row.rstrip().endswith("*") and f"{100 * p['estimate']:.1f}%" in row, row
    assert "no estimate" not in text
    code, text, _ = run(capsys, str(data), "--instrument", "pcl5", "--rules", "icd11-ptsd",
                        "--summary-only")
    assert "an estimate of PTSD (ICD-11)" in text
    assert "left open" in text and "Exposure to an extremely threatening" in text
    # no row can be met with exposure left open: bounds over all rows, not "0.0%"
    row = next(ln for ln in text.splitlines() if ln.startswith("icd11-ptsd "))
    assert row.rstrip().endswith("*") and "0.0% to " in row
    assert "Complex PTSD ruled out" in text  # counted per criterion, by its plain name


@pytest.mark.parametrize(("extra", "message"), [
    (["--threads", "100000"], "--threads: 100000 threads: expected a number"),
    (["--memory-limit", "banana"], "is not a memory size"),
    (["--emit-sql", "--dialect", "spark"], "--dialect applies to the SQL of one criteria set"),
])
def test_multi_set_runs_check_their_options(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            extra: list[str], message: str) -> None:
    """The option handling one-set and multi-set runs share (score/datafile.py)."""
    data = write(tmp_path / "d.csv", cells(random_rows(3, 1)))
    code, _, err = run(capsys, str(data), "--instrument", "pcl5", "--rules", TWO_SETS,
                       "--summary-only", *extra)
    assert code == 2 and message in err and "Traceback" not in err, err


@pytest.mark.parametrize("how", [["--summary-only"], ["--no-summary"],
                                 ["--no-summary", "--out", "OUT.parquet"]])
@pytest.mark.parametrize("instrument", ["pcl5", "itq"])
def test_bad_cells_are_shown_as_the_file_holds_them_with_several_sets(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], how: list[str],
        instrument: str) -> None:
    """A newcomer's finding: with several sets (and always with the ITQ) a bad cell was
    shown as the number read ('5.0', '2.5'), not as the file holds it ('5', '2.50');
    rows on standard output are still written once."""
    width = 20 if instrument == "pcl5" else 18
    names = ITEMS if instrument == "pcl5" else [f"itq{n}" for n in range(1, 19)]
    rows = [["1"] * width for _ in range(4)]
    rows[1][-1], rows[2][-1] = "5", "2.50"
    data = tmp_path / "d.csv"
    data.write_text(",".join(["id", *names]) + "\n"
                    + "".join(f"{i},{','.join(r)}\n" for i, r in enumerate(rows, 1)))
    args = [a.replace("OUT", str(tmp_path / "o")) for a in how]
    extra = ["--rules", "dsm5-ptsd,icd11-ptsd"] if instrument == "pcl5" else []
    assert main(["score", str(data), "--instrument", instrument, *extra, *args]) == 0
    got = capsys.readouterr()
    assert "'5' is not a whole number" in got.err and "'2.50' is not" in got.err
    assert "5.0" not in got.err and "'2.5'" not in got.err
    if how == ["--no-summary"]:
        lines = [json.loads(x) for x in got.out.splitlines()]
        assert [r["row"] for r in lines] == [1, 2, 3, 4]
        assert lines[1]["bad_cells"] == f"{names[-1]}=5"


def test_one_set_writes_the_same_columns_with_or_without_json(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A newcomer's finding: `--format json` made a one-set run write prefixed columns
    (dsm5_ptsd_status), so adding it to a script changed the output file; the JSON's
    column names are those of the file."""
    rows = [[str((i + n) % 5) for n in range(20)] for i in range(30)]
    data = tmp_path / "d.csv"
    data.write_text(",".join(["id", *ITEMS]) + "\n"
                    + "".join(f"{i},{','.join(r)}\n" for i, r in enumerate(rows, 1)))
    plain, with_json = tmp_path / "plain.csv", tmp_path / "json.csv"
    assert main(["score", str(data), "--instrument", "pcl5", "--out", str(plain),
                 "--no-summary"]) == 0
    assert main(["score", str(data), "--instrument", "pcl5", "--out", str(with_json),
                 "--format", "json"]) == 0
    assert plain.read_bytes() == with_json.read_bytes()
    # the rows in a file: the JSON summary on standard output, as with --summary-only
    written = capsys.readouterr()
    assert written.err == ""
    assert main(["score", str(data), "--instrument", "pcl5", "--summary-only",
                 "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert json.loads(written.out) == doc
    header = plain.read_text().splitlines()[0].split(",")
    [s] = doc["sets"]
    assert s["column"] == "status" and s["column"] in header
    assert set(s["criterion_columns"].values()) <= set(header)


def test_no_agreement_figures_for_a_set_with_criteria_left_open(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A newcomer's finding: kappa, sensitivity and the rest were printed against a set
    that leaves deciding criteria open (it can rule rows out, never in); with them taken
    as given the figures come back."""
    data = write(tmp_path / "d.csv", cells(random_rows(300, 5)))
    base = [str(data), "--instrument", "pcl5", "--rules", "dsm5-ptsd,icd11-ptsd",
            "--summary-only"]
    code, text, _ = run(capsys, *base)
    assert code == 0
    assert "no agreement figures: icd11-ptsd leaves criteria open" in text
    assert "Cohen's kappa" not in text and "sensitivity" not in text
    code, doc_text, _ = run(capsys, *base, "--format", "json")
    [pair] = json.loads(doc_text)["pairs"]
    assert pair["left_open_in"] == ["icd11-ptsd"] and "kappa" in pair
    code, text, _ = run(capsys, *base, "--assume", ASSUME_ALL)
    assert "no agreement figures" not in text and "Cohen's kappa" in text
    code, doc_text, _ = run(capsys, *base, "--assume", ASSUME_ALL, "--format", "json")
    assert json.loads(doc_text)["pairs"][0]["left_open_in"] == []
