"""The scoring options a `score` command line asks for (one set or several)."""

from __future__ import annotations

import argparse

from dsm5check.errors import UsageError
from dsm5check.score.instruments import SUMMED_SECTION, Instrument
from dsm5check.score.query import Options


def options_from(args: argparse.Namespace, instrument: Instrument) -> Options:
    if args.max_missing < 0:
        raise UsageError(f"--max-missing: expected a number >= 0, not {args.max_missing}")
    summed = sum(1 for s in instrument.slots if s.section == SUMMED_SECTION)
    # a row needs at least one answered item to take the mean of
    if args.max_missing > summed - 1:
        raise UsageError(f"--max-missing {args.max_missing}: the {instrument.short} has"
                         f" {summed} symptom items and a row needs at least one answered"
                         f" to fill in the others; expected a number from 0 to {summed - 1}")
    cut = args.cutpoint if args.cutpoint is not None else instrument.default_cutpoint
    return Options(missing=args.missing, max_missing=args.max_missing, cutpoint=cut)
