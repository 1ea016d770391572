"""The scoring options a `score` command line asks for (one set or several)."""

from __future__ import annotations

import argparse

from dsm5check.errors import UsageError
from dsm5check.score.instruments import Instrument
from dsm5check.score.query import Options


def options_from(args: argparse.Namespace, instrument: Instrument) -> Options:
    if args.max_missing < 0:
        raise UsageError(f"--max-missing: expected a number >= 0, not {args.max_missing}")
    cut = args.cutpoint if args.cutpoint is not None else instrument.default_cutpoint
    return Options(missing=args.missing, max_missing=args.max_missing, cutpoint=cut)
