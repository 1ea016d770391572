"""The --map file: which column is which item, criterion or fact (YAML).

```yaml
items: {B1: q1, 2: q2, impairment: [distress, social, occupational]}
positional: 3
criteria: {A: lec5_a}
facts: {timeline.months_since_symptom_onset: duration}
missing_values: ["-99"]
```

Mistakes are reported with the map's file, line and column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dsm5check.errors import InputError, Problem

#: points into the --map file: (key path, message) -> Problem with its line and column
Locator = Callable[[Sequence[object], str], Problem]


class ColumnMap(BaseModel):
    """The --map file."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    items: dict[str | int, str | list[str]] = Field(
        default_factory=dict,
        description="ruleset item id or instrument item number -> column (or columns)",
    )
    positional: int | None = Field(None, ge=1, description="items start at this column (1-based)")
    criteria: dict[str, str] = Field(default_factory=dict)
    facts: dict[str, str] = Field(default_factory=dict)
    missing_values: list[str] = Field(default_factory=list)


def no_map() -> ColumnMap:
    """The map of a run without --map (every field empty; its validator is built only
    when a --map file is read)."""
    return ColumnMap.model_construct()


def load_map(path: str) -> tuple[ColumnMap, Locator]:
    """Read a --map YAML file: the model and a ``(loc, message) -> Problem`` locator."""
    from dsm5check.cases.validation import problems_from
    from dsm5check.cases.yamlio import load_documents

    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise InputError([Problem(path, 1, 1, f"cannot read column map: {exc.strerror}")]) from None
    docs = load_documents(path, raw)
    doc = docs[0]
    if doc.problems:  # duplicate keys: which one was meant cannot be told
        raise InputError(list(doc.problems))
    if not isinstance(doc.data, dict):
        raise InputError([doc.problem((), "expected a mapping with items, positional,"
                                      " criteria, facts or missing_values")])
    try:
        cmap = ColumnMap.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(problems_from(doc, exc, ColumnMap)) from None
    return cmap, doc.problem
