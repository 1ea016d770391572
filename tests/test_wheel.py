"""The built wheel carries the rules, and its console script works from anywhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    src = out / "src"
    # build from a copy so the build never writes into the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "build", "*.egg-info", "__pycache__", ".hypothesis", "benchmarks"))
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(src)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    [built] = out.glob("dsm5check-*.whl")
    return built


def test_wheel_contains_the_rules(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "dsm5check/rules/dsm5-ptsd.yaml" in names
    assert "dsm5check/py.typed" in names


def test_console_script_from_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target",
         str(target), str(wheel)],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    script = target / "bin" / "dsm5check"
    assert script.exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    case = elsewhere / "case.yaml"
    case.write_bytes((EXAMPLES / "vet-014.yaml").read_bytes())
    # PYTHONPATH puts the installed wheel ahead of any editable install of the checkout
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run([str(script), "check", "case.yaml", "--format", "json"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    [record] = json.loads(run.stdout)
    assert record["diagnosis"] == "met"
    where = subprocess.run(
        [sys.executable, "-c", "import dsm5check; print(dsm5check.__file__)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, check=False,
    ).stdout
    assert where.startswith(str(target))
    listed = subprocess.run([str(script), "rules", "list"], cwd=elsewhere, env=env,
                            capture_output=True, text=True, check=False)
    assert "dsm5-ptsd" in listed.stdout
