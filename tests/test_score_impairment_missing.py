"""`score --missing prorate|zero` fill in missing SYMPTOM items only.

Impairment ratings (ITQ items 7-9 and 16-18, marked `impairment: true` in the
ICD-11 YAML; CAPS-5 items 23-25, criterion G) left blank stay missing: the
impairment requirement is decided by the answered impairment items when they
suffice, else it is indeterminate -- never "not met" because a blank was given
the person's mean symptom rating (or 0). The mean that fills a missing symptom
item is taken over the answered symptom items only.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cli import main

ITQ_HEADER = ["id", *(f"itq{n}" for n in range(1, 19))]


def score(tmp_path: Path, capsys: pytest.CaptureFixture[str], header: list[str],
          rows: list[list[str]], *args: str) -> list[dict[str, object]]:
    data = tmp_path / "data.csv"
    data.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    code = main(["score", str(data), "--no-summary", *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def itq(cells: str) -> list[str]:
    """'202020 ..0 000000 000' -> a row of 18 cells ('.' = blank)."""
    flat = cells.replace(" ", "")
    assert len(flat) == 18
    return ["r", *("" if c == "." else c for c in flat)]


@pytest.mark.parametrize("mode", ["strict", "prorate", "zero"])
def test_itq_blank_impairment_item_stays_missing(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str],
                                                 mode: str) -> None:
    # symptoms answered (all 3), P7 and P8 answered 0, P9 blank: FI is open
    [row] = score(tmp_path, capsys, ITQ_HEADER, [itq("333333 00. 000000 000")],
                  "--instrument", "itq", "--missing", mode)
    assert row["FI_status"] == "indeterminate"
    assert row["FI_severity"] is None
    assert row["icd11_ptsd_status"] == "indeterminate"
    assert row["itq_category"] == "indeterminate"
    assert row["items_missing"] == 1
    if mode == "prorate":
        assert row["items_prorated"] == 0


@pytest.mark.parametrize("mode", ["prorate", "zero"])
def test_itq_answered_impairment_item_still_decides(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str],
                                                    mode: str) -> None:
    # P9 blank, but P8 endorsed: FI met from the answered items
    [row] = score(tmp_path, capsys, ITQ_HEADER, [itq("333333 03. 000000 000")],
                  "--instrument", "itq", "--missing", mode)
    assert row["FI_status"] == "met"
    assert row["itq_category"] == "ptsd"


def test_itq_dso_impairment_not_prorated(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    # every DSO cluster met at 4, DSO impairment all blank: ptsd or cptsd stays open
    [row] = score(tmp_path, capsys, ITQ_HEADER, [itq("444444 444 444444 ...")],
                  "--instrument", "itq", "--missing", "prorate", "--max-missing", "3")
    assert row["DSO_FI_status"] == "indeterminate"
    assert row["itq_category"] == "indeterminate"
    assert row["items_missing"] == 3
    assert row["items_prorated"] == 0


def test_itq_prorate_mean_is_over_symptom_items_only(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # P1 blank; the other symptoms are 1 (mean 1: below the threshold), impairment all 4.
    # Were impairment ratings in the mean, P1 would get (11 * 1 + 6 * 4) / 17 > 2.
    [row] = score(tmp_path, capsys, ITQ_HEADER, [itq(".11111 444 111111 444")],
                  "--instrument", "itq", "--missing", "prorate")
    assert row["items_prorated"] == 1
    assert row["Re_severity"] == pytest.approx(2.0)
    assert row["Re_status"] == "not_met"
    assert row["FI_severity"] == 12


def test_itq_max_missing_counts_symptom_items(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    # two symptom items and two impairment items blank: the two symptoms are
    # filled in under the default --max-missing 2; the impairment ones stay blank
    [row] = score(tmp_path, capsys, ITQ_HEADER, [itq(".22222 2.. 22222. 2.2")],
                  "--instrument", "itq", "--missing", "prorate")
    assert row["items_prorated"] == 2
    assert row["items_missing"] == 5
    assert row["Re_status"] == "met"
    assert row["FI_status"] == "met"
    assert row["DSO_FI_status"] == "met"
    assert row["itq_category"] == "cptsd"


@pytest.mark.parametrize("mode", ["prorate", "zero"])
def test_caps5_blank_impairment_columns_stay_missing(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str],
                                                     mode: str) -> None:
    header = ["id", *(f"caps{n}" for n in range(1, 21)), "caps23", "caps24", "caps25"]
    # every symptom at 3 but one blank; G's three ratings blank: G stays open
    row_cells = ["r", "", *["3"] * 19, "", "", ""]
    [row] = score(tmp_path, capsys, header, [row_cells], "--instrument", "caps5",
                  "--missing", mode)
    assert row["B_status"] == "met"
    assert row["G_status"] == "indeterminate"
    assert row["status"] == "indeterminate"
    assert row["items_missing"] == 4
