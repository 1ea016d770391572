"""Command line: ``main(argv) -> int``, one small module per subcommand.

This module and the command modules' ``add_arguments`` import nothing heavy,
so ``dsm5check --version`` and ``--help`` stay fast; pydantic, rich and the
rules are imported inside each command's ``run``. Exceptions become exit codes
in one place, :func:`main` (2 for bad input, 130 for Ctrl-C).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol

from dsm5check import __version__

#: subcommand name -> module under dsm5check.commands (explicit registry)
COMMANDS: dict[str, str] = {
    "check": "check",
    "rules": "rules",
    "schema": "schema",
    "score": "score",
    "interview": "interview",
    "learn": "learn",
    "quiz": "quiz",
    "what-if": "what_if",
    "export": "export",
}


class _Command(Protocol):
    HELP: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dsm5check",
        description=(
            "Check coded cases against criteria sets written as YAML (first: DSM-5 PTSD)."
            " A teaching and decision-support aid, not a diagnostic device."
        ),
    )
    parser.add_argument("--version", action="version", version=f"dsm5check {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module: _Command = importlib.import_module(f"dsm5check.commands.{module_name}")
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return 2
    from dsm5check.errors import InputError

    try:
        code: int = args._run(args)
    except InputError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, but never report
        # success for output nobody read (128 + SIGPIPE, as other tools do)
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    return code


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
