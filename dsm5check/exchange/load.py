"""Reading exchange formats as cases: a FHIR QuestionnaireResponse today.

``loading.check_document`` hands any JSON document with a ``resourceType`` here.
The case read from it keeps, for every key, where its answer sits in the
response, so a problem with the case is reported at the answer's own
``file:line:col`` in the response the user gave.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dsm5check.cases.yamlio import Document
from dsm5check.errors import InputError

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class MappedDocument(Document):
    """A case converted from another format, located in the original's text."""

    where: dict[tuple[str, ...], Loc] = field(default_factory=dict)

    def locate(self, loc: Sequence[object], *, at_key: bool = False) -> tuple[int, int]:
        parts = tuple(str(p) for p in loc)
        for n in range(len(parts), 0, -1):
            origin = self.where.get(parts[:n])
            if origin is not None:
                return Document.locate(self, origin)
        return Document.locate(self, ())


def convert(doc: Document) -> tuple[Document, list[tuple[Loc, str]]]:
    """The case a foreign document holds, and problems found converting it."""
    data = doc.data
    kind = data.get("resourceType")
    if kind != "QuestionnaireResponse":
        return doc, [(("resourceType",), f"a FHIR {kind} is not a case; expected a"
                      " QuestionnaireResponse to a dsm5check questionnaire")]
    from dsm5check.engine.registry import shipped_ids
    from dsm5check.exchange.fhir import case_from_response

    try:
        case, where, problems = case_from_response(data, shipped_ids())
    except InputError as err:  # fhir.resources not installed
        return doc, [((), err.problems[0].message)]
    authored = data.get("authored")
    if isinstance(authored, str) and len(authored) >= 10 and case:
        timeline = case.setdefault("timeline", {})
        if "assessed" not in timeline and "months_since_symptom_onset" not in timeline:
            try:
                timeline["assessed"] = dt.date.fromisoformat(authored[:10]).isoformat()
                where[("timeline", "assessed")] = ("authored",)
            except ValueError:
                pass  # the FHIR models reported it already
    same = {f.name: getattr(doc, f.name) for f in dataclasses.fields(doc)}
    mapped = MappedDocument(**{**same, "data": case}, where=where)
    return mapped, problems


def is_foreign(data: Any) -> bool:
    """A FHIR resource (it names its ``resourceType``), not a dsm5check case."""
    return isinstance(data, dict) and isinstance(data.get("resourceType"), str)
