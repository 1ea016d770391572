"""Cautions: what a careful reader would point out about a case that is still
checked as given (today: months figures that disagree with each other only,
:func:`dsm5check.cases.timeline_checks.timeline_cautions`).

A result with cautions is a :class:`CautionedResult`, the engine's result with
one more field; a case without any keeps the engine's result as it is (most
cases: nothing is copied). ``check`` shows them in words under the case, and
its JSON records carry them under ``cautions`` (docs/case-format.md).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from dsm5check.cases.case import Case
from dsm5check.cases.timeline_checks import timeline_cautions
from dsm5check.engine.results import CaseResult
from dsm5check.errors import format_path


@dataclass(frozen=True, slots=True)
class CautionedResult(CaseResult):
    #: each as {"at": "timeline.months_event_to_full_criteria", "message": "..."}
    #: (the message in plain words)
    cautions: tuple[dict[str, str], ...] = ()


def case_cautions(case: Case) -> list[dict[str, str]]:
    """Every caution of a case, as records: where, and what in words."""
    return [{"at": format_path(c.loc), "message": c.message.words}
            for c in timeline_cautions(case)]


def cautions_if_any(case: Case) -> tuple[dict[str, str], ...]:
    """The case's cautions, cheaply nothing for the common case."""
    tl = case.timeline
    if tl is None or tl.months_event_to_full_criteria is None:
        return ()  # every caution today needs this figure: the common case is free
    return tuple(case_cautions(case))


def with_cautions(result: CaseResult, case: Case) -> CaseResult:
    """``result``, with the case's cautions when it has any."""
    found = cautions_if_any(case)
    if not found:
        return result
    values: dict[str, Any] = {f.name: getattr(result, f.name) for f in fields(result)}
    return CautionedResult(**values, cautions=found)


def cautions_of(result: CaseResult) -> tuple[dict[str, str], ...]:
    return result.cautions if isinstance(result, CautionedResult) else ()
