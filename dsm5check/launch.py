"""The program's start, for both ways of running it: the ``dsm5check`` command
(console script) and ``python -m dsm5check``.

Ctrl-C while the program is still starting (importing its modules, before a
command runs) exits 130 with one line saying so and that nothing was saved;
once a command runs, it reports Ctrl-C itself. A Ctrl-C held while starting
(see :func:`~dsm5check.interview.interrupt.hold_early`) that no command acted
on ends the program with 130 once the command is done, without a word.

After an interruption the process ends at once (``os._exit``, output flushed):
Python's own shutdown puts the default SIGINT action back, so a Ctrl-C still on
its way could otherwise kill the process by signal after it reported exit 130.
Otherwise the process ends as usual, with what it holds kept out of the last
garbage collection (see the end of :func:`run`).
"""

import contextlib
import gc
import os
import sys


def settle_for_batch() -> None:
    """Before ``check`` works through a batch of cases: the youngest objects are
    collected after 20,000 new ones instead of 700. A batch makes hundreds of
    short-lived results a case, which reference counting frees at once; the
    collector only needs to run now and then. Measured with callgrind (fixed hash
    seed), ``check`` of 1,000 case files: 1.4 % fewer instructions. (Freezing what
    start-up built, tried too, cost 1.1 % more: with nothing left counted as long
    lived, Python runs full collections far more often.) Only the program does this
    (started by :func:`run`), never a caller of ``cli.main`` or the Python API in a
    process of its own."""
    if not _STARTED:
        return
    gc.set_threshold(20_000, *gc.get_threshold()[1:])


#: whether this process is the program (see run)
_STARTED = False


def run() -> None:
    """Run the command line and exit with its status."""
    global _STARTED
    from dsm5check.interview.interrupt import held, hold_early

    _STARTED = True

    hold_early()  # a Ctrl-C Python cannot raise while importing is held, not lost
    try:
        from dsm5check.cli import main

        code = main()
    except KeyboardInterrupt:
        # raised before any command could report it (an interview not yet started
        # must still tell its user that no answer was kept)
        with contextlib.suppress(OSError, ValueError):
            print("\nInterrupted while starting; nothing was saved.", file=sys.stderr)
        code = 130
    if code == 130 or held():
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(130)
    # Python's shutdown runs a last garbage collection over everything still held
    # (every module, the loaded rulesets, caches): about 30 ms of each run's end for
    # nothing. Frozen, those objects are skipped; they are still freed, and exit
    # handlers still run.
    gc.freeze()
    raise SystemExit(code)
