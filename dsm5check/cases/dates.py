"""Calendar-month arithmetic: months clamp to the month's end.

``add_months(2024-01-31, 1)`` is 2024-02-29, not March 2nd: "one month after
the 31st of January" is the last day of February, as a clinician counts.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

#: Days in an average Gregorian month, used only for fractional months.
DAYS_PER_MONTH = 365.2425 / 12


@lru_cache(maxsize=8192)  # a batch asks about the same dates and spans again and again
def add_months(day: dt.date, months: float) -> dt.date:
    """The date ``months`` calendar months after ``day`` (whole months clamp)."""
    whole = int(months // 1)
    frac = months - whole
    total = day.year * 12 + (day.month - 1) + whole
    year, month = divmod(total, 12)
    month += 1
    last = _DAYS[month]
    if month == 2 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        last = 29
    out = dt.date(year, month, min(day.day, last))
    if frac:
        out += dt.timedelta(days=round(frac * DAYS_PER_MONTH))
    return out


def months_between(start: dt.date, end: dt.date) -> tuple[int, int]:
    """Whole calendar months and remaining days from ``start`` to ``end``."""
    if end < start:
        m, d = months_between(end, start)
        return -m, -d
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, months) > end:
        months -= 1
    days = (end - add_months(start, months)).days
    return months, days
