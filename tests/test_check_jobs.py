"""`check --jobs N` (and the pool `check` starts by itself from 256 files): a case
with a timeline problem found in a worker process is reported exactly as one
process reports it: same lines, same problems, same exit code (it used to crash
with exit 70, the problem's message could not be sent back to the parent)."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import pytest

from dsm5check.cases.timeline_checks import Said
from dsm5check.cli import main
from tests.conftest import ROOT

BAD_TIMELINE = ROOT / "tests" / "bad_timeline"


def _case(i: int) -> str:
    return (
        f"id: many-{i:04d}\n"
        "events:\n"
        "  - id: crash\n"
        f"    date: 2024-0{1 + i % 9}-1{i % 10}\n"
        "    nature: [serious_injury]\n"
        "    exposure: [direct]\n"
        "symptoms:\n"
        f"  B1: {i % 5}\n"
        f"  C1: {(i + 1) % 5}\n"
        f"  D2: {(i + 2) % 5}\n"
        "timeline:\n"
        "  symptom_onset: 2024-11-01\n"
        "  assessed: 2025-01-15\n"
        "impairment: true\n"
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 valid cases, then every timeline problem the shipped bad files hold,
    one of them in the middle of the run (a later chunk of files)."""
    out = tmp_path_factory.mktemp("jobs") / "cases"
    out.mkdir()
    for i in range(300):
        (out / f"case-{i:04d}.yaml").write_text(_case(i), encoding="utf-8")
    bad = sorted(BAD_TIMELINE.glob("*.yaml"))
    assert bad
    shutil.copy(bad[0], out / f"case-0150-{bad[0].name}")
    for f in bad[1:]:
        shutil.copy(f, out / f"zz-{f.name}")
    # a stream in the middle of a chunk: a good case, a repeated id, a broken case, a
    # case whose note runs over lines (one JSON line all the same)
    (out / "case-0100-stream.yaml").write_text(
        "id: stream-1\nsymptoms: {B1: 3}\nnotes: |\n  first line\n  second line\n---\n"
        + _case(7) + "---\nid: broken\nsymptoms: [unclosed\n---\nid: stream-2\n"
        "symptoms: {B1: 9}\n", encoding="utf-8")
    (out / "case-0151-onset-before-event.yaml").write_text(
        "id: onset-before-event\n"
        "events: [{id: crash, date: 2024-05-01, nature: [serious_injury], exposure: [direct]}]\n"
        "symptoms: {B1: 3}\n"
        "timeline: {symptom_onset: 2024-04-01, assessed: 2025-01-15}\n", encoding="utf-8")
    return out


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("fmt", "extra"), [("jsonl", []), ("json", []),
                                           ("jsonl", ["--with-input"]), ("json", ["--with-input"])])
def test_timeline_problems_from_workers_as_from_one_process(
        folder: Path, fmt: str, extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    base = ["check", str(folder), "--format", fmt, *extra]
    one = run([*base, "--jobs", "1"], capsys)
    two = run([*base, "--jobs", "2"], capsys)
    short = run([*base, "-j", "2"], capsys)  # as the README writes it
    default = run(base, capsys)  # over 256 files: a pool of its own
    assert two == one
    assert short == one
    assert default == one
    code, out, err = one
    assert code == 2
    assert "internal error" not in err
    assert "symptoms began 2024-04-01 (timeline.symptom_onset), before the event" in err
    assert "case-0151-onset-before-event.yaml:4:" in err
    assert "case-0150-" in err
    for f in BAD_TIMELINE.glob("*.yaml"):
        assert f.name in err  # every timeline problem reported, none lost
    records = ([json.loads(line) for line in out.splitlines()] if fmt == "jsonl"
               else json.loads(out))
    assert len(records) == 301  # the 300, and the stream's first case
    assert "case id 'many-0007' already used" in err
    # in the order one process meets them: the repeated id, the broken case, the bad rating
    stream = "case-0100-stream.yaml"
    assert (err.index(f"{stream}:7:5: case id") < err.index(f"{stream}:24:1")
            < err.index(f"{stream}:26:16"))
    if extra:
        notes = [r["input"].get("notes") for r in records if r["id"] == "stream-1"]
        assert notes == ["first line\nsecond line\n"]


def test_a_timeline_message_keeps_its_words_through_pickle() -> None:
    said = Said("assessed 2025-01-15 (timeline.assessed)", "assessed 2025-01-15")
    back = pickle.loads(pickle.dumps(said))
    assert type(back) is Said
    assert back == said and back.words == said.words
