"""``python -m dsm5check``: Ctrl-C while the program is still starting exits 130
quietly (later, each command reports it itself)."""

try:
    from dsm5check.cli import run
except KeyboardInterrupt:
    raise SystemExit(130) from None

run()
