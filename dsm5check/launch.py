"""The program's start, for both ways of running it: the ``dsm5check`` command
(console script) and ``python -m dsm5check``.

Ctrl-C while the program is still starting exits 130 quietly (once a command
runs, it reports Ctrl-C itself). After an interruption the process ends at once
(``os._exit``, output flushed): Python's own shutdown puts the default SIGINT
action back, so a Ctrl-C still on its way could otherwise kill the process by
signal after it reported exit 130.
"""

import contextlib
import os
import sys


def run() -> None:
    """Run the command line and exit with its status."""
    from dsm5check.interview.interrupt import held, hold_early

    hold_early()  # a Ctrl-C Python cannot raise while importing is held, not lost
    try:
        from dsm5check.cli import main

        code = main()
    except KeyboardInterrupt:
        code = 130
    if code == 130 or held():
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(130)
    raise SystemExit(code)
