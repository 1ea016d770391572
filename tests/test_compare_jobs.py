"""`compare --format jsonl --jobs N`: cases compared in worker processes give the
same lines, in the same order, the same problems and the same exit code as one
process, whatever the folder holds (bad files, repeated ids, a case one of the
sets is not for, streams of cases, an expectation that fails)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from dsm5check.cli import main
from tests.conftest import ROOT

CASES = ROOT / "tests" / "cases"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    out = tmp_path / "mixed"
    out.mkdir()
    for f in sorted(CASES.glob("*.yaml"))[:25]:
        shutil.copy(f, out / f.name)
    shutil.copy(CASES / "json-list-cases.json", out / "json-list-cases.json")
    for sub in ("icd11-ptsd", "dsm5-ptsd-preschool"):  # other codings; a child of 6 or under
        shutil.copytree(CASES / sub, out / sub)
    (out / "zz-broken.yaml").write_text("id: broken\nsymptoms: [unclosed\n", encoding="utf-8")
    first = sorted(CASES.glob("*.yaml"))[0]
    shutil.copy(first, out / "zz-same-id-again.yaml")  # its id is already used
    (out / "zz-stream.jsonl").write_text(
        "\n".join(json.dumps({"id": f"stream-{i}", "symptoms": {"B1": i % 5}})
                  for i in range(5)) + "\n{not json\n", encoding="utf-8")
    return out


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_workers_give_the_same_lines_problems_and_code(
        folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["compare", str(folder), "--format", "jsonl"]
    one = run([*base, "--jobs", "1"], capsys)
    two = run([*base, "--jobs", "2"], capsys)
    assert one == two
    code, out, err = one
    assert code == 2  # the broken file, the repeated id, the bad JSON line
    lines = [json.loads(line) for line in out.splitlines()]
    assert "summary" in lines[-1] and lines[-1]["summary"]["cases"] == len(lines) - 1
    assert len(lines) > 30
    assert "zz-broken.yaml:3:1: YAML syntax error" in err
    assert "already used" in err
    assert "zz-stream.jsonl:6:" in err
    # a preschool case is outside the adult sets: skipped and counted, not a problem
    assert "when read for" not in err
    skipped = lines[-1]["skipped"]["dsm5-ptsd"]
    assert skipped["reasons"]["outside_population"] >= 1


def test_default_jobs_match_one_process(folder: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """With enough files the default is a pool: still the same output."""
    from dsm5check.check import batch

    monkeypatch.setattr(batch, "PARALLEL_MIN_FILES", 2)
    base = ["compare", str(folder), "--format", "jsonl"]
    assert run(base, capsys) == run([*base, "--jobs", "1"], capsys)
