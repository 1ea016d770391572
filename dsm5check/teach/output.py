"""Where teaching screens go: colour on a terminal, ASCII with ``--plain``, long
text through a pager.

``--plain`` means plain for every reader: no colour, no box-drawing or other
non-ASCII characters (rich draws ASCII boxes when the output's encoding is
ASCII; any other character is spelled in ASCII by :func:`to_ascii`).
"""

from __future__ import annotations

import sys
import unicodedata
from typing import TextIO

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult

from dsm5check.render.console import make_console as _colour_console
from dsm5check.teach.pager import needs_pager, page

#: Characters our texts and rich use, as ASCII; anything else is decomposed
#: (é -> e) or becomes "?".
_ASCII = str.maketrans({
    "—": "-", "–": "-", "−": "-", "‐": "-", "·": "*", "•": "*", "…": "...",
    "‘": "'", "’": "'", "“": '"', "”": '"', "→": "->", "←": "<-", "≥": ">=",
    "≤": "<=", "×": "x", "✓": "ok", "✗": "X", "█": "#", "▁": "_", "▂": "_",
    "▃": "=", "▄": "=", "▅": "=", "▆": "#", "▇": "#", "━": "-", "─": "-",
    "│": "|", "┃": "|", "\u00a0": " ",
})


def to_ascii(text: str) -> str:
    text = text.translate(_ASCII)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        c if c.isascii() else ("" if unicodedata.combining(c) else "?") for c in decomposed
    )


class AsciiWriter:
    """A text stream that writes only ASCII to the stream it wraps (rich reads
    ``encoding`` and draws ASCII boxes for it)."""

    encoding = "ascii"

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(to_ascii(text))

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return hasattr(self.out, "isatty") and self.out.isatty()

    def fileno(self) -> int:
        return self.out.fileno()


def make_console(file: TextIO | None = None, *, plain: bool = False,
                 width: int | None = None) -> Console:
    file = file or sys.stdout
    if not plain:
        return _colour_console(file, width=width)
    return Console(file=AsciiWriter(file), width=width, color_system=None,  # type: ignore[arg-type]
                   highlight=False, emoji=False, soft_wrap=False)


def show(console: Console, view: RenderableType, *, page_long: bool = True) -> bool:
    """Print ``view``; on a terminal, through a pager when it is taller than the
    screen. Returns whether a pager was used."""
    if not page_long or not console.is_terminal:
        console.print(view)
        return False
    with console.capture() as captured:
        console.print(view)
    text = captured.get()
    if not needs_pager(text, console.file, console.height):
        console.file.write(text)
        console.file.flush()
        return False
    return page(text, console.file, height=console.height)


class Hanging:
    """A marked paragraph wrapped at the screen's width, its wrapped lines under
    its own first word ("  1. text" / "     more text"), with no trailing spaces."""

    def __init__(self, mark: str, text: str, indent: int = 2, style: str = "") -> None:
        self.mark, self.text, self.indent, self.style = mark, text, indent, style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        import textwrap

        from rich.text import Text

        head = " " * self.indent + (f"{self.mark} " if self.mark else "")
        width = max(20, options.max_width - len(head))
        lines = textwrap.wrap(self.text, width, break_long_words=True,
                              break_on_hyphens=False) or [""]
        for i, line in enumerate(lines):
            yield Text((head if i == 0 else " " * len(head)) + line, style=self.style)
