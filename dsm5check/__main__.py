"""``python -m dsm5check``: the same start as the ``dsm5check`` command
(:mod:`dsm5check.launch`: Ctrl-C while starting exits 130 quietly). The hold is
taken before anything else is imported, to keep the window where a Ctrl-C can be
lost as small as it can be."""

from dsm5check.interview.interrupt import hold_early

hold_early()

from dsm5check.launch import run  # noqa: E402 - after the hold, on purpose

run()
