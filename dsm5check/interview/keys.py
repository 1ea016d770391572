"""Keys typed while no prompt is reading them are kept, not eaten by the terminal.

In the terminal's usual (canonical) mode, Ctrl-D on an empty line is an
end-of-line that nobody reads, and typed-ahead keys are echoed over the screen.
From the moment the interview command starts until it ends, the terminal is
put in non-canonical mode without echo (Ctrl-C still sends SIGINT): keys typed
between prompts, Ctrl-D included, wait for the next prompt, which reads them.
Only a key typed while Python itself is starting can still be lost.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def kept() -> Iterator[None]:
    try:
        import termios
    except ImportError:  # not a POSIX system
        yield
        return
    try:
        fd = sys.stdin.fileno()
        old = termios.tcgetattr(fd)
    except (termios.error, OSError, ValueError, AttributeError):  # not a terminal
        yield
        return
    new = list(old)
    new[3] = old[3] & ~(termios.ICANON | termios.ECHO)
    cc = list(old[6])
    cc[termios.VMIN], cc[termios.VTIME] = 1, 0
    new[6] = cc
    try:
        termios.tcsetattr(fd, termios.TCSANOW, new)
        yield
    finally:
        with contextlib.suppress(termios.error, OSError):
            termios.tcsetattr(fd, termios.TCSANOW, old)
