"""Ctrl-C at any moment ends the interview cleanly (exit 130, the draft named).

Python raises KeyboardInterrupt wherever the signal lands, and a few places
cannot take it: prompt_toolkit creating or closing its event loop (asyncio then
prints "Exception ignored ..." or "coroutine ... was never awaited"), or a
draft being written. While the interview runs, SIGINT goes to :func:`_handler`:
inside :func:`shielded` sections it is held and raised as soon as the section
ends; elsewhere it is raised at once. While a menu is waiting for a key,
prompt_toolkit takes the signal itself and ends the prompt with
KeyboardInterrupt (see terminal.py), so it is never held for long.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

_state = {"depth": 0, "pending": False, "installed": False}


def _handler(signum: int, frame: FrameType | None) -> None:
    if _state["depth"]:
        _state["pending"] = True
        return
    raise KeyboardInterrupt


@contextmanager
def shielded() -> Iterator[None]:
    """Hold Ctrl-C until the section ends (only while :func:`installed` is active)."""
    _state["depth"] += 1
    try:
        yield
    finally:
        _state["depth"] -= 1
        if not _state["depth"] and _state["pending"]:
            _state["pending"] = False
            raise KeyboardInterrupt


@contextmanager
def installed() -> Iterator[None]:
    """SIGINT handled as above for the duration; the previous handler restored after."""
    previous: Callable[[int, FrameType | None], Any] | int | None = None
    try:
        previous = signal.signal(signal.SIGINT, _handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    _state.update(depth=0, pending=False, installed=True)
    try:
        yield
    finally:
        _state.update(depth=0, pending=False, installed=False)
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def hold() -> None:
    """A SIGINT that could not be taken where it landed: raised when the section ends."""
    _state["pending"] = True


def ignore() -> None:
    """From here on Ctrl-C is ignored (while the interruption is being reported)."""
    with contextlib.suppress(ValueError):  # not the main thread: nothing to do
        signal.signal(signal.SIGINT, signal.SIG_IGN)
