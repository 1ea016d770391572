"""Missing answers: the named, explicit ways researchers handle them.

A cell is *missing* when it is empty or a declared missing code (NA, N/A, NaN,
``.``, and anything given with ``--na`` or ``missing_values``), and *bad* when
it holds something that is not a rating on the item's scale (7, -1, 2.5,
"often"): bad cells are reported with row and column and then treated as
missing. Neither ever becomes 0 unless the user asks for it by name.

``strict`` (default)
    Three-valued. A missing item is unknown: a cluster is met when enough
    answered items are present, not met when too few could still be present,
    else indeterminate; a total or cluster severity that includes a missing item
    is empty (NULL); the cut-point flag is decided when the answered items
    already reach it, or could not reach it even with every missing item at 4.
``prorate``
    When at most ``--max-missing`` (default 2) of the summed symptom items are
    missing in a row, each missing one is replaced by that person's mean of the
    answered symptom items (not rounded); the item then counts as present when
    that mean is at or above the threshold (2). Rows with more missing items
    stay three-valued as in ``strict``. ``items_prorated`` says how many items of
    the row were filled in.
``zero``
    Every missing or bad symptom item is scored 0 ("not at all"). Common in
    practice but it biases totals and diagnoses downwards; named so that it is
    never a silent default.

Only the summed symptom items are filled in by ``prorate`` and ``zero``, and
the mean is over the answered symptom items; other items (dissociation,
impairment ratings -- summed items the YAML marks ``impairment: true``, such as
ITQ items 7-9 and 16-18) and criterion or fact columns always stay unknown when
missing.
"""

from __future__ import annotations

MODES: dict[str, str] = {
    "strict": "missing answers are unknown (three-valued)",
    "prorate": "up to N missing symptom items replaced by the person's mean of answered items",
    "zero": "missing symptom items scored 0 (biased; asked for by name)",
}

DEFAULT_MAX_MISSING = 2


def filled_value(mode: str, value: str, answered: str, answered_sum: str, missing: str,
                 max_missing: int) -> str:
    """SQL for a summed item's value under a missing-data mode.

    ``answered``, ``answered_sum`` and ``missing`` are SQL for the row's count
    of answered summed items, their sum, and the count of missing ones.
    """
    if mode == "strict":
        return value
    if mode == "zero":
        return f"COALESCE({value}, 0)"
    if mode == "prorate":
        return (
            f"(CASE WHEN {value} IS NULL AND {missing} <= {max_missing} AND {answered} > 0"
            f" THEN {answered_sum} * 1.0 / {answered} ELSE {value} END)"
        )
    raise ValueError(f"unknown missing-data mode {mode!r}; known: {', '.join(MODES)}")


def prorated_count(answered: str, missing: str, max_missing: int) -> str:
    return f"(CASE WHEN {missing} <= {max_missing} AND {answered} > 0 THEN {missing} ELSE 0 END)"
