"""Reading YAML and JSON documents with their source positions.

PyYAML's ``safe_load`` keeps the last of two duplicate keys and forgets where
every value came from. Here each document is composed once into a node tree
with the C parser, constructed with a duplicate-key check, and kept beside the
data so that a validation error's key path (pydantic's ``loc``) can be mapped
back to a line and column. Alias expansion is bounded ("billion laughs").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from dsm5check.cases.yamlbuild import (
    MAX_DOCUMENT_NODES,
    MAX_NUMBER_CHARS,
    Unusual,
    alias_problem,
    bad_value,
    build,
    id_as_written,
    json_too_many,
    too_many_message,
    too_many_nodes,
)
from dsm5check.cases.yamlbuild import (
    SCALAR_BUILDERS as _SCALAR_BUILDERS,
)
from dsm5check.cases.yamlplain import Duplicate, plain_document
from dsm5check.errors import InputError, Problem, format_path
from dsm5check.frozen import quick_init

try:  # the C loader is many times faster; fall back to pure Python
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

#: Largest input file we read, in bytes.
MAX_FILE_BYTES = 256 * 1024 * 1024


@quick_init
@dataclass(frozen=True, slots=True)
class Document:
    """One parsed document: its data, and its text for error positions."""

    file: str
    data: Any
    index: int  # position in a multi-document stream or JSON list
    line: int  # 1-based line where the document starts
    source: str  # text the node tree is composed from when a position is needed
    is_json: bool = False
    problems: tuple[Problem, ...] = ()  # found while parsing (duplicate keys)
    in_list: bool = False  # one element of a JSON list
    #: ``source`` holds this document alone (a stream reads one at a time), placed
    #: ``line_offset`` lines and (on its first line) ``col_offset`` columns into the file
    part: bool = False
    line_offset: int = 0
    col_offset: int = 0
    _tree: list[yaml.Node | None] = field(default_factory=list, compare=False, repr=False)

    def locate(self, loc: Sequence[object], *, at_key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at key path ``loc``.

        The node tree is composed again here rather than kept while reading:
        errors are rare, and holding thousands of node trees alive costs a
        batch run more than re-parsing the few documents that need it. It is
        composed once per document, however many problems it has.
        """
        if not self._tree:
            self._tree.append(
                _node_of(self.source, -1 if self.part else self.index, self.is_json)
            )
        node = self._tree[0]
        if node is None:
            return self.line, 1
        best = node
        for i, part in enumerate(loc):
            if at_key and i == len(loc) - 1 and isinstance(best, yaml.MappingNode):
                key = _key_node(best, part)
                if key is not None:
                    best = key
                    break
            nxt = _child(best, part)
            if nxt is None:
                continue  # a union tag or a model-level segment: skip it
            best = nxt
        line, col = best.start_mark.line, best.start_mark.column + 1
        return line + 1 + self.line_offset, col + (self.col_offset if line == 0 else 0)

    def problem(self, loc: Sequence[object], message: str, *, at_key: bool = False) -> Problem:
        """A problem at the value (or with ``at_key``, the key) at key path ``loc``."""
        line, col = self.locate(loc, at_key=at_key)
        where = format_path(loc)
        if self.in_list:  # one case of a JSON list: say which
            where = f"[{self.index}]" + (f".{where}" if where else "")
        return Problem(self.file, line, col, message, where)


def _entry(node: yaml.MappingNode, part: object) -> tuple[yaml.Node, yaml.Node] | None:
    """The key and value nodes of key ``part`` in a mapping."""
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
            return key_node, value_node
    return None


def _key_node(node: yaml.MappingNode, part: object) -> yaml.Node | None:
    entry = _entry(node, part)
    return entry[0] if entry else None


def _child(node: yaml.Node, part: object) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        entry = _entry(node, part)
        return entry[1] if entry else None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and (
        0 <= part < len(node.value)
    ):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def _node_of(source: str, index: int, is_json: bool) -> yaml.Node | None:
    """The node tree of one document (JSON is composed as YAML, nearly a superset)."""
    try:
        if is_json:
            node = yaml.compose(source, Loader=_BaseLoader)
            if isinstance(node, yaml.SequenceNode) and index >= 0:
                element: yaml.Node = node.value[index] if index < len(node.value) else node
                return element
            return node
        for i, doc in enumerate(yaml.compose_all(source, Loader=_BaseLoader)):
            if i == max(index, 0):
                return doc
    except yaml.YAMLError:
        return None
    return None


_PLAIN_TAGS: dict[str, str] = {}
_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SCALAR_NODE, _MAPPING_NODE = yaml.ScalarNode, yaml.MappingNode
assert not getattr(_BaseLoader, "yaml_path_resolvers", None)


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that records duplicate keys instead of silently keeping one,
    and turns every value it cannot build into an error at that value."""

    def __init__(self, stream: str, file: str, line_offset: int = 0) -> None:
        super().__init__(stream)
        self.file = file
        self.line_offset = line_offset
        self.duplicates: list[Problem] = []

    # The composer asks the resolver for the tag of every node. No path
    # resolvers are registered, so descending and ascending do nothing, and a
    # plain scalar's tag depends on its text alone: remember it.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is _SCALAR_NODE:
            if implicit[0]:
                tag = _PLAIN_TAGS.get(value)
                if tag is None:
                    tag = super().resolve(kind, value, implicit)
                    if len(value) <= 64:
                        if len(_PLAIN_TAGS) > 8192:
                            _PLAIN_TAGS.clear()
                        _PLAIN_TAGS[value] = tag
                return tag
            return _STR_TAG
        return _MAP_TAG if kind is _MAPPING_NODE else _SEQ_TAG

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError):
            raise bad_value(node) from None

    def build_document(self, node: yaml.Node) -> Any:
        """The document's data: the fast builder, else PyYAML's constructor."""
        pairs: list[tuple[yaml.Node, yaml.Node]] = []
        try:
            data = build(node, pairs)
        except Unusual:
            pairs.clear()
            data = self.construct_document(node)
            id_as_written(node, data)
            return data
        for first, key in pairs:
            self._duplicate(first, key)
        id_as_written(node, data)
        return data

    def _duplicate(self, first: yaml.Node, key_node: yaml.Node) -> None:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
        self.duplicates.append(
            Problem(
                self.file,
                key_node.start_mark.line + 1 + self.line_offset,
                key_node.start_mark.column + 1,
                f"duplicate key {key!r} (first given on line"
                f" {first.start_mark.line + 1 + self.line_offset});"
                " each key may appear once",
            )
        )


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: _Loader, node: yaml.Node, deep: bool = False) -> Any:
    """PyYAML's mapping constructor (used for merge keys and the like), with
    duplicate keys recorded."""
    if not isinstance(node, yaml.MappingNode):
        raise bad_value(node, "a mapping")
    own = [k for k, _ in node.value if k.tag != _MERGE_TAG]
    texts = [(k.tag, k.value) if isinstance(k, yaml.ScalarNode) else id(k) for k in own]
    if len(set(texts)) != len(texts):
        _report_duplicates(loader, own)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _report_duplicates(loader: _Loader, keys: list[yaml.Node]) -> None:
    seen: dict[Any, yaml.Node] = {}
    for key_node in keys:
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:
            continue  # unhashable key: construct_mapping reports it
        if first is not None:
            loader._duplicate(first, key_node)
        else:
            seen[key] = key_node


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _scalar(fn: Any) -> Any:
    def construct(loader: _Loader, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise bad_value(node)
        return fn(node)

    return construct


def _seq(loader: _Loader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.SequenceNode):
        raise bad_value(node, "a list")
    return yaml.SafeLoader.construct_yaml_seq(loader, node)


for _tag, _fn in _SCALAR_BUILDERS.items():
    _Loader.add_constructor(_tag, _scalar(_fn))
_Loader.add_constructor("tag:yaml.org,2002:seq", _seq)


def read_text(file: str, raw: bytes) -> str:
    """Decode a file's bytes as UTF-8, or say exactly where it is not text."""
    if not raw.strip():
        raise InputError([Problem(file, 1, 1, "file is empty: expected a case (a mapping)")])
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(
            [Problem(file, 1, 1, f"file is larger than {MAX_FILE_BYTES // 2**20} MiB:"
                     " split it into several files (a folder of cases is read the same way)")]
        )
    for bom, codec in _BOMS:
        if raw.startswith(bom):  # UTF-16/32 with a byte-order mark, as YAML allows
            try:
                return raw.decode(codec)
            except UnicodeDecodeError:
                message = f"starts with a {codec} byte-order mark but is not {codec}"
                raise InputError([Problem(file, 1, 1, message)]) from None
    if b"\x00" in raw[:8192] and looks_binary(raw[:8192]):  # (a stray NUL: below)
        raise InputError([Problem(file, 1, 1, "not a text file: expected UTF-8 YAML or JSON")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, col = _position(raw, exc.start)
        raise InputError([Problem(
            file, line, col,
            f"byte 0x{raw[exc.start]:02x} is not UTF-8: save the file as UTF-8"
            " (it may be Latin-1 or Windows-1252)",
        )]) from None
    nul = text.find("\x00")
    if nul >= 0:
        line, col = _position(raw, raw.find(b"\x00"))
        raise InputError([Problem(file, line, col, NUL_MESSAGE)])
    return text


def looks_binary(head: bytes, lines_apart: bool = False) -> bool:
    """Whether a head holding a NUL byte is binary data rather than text with a
    bad line: the first line holds the NUL and the head is no text either (no line
    break, a first line more than 40 % NUL bytes, as UTF-16 and UTF-32 text
    without a byte-order mark is, or not UTF-8), or
    (unless each line stands apart, as in JSON Lines) the first line is not UTF-8
    (``\x89PNG``). A stray NUL in the first line of text is that line's problem:
    the other cases of the file are still read."""
    newline = head.find(b"\n")
    first = head if newline < 0 else head[:newline]
    if b"\x00" in first:
        return newline < 0 or first.count(b"\x00") * 5 > len(first) * 2 or not _utf8(head)
    if lines_apart:
        return False
    return not _utf8(first)


def _utf8(data: bytes) -> bool:
    """Whether bytes are UTF-8 text, perhaps cut inside the last character."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(data) - 3  # merely cut inside a character
    return True


#: A NUL byte in a line of text (binary data as a whole is "not a text file").
NUL_MESSAGE = "a NUL byte (binary data) in the text: expected UTF-8 YAML or JSON"

_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def _mark_problem(file: str, exc: yaml.MarkedYAMLError, line_offset: int = 0) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    if isinstance(exc, ConstructorError):  # a value we cannot build: not a syntax error
        what = exc.problem or "cannot read this value"
        tag = what.partition("for the tag ")[2].strip("'").replace("tag:yaml.org,2002:", "!!")
        if what.startswith("could not determine a constructor") and tag:
            what = (f"tag {tag} is not allowed: a case holds plain values (text, numbers,"
                    " true/false, dates, lists and mappings)")
        elif exc.context:
            what = f"cannot read this {exc.context.split()[-1]}: {what}"
        return Problem(file, line + line_offset, col, what)
    return Problem(file, line + line_offset, col, f"YAML syntax error: {what}")


def _reader_problem(file: str, text: str, exc: yaml.reader.ReaderError,
                    line_offset: int = 0) -> Problem:
    """A character YAML does not allow, at its own line and column."""
    raw = text.encode("utf-8", "surrogatepass")
    line, col = _position(raw, exc.position) if 0 <= exc.position <= len(raw) else (1, 1)
    char = exc.character
    code = f"#x{char:04x}" if isinstance(char, int) else f"#x{ord(char):04x}" if char else "?"
    return Problem(file, line + line_offset, col,
                   f"character {code} is not allowed in YAML (a control character):"
                   " remove it or write it as an escape in double quotes")


def _duplicate_problem(file: str, duplicate: Duplicate, line_offset: int) -> Problem:
    """A duplicate key found by the plain reader, as _Loader._duplicate words it."""
    line, col, first, key = duplicate
    return Problem(file, line + 1 + line_offset, col + 1,
                   f"duplicate key {key!r} (first given on line {first + 1 + line_offset});"
                   " each key may appear once")


def plain_yaml_document(file: str, text: str, line_offset: int = 0, part: bool = False,
                        first_index: int = 0) -> Document | None:
    """The one document of a text in the plain layout of most case files, read
    line by line (yamlplain.py); None for any other text (iter_yaml reads it)."""
    fast = plain_document(text)
    if fast is None:
        return None
    data, start, duplicates = fast
    found = tuple(_duplicate_problem(file, d, line_offset) for d in duplicates) \
        if duplicates else ()
    return Document(file, data, first_index, start + 1 + line_offset, text, problems=found,
                    part=part, line_offset=line_offset)


def iter_yaml(file: str, text: str, line_offset: int = 0, part: bool = False,
              first_index: int = 0) -> Iterator[Document]:
    """Yield each document of a YAML stream; raise InputError for the whole text.

    ``line_offset`` places ``text`` in its file (a stream is read a document at
    a time); ``part`` says ``text`` is one document alone.
    """
    fast = plain_yaml_document(file, text, line_offset, part, first_index)
    if fast is not None:  # the plain layout of most case files: read line by line
        yield fast
        return
    crowded = too_many_nodes(text, _BaseLoader)
    if crowded is not None:
        raise InputError([Problem(file, crowded + line_offset, 1, too_many_message())])
    loader = _Loader(text, file, line_offset)
    try:
        index = first_index
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node said there was one
                break
            line = node.start_mark.line + 1 + line_offset
            if "*" in text:
                refused = alias_problem(node)
                if refused:
                    raise InputError([Problem(file, line, 1, refused)])
            data = loader.build_document(node)
            found, loader.duplicates = tuple(loader.duplicates), []
            yield Document(file, data, index, line, text, problems=found, part=part,
                           line_offset=line_offset)
            index += 1
    except yaml.MarkedYAMLError as exc:
        raise InputError([*loader.duplicates, _mark_problem(file, exc, line_offset)]) from None
    except yaml.reader.ReaderError as exc:
        raise InputError([_reader_problem(file, text, exc, line_offset)]) from None
    except RecursionError:
        raise InputError([Problem(file, 1 + line_offset, 1, "values are nested too deeply")]
                         ) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(file, 1 + line_offset, 1, f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()


class JsonPairs:
    """object_pairs_hook that notes duplicate keys (the last one is kept)."""

    def __init__(self) -> None:
        self.duplicated = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            self.duplicated = True
        return out


class _FloatTexts:
    """parse_float hook that remembers each number's text (by the float's identity)."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}

    def __call__(self, text: str) -> float:
        value = float(text)
        self.texts[id(value)] = text
        return value


def json_ids(data: Any, parse_again: Callable[[Callable[[str], float]], Any]) -> Any:
    """``data`` (a case or a list of cases) with each case's ``id`` as written, as
    YAML ids are (yamlbuild.id_as_written): ``1.50`` and ``1e3`` keep their text,
    ``true``/``false`` are that text, a whole number its digits (JSON writes one
    the one way, but ``-0``). A float's text is known only by parsing again with
    ``parse_again(hook)`` (rare: the common case costs nothing)."""
    if type(data) is dict:
        cid = data.get("id")
        if cid is None or type(cid) is str:
            return data  # the common case, one lookup
    cases = data if type(data) is list else (data,)
    texts: dict[int, str] = {}
    if any(type(c) is dict and type(c.get("id")) is float for c in cases):
        hook = _FloatTexts()
        data = parse_again(hook)
        texts = hook.texts
        cases = data if type(data) is list else (data,)
    for case in cases:
        if type(case) is dict:
            cid = case.get("id")
            if type(cid) is float:
                case["id"] = texts.get(id(cid), repr(cid))
            elif type(cid) is bool:
                case["id"] = "true" if cid else "false"
            elif type(cid) is int:
                case["id"] = str(cid)
    return data


class LongNumber(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def json_int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise LongNumber(text)
    return int(text)


def long_number_message(text: str) -> str:
    return (f"number of {len(text):,} characters is too long: expected at most"
            f" {MAX_NUMBER_CHARS:,} (quote it if it is text)")


def json_count(text: str, start: int = 0, end: int | None = None) -> bool:
    """Whether JSON text could hold more values than a document may (cheap)."""
    return text.count(",", start, len(text) if end is None else end) > MAX_DOCUMENT_NODES


def json_loads(file: str, text: str, line_offset: int = 0, col_offset: int = 0,
               ) -> tuple[Any, bool]:
    """Parse JSON text: (data, whether some object repeats a key); InputError else."""
    hook = JsonPairs()
    try:
        data = json_ids(
            json.loads(text, object_pairs_hook=hook, parse_int=json_int),
            lambda floats: json.loads(text, object_pairs_hook=JsonPairs(), parse_int=json_int,
                                      parse_float=floats))
        if json_count(text) and _too_many_json(data):
            line, col, msg = 1, 1, too_many_message()
        else:
            return data, hook.duplicated
    except json.JSONDecodeError as exc:
        line, col, msg = exc.lineno, exc.colno, f"JSON syntax error: {exc.msg}"
    except LongNumber as exc:
        at = max(text.find(exc.text), 0)
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        msg = long_number_message(exc.text)
    except RecursionError:
        line, col, msg = 1, 1, "values are nested too deeply"
    col += col_offset if line == 1 else 0
    raise InputError([Problem(file, line + line_offset, col, msg)]) from None


def _too_many_json(data: Any) -> bool:
    """A list of cases is checked case by case; anything else as one document."""
    if isinstance(data, list):
        return any(json_too_many(item) for item in data)
    return json_too_many(data)


def json_duplicates_in(file: str, text: str, line_offset: int, col_offset: int,
                       ) -> tuple[Problem, ...]:
    """Duplicate keys of one JSON document placed in its file, with positions."""
    try:
        docs = list(iter_yaml(file, text, line_offset))
    except InputError:
        return ()
    if not docs:
        return ()
    return tuple(
        Problem(p.file, p.line, p.col + (col_offset if p.line == line_offset + 1 else 0),
                p.message, p.path)
        for p in docs[0].problems
    )


def iter_json(file: str, text: str) -> Iterator[Document]:
    """Yield the documents of a JSON file: one object, or each item of a list."""
    data, duplicated = json_loads(file, text)
    items = data if isinstance(data, list) else [data]
    dups = _json_duplicates(file, text, len(items)) if duplicated else {}
    for index, item in enumerate(items):
        line, found = dups.get(index, (1, []))
        yield Document(file, item, index, line, text, is_json=True, problems=tuple(found),
                       in_list=isinstance(data, list))


def _json_duplicates(file: str, text: str, count: int) -> dict[int, tuple[int, list[Problem]]]:
    """Duplicate keys of a JSON file with their lines, by list element."""
    try:
        docs = list(iter_yaml(file, text))
    except InputError:
        return {}
    if not docs:
        return {}
    found = list(docs[0].problems)
    node = _node_of(text, 0, False)
    if not isinstance(node, yaml.SequenceNode):
        return {0: (1, found)}
    out: dict[int, tuple[int, list[Problem]]] = {}
    for i, element in enumerate(node.value):
        first, last = element.start_mark.line + 1, element.end_mark.line + 1
        mine = [p for p in found if first <= p.line <= last]
        out[i] = (first, mine)
    return out


def load_documents(file: str, raw: bytes) -> list[Document]:
    """Parse a whole file into documents (JSON by extension or content, else YAML)."""
    text = read_text(file, raw)
    stripped = text.lstrip()
    if file.endswith(".json") or (stripped[:1] in "[{" and not file.endswith((".yaml", ".yml"))):
        docs = list(iter_json(file, text))
    else:
        docs = list(iter_yaml(file, text))
    if not docs:
        raise InputError([Problem(file, 1, 1, "file holds no document: expected a case")])
    return docs


def dump_problems(problems: Sequence[Problem]) -> str:
    return "\n".join(str(p) for p in problems)


def expected_mapping(doc: Document) -> Problem | None:
    """A problem when a document is not a mapping (a case or ruleset must be)."""
    if isinstance(doc.data, dict):
        return None
    kind = "nothing" if doc.data is None else type(doc.data).__name__
    return doc.problem((), f"expected a mapping of keys (a case), got {kind}")
