"""Show long text one screen at a time on a terminal, as ``git`` and ``man`` do.

Only on a terminal and only when the text is taller than the screen: piped
output and short text are written straight through. The pager is ``$PAGER``
(``less`` when unset) with ``LESS=-R`` unless ``LESS`` is set, so colours
pass through; a missing pager means the text is printed instead.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from typing import IO


def needs_pager(text: str, out: IO[str], height: int) -> bool:
    """Whether ``text`` goes through a pager: a terminal, and more lines than fit."""
    is_tty = hasattr(out, "isatty") and out.isatty()
    return is_tty and text.count("\n") >= height


def pager_command() -> list[str] | None:
    """The pager to run, or None when there is none (``PAGER=cat`` works too)."""
    wanted = os.environ.get("PAGER", "").strip() or "less"
    try:
        words = shlex.split(wanted)
    except ValueError:
        return None
    if not words or shutil.which(words[0]) is None:
        return None
    return words


def page(text: str, out: IO[str] | None = None, *, height: int | None = None) -> bool:
    """Write ``text``; through the pager when it is taller than the terminal.
    Returns whether a pager was used."""
    out = out or sys.stdout
    rows = height if height is not None else shutil.get_terminal_size().lines
    command = pager_command() if needs_pager(text, out, rows) else None
    if command is None:
        out.write(text)
        out.flush()
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "-R")
    out.flush()
    with subprocess.Popen(command, stdin=subprocess.PIPE, env=env) as proc:
        assert proc.stdin is not None
        try:
            proc.stdin.write(text.encode(getattr(out, "encoding", None) or "utf-8",
                                         errors="replace"))
            proc.stdin.close()
        except BrokenPipeError:  # the reader quit before the end: that is fine
            pass
        while True:
            try:
                proc.wait()
                break
            except KeyboardInterrupt:  # Ctrl-C belongs to the pager (less ignores it)
                continue
    return True
