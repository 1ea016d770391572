"""Shared fixtures: paths, a console that captures exact text, the CLI in-process."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TESTS = ROOT / "tests"


def pytest_configure(config: pytest.Config) -> None:
    """The cache of checked rulesets (engine/rulecache.py) of this run, in a folder of its
    own (also for the commands the tests start), never the user's ~/.cache."""
    if "DSM5CHECK_CACHE_DIR" not in os.environ:
        folder = tempfile.mkdtemp(prefix="dsm5check-test-cache-")
        os.environ["DSM5CHECK_CACHE_DIR"] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture
def capture_console() -> Callable[[], tuple[Console, io.StringIO]]:
    def make() -> tuple[Console, io.StringIO]:
        buf = io.StringIO()
        return Console(file=buf, width=80, color_system=None, highlight=False), buf

    return make
