"""``python -m dsm5check``: Ctrl-C while the program is still starting exits 130
quietly (once a command runs, it reports Ctrl-C itself)."""

try:
    from dsm5check.cli import run

    run()
except KeyboardInterrupt:
    raise SystemExit(130) from None
