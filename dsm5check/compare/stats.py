"""Agreement statistics for comparing criteria sets over a cohort (no dependencies).

Generic: nothing here knows a criteria set. ``score --rules A,B,...`` and
``compare`` feed it counts of statuses and get back the figures researchers
put in a paper:

* :func:`wilson` -- a proportion with its Wilson score interval (Wilson 1927;
  Newcombe 1998, method 3), good near 0 and 1 where the normal interval fails;
* :func:`cohen_kappa` -- Cohen's kappa (Cohen 1960) for two raters and any
  number of categories, with the large-sample standard error of Fleiss, Cohen
  & Everitt (1969) and a normal interval clipped to [-1, 1];
* :func:`compare_pair` -- one pair of sets: the 3 x 3 cross-table of met / not
  met / indeterminate, % agreement and kappa over the rows both sets decide,
  and against the first set as the reference sensitivity, specificity, PPV and
  NPV, each with its Wilson interval.

Indeterminate rows (missing answers that leave a status open) are never
folded into "not met": they are counted, shown in the cross-table, and left
out of the agreement figures, which say over how many rows they were computed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

STATUSES = ("met", "not_met", "indeterminate")
DECIDED = ("met", "not_met")


def z_of(confidence: float) -> float:
    """The two-sided normal quantile for a confidence level (0.95 -> 1.959964)."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie between 0 and 1, not {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2.0)


@dataclass(frozen=True, slots=True)
class Proportion:
    """``count`` of ``n``, the estimate and its interval (None when n is 0)."""

    count: int
    n: int
    estimate: float | None
    low: float | None
    high: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "n": self.n, "estimate": self.estimate,
                "ci_low": self.low, "ci_high": self.high}


def wilson(count: int, n: int, confidence: float = 0.95) -> Proportion:
    """``count / n`` with the Wilson score interval."""
    if n < 0 or count < 0 or count > n:
        raise ValueError(f"expected 0 <= count <= n, got {count} of {n}")
    if n == 0:
        return Proportion(count, n, None, None, None)
    z = z_of(confidence)
    p = count / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * math.sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n)) / denom
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    if count == 0:
        low = 0.0
    if count == n:
        high = 1.0
    return Proportion(count, n, p, low, high)


@dataclass(frozen=True, slots=True)
class Kappa:
    n: int
    observed: float | None  # proportion of agreement
    expected: float | None  # agreement expected by chance from the margins
    kappa: float | None
    se: float | None
    low: float | None
    high: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "agreement": self.observed, "chance_agreement": self.expected,
                "kappa": self.kappa, "se": self.se, "ci_low": self.low, "ci_high": self.high}


def cohen_kappa(table: Sequence[Sequence[int]], confidence: float = 0.95) -> Kappa:
    """Cohen's kappa for a square table of counts (rows: rater 1, columns: rater 2).

    Standard error: Fleiss, Cohen & Everitt (1969), the large-sample variance
    not assuming kappa = 0::

        var = ( sum_i p_ii [1 - (p_i. + p_.i)(1 - k)]^2
              + (1 - k)^2 sum_{i != j} p_ij (p_.i + p_j.)^2
              - [k - p_e (1 - k)]^2 ) / (n (1 - p_e)^2)

    Kappa is undefined (None) when chance agreement is 1 (both raters put every
    row in one and the same category); its interval is then None as well.
    """
    k = len(table)
    if any(len(row) != k for row in table):
        raise ValueError("expected a square table")
    n = sum(sum(row) for row in table)
    if n == 0:
        return Kappa(0, None, None, None, None, None, None)
    p = [[c / n for c in row] for row in table]
    rows = [sum(r) for r in p]
    cols = [sum(p[i][j] for i in range(k)) for j in range(k)]
    po = sum(p[i][i] for i in range(k))
    pe = sum(rows[i] * cols[i] for i in range(k))
    if math.isclose(pe, 1.0):
        return Kappa(n, po, pe, None, None, None, None)
    kap = (po - pe) / (1.0 - pe)
    if any(math.isclose(m, 1.0) for m in (*rows, *cols)):
        # one rater puts every row in one category: kappa is 0 by construction and the
        # large-sample variance collapses to 0; an interval "0 to 0" would claim a
        # certainty the data do not give, so there is none
        return Kappa(n, po, pe, kap, None, None, None)
    a = sum(p[i][i] * (1.0 - (rows[i] + cols[i]) * (1.0 - kap)) ** 2 for i in range(k))
    b = (1.0 - kap) ** 2 * sum(p[i][j] * (cols[i] + rows[j]) ** 2
                               for i in range(k) for j in range(k) if i != j)
    c = (kap - pe * (1.0 - kap)) ** 2
    var = max(0.0, (a + b - c) / (n * (1.0 - pe) ** 2))
    se = math.sqrt(var)
    z = z_of(confidence)
    return Kappa(n, po, pe, kap, se, max(-1.0, kap - z * se), min(1.0, kap + z * se))


def prevalence(counts: Mapping[str, int], confidence: float = 0.95) -> dict[str, Any]:
    """A set's prevalence from its status counts.

    The estimate is over the rows the set decides (met / (met + not met)), with
    its Wilson interval; ``indeterminate`` rows are counted, and ``bounds``
    give the prevalence over all rows if every indeterminate row were not met
    (low) or met (high).
    """
    met, no, ind = (int(counts.get(s, 0)) for s in STATUSES)
    rows = met + no + ind
    decided = wilson(met, met + no, confidence)
    return {
        "rows": rows, "met": met, "not_met": no, "indeterminate": ind,
        "prevalence": decided.as_dict(),
        "bounds": [met / rows, (met + ind) / rows] if rows else [None, None],
    }


CrossTable = Mapping[tuple[str, str], int]
"""Counts by (status in the first set, status in the second set)."""


def compare_pair(cross: CrossTable, confidence: float = 0.95) -> dict[str, Any]:
    """Agreement of two sets from their cross-table; the first set is the reference.

    ``cross[(s1, s2)]``: rows with status s1 in the first set and s2 in the
    second (``met``, ``not_met``, ``indeterminate``; absent keys are 0).
    """
    def cell(s1: str, s2: str) -> int:
        return int(cross.get((s1, s2), 0))

    tp, fn = cell("met", "met"), cell("met", "not_met")
    fp, tn = cell("not_met", "met"), cell("not_met", "not_met")
    rows = sum(int(v) for v in cross.values())
    decided = tp + fn + fp + tn
    kap = cohen_kappa([[tp, fn], [fp, tn]], confidence)
    return {
        "rows": rows,
        "table": [[cell(a, b) for b in STATUSES] for a in STATUSES],
        "both_decided": decided,
        "indeterminate_in_either": rows - decided,
        "first_only": fn,
        "second_only": fp,
        "agreement": wilson(tp + tn, decided, confidence).as_dict(),
        "kappa": kap.as_dict(),
        # the first set as the reference standard
        "sensitivity": wilson(tp, tp + fn, confidence).as_dict(),
        "specificity": wilson(tn, tn + fp, confidence).as_dict(),
        "ppv": wilson(tp, tp + fp, confidence).as_dict(),
        "npv": wilson(tn, tn + fn, confidence).as_dict(),
    }


def cross_from_rows(pairs: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """A cross-table from (status 1, status 2) pairs (a helper for small data and tests)."""
    out: dict[tuple[str, str], int] = {}
    for a, b in pairs:
        if a not in STATUSES or b not in STATUSES:
            raise ValueError(f"unknown status in {(a, b)}; expected {', '.join(STATUSES)}")
        out[(a, b)] = out.get((a, b), 0) + 1
    return out


def fixed(x: float, places: int) -> str:
    """``x`` with ``places`` decimals, never "-0.00": a value that rounds to zero
    is shown as zero whatever its sign."""
    text = f"{x:.{places}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def kappa_text(k: Mapping[str, Any], places: int, none: str = "-") -> str:
    """Cohen's kappa with its interval, as the summaries print it."""
    if k.get("kappa") is None:
        return none
    if k.get("ci_low") is None or k.get("ci_high") is None:  # see cohen_kappa
        return f"{fixed(k['kappa'], places)} (no interval)"
    return (f"{fixed(k['kappa'], places)} ({fixed(k['ci_low'], places)} to"
            f" {fixed(k['ci_high'], places)})")
