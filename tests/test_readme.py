"""What the README's first screen promises: the quick start, the commands, the API."""

from __future__ import annotations

import re

import pytest

from dsm5check import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    quick = README.split("## Quick start")[1].split("\n## ")[0]
    commands = re.findall(r"```sh\n(.*?)```", quick, flags=re.S)
    assert [c.strip() for c in commands] == [
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/dsm5check check"
        " examples/vet-014.yaml",
        "bash .ci/run",
    ]
    assert (ROOT / "examples" / "vet-014.yaml").exists()
    assert (ROOT / ".ci" / "run").exists()


def test_every_command_in_the_table_exists() -> None:
    table = README.split("## What it does")[1].split("\n### ")[0]
    named = set(re.findall(r"^\| `dsm5check ([a-z-]+)", table, flags=re.M))
    assert named == set(cli.COMMANDS)


def test_the_python_example_runs(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    (code,) = [b for b in _blocks("python") if "dsm5check.evaluate(" in b]
    assert len(code.strip().splitlines()) <= 5
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.startswith("met ")


def test_every_linked_doc_exists() -> None:
    for link in re.findall(r"\]\(((?:docs|examples)/[^)#]+)", README):
        assert (ROOT / link).exists(), link
