"""Atomic changes to a case, read off the leaves of an evaluated rule tree.

A :class:`Change` sets one value at one path of a case ("symptoms.D5",
"events[0].nature", "timeline.assessed"). Candidates come from the result tree
of the engine, whose leaves already carry resolved paths (``events[0].date``
for ``index_event.date``), the comparison each leaf needs and the value it saw.
Applying a set of changes copies only the containers along each path and
validates the result as a case again, so an impossible value is never used.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, assert_never

from pydantic import ValidationError

from dsm5check.cases.case import Case
from dsm5check.engine.reasons import duration_words, show_value
from dsm5check.engine.results import MET, NOT_MET, NodeResult, Status
from dsm5check.engine.ruleset import Ruleset
from dsm5check.teach.why import field_name, item_name, rating_now, words

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_MORE = {">": "more than", ">=": "at least", "<": "less than", "<=": "at most"}


@dataclass(frozen=True, slots=True)
class Change:
    """Set ``path`` to ``value``. Equal when path and value are equal."""

    path: str
    key: str  # repr of the value: identity, hashable
    value: Any = field(compare=False, hash=False)
    text: str = field(compare=False, hash=False)
    subject: str = field(compare=False, hash=False)  # short name for summaries, e.g. D5
    state: str = field(compare=False, hash=False)  # e.g. present / absent
    criterion: str = field(default="", compare=False, hash=False)  # the criterion it serves

    def as_record(self) -> dict[str, Any]:
        return {
            "path": self.path, "value": self.value, "text": self.text,
            "criterion": self.criterion,
        }


def shown(v: Any) -> str:
    """A value as a reader would write it (an empty list is "nothing")."""
    return show_value(v, "nothing")


def change(path: str, value: Any, text: str, subject: str, state: str) -> Change:
    return Change(path, repr(value), value, text, subject, state)


def parse_path(path: str) -> list[str | int]:
    return [int(i) if i else name for name, i in _TOKEN.findall(path)]


def get_path(data: Any, path: str) -> Any:
    for part in parse_path(path):
        if isinstance(part, int):
            data = data[part] if isinstance(data, list) and part < len(data) else None
        else:
            data = data.get(part) if isinstance(data, dict) else None
        if data is None:
            return None
    return data


def _set(container: Any, parts: list[str | int], value: Any) -> Any:
    """A copy of ``container`` with ``value`` at ``parts`` (copy on write)."""
    if not parts:
        return value
    head, rest = parts[0], parts[1:]
    if isinstance(head, int):
        out_list = list(container) if isinstance(container, list) else []
        if head >= len(out_list):
            out_list.append({})  # a new element of the collection
            head = len(out_list) - 1
        out_list[head] = _set(out_list[head], rest, value)
        return out_list
    out = dict(container) if isinstance(container, dict) else {}
    out[head] = _set(out.get(head), rest, value)
    return out


def base_data(case: Case) -> dict[str, Any]:
    data = case.model_dump()
    data["expected"] = None  # what-if asks about the verdict, not about expectations
    return data


#: Checks a changed case must pass besides the format: (raw data, case) -> problems.
Checker = Callable[[dict[str, Any], Case], list[str]]


def case_checker(rules: Ruleset) -> Checker:
    """The checks ``check`` applies to a case file (``case_checks``, as called by
    ``loading.load_case_file``), as sentences.

    One exception: a suggested date may lie after today (a later re-assessment
    is a fair answer to "too early"), so dates are not compared with today.
    """
    from dsm5check.cases.case_checks import case_problems

    def problems(data: dict[str, Any], case: Case) -> list[str]:
        found = case_problems(data, case, rules, dt.date.max)
        return [f"{loc}: {msg}" for loc, msg in found]

    return problems


def valid_after(rules: Ruleset, base: dict[str, Any]) -> Callable[[dict[str, Any], Case], bool]:
    """Whether a changed case brings no problem the unchanged case did not have."""
    check = case_checker(rules)
    try:
        before = set(check(base, Case.model_validate(base)))
    except ValidationError:  # pragma: no cover - base data comes from a valid case
        before = set()
    return lambda data, case: set(check(data, case)) <= before


def apply_changes(data: dict[str, Any], changes: Iterable[Change],
                  valid: Callable[[dict[str, Any], Case], bool] | None = None) -> Case | None:
    """The case with every change made, or None when that is not a valid case
    (not case format 1, or, with ``valid``, failing the checks of a case file)."""
    out: Any = data
    for c in sorted(changes, key=lambda c: c.path):
        out = _set(out, parse_path(c.path), c.value)
    try:
        case = Case.model_validate(out)
    except ValidationError:
        return None
    if valid is not None and not valid(out, case):
        return None
    return case


def leaf_changes(
    node: NodeResult,
    target: Status,
    where: str,
    rules: Ruleset | None = None,
    data: dict[str, Any] | None = None,
    criterion: str = "",
    via: str = "",
) -> list[Change]:
    """Changes that bring one leaf (item, fact, months) to ``target``.

    Without ``rules`` and ``data`` (only a result at hand) the changes are good
    for describing what is needed, not for applying: item paths are bare ids.
    ``via`` names the item of another set this one is read for, through a crosswalk
    ("P1 upsetting dreams of the event"): the change then says both.
    """
    kind = node.kind
    match kind:  # every result kind (mypy checks that none is left out)
        case "item":
            found = _item(node, target, where, rules, data, via)
        case "fact":
            found = _fact(node, target, where)
        case "months":
            found = _months(node, target, where)
        case "all" | "any" | "at_least" | "not" | "criterion" | "for_any" | "element":
            return []  # not a leaf: its children are changed instead
        case _:
            assert_never(kind)
    if criterion:
        for c in found:  # freshly made here: set the field rather than copy
            object.__setattr__(c, "criterion", criterion)
    return found


def _item(
    node: NodeResult, target: Status, where: str, rules: Ruleset | None,
    data: dict[str, Any] | None, via: str = "",
) -> list[Change]:
    d, name = node.detail, node.name
    item = rules.item_map.get(name) if rules else None
    case_level = "ratings" in d or (item is not None and item.section == "case")
    path = name if item is None or case_level else f"{item.section}.{name}"
    if rules is not None and ("crosswalk" in d or "native" in d or "coded_in" in d):
        path = f"native.{rules.vocabulary}.{name}"  # a case coded in another set's items
    thr = rules.symptom_threshold if rules else d.get("threshold", 2)
    want = "present" if target == MET else "absent"
    # the item by name and its current answer: "D5 lost interest (now rated 1 (mild)): ..."
    named = item_name(rules, name, node.label)
    if via:  # an item of another set read through a crosswalk: "P1 ..., read from B2 ..."
        named = f"{via}, read from {named}"
    if "trauma_related" in d and d.get("value") is not None:
        # present; only its link to the event is unknown or denied
        if target == NOT_MET and d["trauma_related"] is False:
            return []
        raw = get_path(data, path) if data is not None else None
        if not isinstance(raw, dict):
            value = d["value"]
            raw = {"present": value} if isinstance(value, bool) else {"severity": value}
        related = target == MET
        link = {True: "linked", False: "not linked"}.get(d["trauma_related"], "link not known")
        text = (f"{named}: now {rating_now(rules, name, d['value'])}, {link} to the event;"
                f" make it {'related' if related else 'not related'} to the event")
        return [change(path, {**raw, "trauma_related": related}, text, name, want)]
    if case_level:
        if "ratings" in d:
            now = ", ".join(f"{words(k)} {shown(v)}" for k, v in d["ratings"].items()
                            if v is not None) or "not rated"
        else:
            now = "not given" if d.get("value") is None else shown(d.get("value"))
        text = f"{where}: {named}: now {now}; set to {'yes' if target == MET else 'no'}"
        return [change(path, target == MET, text, name, want)]
    now = f"{named}: now {rating_now(rules, name, d.get('value'))}"
    if "read_from" in d:  # not answered; the case's other keys decided it (``otherwise``)
        now = f"{named}: now not answered (read from the {d['read_from']})"
    if target == MET:
        return [change(path, thr, f"{now}; rate it {thr} or more", name, want)]
    low = rules.scale_of(item).min if rules and item else 0
    return [change(path, low, f"{now}; rate it below {thr}", name, want)]


def _numbers(op: str, limit: float, to_met: bool) -> float:
    """A round number that makes ``x op limit`` true (or false)."""
    if op in (">", "<="):
        return limit + 1 if (op == ">") == to_met else limit
    return limit if (op == ">=") == to_met else limit - 1


def _fact(node: NodeResult, target: Status, where: str) -> list[Change]:
    d, path = node.detail, node.name
    op, expected, current = d["op"], d["expected"], d.get("value")
    to_met = target == MET
    # the fact in words and its current value: "nature of event 1 (now other)"
    field = _fact_field(path, d.get("words"))
    if d.get("defaulted"):  # the case does not give it: the rule reads it as its default
        now = f"not given (the rule reads it as {_fact_now(current)})"
    else:
        now = "not given" if current is None else _fact_now(current)
    head = f"{where}: {field}: now {now};"
    if op == "includes_any":
        have = list(current) if isinstance(current, (list, tuple)) else []
        if to_met:
            return [
                change(path, [*have, e], f"{head} add {words(e)}", field, f"+{e}")
                for e in expected if e not in have
            ]
        kept = [v for v in have if v not in expected]
        gone = [v for v in have if v in expected] or list(expected)
        return [change(path, kept, f"{head} remove {words(gone)}", field, "-")]
    if op in ("==", "in"):
        value = expected if op == "==" else expected[0]
        if not to_met:
            if not isinstance(value, bool):
                return []
            value = not value
        return [change(path, value, f"{head} set to {words(value)}", field, shown(value))]
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        value = _numbers(op, expected, to_met)
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a rating of 1, not 1.0 (which a case does not accept)
        return [change(path, value, f"{head} set to {shown(value)}", field, shown(value))]
    return []  # pragma: no cover - the comparison kinds are exhausted above


def _fact_field(path: str, names: Any) -> str:
    """A fact's field in words: ``events[0].nature`` -> "nature of event 1"; a field
    inside a group (``impairment.occupational``) by the ruleset's name for it ("work
    or study"), as its last word alone would not say which it is."""
    name = getattr(names, "name", None)
    if "." in path and "[" not in path and isinstance(name, str):
        return name
    return field_name(path)


def _fact_now(value: Any) -> str:
    """A fact's current value in words; a group of ratings as "distress 0, social 3"."""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        return ", ".join(f"{words(k)} {shown(v)}" for k, v in value.items()
                         if v is not None) or "nothing"
    return words(value)


def _months(node: NodeResult, target: Status, where: str) -> list[Change]:
    d = node.detail
    op, limit, to_met = d["op"], d["limit"], target == MET
    label = node.label or f"months from {field_name(d['from'])} to {field_name(d['to'])}"
    cmp = _MORE[op] if to_met else _MORE[_NEG[op]]
    want = f"{cmp} {duration_words(limit)}"
    if "start" in d:
        bound: dt.date = d["bound"]
        one = dt.timedelta(days=1)
        day = {
            (">", True): bound + one, (">", False): bound,
            (">=", True): bound, (">=", False): bound - one,
            ("<", True): bound - one, ("<", False): bound,
            ("<=", True): bound, ("<=", False): bound + one,
        }[(op, to_met)]
        side = "on or after" if (op in (">", ">=")) == to_met else "on or before"
        now = f" (now {shown(d['end'])})" if d.get("end") is not None else ""
        text = (f"{where}: {label} {want} — e.g. {field_name(d['to'])} date{now}"
                f" {side} {shown(day)}")
        return [change(d["to"], day, text, field_name(d["to"]), f"{side} {shown(day)}")]
    if d.get("or_fact"):
        value = max(0.0, _numbers(op, limit, to_met))
        if value == int(value):
            value = int(value)
        text = f"{where}: {label} {want} — e.g. {field_name(d['or_fact'])} {shown(value)}"
        return [change(d["or_fact"], value, text, field_name(d["or_fact"]), f"= {shown(value)}")]
    return []


_NEG = {">": "<=", ">=": "<", "<": ">=", "<=": ">"}
