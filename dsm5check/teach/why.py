"""Why a criterion came out as it did: the items and facts that decided it.

Reads a finished result tree (never evaluates) and names, in plain words, the
leaves that decided each node: for a criterion that is met, the items that
counted, by name and rating ("B2 upsetting dreams: rated 3, severe"); for one
that is not met, what was missing ("qualifying nature: other; needs actual or
threatened death, serious injury or sexual violence"). Generic over rulesets:
names come from the ruleset's items, scales and rule labels.

:func:`implied` recombines a trainee's own criterion judgements through the
diagnosis rule, to point out an answer set that contradicts itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dsm5check.engine.reasons import show_value
from dsm5check.engine.results import MET, NOT_MET, UNKNOWN, NodeResult, Status
from dsm5check.engine.ruleset import Ruleset
from dsm5check.engine.wording import item_answer, rating_words

_OPS = {
    "==": "needs", "in": "needs one of", "includes_any": "needs",
    ">": "needs more than", ">=": "needs at least", "<": "needs less than",
    "<=": "needs at most",
}
#: At most this many deciding leaves are named per criterion; the rest are counted.
MOST = 8


def words(value: Any, joint: str = "and") -> str:
    """A value in plain words: ``serious_injury`` -> "serious injury", a list as
    "a, b and c" (or "a, b or c" for alternatives), yes/no for booleans."""
    if isinstance(value, (list, tuple)):
        parts = [words(v) for v in value]
        if not parts:
            return "none"
        if len(parts) == 1:
            return parts[0]
        return ", ".join(parts[:-1]) + f" {joint} " + parts[-1]
    if isinstance(value, str):
        return value.replace("_", " ")
    return show_value(value)


def field_name(path: str) -> str:
    """A case path in words: ``events[0].nature`` -> "nature of event 1",
    ``attributable_to_substance_or_medical`` -> "attributable to substance or medical"."""
    head, _, last = path.rpartition(".")
    name = _last_word(last)
    if head.endswith("]") and "[" in head:
        coll, _, index = head[:-1].rpartition("[")
        noun = _last_word(coll)
        noun = noun[:-1] if noun.endswith("s") else noun
        if index.isdigit():
            return f"{name} of {noun} {int(index) + 1}"
    return name


def item_name(rules: Ruleset | None, item_id: str, label: str | None = None) -> str:
    """``D5 lost interest``: the id and the item's short name (or its label)."""
    item = rules.item_map.get(item_id) if rules is not None else None
    short = (item.short if item is not None and item.short else None) or label
    if not short:
        return item_id if _code(item_id) else words(item_id)
    return f"{item_id} {short}" if _code(item_id) else short


def _code(item_id: str) -> bool:
    """An id like D5 or B (said with the name), not a word like impairment."""
    return any(c.isdigit() for c in item_id) or item_id.isupper()


def rating_now(rules: Ruleset | None, item_id: str, value: Any) -> str:
    """An item's current answer: "rated 1 (mild, below threshold)", "absent",
    "not assessed"."""
    if value is None:
        return "not assessed"
    if isinstance(value, bool):
        return "present" if value else "absent"
    item = rules.item_map.get(item_id) if rules is not None else None
    if rules is None or item is None or not isinstance(value, int):
        return f"rated {show_value(value)}"
    return f"rated {rating_words(value, rules.scale_of(item).labels, listed=True)}"


def _last_word(path: str) -> str:
    """``events[0].exposure`` -> "exposure" (a name for a fact without a label)."""
    return words(path.rsplit(".", 1)[-1].split("[", 1)[0])


def deciding(node: NodeResult) -> list[NodeResult]:
    """The leaves (items, facts, months, criterion references) that decided ``node``,
    grouped under the elements (events) they belong to."""
    kind, status, kids = node.kind, node.status, list(node.children)
    if not kids:
        return [node]
    if kind in ("not", "element"):
        return deciding(kids[0])
    same = [k for k in kids if k.status == status]
    if kind == "all":
        chosen = same if status != MET else kids
    elif kind in ("any", "for_any"):
        chosen = kids if status == NOT_MET else same
    elif kind == "at_least":
        # what counted, and when short or open, what was not known
        chosen = [k for k in kids if k.status == MET]
        if status != MET:  # and nothing counted at all: every one that did not
            chosen += [k for k in kids if k.status == UNKNOWN]
            chosen = chosen or kids
    else:  # pragma: no cover - every node kind with children is listed above
        chosen = same
    out: list[NodeResult] = []
    for k in chosen:
        out.extend([k] if k.kind == "element" or _route(k) else deciding(k))
    return out


def _route(node: NodeResult) -> bool:
    """A named way to meet a rule (e.g. A2 "witnessed in person"): said by name."""
    return bool(node.id and node.children and node.kind != "element")


def describe(leaf: NodeResult, rules: Ruleset) -> str:
    """One deciding leaf in plain words."""
    if leaf.kind == "item":
        return _item(leaf, rules)
    if leaf.kind == "fact":
        return _fact(leaf)
    if leaf.kind == "criterion":
        return f"{leaf.label or f'criterion {leaf.name}'} {_status(leaf.status)}"
    if leaf.kind == "element":
        inner = "; ".join(describe(x, rules) for x in deciding(leaf.children[0]))
        return f"{leaf.name}: {inner}"
    if _route(leaf):
        if leaf.status == MET:
            return f"{leaf.title}: met"
        inner = "; ".join(describe(x, rules) for x in deciding(leaf))
        return f"{leaf.title}: {_status(leaf.status)} ({inner})"
    if leaf.kind == "months":
        return _months(leaf)
    if leaf.kind == "for_any":  # no element given at all
        return f"{leaf.label or _last_word(leaf.name)}: none given"
    label = leaf.label or "time"
    return f"{label}: {leaf.reason}"


def _status(status: Status) -> str:
    return {MET: "met", NOT_MET: "not met"}.get(status, "undecided")


def _item(leaf: NodeResult, rules: Ruleset) -> str:
    d = leaf.detail
    name = item_name(rules, leaf.name, leaf.label)
    if d.get("why") == "unlisted":
        return f"{name}: not listed, so counted absent"
    if "ratings" in d:
        given = ", ".join(f"{words(k)} {v}" for k, v in d["ratings"].items() if v is not None)
        return f"{name}: {given or 'no ratings'} (counts from {d['threshold']})"
    item = rules.item_map.get(leaf.name)
    labels = rules.scale_of(item).labels if item is not None else {}
    return f"{name}: {item_answer(d, labels, with_note=False)}"


def _span(start: Any, end: Any) -> str:
    from dsm5check.cases.dates import months_between

    m, days = months_between(start, end)
    parts = [_plural(m, "month")] if m or not days else []
    if days:
        parts.append(_plural(days, "day"))
    return " ".join(parts)


def _plural(n: float, word: str) -> str:
    return f"{show_value(n)} {word}" + ("" if n == 1 else "s")


def _months(leaf: NodeResult) -> str:
    d = leaf.detail
    name = leaf.label or "time"
    want = f"{_OPS[d['op']]} {_plural(d['limit'], 'month')}".replace("needs ", "", 1)
    if "start" in d:
        return (f"{name}: {_span(d['start'], d['end'])}, {show_value(d['start'])} to"
                f" {show_value(d['end'])} (needs {want})")
    if "months" in d:
        return f"{name}: {show_value(d['months'])} months given (needs {want})"
    missing = [_last_word(m) for m in d.get("missing", ())] or [_last_word(d["to"])]
    if "if_unknown" in d:
        return f"{name}: {words(missing)} not given, taken as {words(d['if_unknown'])}"
    return f"{name}: not known, needs the {words(missing)} date (needs {want})"


def _fact(leaf: NodeResult) -> str:
    d = leaf.detail
    field = _last_word(leaf.name)
    name = leaf.title if leaf.label else field
    if leaf.status == UNKNOWN or d.get("value") is None:
        return f"{name}: not given"
    if leaf.status == MET:
        return f"{name}: {words(d['value'])}"
    needs = f"{_OPS.get(d['op'], 'needs')} {words(d['expected'], 'or')}"
    return f"{name}: no ({field} is {words(d['value'])}; {needs})"


def why(node: NodeResult, rules: Ruleset) -> tuple[str, ...]:
    """What decided ``node``, one short line per deciding item or fact."""
    leaves = list({id(x): x for x in deciding(node)}.values())
    lines = [describe(x, rules) for x in leaves[:MOST]]
    if len(leaves) > MOST:
        lines.append(f"and {len(leaves) - MOST} more")
    return tuple(lines)


def implied(node: NodeResult, judged: Mapping[str, Status]) -> Status:
    """The status of a rule (the diagnosis') when each criterion it refers to has
    the status ``judged`` gives it; anything else in the rule counts as unknown."""
    kids = [implied(k, judged) for k in node.children]
    if node.kind == "criterion":
        return judged.get(node.name, UNKNOWN)
    if node.kind == "all":
        return NOT_MET if NOT_MET in kids else UNKNOWN if UNKNOWN in kids else MET
    if node.kind == "any":
        return MET if MET in kids else UNKNOWN if UNKNOWN in kids else NOT_MET
    if node.kind == "not" and kids:
        return {MET: NOT_MET, NOT_MET: MET}.get(kids[0], UNKNOWN)
    if node.kind == "at_least":
        need = int(node.detail["needed"])
        met, open_ = kids.count(MET), kids.count(UNKNOWN)
        return MET if met >= need else NOT_MET if met + open_ < need else UNKNOWN
    return UNKNOWN


def referenced(node: NodeResult) -> list[str]:
    """Ids of the criteria a rule refers to, in order."""
    if node.kind == "criterion":
        return [node.name]
    return [c for k in node.children for c in referenced(k)]
