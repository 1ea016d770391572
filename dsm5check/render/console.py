"""One place that decides how the terminal is written to."""

from __future__ import annotations

import os
import sys
from typing import TextIO

from rich.console import Console


def make_console(file: TextIO | None = None, *, width: int | None = None) -> Console:
    """Colour on a terminal; plain, colourless text when piped or with NO_COLOR.

    rich already honours NO_COLOR; a non-terminal gets no colour codes and no
    width guessing (80 columns unless COLUMNS says otherwise).
    """
    file = file or sys.stdout
    is_tty = hasattr(file, "isatty") and file.isatty()
    plain = not is_tty or bool(os.environ.get("NO_COLOR"))
    console = Console(
        file=file,
        width=width,
        color_system=None if plain else "auto",
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    # rich's own answer to a reader gone away (``| head``) is to exit with status 1,
    # which a script reads as "an expectation did not match"; the BrokenPipeError goes
    # on to the command line instead, which exits 141 (128 + SIGPIPE)
    setattr(console, "on_broken_pipe", _reader_gone)  # noqa: B010 - rich's documented hook
    return console


def _reader_gone() -> None:
    raise BrokenPipeError
