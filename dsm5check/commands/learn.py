"""`dsm5check learn` (being built)."""

from __future__ import annotations

import argparse

HELP = "learn (teaching tools)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    return 0
