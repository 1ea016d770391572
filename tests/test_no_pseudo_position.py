"""Messages that are not about a position in a file carry no `file:1:1:` prefix.

`--report:1:1:`, `<fhir>:1:1:`, `--threads:1:1:` and `<case x>:1:1:` read as if a
file named `--report` had a problem on its first line. A problem about an option,
an argument or a case given to the API as a mapping is `Problem.about(name, ...)`
(line 0) and prints as `NAME: message`; one that is about no name at all is a
UsageError and prints the message alone.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import dsm5check
from dsm5check.cli import main
from dsm5check.errors import Problem
from tests.conftest import ROOT

ITEMS = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)] + [
    f"E{i}" for i in range(1, 7)]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    path = tmp_path / "d.csv"
    path.write_text(",".join(["id", *ITEMS]) + "\n" + ",".join(["1"] + ["2"] * 20) + "\n")
    return path


def _pseudo(name: str) -> bool:
    """A name that is not a file: an option, <something>, an argument in capitals."""
    return name.startswith(("-", "<")) or (name.isupper() and name.isalpha())


def test_no_problem_is_placed_at_1_1_of_a_pseudo_file() -> None:
    """Every `Problem(NAME, 1, 1, ...)` in the package names a real file."""
    found = []
    for path in sorted((ROOT / "dsm5check").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Problem"):
                continue
            if len(node.args) < 3 or not all(isinstance(a, ast.Constant) and a.value == 1
                                              for a in node.args[1:3]):
                continue
            first = node.args[0]
            text = (first.value if isinstance(first, ast.Constant) else
                    "".join(v.value for v in first.values if isinstance(v, ast.Constant))
                    if isinstance(first, ast.JoinedStr) else "")
            if isinstance(text, str) and text and _pseudo(text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: Problem({text!r}, 1, 1")
    assert found == []


def test_the_scan_can_fail() -> None:
    assert _pseudo("--report") and _pseudo("<fhir>") and _pseudo("DATA")
    assert not _pseudo("data.csv") and not _pseudo("rules/dsm5-ptsd.yaml")


def test_problem_about_prints_name_and_message() -> None:
    assert str(Problem.about("--report", "plotly is missing")) == "--report: plotly is missing"
    assert str(Problem("cases/a.yaml", 3, 7, "bad")) == "cases/a.yaml:3:7: bad"


@pytest.mark.parametrize("option,value,start", [
    ("--threads", "100000", "--threads: 100000 threads: expected"),
    ("--memory-limit", "banana", "--memory-limit: 'banana' is not a memory size"),
])
def test_score_option_messages(data: Path, capsys: pytest.CaptureFixture[str], option: str,
                               value: str, start: str) -> None:
    assert main(["score", str(data), "--instrument", "pcl5", option, value]) == 2
    err = capsys.readouterr().err
    assert err.startswith(start) and ":1:1:" not in err


def test_unknown_dialect(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("sqlglot")
    code = main(["score", str(data), "--instrument", "pcl5", "--emit-sql", "--dialect", "nope"])
    err = capsys.readouterr().err
    assert code == 2 and ":1:1:" not in err and "nope" in err, err


def test_report_without_plotly(monkeypatch: pytest.MonkeyPatch) -> None:
    from dsm5check.errors import InputError
    from dsm5check.score import report

    monkeypatch.setitem(sys.modules, "plotly", None)
    monkeypatch.setitem(sys.modules, "plotly.graph_objects", None)
    with pytest.raises(InputError) as err:
        report._plotly()
    assert str(err.value).startswith("--report: the HTML report draws its charts with plotly")


def test_fhir_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from dsm5check.errors import UsageError
    from dsm5check.exchange import fhir

    monkeypatch.setitem(sys.modules, "fhir", None)
    monkeypatch.setitem(sys.modules, "fhir.resources", None)
    with pytest.raises(UsageError) as err:
        fhir._require()
    assert str(err.value) == "FHIR support needs the fhir extra: pip install 'dsm5check[fhir]'"


def test_api_mapping_problems_name_the_key_not_a_line() -> None:
    with pytest.raises(dsm5check.CaseError) as err:
        dsm5check.evaluate({"id": "x", "ruleset": "dsm5-ptsd", "symptoms": {"B1": 9}})
    assert str(err.value).startswith("<case x>: got 9: expected less than or equal to 4"
                                     " (at symptoms.B1)")
    with pytest.raises(dsm5check.CaseError) as err:
        dsm5check.evaluate_many([{"id": "y", "ruleset": "dsm5-ptsd"}, 5])
    assert "<case 1>: expected a mapping" in str(err.value)
    assert ":1:1:" not in str(err.value)


def test_text_given_to_the_api_keeps_its_lines() -> None:
    """Text has lines: its problems keep them."""
    with pytest.raises(dsm5check.CaseError) as err:
        dsm5check.evaluate("id: x\nruleset: dsm5-ptsd\nsymptoms:\n  B1: 9\n")
    assert str(err.value).startswith("<text>:4:7:")
