"""The fuzz harness (benchmarks/fuzz.py), small profile: every input ends cleanly.

The full run (``python benchmarks/fuzz.py 10000``) is reported in the notes; here a
few dozen hypothesis-drawn inputs of every kind go through the same checks: a
clear file:line:col problem, a documented exit code, no traceback, no hang,
bounded memory, and the other inputs of the run still processed.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from tests.conftest import ROOT


def load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "benchmarks" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz"] = module
    spec.loader.exec_module(module)
    return module


def test_small_fuzz_profile_finds_nothing() -> None:
    fuzz = load_harness()
    kinds, findings = fuzz.fuzz(80, seed_value=7, quiet=True)
    assert sum(kinds.values()) == 80
    assert {k.split("/")[0] for k in kinds} == {"cases", "attack", "score"}
    assert [f"{f.kind} {f.name}: {f.what}" for f in findings] == []


def test_harness_can_fail(tmp_path: object) -> None:
    """The checks are real: an input that is neither checked nor reported is a finding."""
    from pathlib import Path

    fuzz = load_harness()
    findings: list[object] = []
    stats: fuzz.Counter[str] = fuzz.Counter()  # type: ignore[name-defined]
    item = fuzz.Input("cases/yaml", "ghost.txt", b"id: ghost\n")  # .txt: not a case file
    fuzz.run_cases([item], Path(str(tmp_path)), findings, stats)
    assert [f.what for f in findings] == ["input neither checked nor reported"]  # type: ignore[attr-defined]
