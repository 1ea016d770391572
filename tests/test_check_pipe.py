"""A reader that goes away (``dsm5check check DIR | head``) ends the run with 141
(128 + SIGPIPE) and no traceback, in every output format: never 1, which a
script reads as "an expectation did not match", and never 0 for output nobody read.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT

# A folder this big is shown as a summary table, about 185 bytes a case: 1,500
# cases make ~280 KB, several times a pipe's 64 KB buffer (asserted below), so the
# writer cannot finish into the buffer before the reader goes away.
CASES = 1500
PIPE_BUFFER = 65536


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    text = (EXAMPLES / "vet-014.yaml").read_text(encoding="utf-8")
    assert text.startswith("id: vet-014\n")
    out = tmp_path_factory.mktemp("many")
    for i in range(CASES):
        (out / f"case-{i:04d}.yaml").write_text(
            text.replace("id: vet-014\n", f"id: pipe-{i:04d}\n", 1), encoding="utf-8")
    return out


def first_line_then_close(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI, read one line of its output as ``head -1`` does, then close."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dsm5check", *args], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    line = proc.stdout.readline().decode()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), line, err


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl"])
def test_check_into_head_exits_141(folder: Path, fmt: str) -> None:
    code, line, err = first_line_then_close(["check", str(folder), "--format", fmt])
    assert line.strip(), "the first line was written"
    assert code == 141, (code, err)
    assert "Traceback" not in err
    assert err == ""


def test_compare_text_into_head_exits_141(folder: Path) -> None:
    code, line, err = first_line_then_close(["compare", str(folder), "--all"])
    assert "dsm5-ptsd" in line
    assert code == 141, (code, err)
    assert err == ""


def test_whole_output_read_is_not_141(folder: Path) -> None:
    """The same run read to the end exits by its results (0 here: no expected block
    fails), so 141 above comes from the reader going away and nothing else."""
    proc = subprocess.run([sys.executable, "-m", "dsm5check", "check", str(folder)],
                          cwd=ROOT, capture_output=True, check=False)
    assert proc.returncode in (0, 1), proc.stderr.decode()
    assert proc.stdout.decode().count("pipe-0") > 0
    assert len(proc.stdout) > 4 * PIPE_BUFFER, "the text output must overflow a pipe's buffer"


def closed_before_output(args: list[str]) -> tuple[int, str]:
    """Run the CLI with its standard output a pipe whose reader is already gone."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dsm5check", *args], cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the child has started, so every write fails
    err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


def test_score_summary_into_a_closed_pipe_exits_141(tmp_path: Path) -> None:
    """The summary is printed by rich, whose own answer to a broken pipe was exit 1 (a
    newcomer's finding: `score ... --summary-only | head -c 10` exited 1)."""
    items = [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [
        f"D{i}" for i in range(1, 8)] + [f"E{i}" for i in range(1, 7)]
    data = tmp_path / "d.csv"
    data.write_text("id," + ",".join(items) + "\n"
                    + "".join(f"{i}," + ",".join(["2"] * 20) + "\n" for i in range(50)))
    code, err = closed_before_output(["score", str(data), "--instrument", "pcl5",
                                      "--summary-only"])
    assert code == 141, (code, err)
    assert "Traceback" not in err and err == ""
