"""Results as plain records for JSON and JSON Lines (the public contract).

Keys of the contract: id, ruleset {id, version, sha256}, diagnosis, criteria
{A..H: {status, reason}}, specifiers, expected {matched, mismatches}. Added:
tool, file, title per criterion, items behind each count, needed inputs,
specifier_detail (status, source, reason), index_event, and what_if: for an
undecided diagnosis, per undecided criterion the unanswered inputs that would
decide it (summary, to_met, to_not_met; empty otherwise).
"""

from __future__ import annotations

from typing import Any

from dsm5check import __version__
from dsm5check.engine.reasons import needed_inputs
from dsm5check.engine.results import UNKNOWN, CaseResult, NodeResult


def _items(node: NodeResult) -> dict[str, str] | None:
    if node.kind == "at_least" and node.children and all(
        k.kind == "item" for k in node.children
    ):
        return {k.name: k.status for k in node.children}
    if node.kind == "item":
        return {node.name: node.status}
    return None


def _what_if(result: CaseResult) -> dict[str, Any]:
    """For an undecided diagnosis: how each undecided criterion would be decided."""
    if result.diagnosis != UNKNOWN:
        return {}  # nothing is still needed (the common case: no import, no search)
    from dsm5check.teach.render_whatif import decider_record
    from dsm5check.teach.whatif import still_needed

    return {d.criterion: decider_record(d) for d in still_needed(result)}


def case_record(result: CaseResult) -> dict[str, Any]:
    criteria: dict[str, Any] = {}
    for c in result.criteria:
        entry: dict[str, Any] = {"status": c.status, "reason": c.reason, "title": c.title}
        items = _items(c.node)
        if items is not None:
            entry["items"] = items
        if c.status == UNKNOWN:  # only an undecided criterion lacks inputs
            needed = needed_inputs(c.node)
            if needed:
                entry["needed"] = needed
        criteria[c.id] = entry
    record: dict[str, Any] = {
        "id": result.case_id,
        "ruleset": {
            "id": result.ruleset_id,
            "version": result.ruleset_version,
            "sha256": result.ruleset_sha256,
        },
        "tool": {"name": "dsm5check", "version": __version__},
        "file": result.file,
        "diagnosis": result.diagnosis,
        "criteria": criteria,
        "specifiers": result.applied_specifiers,
        "specifiers_undecided": result.undecided_specifiers,
        "specifier_detail": {
            s.id: {"status": s.status, "source": s.source, "reason": s.reason}
            for s in result.specifiers
        },
        "index_event": result.index_element,
        "what_if": _what_if(result),
        "expected": (
            {
                "matched": not result.mismatches,
                "mismatches": [m.as_record() for m in result.mismatches],
            }
            if result.expected_checked
            else None
        ),
    }
    return record
