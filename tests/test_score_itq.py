"""`score --instrument itq`: ICD-11 PTSD / Complex PTSD from ITQ answers.

The expected categories below were written by hand from the published ITQ
scoring rule (Cloitre et al., 2018; clinical reference section 6.2), not from
the program: an item is endorsed when rated 2 or more; PTSD needs one of items
1-2, one of 3-4, one of 5-6 and one of the impairment items 7-9; the
disturbances in self-organisation (DSO) need one of 10-11, one of 12-13, one of
14-15 and one of the impairment items 16-18; Complex PTSD = PTSD and DSO;
PTSD = PTSD and not DSO; none otherwise. A missing answer ('.') is unknown:
the category is indeterminate exactly when the missing answers could change it.
"""

from __future__ import annotations

import csv
import itertools
import json
import random
from pathlib import Path

import pytest

from dsm5check.cli import main

# P1-P6 | P7-P9 | C1-C6 | C7-C9   ('.' = missing)
TABLE: list[tuple[str, str, str]] = [
    ("000000 000 000000 000", "none", "nothing endorsed"),
    ("444444 444 444444 444", "cptsd", "everything at the top"),
    ("222222 222 222222 222", "cptsd", "everything exactly at the threshold (>= 2, not > 2)"),
    ("111111 111 111111 111", "none", "everything just below the threshold"),
    ("202020 200 000000 000", "ptsd", "one item per PTSD cluster, impairment, no DSO"),
    ("202020 200 202020 200", "cptsd", "full PTSD and full DSO"),
    ("110202 200 202020 200", "none", "DSO without re-experiencing: no PTSD, so nothing"),
    ("202020 111 000000 000", "none", "PTSD symptoms without impairment"),
    ("202020 200 202020 000", "ptsd", "DSO clusters without DSO impairment"),
    ("202020 200 112020 200", "ptsd", "no affect dysregulation"),
    ("202020 200 200020 200", "ptsd", "no negative self-concept"),
    ("202020 200 202011 200", "ptsd", "no disturbed relationships"),
    ("030303 030 000000 000", "ptsd", "the second item of each pair"),
    ("200202 002 000000 000", "ptsd", "items 1, 4, 6 and 9 at exactly 2"),
    ("201120 200 000000 000", "none", "avoidance not met"),
    ("202000 200 000000 000", "none", "sense of threat not met"),
    ("202020 200 ...... ...", "indeterminate", "PTSD met, DSO not answered: ptsd or cptsd"),
    ("...... ... ...... ...", "indeterminate", "nothing answered"),
    (".32020 200 000000 000", "ptsd", "item 1 missing, item 2 decides re-experiencing"),
    (".02020 200 000000 000", "indeterminate", "item 1 missing and item 2 absent"),
    (".00000 200 000000 000", "none", "item 1 missing, but avoidance fails anyway"),
    ("202020 200 202020 .30", "cptsd", "item 16 missing, item 17 decides DSO impairment"),
    ("202020 200 202020 .00", "indeterminate", "DSO impairment open: ptsd or cptsd"),
    ("202020 200 .00000 200", "ptsd", "affect item missing, but self-concept fails anyway"),
    ("202020 200 .02020 200", "indeterminate", "affect dysregulation open, rest of DSO met"),
    ("202020 ... 202020 200", "indeterminate", "PTSD impairment not answered: cptsd or none"),
    ("202020 ... 000000 000", "indeterminate", "PTSD impairment not answered: ptsd or none"),
    ("000000 ... 202020 200", "none", "re-experiencing fails whatever the impairment"),
    ("202020 .20 000000 000", "ptsd", "item 7 missing, item 8 decides"),
    ("2020.1 200 202020 200", "indeterminate", "threat open with full DSO: cptsd or none"),
    ("202011 200 ...... ...", "none", "threat not met, DSO unknown: no PTSD, so nothing"),
    ("443344 444 010010 000", "ptsd", "severe PTSD, DSO below threshold"),
    ("111111 111 444444 444", "none", "severe DSO alone is not Complex PTSD"),
    ("202020 200 222222 111", "ptsd", "DSO clusters met, impairment just below"),
    ("202020 002 202020 002", "cptsd", "impairment only through the third item of each"),
    ("020202 020 020202 020", "cptsd", "numbness, worthlessness, closeness (second items)"),
    ("202020 200 202020 ...", "indeterminate", "DSO impairment not answered"),
    ("20202. 200 202020 200", "cptsd", "item 6 missing, item 5 decides threat"),
]

HEADER = [f"itq{n}" for n in range(1, 19)]


def parse(pattern: str) -> list[str]:
    cells = [("" if ch == "." else ch) for ch in pattern.replace(" ", "")]
    assert len(cells) == 18, pattern
    return cells


def score_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str], rows: list[list[str]],
               header: list[str] | None = HEADER, *extra: str) -> list[dict[str, str]]:
    data = tmp_path / "itq.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        if header is not None:
            w.writerow(header)
        w.writerows(rows)
    out = tmp_path / "scored.csv"
    code = main(["score", str(data), "--instrument", "itq", "--out", str(out), "--no-summary",
                 *extra])
    _, err = capsys.readouterr()
    assert code == 0, err
    return list(csv.DictReader(out.open()))


def test_table_is_large_and_varied() -> None:
    assert len(TABLE) >= 30
    assert {c for _, c, _ in TABLE} == {"cptsd", "ptsd", "none", "indeterminate"}
    assert sum("." in p for p, _, _ in TABLE) >= 12


def test_categories_match_the_hand_coded_table(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    got = score_rows(tmp_path, capsys, [parse(p) for p, _, _ in TABLE])
    wrong = [(p, why, want, g["itq_category"]) for (p, want, why), g in zip(TABLE, got,
                                                                           strict=True)
             if g["itq_category"] != want]
    assert not wrong, "\n".join(f"{p} ({why}): expected {w}, got {g}" for p, why, w, g in wrong)
    for (_, want, _), g in zip(TABLE, got, strict=True):
        # the two statuses agree with the category, and never both met
        assert not (g["icd11_ptsd_status"] == "met" and g["icd11_cptsd_status"] == "met")
        if want == "cptsd":
            assert g["icd11_cptsd_status"] == "met" and g["icd11_ptsd_status"] == "not_met"
        if want == "ptsd":
            assert g["icd11_ptsd_status"] == "met" and g["icd11_cptsd_status"] == "not_met"
        if want == "none":
            assert g["icd11_ptsd_status"] == g["icd11_cptsd_status"] == "not_met"
        # a self-report cannot establish the event or the duration
        assert g["icd11_ptsd_provisional"] == "true"


def reference(values: list[int | None]) -> str:
    """The published rule applied to every way of filling in the missing answers."""
    def category(v: list[int]) -> str:
        e = [x >= 2 for x in v]
        ptsd = (e[0] or e[1]) and (e[2] or e[3]) and (e[4] or e[5]) and any(e[6:9])
        dso = (e[9] or e[10]) and (e[11] or e[12]) and (e[13] or e[14]) and any(e[15:18])
        return "cptsd" if ptsd and dso else "ptsd" if ptsd else "none"

    holes = [i for i, x in enumerate(values) if x is None]
    seen = set()
    for fill in itertools.product((0, 2), repeat=len(holes)):  # below / at threshold
        v = [0 if x is None else x for x in values]
        for i, f in zip(holes, fill, strict=True):
            v[i] = f
        seen.add(category(v))
        if len(seen) > 1:
            return "indeterminate"
    return seen.pop()


def test_random_answers_against_the_published_rule(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = random.Random(2018)
    rows: list[list[int | None]] = []
    for _ in range(800):
        level = rng.random() * 3.2
        row: list[int | None] = [max(0, min(4, round(rng.gauss(level, 1.1)))) for _ in HEADER]
        for i in range(18):
            if rng.random() < 0.05:
                row[i] = None
        rows.append(row)
    got = score_rows(tmp_path, capsys, [["" if x is None else str(x) for x in r] for r in rows])
    want = [reference(r) for r in rows]
    assert [g["itq_category"] for g in got] == want
    assert {"cptsd", "ptsd", "none", "indeterminate"} <= set(want)
    for r, g in zip(rows, got, strict=True):
        if all(x is not None for x in r):
            vals = [x for x in r if x is not None]
            assert int(g["ptsd_total"]) == sum(vals[0:6])
            assert int(g["dso_total"]) == sum(vals[9:15])
        else:
            assert g["ptsd_total"] == "" or all(x is not None for x in r[0:6])


def test_scores_and_clusters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [g] = score_rows(tmp_path, capsys, [parse("123401 234 432101 012")])
    assert (g["ptsd_total"], g["dso_total"]) == ("11", "11")
    assert (g["Re_severity"], g["Av_severity"], g["Th_severity"]) == ("3", "7", "1")
    assert g["FI_severity"] == "9" and g["DSO_FI_severity"] == "3"
    assert (g["AD_severity"], g["NSC_severity"], g["DR_severity"]) == ("7", "3", "1")
    assert "total" not in g  # the sum of all 18 items is not an ITQ score


@pytest.mark.parametrize("header", [
    [f"itq_{n:02d}" for n in range(1, 19)],
    [f"ITQ{n}" for n in range(1, 19)],
    None,  # 18 positional columns, no header
], ids=["itq_01", "ITQ1", "positional"])
def test_column_naming(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       header: list[str] | None) -> None:
    got = score_rows(tmp_path, capsys, [parse(p) for p, _, _ in TABLE[:6]], header)
    assert [g["itq_category"] for g in got] == [c for _, c, _ in TABLE[:6]]


def test_bad_cells_are_missing_not_zero(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    row = parse("202020 200 202020 000")
    row[15] = "7"       # off the 0-4 scale: bad, counted as missing
    row[16] = "often"
    got = score_rows(tmp_path, capsys, [row])
    assert got[0]["itq_category"] == "indeterminate"   # not "ptsd": 7 and often are unknown
    assert "itq16=7" in got[0]["bad_cells"] and "itq17=often" in got[0]["bad_cells"]


def test_summary_counts_categories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "itq.csv"
    with data.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(parse(p) for p, _, _ in TABLE)
    code = main(["score", str(data), "--instrument", "itq", "--summary-only", "--format",
                 "json"])
    out, _ = capsys.readouterr()
    assert code == 0
    doc = json.loads(out)
    want = {c: sum(1 for _, w, _ in TABLE if w == c)
            for c in ("cptsd", "ptsd", "none", "indeterminate")}
    assert doc["categories"] == {"column": "itq_category", "counts": want}
    assert [s["id"] for s in doc["sets"]] == ["icd11-ptsd", "icd11-cptsd"]
    assert doc["sets"][1]["met"] == want["cptsd"]
    assert doc["sets"][0]["met"] == want["ptsd"]
