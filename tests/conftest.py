"""Shared fixtures: paths, a console that captures exact text, the CLI in-process."""

from __future__ import annotations

import io
import os
import shutil
import signal
import tempfile
from collections.abc import Callable, Iterator
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


@pytest.fixture(autouse=True)
def _sigint_restored() -> Iterator[None]:
    """Ctrl-C's handler as it was before each test: a command run in-process that
    reports an interruption ignores Ctrl-C from then on (interview/interrupt.py
    ``ignore``), and a process a later test starts would inherit that (a test that
    interrupts its child with SIGINT then saw it run to the end)."""
    before = signal.getsignal(signal.SIGINT)
    yield
    if signal.getsignal(signal.SIGINT) is not before and before is not None:
        signal.signal(signal.SIGINT, before)


@pytest.fixture
def capture_console() -> Callable[[], tuple[Console, io.StringIO]]:
    def make() -> tuple[Console, io.StringIO]:
        buf = io.StringIO()
        return Console(file=buf, width=80, color_system=None, highlight=False), buf

    return make
