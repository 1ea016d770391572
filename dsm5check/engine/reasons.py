"""Sentences that explain a result node, derived from what it was decided on.

Rendering never evaluates: these functions only read a finished NodeResult
(any node outcome of the shape ``outcome.Outcome``).
Every sentence is for a person: facts and values are named by the words the
ruleset gives them (its ``facts`` block, item short names and scale labels),
never by field paths or keys; a fact the ruleset does not name is spelled out
from its path without brackets or underscores. Each sentence is true as
written for its status: what is not met says what was missing and why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, assert_never

from dsm5check.cases.dates import months_between
from dsm5check.engine.outcome import MET, NOT_MET, UNKNOWN

# reasons read any node outcome of this shape (results.NodeResult has it) and
# never import results.py, which imports them for NodeResult.reason
from dsm5check.engine.outcome import Outcome as NodeResult
from dsm5check.engine.shared import MEMOS
from dsm5check.engine.wording import item_answer, rating_words

_OP_WORDS = {
    "==": "",
    "in": "one of ",
    "includes_any": "",
    ">": "more than ",
    ">=": "at least ",
    "<": "less than ",
    "<=": "at most ",
}

STATUS_WORDS = {MET: "met", NOT_MET: "not met", UNKNOWN: "undecided"}


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


def plain_path(path: str) -> str:
    """A field path a ruleset gives no name, spelled out: ``events[0].via_media``
    becomes "events via media"."""
    return " ".join(re.sub(r"\[\d+\]", "", path).replace("_", " ").replace(".", " ").split())


def fact_name(words: Any, path: str) -> str:
    """The fact in words: the ruleset's name for it, else its path spelled out."""
    name = getattr(words, "name", None)
    return name if isinstance(name, str) else plain_path(path)


def fact_value(words: Any, value: Any, joiner: str = "and") -> str:
    """A fact's value in words (lists joined: "a, b and c")."""
    if isinstance(value, (list, tuple)):
        return join([fact_value(words, v) for v in value], joiner) if value else "none"
    if isinstance(value, str):
        values: Mapping[str, str] = getattr(words, "values", None) or {}
        return values.get(value, value.replace("_", " "))
    return show_value(value)


def join(parts: list[str], word: str = "and") -> str:
    """"a", "a and b", "a, b and c"."""
    if len(parts) < 2:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"


def duration_words(months: float) -> str:
    """A span the rules give in months, as people say it: 1 -> "1 month", 6 -> "6
    months", and under a month in weeks when it is a whole number of them (0.5 ->
    "2 weeks", the rulesets' reading of two weeks as half a month; 0.25 -> "1 week")."""
    if 0 < months < 1 and float(months * 4).is_integer():
        return _plural(int(months * 4), "week")
    return _plural(months, "month")


def _plural(n: float, word: str) -> str:
    return f"{show_value(n)} {word}" + ("" if n == 1 else "s")


def _flat(nodes: Iterable[NodeResult]) -> list[NodeResult]:
    """Nodes worth naming: an unnamed all/any group stands for its children that
    share its status (those are the ones that decided it)."""
    out: list[NodeResult] = []
    for n in nodes:
        if n.id is None and n.label is None and n.kind in {"all", "any", "at_least"}:
            same = [k for k in n.children if k.status == n.status]
            out.extend(_flat(same or n.children))
        else:
            out.append(n)
    return out


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


# --- items ---------------------------------------------------------------------


def item_reason(node: NodeResult) -> str:
    d = node.detail
    words: Mapping[str, Any] = d.get("words") or {}
    labels: Mapping[int, str] = words.get("labels") or {}
    why = d.get("why")
    if "crosswalk" in d:  # read through a crosswalk from another set's answers
        return f"from {d['crosswalk']}: {reason_for(node.children[0])}"
    if "read_from" in d:  # not answered; read from the case's other keys (``otherwise``)
        return f"not answered; read from the {d['read_from']}: {reason_for(node.children[0])}"
    if why == "not_crosswalked":
        return f"not assessed (the case is coded in {d['coded_in']}, which has no such item)"
    if why == "unlisted":
        return "not listed, so counted as absent (the case says unlisted symptoms are absent)"
    if "ratings" in d:
        return _ratings_reason(node, labels, words.get("ratings") or {})
    return item_answer(d, labels)  # the one phrasing, shared with teach/why.py


def _ratings_reason(node: NodeResult, labels: Mapping[int, str], names: Mapping[str, str]
                    ) -> str:
    d = node.detail
    given = {k: v for k, v in d["ratings"].items() if v is not None}
    shown = join([f"{names.get(k, plain_path(k))} {rating_words(v, labels, listed=True)}"
                  for k, v in given.items()])
    missing = [names.get(k, plain_path(k)) for k, v in d["ratings"].items() if v is None]
    need = f"any rating of {d['threshold']} or more meets it"
    if node.status == MET:
        text = f"{shown}; {need}"
    elif given:
        text = f"{shown}: none reaches {d['threshold']}"
    else:
        text = "no ratings given"
    if missing:
        text += f"; not rated: {join(missing)}"
    return text if node.status == MET else f"{text} ({need})"


def _short_answer(node: NodeResult) -> str:
    """An item's answer in a few words, for lists of items: "rated 3", "yes"."""
    value = node.detail.get("value")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"rated {value}"
    if "read_from" in node.detail:
        return f"from the {node.detail['read_from']}"
    return "given"


def _count_reason(node: NodeResult) -> str:
    d = node.detail
    kids = node.children
    items = True
    counted: list[NodeResult] = []
    unrelated: list[NodeResult] = []
    unknown: list[NodeResult] = []
    for k in kids:  # one pass (this runs for every count of every case)
        if k.kind != "item":
            items = False
        status = k.status
        if status == MET:
            counted.append(k)
        elif status == UNKNOWN:
            unknown.append(k)
        elif "trauma_related" in k.detail:
            unrelated.append(k)
    word = "present" if items else "met"
    text = f"{d['met']} of {d['total']} {word}, {d['needed']} needed"
    if counted:
        text += ". Counted: " + ", ".join(
            [_item_piece(k) for k in counted] if items else [k.title for k in counted])
    if items and unrelated:
        text += ". Not counted: " + ", ".join([_item_piece(k) for k in unrelated])
    if unknown:
        what = "not known" if items else "undecided"
        text += f". {what.capitalize()}: " + ", ".join([
            _item_piece(k) if items else
            f"{k.title} ({k.reason})" if "trauma_related" in k.detail else k.title
            for k in unknown])
    return text


def _item_piece(k: NodeResult) -> str:
    """How a count of items names one of them: its title with its answer when it
    counts ("rated 3"), with its reason when it does not count for all its answer
    or when its relation to the event is not known, its title alone when it is
    not known; worked out once for an item result shared between cases."""
    memo = MEMOS.get(id(k))
    if memo is not None and memo.piece is not None:
        return memo.piece
    if k.status == MET:
        piece = f"{k.title} ({_short_answer(k)})"
    elif k.status == UNKNOWN and "trauma_related" not in k.detail:
        piece = k.title
    else:
        piece = f"{k.title} ({k.reason})"
    if memo is not None:
        memo.piece = piece
    return piece


# --- facts and time spans --------------------------------------------------------


def _months_reason(node: NodeResult) -> str:
    d = node.detail
    words: Mapping[str, Any] = d.get("words") or {}
    want = f"{_OP_WORDS[d['op']]}{duration_words(d['limit'])}"
    name = {key: fact_name(words.get(key), d[key]) for key in ("from", "to", "or_fact")
            if d.get(key)}
    if "start" in d:
        m, days = months_between(d["start"], d["end"])
        if m and days:
            span = f"{_plural(m, 'month')} {_plural(days, 'day')}"
        else:
            span = _plural(m, "month") if m or not days else _plural(days, "day")
        start, end = show_value(d["start"]), show_value(d["end"])
        return f"from {name['from']} ({start}) to {name['to']} ({end}): {span} (needs {want})"
    if "months" in d:
        return f"{name['or_fact']}: {show_value(d['months'])} (needs {want})"
    keys = [key for key in ("from", "to") if d.get(key) in d.get("missing", ())]
    missing = join([f"the date of {name[key]}" for key in keys] or [f"the date of {name['to']}"])
    if "if_unknown" in d:
        if d["if_unknown"] == MET:
            return f"{missing} not known, so this check rules nothing out"
        return f"{missing} not known, so this counts as {STATUS_WORDS[d['if_unknown']]}"
    alt = f", or the {name['or_fact']}" if d.get("or_fact") else ""
    return f"not known: needs {missing}{alt} (needs {want})"


def _fact_reason(node: NodeResult) -> str:
    d = node.detail
    words = d.get("words")
    name = fact_name(words, node.name)
    if node.status == UNKNOWN:
        return f"{name}: not given"
    joiner = "or" if d["op"] in {"in", "includes_any"} else "and"
    want = f"{_OP_WORDS[d['op']]}{fact_value(words, d['expected'], joiner)}"
    if d.get("defaulted"):
        return f"{name}: not given, read as {fact_value(words, d['value'])} (needs {want})"
    return f"{name}: {fact_value(words, d['value'])} (needs {want})"


def _for_any_reason(node: NodeResult) -> str:
    count = node.detail["count"]
    noun = node.detail["as"].replace("_", " ")
    if node.detail.get("missing"):
        return f"not assessed: no {fact_name(node.detail.get('words'), node.name)} given"
    if count == 0:
        return f"no {noun} given"
    met = [k for k in node.children if k.status == MET]
    if met:
        return "met by " + "; ".join(_with_routes(k) for k in met)
    unknown = [k for k in node.children if k.status == UNKNOWN]
    if unknown:
        return "undecided: " + "; ".join(f"{k.title}: {k.reason}" for k in unknown)
    return f"no {noun} qualifies ({_plural(count, noun)} given): " + "; ".join(
        f"{k.title}: {k.reason}" for k in node.children)


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


# --- connectives -------------------------------------------------------------------

_LEAVES = frozenset({"item", "fact", "months"})


def _explained(nodes: list[NodeResult]) -> str:
    """Each node by name with the reason for its own status."""
    return "; ".join(f"{n.title} ({n.reason})" for n in _flat(nodes))


def _undecided(unknown: list[NodeResult]) -> str:
    these = "this is" if len(_flat(unknown)) == 1 else "these are"
    return f"undecided, because {these} not known yet: {_explained(unknown)}"


def _logic_reason(node: NodeResult) -> str:
    kids = list(node.children)
    unknown = [k for k in kids if k.status == UNKNOWN]
    if node.kind == "any":
        met = [k for k in kids if k.status == MET]
        if met:
            if len(met) == 1 and met[0].kind in _LEAVES:
                return f"met by {met[0].title} ({met[0].reason})"
            return f"met by {_names(met)}"
        if node.status == NOT_MET:
            return f"not met, because none of these holds: {_explained(kids)}"
        return _undecided(unknown)
    if node.kind == "all":
        if node.status == MET:
            return f"met: {_names(kids)}"
        failed = [k for k in kids if k.status == NOT_MET]
        if failed:
            these = "this does" if len(_flat(failed)) == 1 else "these do"
            return f"not met, because {these} not hold: {_explained(failed)}"
        return _undecided(unknown)
    kid = kids[0]
    return f"{kid.title} is {STATUS_WORDS[kid.status]}"


def reason_for(node: NodeResult) -> str:
    """The sentence for a node's status; worked out once for a result shared
    between cases (``shared.py``)."""
    memo = MEMOS.get(id(node))
    if memo is None:
        return _reason(node)
    reason = memo.reason
    if reason is None:
        reason = memo.reason = _reason(node)
    return reason


def _reason(node: NodeResult) -> str:
    """The sentence for a node's status; one case per result kind (mypy checks
    that every kind of ``outcome.ResultKind`` has one)."""
    kind = node.kind
    match kind:
        case "item":
            return item_reason(node)
        case "at_least":
            return _count_reason(node)
        case "months":
            return _months_reason(node)
        case "fact":
            return _fact_reason(node)
        case "for_any":
            return _for_any_reason(node)
        case "criterion":
            # said beside the criterion's name ("affect dysregulation (not met: ...)"),
            # so the name is not repeated inside
            target: NodeResult = node.detail["reason"]
            return f"{STATUS_WORDS[node.status]}: {target.reason}"
        case "element":
            return node.children[0].reason
        case "all" | "any" | "not":
            return _logic_reason(node)
        case _:
            assert_never(kind)


# --- what is still needed -----------------------------------------------------------


def needed_inputs(node: NodeResult) -> list[str]:
    """Inputs still unanswered that could decide an undecided node, as field paths
    (for JSON and scripts; :func:`needed_names` says the same in words)."""
    out: list[tuple[str, str]] = []
    _collect(node, out)
    return list(dict.fromkeys(path for path, _ in out))


def needed_names(node: NodeResult) -> list[str]:
    """The inputs :func:`needed_inputs` lists, named in words for a reader."""
    out: list[tuple[str, str]] = []
    _collect(node, out)
    return list(dict.fromkeys(words for _, words in out))


def _collect(node: NodeResult, out: list[tuple[str, str]]) -> None:
    if node.status != UNKNOWN:
        return
    d = node.detail
    kind = node.kind
    match kind:
        case "item":
            out.append((node.name, node.title))
        case "fact":
            out.append((node.name, fact_name(d.get("words"), node.name)))
        case "months":
            words: Mapping[str, Any] = d.get("words") or {}
            missing = list(d.get("missing", ()))
            key_of: dict[str, str] = {d.get("from", ""): "from", d.get("to", ""): "to"}
            said = [f"the date of {fact_name(words.get(key_of.get(p, '')), p)}"
                    for p in missing]
            if d.get("or_fact"):
                alt = fact_name(words.get("or_fact"), d["or_fact"])
                out.append((" and ".join(missing) + f" (or {d['or_fact']})",
                            f"{join(said)} (or the {alt})"))
            else:
                out.extend(zip(missing, said, strict=True))
        case "criterion":
            return  # reported under that criterion itself
        case "for_any":
            if d.get("missing"):
                out.append((node.name, fact_name(d.get("words"), node.name)))
        case "all" | "any" | "at_least" | "not" | "element":
            pass  # what they need is what their children need
        case _:
            assert_never(kind)
    for kid in node.children:
        _collect(kid, out)
