"""Shared fixtures: paths, a console that captures exact text, the CLI in-process."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TESTS = ROOT / "tests"


@pytest.fixture
def capture_console() -> Callable[[], tuple[Console, io.StringIO]]:
    def make() -> tuple[Console, io.StringIO]:
        buf = io.StringIO()
        return Console(file=buf, width=80, color_system=None, highlight=False), buf

    return make
