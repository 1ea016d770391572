"""Command line: ``main(argv) -> int``, one small module per subcommand.

This module and the command modules' ``add_arguments`` import nothing heavy,
so ``dsm5check --version`` and ``--help`` stay fast; pydantic, rich and the
rules are imported inside each command's ``run``. Exceptions become exit codes
in one place, :func:`main` (:data:`EXIT_CODES`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from dsm5check import __version__

if TYPE_CHECKING:
    import argparse
    from typing import NoReturn

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
    "compare": "compare",
}

#: Every exit code any command returns (docs/case-format.md, docs/teaching.md).
EXIT_OK, EXIT_MISMATCH, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 70
EXIT_INTERRUPTED, EXIT_PIPE = 130, 141
EXIT_CODES: dict[int, str] = {
    EXIT_OK: "done; every expectation matched",
    EXIT_MISMATCH: "check: some case did not match its expected block",
    EXIT_INPUT: "bad input or a mistake on the command line (reported, never a traceback)",
    EXIT_INTERNAL: "internal error: a bug in dsm5check (traceback with --debug)",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C, Ctrl-D at a prompt)",
    EXIT_PIPE: "the reader of the output went away (e.g. `| head`)",
}
REPORT_TO = "the dsm5check issue tracker"
EPILOG = (
    "exit codes: 0 done; 1 an expectation did not match (check); 2 bad input or usage;"
    " 70 internal error (a bug: please report it); 130 interrupted."
)


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse

    class Parser(argparse.ArgumentParser):
        """argparse with "did you mean" for mistyped choices (subcommands, --format)."""

        def error(self, message: str) -> NoReturn:
            self.exit(EXIT_INPUT, f"{self.prog}: error: {_suggest(message)}\n"
                      f"(see `{self.prog} --help`)\n")

    return Parser


def _suggest(message: str) -> str:
    """Add "did you mean" to argparse's "invalid choice" message."""
    import re

    found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)$", message)
    if not found:
        return message
    from dsm5check.errors import did_you_mean

    choices = re.findall(r"'([^']*)'", found.group(2))
    near = did_you_mean(found.group(1), choices)
    if near:
        return f"{message}; did you mean {' or '.join(repr(n) for n in near)}?"
    return message


def build_parser() -> argparse.ArgumentParser:
    import argparse
    import importlib

    parser_class = _parser_class()
    parser = parser_class(
        prog="dsm5check",
        description=(
            "Check coded cases against criteria sets written as YAML (first: DSM-5 PTSD)."
            " A teaching and decision-support aid, not a diagnostic device."
        ),
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"dsm5check {__version__}",
                        help="print the version and stop")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, print the full traceback")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(f"dsm5check.commands.{module_name}")
        p = sub.add_parser(name, help=module.HELP, description=module.HELP, epilog=EPILOG)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
        for each in parsers(p):
            each.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                              help="on an internal error, print the full traceback")
    return parser


def parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """``parser`` and every sub-parser below it (e.g. rules, rules show, rules list)."""
    import argparse

    out = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                out.extend(parsers(child))
    return out


def _chosen(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.ArgumentParser:
    """The (sub-)parser the words of ``argv`` select: ``rules show`` -> its parser."""
    import argparse

    current = parser
    for word in argv:
        subs = [a for a in current._actions if isinstance(a, argparse._SubParsersAction)]
        if subs and word in subs[0].choices:
            current = subs[0].choices[word]
    return current


def _unrecognized(parser: argparse.ArgumentParser, argv: Sequence[str],
                  extras: list[str]) -> NoReturn:
    from dsm5check.errors import did_you_mean

    target = _chosen(parser, argv)
    options = [s for a in target._actions for s in a.option_strings]
    said = []
    for word in extras:
        near = did_you_mean(word.split("=", 1)[0], options) if word.startswith("-") else []
        said.append(f"{word} (did you mean {' or '.join(near)}?)" if near else word)
    target.error(f"unrecognized arguments: {' '.join(said)}")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv == ["--version"]:  # the fast path: no argparse, nothing else imported
        print(f"dsm5check {__version__}")
        return EXIT_OK
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            _unrecognized(parser, argv, extras)
    except SystemExit as done:  # --help, --version, or a usage error already printed
        if done.code is None or isinstance(done.code, int):
            return done.code or EXIT_OK
        return EXIT_INPUT
    if getattr(args, "_run", None) is None:
        parser.print_help()
        return EXIT_INPUT
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    from dsm5check.errors import InputError, UsageError

    try:
        code: int = args._run(args)
    except UsageError as err:
        print(f"dsm5check {args.command}: {err.message}", file=sys.stderr)
        return EXIT_INPUT
    except InputError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, but never report
        # success for output nobody read (128 + SIGPIPE, as other tools do)
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    except Exception as exc:
        return internal_error(exc, debug=bool(getattr(args, "debug", False)))
    return code


def internal_error(exc: BaseException, *, debug: bool) -> int:
    """A short message (the traceback only with --debug) and :data:`EXIT_INTERNAL`,
    so a crash never looks like an expectation mismatch (1) or bad input (2)."""
    if debug:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    what = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if len(what) > 300:
        what = what[:300] + "..."
    print(
        f"dsm5check: internal error (a bug in dsm5check, not a problem with your input):"
        f" {what}\n"
        f"Please report it to {REPORT_TO} with the command you ran and the output of"
        " the same command with --debug (it prints the full traceback)."
        f" Exit status {EXIT_INTERNAL}.",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
