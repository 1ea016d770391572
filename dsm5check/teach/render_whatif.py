"""Rendering what-if answers: rich text for people, plain records for JSON."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from dsm5check.engine.results import MET
from dsm5check.render.names import name_of, names_of
from dsm5check.teach.changes import Change
from dsm5check.teach.output import Hanging
from dsm5check.teach.search import LIMIT
from dsm5check.teach.summaries import brief, factor
from dsm5check.teach.whatif import Decider, WhatIf

WORD = {"met": "MET", "not_met": "NOT MET", "indeterminate": "INDETERMINATE"}
#: Change sets listed one by one before the rest are only counted.
SHOWN = 12


def _set_text(s: tuple[Change, ...]) -> str:
    return " + ".join(c.text for c in s)


def decider_lines(deciders: tuple[Decider, ...]) -> list[Text]:
    return [
        Text(f"{d.shown} ({d.reason}): {d.brief_sentence()}") for d in deciders
    ]


def what_if_view(w: WhatIf) -> RenderableType:
    r = w.result
    head = Text()
    head.append(r.case_id, style="bold")
    head.append(f": {r.diagnosis_title} is {WORD[r.diagnosis]}")
    failing = [c for c in r.criteria if c.status != MET]
    if failing and r.diagnosis != MET:
        head.append(" (" + "; ".join(f"{name_of(c)}: {c.reason}" for c in failing) + ")",
                    style="dim")
    parts: list[RenderableType] = [head]
    if w.target is None:
        parts.append(Text("Unanswered inputs that decide it:", style="bold yellow"))
        parts.extend(Text("  ").append_text(line) for line in decider_lines(w.deciders))
        return Group(*parts)
    goal = WORD[w.target]
    if not w.sets:
        parts.append(Text(
            f"No set of {w.max_changes} changes or fewer makes it {goal}"
            " (try --max-changes with a larger number)."
        ))
        return Group(*parts)
    smallest = len(w.sets[0])
    first = tuple(s for s in w.sets if len(s) == smallest)
    noun = "change" if smallest == 1 else "changes"
    ways = f"{len(first)}{'+' if len(w.sets) >= LIMIT else ''} way"
    parts.append(Text(
        f"Smallest changes that would make it {goal} ({smallest} {noun}, {ways}"
        f"{'' if len(first) == 1 else 's'}):", style="bold",
    ))
    labels = names_of(r.criteria)
    parts.extend(_sets_lines(first, labels, w.needs))
    larger = w.sets[len(first):]
    if larger:
        parts.append(Text(f"Other minimal sets, up to {w.max_changes} changes:", style="bold"))
        parts.extend(_sets_lines(larger, labels))
    return Group(*parts)


def _needs_lines(sets: tuple[tuple[Change, ...], ...], needs: tuple[Decider, ...]
                 ) -> list[RenderableType] | None:
    """Every set is one choice per criterion in ``needs``: say the choices."""
    crits = {d.criterion for d in needs}
    if not needs or any({c.criterion for c in s} != crits for s in sets):
        return None
    lines: list[RenderableType] = [Text("  every one of:")]
    for d in needs:
        said = brief(d.to_met).removeprefix(f"{d.shown}: ").removeprefix(f"{d.criterion}: ")
        lines.append(Text(f"    {d.shown}: {said}"))
    return lines


def _sets_lines(sets: tuple[tuple[Change, ...], ...], labels: dict[str, str],
                needs: tuple[Decider, ...] = ()) -> list[RenderableType]:
    groups = factor(sets)
    if groups is None and len(sets) > SHOWN:
        by_need = _needs_lines(sets, needs)
        if by_need is not None:
            return by_need
    if groups is not None:
        lines: list[RenderableType] = [Text("  every one of:")]
        for crit, choices in groups:
            said = _set_text(choices[0]) if len(choices) == 1 else brief(choices)
            said = said.removeprefix(f"{labels.get(crit, crit)}: ").removeprefix(f"{crit}: ")
            lines.append(Text(f"    {labels.get(crit, crit)}: {said}"))
        return lines
    out: list[RenderableType] = [
        Hanging(f"{i}.", _set_text(s)) for i, s in enumerate(sets[:SHOWN], 1)
    ]
    if len(sets) > SHOWN:
        out.append(Text(f"  ... and {len(sets) - SHOWN} more (see --format json)"))
    return out


def decider_record(d: Decider) -> dict[str, Any]:
    return {
        "criterion": d.criterion,
        "reason": d.reason,
        "summary": d.sentence(),
        "to_met": [[c.as_record() for c in s] for s in d.to_met],
        "to_not_met": [[c.as_record() for c in s] for s in d.to_not_met],
    }


def what_if_record(w: WhatIf) -> dict[str, Any]:
    r = w.result
    return {
        "id": r.case_id,
        "ruleset": {"id": r.ruleset_id, "version": r.ruleset_version},
        "diagnosis": r.diagnosis,
        "target": w.target,
        "max_changes": w.max_changes,
        "change_sets": [[c.as_record() for c in s] for s in w.sets],
        "deciders": [decider_record(d) for d in w.deciders],
        "evaluations": w.checked,
        "needs": {d.criterion: decider_record(d) for d in w.needs},
    }
