"""``check --format json|jsonl`` writes its records in blocks when the output is not a
terminal (one write a block rather than one a case), yet still streams: records
before a problem are written before it, cases read from standard input are
answered as they arrive, a long run writes at least every BLOCK_SECONDS, and an
interrupted run keeps every record it finished, whole.
"""

from __future__ import annotations

import io
import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dsm5check.check import batch
from tests.conftest import EXAMPLES, ROOT

CASE = (EXAMPLES / "vet-014.yaml").read_text(encoding="utf-8")


def _case(i: int) -> str:
    assert CASE.startswith("id: vet-014\n")
    return CASE.replace("id: vet-014\n", f"id: block-{i:04d}\n", 1)


def _without_unbuffered() -> dict[str, str]:
    """The environment of most machines: Python's own output buffer on (this one
    sets PYTHONUNBUFFERED)."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 good cases, a broken file after the 150th and the 250th, a repeated id
    after the 200th (a pool's chunks end elsewhere)."""
    out = tmp_path_factory.mktemp("order")
    for i in range(1, 301):
        (out / f"c{i:03d}.yaml").write_text(_case(i), encoding="utf-8")
    for name in ("c150x.yaml", "c250x.yaml"):
        (out / name).write_text("id: broken\nsymptoms: [unclosed\n", encoding="utf-8")
    (out / "c200x.yaml").write_text(_case(3), encoding="utf-8")
    return out


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("buffered", [False, True])
def test_records_and_problems_keep_their_order_in_a_merged_output(
        folder: Path, jobs: str, buffered: bool) -> None:
    """A newcomer's finding: with worker processes, a problem came up to 64 records
    early (a chunk's problems were reported before its records were written)."""
    proc = subprocess.run(
        [sys.executable, "-m", "dsm5check", "check", str(folder), "--format", "jsonl",
         "--jobs", jobs], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        check=False, timeout=120, env=_without_unbuffered() if buffered else None)
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 2
    assert len(lines) == 303, lines[:3]
    problems = {n: line for n, line in enumerate(lines, 1) if not line.startswith("{")}
    assert sorted(problems) == [151, 202, 253]
    assert problems[151].startswith(str(folder / "c150x.yaml") + ":")
    assert problems[202].startswith(str(folder / "c200x.yaml") + ":")
    assert "already used" in problems[202]
    assert problems[253].startswith(str(folder / "c250x.yaml") + ":")
    ids = [json.loads(line)["id"] for line in lines if line.startswith("{")]
    assert ids == [f"block-{i:04d}" for i in range(1, 301)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("command", ["check", "compare"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_problems_found_while_listing_the_inputs_keep_their_places(
        tmp_path: Path, jobs: str, command: str) -> None:
    """A newcomer's finding: a named pipe skipped in a folder, and a path that does
    not exist, were reported before every result with json/jsonl (the inputs were
    listed first), though the results before them come first; compare's workers
    did the same."""
    cases = tmp_path / "cases"
    cases.mkdir()
    for i in range(1, 301):
        (cases / f"c{i:03d}.yaml").write_text(_case(i), encoding="utf-8")
    os.mkfifo(cases / "c150x.yaml")
    after = tmp_path / "z-after.yaml"
    after.write_text(_case(999), encoding="utf-8")
    extra = ["--rules", "dsm5-ptsd,icd11-ptsd"] if command == "compare" else []
    proc = subprocess.run(
        [sys.executable, "-m", "dsm5check", command, str(cases), str(tmp_path / "nope.yaml"),
         str(after), "--format", "jsonl", "--jobs", jobs, *extra], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=300)
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 2
    if command == "compare":
        assert "summary" in json.loads(lines.pop())
    problems = {n: line for n, line in enumerate(lines, 1) if not line.startswith("{")}
    assert sorted(problems) == [151, 302], lines[:3]
    assert problems[151] == (f"{cases / 'c150x.yaml'}:1:1: skipped: a named pipe (FIFO),"
                             " not a regular file")
    assert problems[302].startswith(f"{tmp_path / 'nope.yaml'}:")
    ids = [json.loads(line)["id"] for line in lines if line.startswith("{")]
    assert ids == [f"block-{i:04d}" for i in range(1, 301)] + ["block-0999"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_json_list_merged_with_its_problems_puts_each_on_its_own_line(
        folder: Path, jobs: str) -> None:
    """Two newcomers' finding: with --format json and 2>&1 a problem was glued to the
    end of the record before it (a list's record ends its line only with the next
    ","). Standard output alone stays the same bytes."""
    cmd = [sys.executable, "-m", "dsm5check", "check", str(folder), "--format", "json",
           "--jobs", jobs]
    merged = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            check=False, timeout=120, env=_without_unbuffered()).stdout.decode()
    apart = subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False, timeout=120,
                           env=_without_unbuffered())
    problems = [line for line in merged.splitlines() if str(folder) + "/c" in line
                and not line.startswith(("{", ",", "[", "]"))]
    assert [p.split(":")[0] for p in problems] == [
        str(folder / n) for n in ("c150x.yaml", "c200x.yaml", "c250x.yaml")]
    assert len(json.loads(apart.stdout)) == 300  # a JSON list, as ever


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_compare_keeps_the_order_too(folder: Path, jobs: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "dsm5check", "compare", str(folder), "--format", "jsonl",
         "--rules", "dsm5-ptsd,icd11-ptsd", "--jobs", jobs], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False, timeout=300,
        env=_without_unbuffered())
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 2
    assert len(lines) == 304, lines[:3]  # 300 cases, 3 problems, the summary
    problems = {n: line for n, line in enumerate(lines, 1) if not line.startswith("{")}
    assert sorted(problems) == [151, 202, 253], problems
    assert problems[151].startswith(str(folder / "c150x.yaml") + ":")
    assert "summary" in json.loads(lines[-1])


def test_one_file_is_read_by_one_process_whatever_jobs() -> None:
    """A newcomer's finding: `check big.jsonl -j 2` handed the one file to one worker,
    which said nothing until it was done (and an interruption lost every result)."""
    assert batch._jobs(2, 1) == 1
    assert batch._jobs(None, 1) == 1
    assert batch._jobs(2, 2) == 2


def test_a_pool_gets_several_chunks_a_worker() -> None:
    """100 files over two workers: chunks of 13 (four or more a worker), not one chunk
    of 64 and one of 36."""
    sizes = list(batch.in_workers([f"f{i}" for i in range(100)], 2, int, (), len))
    assert sizes == [13] * 7 + [9]
    assert list(batch.in_workers([f"f{i}" for i in range(1000)], 2, int, (), len)) == \
        [batch.CHUNK_FILES] * 15 + [40]


def _read_line(stream: io.BufferedReader, seconds: float) -> bytes:
    ready, _, _ = select.select([stream], [], [], seconds)
    assert ready, f"no line within {seconds} s"
    return stream.readline()


def test_cases_from_standard_input_are_answered_as_they_arrive() -> None:
    case = json.dumps({"id": "arrives-1", "symptoms": {"B1": 3}})
    proc = subprocess.Popen(
        [sys.executable, "-m", "dsm5check", "check", "-", "--input-format", "jsonl",
         "--format", "jsonl"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        # as on most machines: Python's own output buffer on (this one turns it off)
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"})
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(case.encode() + b"\n")
        proc.stdin.flush()
        # the input is still open: the answer must not wait for more cases
        first = json.loads(_read_line(proc.stdout, 60))
        assert first["id"] == "arrives-1"
        proc.stdin.write(case.replace("arrives-1", "arrives-2").encode() + b"\n")
        proc.stdin.flush()
        assert json.loads(_read_line(proc.stdout, 60))["id"] == "arrives-2"
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    assert proc.returncode == 0


class _Out(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def test_blocks_are_written_by_size_and_by_time(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(batch.time, "monotonic", lambda: now[0])
    out = _Out()
    blocks = batch.Blocks(out, blocked=True)
    record = "x" * 999 + "\n"
    with blocks.open():
        for _ in range(batch.BLOCK_CHARS // len(record)):
            blocks.write(record)
        assert out.writes == 0  # under a block, no time passed: nothing written yet
        blocks.write(record)
        assert out.writes == 1  # a full block
        blocks.write(record)
        now[0] += batch.BLOCK_SECONDS  # a slow case: what waits is written
        blocks.write(record)
        assert out.writes == 2
        blocks.write("last\n")
    assert out.writes == 3  # the rest at the end
    assert out.getvalue() == record * (batch.BLOCK_CHARS // len(record) + 3) + "last\n"


def test_a_terminal_gets_each_record_at_once() -> None:
    out = _Out()
    out.isatty = lambda: True  # type: ignore[method-assign]
    assert not batch.may_block(out, ["cases/"])
    assert not batch.may_block(_Out(), ["-"])
    assert batch.may_block(_Out(), ["cases/"])


def test_records_before_a_problem_are_written_before_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = _Out()
    problems: list[batch.Problem] = []
    with batch.Blocks(out, blocked=True).open() as blocks:
        blocks.write("first\n")
        batch._report(problems, [batch.Problem("b.yaml", 2, 3, "bad")])
        assert out.getvalue() == "first\n"
        blocks.write("second\n")
        assert out.getvalue() == "first\n"
    assert out.getvalue() == "first\nsecond\n"
    assert capsys.readouterr().err == "b.yaml:2:3: bad\n"


def test_an_interrupted_run_keeps_every_finished_record_whole(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    for i in range(3000):
        (cases / f"case-{i:04d}.yaml").write_text(_case(i), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with out.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dsm5check", "check", str(cases), "--format", "jsonl",
             "--jobs", "1"], cwd=ROOT, stdout=fh, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while out.stat().st_size == 0 and proc.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")
    records = [json.loads(line) for line in text.splitlines()]
    assert 0 < len(records) < 3000
    assert [r["id"] for r in records] == [f"block-{i:04d}" for i in range(len(records))]
