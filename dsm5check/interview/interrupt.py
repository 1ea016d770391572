"""Ctrl-C at any moment ends the interview cleanly (exit 130, the draft named).

Python raises KeyboardInterrupt wherever the signal lands, and a few places
cannot take it: prompt_toolkit creating or closing its event loop (asyncio then
prints "Exception ignored ..." or "coroutine ... was never awaited"), or a
draft being written. While the interview runs, SIGINT goes to :func:`_handler`:
inside :func:`shielded` sections it is held and raised as soon as the section
ends; elsewhere it is raised at once. A prompt runs inside such a section, with
prompt_toolkit's own SIGINT handling off: a held signal wakes the prompt's event
loop (:func:`waking`), which ends the prompt with KeyboardInterrupt, or, if the
prompt is already ending, leaves the signal held until the section ends. So a
signal is never lost and never lands inside asyncio.

Outside those sections the KeyboardInterrupt is raised where the signal lands,
which may be a place that cannot let it through: a weakref callback or a
``__del__`` run by the garbage collector or by importlib (Python then prints
"Exception ignored in ..." and goes on, the interruption lost). So the signal is
also held until taken: such an interruption is kept quiet (``sys.unraisablehook``)
and raised when the next section ends (its work done, e.g. the draft written) or
the next prompt starts, a moment later.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from contextlib import contextmanager

TYPE_CHECKING = False  # typing is not imported at run time: the fewer imports before
if TYPE_CHECKING:  # the hold is taken, the smaller the window where Ctrl-C is lost
    from collections.abc import Callable, Iterator
    from types import FrameType
    from typing import Any

_state = {"depth": 0, "pending": False, "installed": False, "early": False}
_wakers: list[Callable[[], None]] = []  # prompts waiting for a key, to be woken


def _handler(signum: int, frame: FrameType | None) -> None:
    _state["pending"] = True  # until taken (see _unraisable)
    if _state["depth"]:
        for wake in _wakers:
            wake()
        return
    raise KeyboardInterrupt


def _unraisable(hook: Callable[[Any], object]) -> Callable[[Any], object]:
    """``sys.unraisablehook`` while installed: a KeyboardInterrupt that Python could not
    raise (it landed in a weakref callback or a ``__del__``) is not reported; it stays
    held and is raised at the next section or prompt."""

    def unraisable(info: Any) -> object:
        if (_state["installed"] or _state["early"]) and isinstance(
                info.exc_value, KeyboardInterrupt):
            _state["pending"] = True
            return None
        return hook(info)

    return unraisable


@contextmanager
def waking(wake: Callable[[], None]) -> Iterator[None]:
    """While a prompt waits for keys, a held SIGINT calls ``wake`` (which ends it)."""
    _wakers.append(wake)
    try:
        yield
    finally:
        _wakers.remove(wake)


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
    _state.update(depth=0, installed=True)  # (one held since the start is kept)
    hook = sys.unraisablehook
    sys.unraisablehook = _unraisable(hook)
    try:
        yield
    finally:
        ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        _state.update(depth=0, pending=False, installed=False)
        sys.unraisablehook = hook
        if not ignored:  # after an interruption Ctrl-C stays ignored: the program ends
            signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)


def hold_early() -> None:
    """From the program's start (``python -m dsm5check``): a Ctrl-C that Python could
    not raise where it landed while modules were being imported (importlib's module
    locks are released in weakref callbacks) is kept quiet and held, instead of
    being reported as "Exception ignored" and lost; an interview acts on it at its
    first prompt, and the program ends with 130 (see :func:`held`)."""
    if not _state["early"]:
        _state["early"] = True
        sys.unraisablehook = _unraisable(sys.unraisablehook)


def held() -> bool:
    """Whether a Ctrl-C is held that nothing has acted on."""
    return bool(_state["pending"])


def take_pending() -> bool:
    """Whether a SIGINT is being held (and no longer): the caller interrupts now."""
    pending = bool(_state["pending"])
    _state["pending"] = False
    return pending


def hold() -> None:
    """A SIGINT that could not be taken where it landed: raised when the section ends."""
    _state["pending"] = True


def ignore() -> None:
    """From here on Ctrl-C is ignored: the interruption is being reported and the
    program ends (a second Ctrl-C, or one Python handles late, cannot turn that
    end into a traceback or a death by signal)."""
    _state["pending"] = False  # this is the interruption being reported
    with contextlib.suppress(ValueError):  # not the main thread: nothing to do
        signal.signal(signal.SIGINT, signal.SIG_IGN)
