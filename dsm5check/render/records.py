"""Results as plain records for JSON and JSON Lines (the public contract).

Keys of the contract: id, ruleset {id, version, sha256}, diagnosis, criteria
{A..H: {status, reason}}, specifiers, expected {matched, mismatches}. Added:
tool, file, title per criterion, items behind each count, needed inputs,
specifier_detail (status, source, reason), index_event, and what_if: for an
undecided diagnosis, per undecided criterion the unanswered inputs that would
decide it (summary, to_met, to_not_met; empty otherwise).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from dsm5check import __version__
from dsm5check.engine.reasons import needed_inputs
from dsm5check.engine.results import (
    MET,
    NOT_MET,
    UNKNOWN,
    CaseResult,
    CriterionResult,
    NodeResult,
    SpecifierResult,
)
from dsm5check.engine.shared import MEMOS


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


# --- the same record as JSON text, written straight from the result -------------
#
# ``check --format json|jsonl`` writes one record per case; building the dict of
# case_record() and encoding it costs about as much as reading the case. Here the
# text is put together from pieces (the ruleset and tool blocks once per ruleset,
# every string through json's own C string encoder), byte for byte what
# ``json.JSONEncoder(ensure_ascii=False, default=str).encode(case_record(result))``
# writes: tests/test_records_json.py compares the two on every shipped case.

_STR: Callable[[str], str] = json.encoder.encode_basestring
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str, check_circular=False).encode
_HEADS: dict[tuple[str, str, str], str] = {}


def _head(result: CaseResult) -> str:
    key = (result.ruleset_id, result.ruleset_version, result.ruleset_sha256)
    found = _HEADS.get(key)
    if found is None:
        ruleset = {"id": key[0], "version": key[1], "sha256": key[2]}
        tool = {"name": "dsm5check", "version": __version__}
        found = _HEADS[key] = f', "ruleset": {_ENCODE(ruleset)}, "tool": {_ENCODE(tool)}'
    return found


def _strings(values: Iterable[str]) -> str:
    return "[" + ", ".join([_STR(v) for v in values]) + "]"


def _criterion_json(c: CriterionResult) -> str:
    """One criterion's entry of ``criteria`` as JSON text (its id, then its record)."""
    s = _STR
    entry = (f'{s(c.id)}: {{"status": {s(c.status)}, "reason": {s(c.reason)},'
             f' "title": {s(c.title)}')
    node = c.node
    if node.kind == "item":
        entry += ', "items": {' + _item_json(node) + "}"
    elif node.kind == "at_least" and node.children and all(
            k.kind == "item" for k in node.children):
        # as _items(): one entry per item name (a later one of the same name wins)
        names = [k.name for k in node.children]
        if len(set(names)) == len(names):
            entry += ', "items": {' + ", ".join([_item_json(k) for k in node.children]) + "}"
        else:
            entry += ', "items": {' + ", ".join(
                [f"{s(k)}: {s(v)}" for k, v in {k.name: k.status for k in node.children}.items()]
            ) + "}"
    if c.status == UNKNOWN:
        needed = needed_inputs(c.node)
        if needed:
            entry += ', "needed": ' + _strings(needed)
    return entry + "}"


def _item_json(k: NodeResult) -> str:
    """An item's entry of ``items`` (its name and status), written once for an item
    result shared between cases."""
    memo = MEMOS.get(id(k))
    if memo is None:
        return f"{_STR(k.name)}: {_STR(k.status)}"
    text = memo.text
    if text is None:
        text = memo.text = f"{_STR(k.name)}: {_STR(k.status)}"
    return text


def _specifier_json(x: SpecifierResult) -> str:
    if x.diagnosis == NOT_MET and x.status != MET:  # "does not apply": the same text
        key = (x.id, x.source, x.status, x.diagnosis)
        found = _NOT_APPLYING.get(key)
        if found is None:
            found = _NOT_APPLYING[key] = _specifier_text(x)
        return found
    return _specifier_text(x)


def _specifier_text(x: SpecifierResult) -> str:
    s = _STR
    return (f'{s(x.id)}: {{"status": {s(x.status)}, "source": {s(x.source)},'
            f' "reason": {s(x.reason)}}}')


#: specifiers of a diagnosis that is not met, as JSON text (a few per ruleset)
_NOT_APPLYING: dict[tuple[str, str, str, str], str] = {}


def _what_if_json(result: CaseResult) -> str:
    """``_what_if(result)`` as JSON text, each criterion's part written once for a
    criterion result shared between cases."""
    if result.diagnosis != UNKNOWN:
        return "{}"
    from dsm5check.teach.render_whatif import decider_record
    from dsm5check.teach.whatif import criterion_decider

    parts = []
    for c in result.criteria:
        if c.status != UNKNOWN:
            continue
        memo = MEMOS.get(id(c))
        text = memo.decider_text if memo is not None else None
        if text is None:
            text = _ENCODE(decider_record(criterion_decider(c)))
            if memo is not None:
                memo.decider_text = text
        parts.append(f"{_STR(c.id)}: {text}")
    return "{" + ", ".join(parts) + "}"


def _shared_text(obj: Any, make: Callable[[Any], str]) -> str:
    """``make(obj)``, remembered for a result shared between cases."""
    memo = MEMOS.get(id(obj))
    if memo is None:
        return make(obj)
    text = memo.text
    if text is None:
        text = memo.text = make(obj)
    return text


def record_json(result: CaseResult) -> str:
    """``case_record(result)`` as one line of JSON (see above). The parts of shared
    results (``engine/shared.py``) are written once and reused."""
    s = _STR
    crit = [_shared_text(c, _criterion_json) for c in result.criteria]
    details = ", ".join([_shared_text(x, _specifier_json) for x in result.specifiers])
    index = result.index_element
    expected = "null" if not result.expected_checked else _ENCODE({
        "matched": not result.mismatches,
        "mismatches": [m.as_record() for m in result.mismatches],
    })
    return "".join([
        '{"id": ', s(result.case_id), _head(result),
        ', "file": ', s(result.file), ', "diagnosis": ', s(result.diagnosis),
        ', "criteria": {', ", ".join(crit),
        '}, "specifiers": ', _strings(result.applied_specifiers),
        ', "specifiers_undecided": ', _strings(result.undecided_specifiers),
        ', "specifier_detail": {', details,
        '}, "index_event": ', s(index) if type(index) is str else _ENCODE(index),
        ', "what_if": ', _what_if_json(result), ', "expected": ', expected, "}",
    ])
