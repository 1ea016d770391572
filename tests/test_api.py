"""The public Python API: docs/api.md runs as a doctest, and what it promises holds."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
from pathlib import Path

import pytest

import dsm5check
from dsm5check.cli import main
from tests.conftest import ROOT

CASES = ROOT / "tests" / "cases"


def test_docs_api_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    failed, tried = doctest.testfile(
        str(ROOT / "docs" / "api.md"), module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert tried > 10
    assert failed == 0


def test_all_lists_exactly_the_public_names() -> None:
    for name in dsm5check.__all__:
        assert getattr(dsm5check, name) is not None
    assert "evaluate" in dir(dsm5check)
    with pytest.raises(AttributeError):
        dsm5check.nonexistent  # noqa: B018


def test_import_alone_loads_nothing_heavy() -> None:
    code = ("import sys, dsm5check; heavy = [m for m in ('pydantic', 'yaml', 'rich', 'duckdb',"
            " 'questionary', 'fhir', 'dsm5check.api') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def test_to_dict_is_exactly_check_json(capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    files = sorted(str(p.relative_to(ROOT)) for p in CASES.glob("*.yaml"))[:20]
    main(["check", "--format", "json", *files])
    from_cli = json.loads(capsys.readouterr().out)
    from_api = [r.to_dict() for r in dsm5check.evaluate_many([Path(f) for f in files])]
    assert from_api == from_cli


def test_every_input_form_gives_the_same_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    path = "tests/cases/a3-accidental-death.yaml"
    text = Path(path).read_text()
    import yaml

    mapping = yaml.safe_load(text)
    results = [dsm5check.evaluate(x) for x in (path, Path(path), text, mapping)]
    assert len({(r.diagnosis, tuple(c.status for c in r.criteria)) for r in results}) == 1
    assert results[0].file == path


def test_results_are_frozen() -> None:
    r = dsm5check.evaluate({"id": "f", "symptoms": {}})
    with pytest.raises(AttributeError):
        r.diagnosis = "met"  # type: ignore[misc]


def test_ruleset_argument_overrides_and_rejects_unknown(tmp_path: Path) -> None:
    with pytest.raises(dsm5check.CaseError) as err:
        dsm5check.load_ruleset("no-such-set")
    assert "no-such-set" in str(err.value)
    with pytest.raises(dsm5check.CaseError) as err:
        dsm5check.load_ruleset(tmp_path / "missing.yaml")
    assert "missing.yaml" in str(err.value)
    loaded = dsm5check.load_ruleset(ROOT / "rules" / "dsm5-ptsd.yaml")
    assert dsm5check.evaluate({"id": "o"}, loaded).ruleset_sha256 == loaded.sha256


def test_problems_keep_every_position_and_the_good_results(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: b\nsymptoms:\n  B1: 9\n  B2: often\n")
    good = tmp_path / "good.yaml"
    good.write_text("id: g\n")
    with pytest.raises(dsm5check.CaseError) as err:
        dsm5check.evaluate_many(tmp_path)
    where = [(p.file.endswith("bad.yaml"), p.line) for p in err.value.problems]
    assert where == [(True, 3), (True, 4)]
    assert [r.case_id for r in err.value.results] == ["g"]


def test_duplicate_ids_in_one_call_are_a_problem() -> None:
    with pytest.raises(dsm5check.CaseError) as err:
        dsm5check.evaluate_many([{"id": "same"}, {"id": "same"}])
    assert "same" in str(err.value)
    assert len(err.value.results) == 1


def test_evaluate_refuses_several_cases_and_non_cases() -> None:
    with pytest.raises(dsm5check.CaseError, match="evaluate_many"):
        dsm5check.evaluate("id: a\n---\nid: b\n")
    with pytest.raises(dsm5check.CaseError, match="expected a mapping"):
        dsm5check.evaluate_many([42])  # type: ignore[list-item]


def test_iter_results_collects_problems_instead_of_raising() -> None:
    problems: list[dsm5check.Problem] = []
    out = list(dsm5check.iter_results([{"id": "a"}, {"id": "b", "x": 1}], problems=problems))
    assert [r.case_id for r in out] == ["a"]
    assert len(problems) == 1 and problems[0].path == "x"


def test_api_is_typed() -> None:
    assert (Path(dsm5check.__file__).parent / "py.typed").exists()
