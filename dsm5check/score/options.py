"""The scoring options a `score` command line asks for (one set or several)."""

from __future__ import annotations

import argparse

from dsm5check.errors import UsageError
from dsm5check.score.instruments import SUMMED_SECTION, Instrument, Slot
from dsm5check.score.query import Options

#: how many missing symptom items ``--missing prorate`` fills in when not told
DEFAULT_MAX_MISSING = 2


def options_from(args: argparse.Namespace, instrument: Instrument) -> Options:
    given: int | None = args.max_missing
    if given is not None and given < 0:
        raise UsageError(f"--max-missing: expected a number >= 0, not {given}")
    if given is not None and args.missing != "prorate":
        # it would be taken and do nothing: say so rather than let the user believe it
        raise UsageError(f"--max-missing {given} applies only with --missing prorate"
                         f" (missing answers are handled as {args.missing} here)")
    max_missing = DEFAULT_MAX_MISSING if given is None else given
    summed = len(fillable_slots(instrument))
    # a row needs at least one answered item to take the mean of
    if max_missing > summed - 1:
        raise UsageError(f"--max-missing {max_missing}: the {instrument.short} has"
                         f" {summed} symptom items and a row needs at least one answered"
                         f" to fill in the others; expected a number from 0 to {summed - 1}")
    cut = args.cutpoint if args.cutpoint is not None else instrument.default_cutpoint
    return Options(missing=args.missing, max_missing=max_missing, cutpoint=cut)


def fillable_slots(instrument: Instrument) -> list[Slot]:
    """The instrument's summed symptom items that a missing-data mode may fill in: not
    those its home ruleset marks as impairment ratings (ITQ items 7-9 and 16-18)."""
    slots = [s for s in instrument.slots if s.section == SUMMED_SECTION]
    if instrument.home is None:
        return slots
    from dsm5check.engine.registry import shipped

    rules = shipped(instrument.home).rules
    impairment = {i.id for i in rules.items if i.impairment}
    return [s for s in slots if instrument.item_id(rules, s) not in impairment]
