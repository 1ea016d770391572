"""`compare` piped into a file or another program writes each "N cases skipped" line
whole when no width is asked for (it wrapped at 80 columns, splitting "outside the
people it / is for"); with COLUMNS set it fits that width (tests/test_narrow_tables.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_skipped_lines_are_whole_in_a_pipe() -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # no width asked for
    proc = subprocess.run(
        [sys.executable, "-m", "dsm5check", "compare", str(ROOT / "tests" / "cases"),
         "--rules", "dsm5-ptsd,icd11-ptsd"],
        capture_output=True, text=True, cwd=ROOT, check=False, env=env)
    lines = proc.stdout.splitlines()
    skipped = [ln for ln in lines if " skipped — " in ln]
    assert skipped, proc.stdout[-2000:]
    dsm5 = next(ln for ln in skipped if ln.startswith("dsm5-ptsd:"))
    assert dsm5.endswith("outside the people it is for"), dsm5
    assert all(len(ln) > 80 or not ln.endswith(" it") for ln in skipped)
