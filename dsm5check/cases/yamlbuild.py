"""From a composed YAML node tree to Python data, with every bad value a clear error.

PyYAML's safe constructor is general and slow, and some values written with an
explicit tag crash it (``!!bool maybe``, ``!!int abc``, ``!!float ''``,
``!!timestamp hello``, ``!!map [1]``) or build numbers Python cannot print
(more than 4,300 digits). Here the common tags (str, int, float, bool, null,
timestamp, map, seq) are built by one small recursive function; anything else
(merge keys, ``!!set``, ``!!binary``, unknown tags) goes through PyYAML's
constructor with every exception turned into a ``ConstructorError`` at the
node. Before anything is built, aliases are bounded in nodes *and* bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: How many nodes one document may expand to through aliases.
MAX_EXPANDED_NODES = 100_000
#: How many characters of scalars one document may expand to through aliases.
MAX_EXPANDED_CHARS = 4 * 1024 * 1024
#: Longest number text we turn into a number (no field needs more than a few digits;
#: Python refuses to print integers of more than 4,300 digits).
MAX_NUMBER_CHARS = 1000

_P = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, TIMESTAMP = (
    _P + "str", _P + "int", _P + "float", _P + "bool", _P + "null", _P + "timestamp"
)
MAP, SEQ, MERGE = _P + "map", _P + "seq", _P + "merge"

_BOOLS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_WHAT = {
    INT: "a whole number",
    FLOAT: "a number",
    BOOL: "true or false",
    NULL: "nothing (null)",
    TIMESTAMP: "a date (YYYY-MM-DD)",
}


class Unusual(Exception):
    """A tag the fast builder leaves to PyYAML's constructor."""


def short(value: str, limit: int = 40) -> str:
    """A value as quoted text for a message, cut to ``limit`` characters."""
    if len(value) <= limit:
        return repr(value)
    return repr(value[:limit]) + f"... ({len(value):,} characters)"


def bad_value(node: Node, expected: str | None = None) -> ConstructorError:
    tag = node.tag.replace(_P, "!!") if isinstance(node.tag, str) else "?"
    if isinstance(node, ScalarNode):
        got = short(node.value)
    else:
        got = "a mapping" if isinstance(node, MappingNode) else "a list"
    want = expected or _WHAT.get(node.tag) or {MAP: "a mapping", SEQ: "a list"}.get(
        node.tag, "a value it can read"
    )
    return ConstructorError(None, None, f"{tag} expects {want}, got {got}", node.start_mark)


def _too_long(node: ScalarNode) -> ConstructorError:
    return ConstructorError(
        None, None,
        f"number of {len(node.value):,} characters is too long: expected at most"
        f" {MAX_NUMBER_CHARS:,} (quote it if it is text)",
        node.start_mark,
    )


def _number_text(node: ScalarNode, *, lower: bool = False) -> tuple[int, str]:
    """The sign (1 or -1) and the rest of a number's text, underscores dropped;
    a text too long to be a number anyone meant is refused."""
    if len(node.value) > MAX_NUMBER_CHARS:
        raise _too_long(node)
    value = node.value.replace("_", "")
    if lower:
        value = value.lower()
    sign = -1 if value[:1] == "-" else 1
    return sign, value[1:] if value[:1] in ("+", "-") else value


def _base60(value: str, convert: Callable[[str], Any]) -> Any:
    """YAML 1.1's sexagesimal numbers: 1:30 is 90."""
    total = convert("0")
    for part in value.split(":"):
        total = total * 60 + convert(part)
    return total


def build_int(node: ScalarNode) -> int:
    sign, value = _number_text(node)
    try:
        if value == "0":
            return 0
        if value.startswith("0b"):
            return sign * int(value[2:], 2)
        if value.startswith("0x"):
            return sign * int(value[2:], 16)
        if value[:1] == "0":
            return sign * int(value, 8)
        if ":" in value:
            return sign * int(_base60(value, int))
        return sign * int(value)
    except ValueError:
        raise bad_value(node) from None


def build_float(node: ScalarNode) -> float:
    sign, value = _number_text(node, lower=True)
    try:
        if value == ".inf":
            return sign * float("inf")
        if value == ".nan":
            return float("nan")
        if ":" in value:
            return sign * float(_base60(value, float))
        return sign * float(value)
    except ValueError:
        raise bad_value(node) from None


def build_bool(node: ScalarNode) -> bool:
    try:
        return _BOOLS[node.value.lower()]
    except KeyError:
        raise bad_value(node) from None


def build_null(node: ScalarNode) -> None:
    if node.value not in ("", "~", "null", "Null", "NULL"):
        raise bad_value(node)
    return None


def build_timestamp(node: ScalarNode) -> Any:
    """A date (or date and time). One that looks like a date but cannot be
    (2025-02-30) stays text, so that validation reports it at its key."""
    match = yaml.SafeLoader.timestamp_regexp.match(node.value)
    if match is None:
        raise bad_value(node)
    try:
        if match.group("hour") is None:
            return dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
        return yaml.SafeLoader.construct_yaml_timestamp(_ScalarOnly(), node)  # type: ignore[arg-type]
    except (ValueError, OverflowError):
        return node.value


class _ScalarOnly:
    """Just enough of a constructor for PyYAML's timestamp method."""

    timestamp_regexp = yaml.SafeLoader.timestamp_regexp

    @staticmethod
    def construct_scalar(node: ScalarNode) -> str:
        return str(node.value)


SCALAR_BUILDERS = {
    INT: build_int,
    FLOAT: build_float,
    BOOL: build_bool,
    NULL: build_null,
    TIMESTAMP: build_timestamp,
}

#: Plain scalars repeat (0-4, true, dates): their built values are immutable.
#: One cache per tag, keyed by the scalar's text.
_CACHES: dict[str, dict[str, Any]] = {tag: {} for tag in SCALAR_BUILDERS}


def _scalar(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == STR:
        return node.value
    cache = _CACHES.get(tag)
    if cache is None:
        raise Unusual
    text = node.value
    if len(text) > 64:
        return SCALAR_BUILDERS[tag](node)
    try:
        return cache[text]
    except KeyError:
        pass
    value = SCALAR_BUILDERS[tag](node)
    if len(cache) > 4096:
        cache.clear()
    cache[text] = value
    return value


def build(node: Node, duplicates: list[tuple[Node, Node]]) -> Any:
    """Python data of ``node``; raise Unusual for a tag PyYAML must build.

    Each duplicated key is noted as (first key node, repeated key node); the
    last value is kept, as PyYAML does. (Scalars are built in line, without a
    call per node: this runs for every value of every case.)
    """
    cls = type(node)
    if cls is ScalarNode:
        return _scalar(node)  # type: ignore[arg-type]
    if cls is MappingNode:
        if node.tag != MAP:
            raise Unusual
        out: dict[Any, Any] = {}
        for k, v in node.value:
            ktag = k.tag
            if ktag == MERGE:
                raise Unusual
            key = k.value if ktag == STR and type(k) is ScalarNode else build(k, duplicates)
            try:
                seen = key in out
            except TypeError:
                raise ConstructorError(
                    "while reading a mapping", node.start_mark,
                    "found a key that is a list or mapping: expected a word or number",
                    k.start_mark,
                ) from None
            if seen:
                duplicates.append((_first_key(node, k, key, duplicates), k))  # type: ignore[arg-type]
            if type(v) is ScalarNode:
                out[key] = v.value if v.tag == STR else _scalar(v)
            else:
                out[key] = build(v, duplicates)
        return out
    if cls is SequenceNode:
        if node.tag != SEQ:
            raise Unusual
        return [(v.value if v.tag == STR else _scalar(v)) if type(v) is ScalarNode
                else build(v, duplicates) for v in node.value]
    raise Unusual  # pragma: no cover - the composer makes only these three kinds


#: Tags of plain scalars that a case id keeps as the text written (``id: 007``).
_ID_AS_WRITTEN = frozenset((INT, FLOAT, BOOL, TIMESTAMP))


def id_as_written(node: Node, data: Any) -> None:
    """A case's ``id`` written as an unquoted number, date or yes/no (``007``,
    ``0x1F``, ``1_000``, ``2024-03-02``) is text: keep it exactly as written
    rather than the value YAML reads (7, 31, 1000, a date). The last ``id`` key
    is the one kept, as for any repeated key."""
    if type(data) is not dict or type(node) is not MappingNode:
        return
    value = data.get("id")
    if value is None or type(value) is str:
        return
    for k, v in reversed(node.value):
        if type(k) is ScalarNode and k.tag == STR and k.value == "id":
            if type(v) is ScalarNode and not v.style and v.tag in _ID_AS_WRITTEN:
                data["id"] = v.value
            return


def _first_key(node: MappingNode, repeated: Node, key: Any, sink: list[tuple[Node, Node]]) -> Node:
    for k, _ in node.value:
        if k is repeated:
            break
        if build(k, sink) == key:
            return k  # type: ignore[no-any-return]
    return repeated  # pragma: no cover - the key was seen before


def expanded_size(node: Node, memo: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """(nodes, scalar characters) of ``node`` with every alias expanded.

    Shared nodes are counted once per use but measured once; a node that
    contains itself counts as too large.
    """
    key = id(node)
    found = memo.get(key)
    if found is not None:
        return found
    memo[key] = (MAX_EXPANDED_NODES + 1, 0)  # a cycle reaches this: too large
    nodes, chars = 1, 0
    if isinstance(node, ScalarNode):
        chars = len(node.value)
    else:
        children = node.value if isinstance(node, SequenceNode) else [
            n for pair in node.value for n in pair
        ]
        for child in children:
            n, c = expanded_size(child, memo)
            nodes += n
            chars += c
            if nodes > MAX_EXPANDED_NODES or chars > MAX_EXPANDED_CHARS:
                break
    memo[key] = (nodes, chars)
    return nodes, chars


def alias_problem(node: Node) -> str | None:
    """What is wrong when aliases make ``node`` expand too far, else None."""
    nodes, chars = expanded_size(node, {})
    if nodes > MAX_EXPANDED_NODES:
        return f"aliases expand to more than {MAX_EXPANDED_NODES:,} values; refusing to expand"
    if chars > MAX_EXPANDED_CHARS:
        return (f"aliases expand to more than {MAX_EXPANDED_CHARS // 2**20} MiB of text;"
                " refusing to expand")
    return None


#: How many values one document may hold (a case has a few hundred; a
#: composed node costs about 1 KB, so this also bounds memory).
MAX_DOCUMENT_NODES = 50_000

_NODE_STARTS = ",:-[{\n?"


def too_many_nodes(text: str, loader: type[yaml.SafeLoader]) -> int | None:
    """The 1-based line of the first document holding more than
    MAX_DOCUMENT_NODES values, or None. Cheap unless the text could hold that
    many: then the events are counted without building anything."""
    # each counted character is one of the text's: a short text cannot be crowded
    if len(text) <= MAX_DOCUMENT_NODES or sum(
            text.count(c) for c in _NODE_STARTS) <= MAX_DOCUMENT_NODES:
        return None
    kinds = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.AliasEvent)
    count, start = 0, 1
    parser = loader(text)
    try:
        while parser.check_event():
            event = parser.get_event()  # type: ignore[no-untyped-call]
            if isinstance(event, yaml.DocumentStartEvent):
                count, start = 0, (event.start_mark.line + 1 if event.start_mark else 1)
            elif isinstance(event, kinds):
                count += 1
                if count > MAX_DOCUMENT_NODES:
                    return start
    except yaml.YAMLError:
        return None  # the real parse reports it, with its position
    finally:
        parser.dispose()
    return None


def json_too_many(data: Any) -> bool:
    """Whether parsed JSON data holds more than MAX_DOCUMENT_NODES values."""
    todo, count = [data], 0
    while todo:
        item = todo.pop()
        count += 1
        if count > MAX_DOCUMENT_NODES:
            return True
        if isinstance(item, dict):
            todo.extend(item.values())
            count += len(item)
        elif isinstance(item, list):
            todo.extend(item)
    return False


def too_many_message() -> str:
    return (f"document holds more than {MAX_DOCUMENT_NODES:,} values: expected one case"
            " (a few hundred values); split long lists into several cases")
