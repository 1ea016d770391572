"""One small module per subcommand: its options, then a call into a front end."""

import argparse


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (`--jobs 0` is refused, not
    taken as 1)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of 1 or more, not {value}")
    return value
