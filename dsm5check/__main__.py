"""``python -m dsm5check``: the same start as the ``dsm5check`` command
(:mod:`dsm5check.launch`: Ctrl-C while starting exits 130 quietly)."""

from dsm5check.launch import run

run()
