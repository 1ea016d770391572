"""`dsm5check score` on REDCap exports: raw data read, labels and checkboxes refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cli import main
from dsm5check.score.redcap import export_problem, label_cells, prefixed_ids

ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]
MET = ["2", "0", "0", "0", "0", "3", "0", "2", "2", "0", "0", "0", "0", "0", "4", "2",
       "0", "0", "0", "0"]  # 1B 1C 2D 2E, total 15
LOW = ["1"] * 20
WORDS = ["Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely"]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["score", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_pcl5_raw_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ["record_id", "redcap_event_name", *[f"pcl5_{n}" for n in range(1, 21)],
              "pcl5_complete"]
    data = write(tmp_path / "export.csv", header, [
        ["1", "baseline_arm_1", *MET, "2"],
        ["1", "followup_arm_1", *LOW, "2"],
        ["2", "baseline_arm_1", *([""] * 20), "0"],   # form not filled in
    ])
    code, out, err = run(capsys, str(data), "--instrument", "pcl5")
    assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["status"] for r in rows] == ["met", "not_met", "indeterminate"]
    assert [r["total"] for r in rows] == [15, 20, None]
    assert [r["redcap_event_name"] for r in rows][:2] == ["baseline_arm_1", "followup_arm_1"]
    assert rows[0]["pcl5_complete"] == 2 and rows[0]["record_id"] == 1  # carried through
    assert "REDCap raw export" in err
    assert "bad cells: none" in err


def test_caps5_raw_export_named_by_prefixed_item_ids(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ["record_id", *[f"caps5_{i.lower()}_sev" for i in ITEMS],
              "caps5_23", "caps5_24", "caps5_25", "caps5_29", "caps5_30", "caps5_complete"]
    data = write(tmp_path / "caps.csv", header, [
        ["7", *(["2"] * 20), "3", "0", "0", "0", "0", "2"],
        ["8", *(["2"] * 20), "0", "0", "0", "0", "0", "2"],
    ])
    code, out, err = run(capsys, str(data), "--instrument", "caps5", "--no-summary")
    assert code == 0, err
    rows = [json.loads(x) for x in out.splitlines()]
    assert [r["G_status"] for r in rows] == ["met", "not_met"]
    assert [r["total"] for r in rows] == [40, 40]
    assert not any(k.startswith("caps5_") and k != "caps5_complete" for k in rows[0])


def test_label_headers_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ["Record ID", *[f'"Q{n}. In the past month, how much were you bothered?"'
                             for n in range(1, 21)], "Complete?"]
    data = write(tmp_path / "labels.csv", header, [["1", *([WORDS[1]] * 20), "Complete"]])
    code, out, err = run(capsys, str(data), "--instrument", "pcl5")
    assert code == 2 and out == ""
    assert err.startswith(f"{data}:1:1: this looks like a REDCap export with labels")
    assert "CSV / Microsoft Excel (raw data)" in err
    assert "Traceback" not in err


def test_label_values_under_raw_headers_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ["record_id", *[f"pcl5_{n}" for n in range(1, 21)]]
    rows = [[str(r), *[WORDS[(r + n) % 5] for n in range(20)]] for r in range(1, 6)]
    data = write(tmp_path / "labels.csv", header, rows)
    code, out, err = run(capsys, str(data), "--instrument", "pcl5")
    assert code == 2 and out == ""
    assert "the item cells hold answer words" in err
    assert "CSV / Microsoft Excel (raw data)" in err


def test_checkbox_export_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ["record_id", *[f"pcl5_{n}___{code}" for n in range(1, 4) for code in range(5)]]
    data = write(tmp_path / "boxes.csv", header, [["1", *(["0"] * 15)]])
    code, _, err = run(capsys, str(data), "--instrument", "pcl5")
    assert code == 2
    assert "checkbox fields (pcl5_1, pcl5_2, pcl5_3" in err
    assert "radio or dropdown" in err


def test_a_few_words_among_numbers_are_bad_cells_not_a_label_export(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    header = ["record_id", *[f"pcl5_{n}" for n in range(1, 21)]]
    data = write(tmp_path / "d.csv", header, [["1", "often", *MET[1:]], ["2", *LOW]])
    code, out, _ = run(capsys, str(data), "--instrument", "pcl5", "--no-summary")
    assert code == 0
    assert json.loads(out.splitlines()[0])["bad_cells"] == "pcl5_1=often"


def test_helpers() -> None:
    assert prefixed_ids(["caps5_b1", "CAPS5-C2_severity", "caps5_x9", "pcl5_b1"],
                        ["caps5", "caps"], ["B1", "C2"]) == {"B1": "caps5_b1",
                                                             "C2": "CAPS5-C2_severity"}
    assert export_problem(["record_id", "pcl5_1"]) is None
    assert label_cells(["Not at all", "1", "Extremely", "Moderately", "Quite a bit"])
    assert not label_cells(["0", "1", "2", "often", "4", "3"])
    assert not label_cells(["Not at all"])  # too few to say
