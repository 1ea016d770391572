"""Sentences that explain a result node, derived from what it was decided on.

Rendering never evaluates: these functions only read a finished NodeResult.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dsm5check.dates import months_between
from dsm5check.results import MET, NOT_MET, UNKNOWN, CaseResult, NodeResult

_OP_WORDS = {
    "==": "is",
    "in": "is one of",
    "includes_any": "any of",
    ">": "more than",
    ">=": "at least",
    "<": "less than",
    "<=": "at most",
}


def show_value(v: Any, empty: str = "none") -> str:
    """A value as a reader would write it: yes/no, dates in ISO, 2 not 2.0."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (list, tuple)):
        return ", ".join(show_value(x, empty) for x in v) if v else empty
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)



def _plural(n: float, word: str) -> str:
    return f"{show_value(n)} {word}" + ("" if n == 1 else "s")


def _names(nodes: list[NodeResult]) -> str:
    return ", ".join(_name_parts(nodes))


def _name_parts(nodes: list[NodeResult]) -> list[str]:
    """Titles of nodes; an unnamed group is named by its children of the same status."""
    out: list[str] = []
    for n in nodes:
        if n.id is None and n.label is None and n.kind in {"all", "any", "at_least"}:
            same = [k for k in n.children if k.status == n.status]
            out.extend(_name_parts(same or list(n.children)))
        else:
            out.append(n.title)
    return out


def item_reason(node: NodeResult) -> str:
    d = node.detail
    why = d.get("why")
    if "crosswalk" in d:  # read through a crosswalk from another set's answers
        return f"from {d['crosswalk']}: {reason_for(node.children[0])}"
    if why == "not_crosswalked":
        return f"not assessed (the case is coded in {d['coded_in']}, which has no such item)"
    if why == "unlisted":
        return "not listed; counted absent (unlisted_symptoms: absent)"
    if "ratings" in d:
        given = {k: v for k, v in d["ratings"].items() if v is not None}
        shown = ", ".join(f"{k} {v}" for k, v in given.items()) or "no ratings"
        missing = [k for k, v in d["ratings"].items() if v is None]
        tail = f"; not rated: {', '.join(missing)}" if missing else ""
        return f"{shown} (threshold {d['threshold']}){tail}"
    value = d.get("value")
    if value is None:
        text = "not assessed"
    elif isinstance(value, bool):
        text = "present" if value else "absent"
    else:
        below = "" if value >= d["threshold"] else ", below"
        text = f"rated {value} (threshold {d['threshold']}{below})"
    if "trauma_related" in d:
        if d["trauma_related"] is False:
            text += " but not related to the event: does not count"
        else:
            text += "; relation to the event not known"
    return text


def _count_reason(node: NodeResult) -> str:
    d = node.detail
    items = all(k.kind == "item" for k in node.children)
    word = "present" if items else "met"
    unknown_word = "not assessed" if items else "undecided"
    text = f"{d['met']} of {d['total']} {word}, {d['needed']} needed"
    if d["unknown"]:
        text += f", {d['unknown']} {unknown_word}"
    return text


def _months_reason(node: NodeResult) -> str:
    d = node.detail
    want = f"{_OP_WORDS[d['op']]} {_plural(d['limit'], 'month')}"
    if "start" in d:
        m, days = months_between(d["start"], d["end"])
        if m and days:
            span = f"{_plural(m, 'month')} {_plural(days, 'day')}"
        else:
            span = _plural(m, "month") if m or not days else _plural(days, "day")
        start, end = show_value(d["start"]), show_value(d["end"])
        return f"{d['from']} {start} to {d['to']} {end}: {span} (needs {want})"
    if "months" in d:
        return f"{d['or_fact']} = {show_value(d['months'])} (needs {want})"
    missing = " and ".join(d.get("missing", ())) or d["to"]
    alt = f", or {d['or_fact']}" if d.get("or_fact") else ""
    if "if_unknown" in d:
        word = d["if_unknown"].replace("_", " ")
        return f"{missing} not given: taken as {word} (only known dates can decide this guard)"
    return f"unknown: needs {missing}{alt} (needs {want})"


def _fact_reason(node: NodeResult) -> str:
    d = node.detail
    if node.status == UNKNOWN:
        return f"{node.name} not given"
    want = show_value(d["expected"])
    if d["op"] != "==":
        want = f"{_OP_WORDS[d['op']]} {want}"
    return f"{node.name} = {show_value(d['value'])} (needs {want})"


def _for_any_reason(node: NodeResult) -> str:
    count = node.detail["count"]
    noun = node.detail["as"]
    if node.detail.get("missing"):
        return f"not assessed: {node.name} not given"
    if count == 0:
        return f"no {noun} given"
    met = [k for k in node.children if k.status == MET]
    if met:
        return "met by " + "; ".join(_with_routes(k) for k in met)
    unknown = [k for k in node.children if k.status == UNKNOWN]
    if unknown:
        return f"undecided: {_names(unknown)} lacks information"
    return f"no {noun} qualifies ({_plural(count, noun)} given)"


def met_ids(node: NodeResult) -> list[str]:
    """Ids of the met nodes below (and including) this one, e.g. routes A1, A3."""
    out = [node.id] if node.id and node.status == MET else []
    for kid in node.children:
        if kid.status == MET and kid.kind != "criterion":
            out.extend(met_ids(kid))
    return out


def _with_routes(node: NodeResult) -> str:
    ids = met_ids(node)
    return f"{node.title} ({', '.join(ids)})" if ids else node.title


_LEAVES = frozenset({"item", "fact", "months"})


def _decisive(word: str, nodes: list[NodeResult]) -> str:
    """'not met: X' naming the children that decide; one leaf also says why."""
    if len(nodes) == 1 and nodes[0].kind in _LEAVES:
        return f"{word}: {nodes[0].title} ({nodes[0].reason})"
    return f"{word}: {_names(nodes)}"


def _logic_reason(node: NodeResult) -> str:
    kids = list(node.children)
    unknown = [k for k in kids if k.status == UNKNOWN]
    if node.kind == "any":
        met = [k for k in kids if k.status == MET]
        if met:
            return _decisive("met by", met)
        if node.status == NOT_MET:
            return _decisive("none met", kids)
        return _decisive("undecided", unknown)
    if node.kind == "all":
        if node.status == MET:
            return f"met: {_names(kids)}"
        failed = [k for k in kids if k.status == NOT_MET]
        if failed:
            return _decisive("not met", failed)
        return _decisive("undecided", unknown)
    kid = kids[0]
    return f"{kid.title} is {kid.status.replace('_', ' ')}"


def reason_for(node: NodeResult) -> str:
    kind = node.kind
    if kind == "item":
        return item_reason(node)
    if kind == "at_least":
        return _count_reason(node)
    if kind == "months":
        return _months_reason(node)
    if kind == "fact":
        return _fact_reason(node)
    if kind == "for_any":
        return _for_any_reason(node)
    if kind == "criterion":
        target: NodeResult = node.detail["reason"]
        return f"{node.name} {node.status.replace('_', ' ')}: {target.reason}"
    if kind == "element":
        return node.children[0].reason
    return _logic_reason(node)


def needed_inputs(node: NodeResult) -> list[str]:
    """Inputs still unanswered that could decide an undecided node."""
    out: list[str] = []
    _collect(node, out)
    return list(dict.fromkeys(out))


def _collect(node: NodeResult, out: list[str]) -> None:
    if node.status != UNKNOWN:
        return
    if node.kind == "item" or node.kind == "fact":
        out.append(node.name)
    elif node.kind == "months":
        missing = list(node.detail.get("missing", ()))
        if node.detail.get("or_fact"):
            out.append(" and ".join(missing) + f" (or {node.detail['or_fact']})")
        else:
            out.extend(missing)
    elif node.kind == "criterion":
        return  # reported under that criterion itself
    elif node.kind == "for_any" and node.detail.get("missing"):
        out.append(node.name)
    for kid in node.children:
        _collect(kid, out)


def needed_for_diagnosis(result: CaseResult) -> dict[str, list[str]]:
    """For an undecided diagnosis: per undecided criterion, the answers it needs."""
    if result.diagnosis != UNKNOWN:
        return {}
    return {
        c.id: needed_inputs(c.node) for c in result.criteria if c.status == UNKNOWN
    }
