"""Reading YAML and JSON documents with their source positions.

PyYAML's ``safe_load`` keeps the last of two duplicate keys and forgets where
every value came from. Here each document is composed once into a node tree
with the C parser, constructed with a duplicate-key check, and kept beside the
data so that a validation error's key path (pydantic's ``loc``) can be mapped
back to a line and column. Alias expansion is bounded ("billion laughs").
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from dsm5check.errors import InputError, Problem, format_path

try:  # the C loader is many times faster; fall back to pure Python
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader

#: How many nodes one document may expand to through aliases.
MAX_EXPANDED_NODES = 100_000
#: Largest input file we read, in bytes.
MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Document:
    """One parsed document: its data, and its node tree for error positions."""

    file: str
    data: Any
    index: int  # position in a multi-document stream or JSON list
    line: int  # 1-based line where the document starts
    source: str  # the file's text: positions are found again only when needed
    is_json: bool = False
    problems: tuple[Problem, ...] = ()  # found while parsing (duplicate keys)
    in_list: bool = False  # one element of a JSON list

    def locate(self, loc: Sequence[object], *, at_key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at key path ``loc``.

        The node tree is composed again here rather than kept for every
        document: errors are rare, and holding thousands of node trees alive
        costs a batch run more than re-parsing the few files that need it.
        """
        node = _node_of(self.source, self.index, self.is_json)
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
        return best.start_mark.line + 1, best.start_mark.column + 1

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
            if isinstance(node, yaml.SequenceNode):
                element: yaml.Node = node.value[index] if index < len(node.value) else node
                return element
            return node
        for i, doc in enumerate(yaml.compose_all(source, Loader=_BaseLoader)):
            if i == index:
                return doc
    except yaml.YAMLError:
        return None
    return None


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that records duplicate keys instead of silently keeping one."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file = file
        self.duplicates: list[Problem] = []


_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    # Fast path: the raw key texts of this mapping (merged keys excluded) are
    # all different, so no key can be given twice.
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
            loader.duplicates.append(
                Problem(
                    loader.file,
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                    f"duplicate key {key!r} (first given on line {first.start_mark.line + 1});"
                    " each key may appear once",
                )
            )
        else:
            seen[key] = key_node


_Loader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    """A date that looks like one but cannot be (2025-02-30) stays text, so that
    validation reports it at its key like any other wrong value."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _expanded_size(node: yaml.Node, memo: dict[int, int], limit: int) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    size = 1
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo, limit) + _expanded_size(v, memo, limit)
            if size > limit:
                break
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            size += _expanded_size(v, memo, limit)
            if size > limit:
                break
    memo[key] = size
    return size


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
    if b"\x00" in raw[:8192]:  # text files hold no NUL bytes: this is binary data
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
        raise InputError([Problem(file, line, col, "not a text file: expected UTF-8 YAML or JSON")])
    return text


_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    return line, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1


def _mark_problem(file: str, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = " ".join(p for p in (exc.context, exc.problem) if p) or "invalid YAML"
    return Problem(file, line, col, f"YAML syntax error: {what}")


def iter_yaml(file: str, text: str) -> Iterator[Document]:
    """Yield each document of a YAML stream; raise InputError for the whole file."""
    loader = _Loader(text, file)
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node said there was one
                break
            if "*" in text and _expanded_size(node, {}, MAX_EXPANDED_NODES) > MAX_EXPANDED_NODES:
                raise InputError(
                    [
                        Problem(
                            file,
                            node.start_mark.line + 1,
                            1,
                            "aliases expand to more than "
                            f"{MAX_EXPANDED_NODES:,} values; refusing to expand",
                        )
                    ]
                )
            data = loader.construct_document(node)
            found, loader.duplicates = tuple(loader.duplicates), []
            yield Document(file, data, index, node.start_mark.line + 1, text, problems=found)
            index += 1
    except yaml.MarkedYAMLError as exc:
        raise InputError([*loader.duplicates, _mark_problem(file, exc)]) from None
    except RecursionError:
        raise InputError([Problem(file, 1, 1, "values are nested too deeply")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(file, 1, 1, f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()


class _JsonPairs:
    """object_pairs_hook that notes duplicate keys (the last one is kept)."""

    def __init__(self) -> None:
        self.duplicated = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            self.duplicated = True
        return out


def iter_json(file: str, text: str) -> Iterator[Document]:
    """Yield the documents of a JSON file: one object, or each item of a list."""
    hook = _JsonPairs()
    try:
        data = json.loads(text, object_pairs_hook=hook)
    except json.JSONDecodeError as exc:
        raise InputError(
            [Problem(file, exc.lineno, exc.colno, f"JSON syntax error: {exc.msg}")]
        ) from None
    except RecursionError:
        raise InputError([Problem(file, 1, 1, "values are nested too deeply")]) from None
    items = data if isinstance(data, list) else [data]
    dups = _json_duplicates(file, text, len(items)) if hook.duplicated else {}
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
