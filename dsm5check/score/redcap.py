"""REDCap exports as `score` input: what is read, and what is refused with a word.

REDCap's "CSV (raw data)" export has one column per field, named by the field's
variable name, with the coded values (a PCL-5 radio field holds 0-4), plus
REDCap's own columns (``record_id``, ``redcap_event_name``,
``redcap_repeat_instrument``, ``redcap_repeat_instance``,
``redcap_data_access_group``, ``redcap_survey_identifier``,
``<instrument>_timestamp``, ``<instrument>_complete``), which are carried
through. Item fields are found by the usual naming (``pcl5_1``, ``caps5_23``,
``itq_1``) and by an instrument prefix before an item id (``pcl5_b1``,
``caps5_b1``, ``caps5_b1_sev``).

Two other kinds of export cannot be scored, and are refused with a message
saying which export to choose instead:

* **labels**: headers that are the questions' texts (``Record ID``, ``Complete?``)
  or cells that are the answers' words (``Not at all``, ``Quite a bit``);
* **checkbox fields**: one column per option (``field___1``, ``field___2``); a
  rating is one radio or dropdown field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

RAW_EXPORT = "export the data as 'CSV / Microsoft Excel (raw data)' (codes, not labels)"
SYSTEM = ("record_id", "redcap_event_name", "redcap_repeat_instrument",
          "redcap_repeat_instance", "redcap_data_access_group", "redcap_survey_identifier")
_CHECKBOX = re.compile(r"^(.+)___([A-Za-z0-9_-]+)$")


def is_redcap(names: Sequence[str]) -> bool:
    low = {n.strip().lower() for n in names}
    return any(s in low for s in SYSTEM) or any(n.endswith("_complete") for n in low)


def prefixed_ids(names: Sequence[str], prefixes: Iterable[str],
                 item_ids: Iterable[str]) -> dict[str, str]:
    """item id -> column for names like ``caps5_b1`` or ``caps5_b1_sev``."""
    ids = {i.lower(): i for i in item_ids}
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    pattern = re.compile(rf"^(?:{alternatives})[_.\- ]?([a-z0-9_]+?)(?:[_.\- ]?(?:sev|severity))?$",
                         re.IGNORECASE)
    out: dict[str, str] = {}
    for name in names:
        m = pattern.match(name.strip())
        if m and m.group(1).lower() in ids:
            out.setdefault(ids[m.group(1).lower()], name)
    return out


def export_problem(names: Sequence[str]) -> str | None:
    """Why a file whose items were not found is a REDCap export we cannot read, or None."""
    low = [n.strip().lower() for n in names]
    if "record id" in low or any(n.endswith("complete?") for n in low):
        return ("this looks like a REDCap export with labels (column headers are the"
                f" questions' texts), which cannot be scored: {RAW_EXPORT}")
    boxes = sorted({m.group(1) for n in names if (m := _CHECKBOX.match(n.strip()))})
    if boxes:
        return (f"checkbox fields ({', '.join(boxes[:5])}, one column per option, named"
                " field___code) cannot hold a rating: score items kept as radio or dropdown"
                f" fields (one column each), and {RAW_EXPORT}")
    return None


#: answer words of the PCL-5 and CAPS-5 / ITQ severity scales as REDCap labels show them
_WORDS = re.compile(r"[A-Za-z]{3,}")


def label_cells(cells: Sequence[str | None]) -> bool:
    """True when most answered item cells are words (a REDCap export of labels)."""
    given = [c for c in cells if c is not None and c.strip()]
    words = [c for c in given if _WORDS.search(c)]
    return len(given) >= 5 and len(words) * 2 > len(given)
