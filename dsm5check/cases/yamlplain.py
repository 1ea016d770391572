"""A fast reader for YAML documents in the plain layout most case files have.

Most coded cases are block mappings and block lists of plain scalars, with a
few one-line flow lists and mappings of plain scalars (``nature: [direct]``,
``{severity: 3, trauma_related: false}``). Such a document is read here line by
line, without composing a node tree. Anything else (quotes this reader does not
fully handle, anchors, aliases, tags, block scalars, multi-line scalars, nested
flow collections, tabs, odd indentation, document markers, control
characters, a long text...) makes :func:`plain_document` return ``None``, and the
full reader (yamlio.py: libyaml, then yamlbuild.py) reads the document instead:
every error (syntax, a value that cannot be built) is the full reader's.

When this reader gives a value, it is the full reader's value: the same tags
resolved by the same resolver, built by yamlbuild's builders (and their caches),
the same duplicate keys reported at the same lines and columns, the same line
for the document. tests/test_yamlplain.py compares the two over thousands of
variants of the shipped cases.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.reader import Reader
from yaml.resolver import Resolver

from dsm5check.cases.yamlbuild import _CACHES, MAX_DOCUMENT_NODES, STR, Unusual, _scalar

#: A document longer than this is left to the full reader (which bounds its size).
MAX_PLAIN_CHARS = MAX_DOCUMENT_NODES

_NON_PRINTABLE = Reader.NON_PRINTABLE
#: The ASCII characters the reader's pattern refuses, but the line break.
_CONTROL_BYTES = bytes([*range(0, 10), *range(11, 32), 127])
#: Characters that leave the document to the full reader wherever they are: tabs and
#: line breaks other than \n (indentation and line counting), a BOM, and the
#: characters of anchors, aliases, tags, block scalars and directives are checked
#: where they may start a value instead.
_ANYWHERE = ("\t", "\r", "\x85", "\u2028", "\u2029", "\ufeff")
#: First characters of a plain scalar this reader leaves to the full one (YAML's
#: indicators; ``-`` is allowed before a digit or a dot: negative numbers).
_NOT_FIRST = frozenset("?:,[]{}#&*!|>'\"%@`-")
_FLOW_STOP = frozenset(",[]{}:?'\"#")
#: Longest key read here (YAML limits a simple key to 1024 characters).
_MAX_KEY = 128

_RESOLVER = Resolver()
_TAGS: dict[str, str] = {}


#: Most entries in a cache of texts; past it, the cache starts again.
_CACHE_MAX = 8192


class _Once:
    """Texts met once and not cached (yet): a cache keeps what repeats."""

    __slots__ = ("texts",)

    def __init__(self) -> None:
        self.texts: set[str] = set()

    def remember(self, cache: dict[str, Any], text: str, value: Any) -> None:
        """Cache ``value`` under ``text`` the second time the text is met. Most
        lines of a batch either repeat in every file (keys, ratings) or are in one
        file only (ids, dates): caching every line filled the cache with the latter
        and cleared it, the former with it, every thousand files or so."""
        texts = self.texts
        if text not in texts:
            if len(texts) > 4 * _CACHE_MAX:
                texts.clear()
            texts.add(text)
            return
        if len(cache) > _CACHE_MAX:
            cache.clear()
        cache[text] = value


_TAGS_ONCE = _Once()


class _Fallback(Exception):
    """Not the plain layout: the full reader reads this document."""


#: column of the content, the content (comment cut), line (0-based), what it holds
Line = tuple[int, str, int, "Entry"]
Duplicate = tuple[int, int, int, str]  # line, column (0-based), line of the first, key text


def plain_document(text: str) -> tuple[Any, int, list[Duplicate]] | None:
    """(data, 0-based line where the document starts, duplicate keys) of a text
    holding one block mapping in the plain layout; None for anything else."""
    if len(text) > MAX_PLAIN_CHARS or not text:
        return None
    for c in _ANYWHERE:
        if c in text:
            return None
    if text.isascii():
        # (tab and CR are out already): ASCII is printable but for control characters
        # and DEL, which bytes.translate finds much faster than the reader's pattern
        if len(text.encode("ascii").translate(None, _CONTROL_BYTES)) != len(text):
            return None
    elif _NON_PRINTABLE.search(text):
        return None
    lines = _lines(text)
    if not lines:
        return None
    reader = _Reader(lines)
    try:
        col, content, number, _ = lines[0]
        if _is_item(content):
            return None  # a list at the top: not a case, the full reader says so
        data = reader.mapping(0, col)
        if reader.end != len(lines):
            return None
    except (_Fallback, RecursionError):
        return None
    cid = data.get("id")
    if cid is not None and type(cid) is not str:
        _id_as_written(data, lines, col)
    return data, number, reader.duplicates


def _id_as_written(data: dict[Any, Any], lines: list[Line], col: int) -> None:
    """``id: 007`` keeps its text, as the full reader does (yamlbuild.id_as_written):
    the last top-level ``id`` line written as a plain scalar."""
    for kcol, content, _, entry in reversed(lines):
        if kcol == col and entry[0] < ITEM_SCALAR and entry[1] == "id":
            if entry[0] == KEY_SCALAR and content[entry[4]:entry[4] + 1] not in ("'", '"'):
                data["id"] = content[entry[4]:]
            return


#: Lines as written (indentation and comment included) -> (column, content, entry):
#: most lines of case files repeat from file to file.
_RAW_CACHE: dict[str, tuple[int, str, Entry]] = {}
_RAW_ONCE = _Once()


def _lines(text: str) -> list[Line] | None:
    """The lines holding content, comments cut, each with what it holds (every line a
    document's reading reaches); None when the text is not plain."""
    out: list[Line] = []
    append = out.append
    comments = "#" in text
    raw_cache = _RAW_CACHE
    try:
        for number, line in enumerate(text.split("\n")):
            if not line:
                continue
            known = raw_cache.get(line)
            if known is not None:
                append((known[0], known[1], number, known[2]))
                continue
            found = _line(line, number, comments, not out)
            if found is None:
                return None
            if found[0] >= 0:
                entry = _entry(found[1])
                append((found[0], found[1], number, entry))
                if len(line) <= 200 and not (found[0] == 0 and line[0] in "-.%"):
                    _RAW_ONCE.remember(raw_cache, line, (found[0], found[1], entry))
    except _Fallback:
        return None
    return out


def _line(line: str, number: int, comments: bool, first_line: bool) -> tuple[int, str] | None:
    """(column, content) of a line; (-1, "") for a line without content; None when the
    text is not plain."""
    content = line.lstrip(" ")
    if not content:
        return -1, ""
    first = content[0]
    if first == "#":
        return -1, ""
    col = len(line) - len(content)
    if col == 0 and (first == "-" or first == "." or first == "%"):
        if first == "%":
            return None
        if content[:3] in ("---", "..."):
            if content == "---" and first_line and number == 0:
                return -1, ""  # the document's start marker, alone on the first line
            return None
    if comments:
        cut = content.find(" #")
        if cut >= 0:
            content = content[:cut]
            if "'" in content or '"' in content:
                return None  # the comment might be inside quotes
    if content[-1] == " ":
        content = content.rstrip(" ")
    return col, content


def _is_item(content: str) -> bool:
    return content[0] == "-" and (len(content) == 1 or content[1] == " ")


def _value(text: str) -> Any:
    """A plain scalar's value, resolved and built as the full reader does."""
    tag = _TAGS.get(text)
    if tag is None:
        tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        if len(text) <= 64:
            _TAGS_ONCE.remember(_TAGS, text, tag)
    if tag == STR:
        return text
    cache = _CACHES.get(tag)
    if cache is not None:
        try:
            return cache[text]
        except KeyError:
            pass
    try:
        return _scalar(yaml.ScalarNode(tag, text))
    except (Unusual, ConstructorError):
        raise _Fallback from None


_DIGITS = frozenset("0123456789.")


def _plain(text: str) -> bool:
    """Whether ``text`` (stripped, on one line, in block context) is a plain scalar."""
    if not text:
        return False
    first = text[0]
    if first in _NOT_FIRST and not (first == "-" and text[1:2] in _DIGITS):
        return False
    return ": " not in text and text[-1] != ":" and text[-1] != " "


def _flow_plain(text: str) -> bool:
    """A plain scalar inside a flow collection (no flow indicators, no ``:``)."""
    if not text or (text[0] in _NOT_FIRST and not (text[0] == "-" and text[1:2] in _DIGITS)):
        return False
    return not any(c in _FLOW_STOP for c in text)


# What a line holds (the line cache's entries: lines repeat from case to case).
KEY_SCALAR, KEY_LIST, KEY_MAP, KEY_EMPTY = 0, 1, 2, 3  # "key: value", flow values, "key:"
ITEM_SCALAR, ITEM_LIST, ITEM_MAP, ITEM_MAPPING = 4, 5, 6, 7  # "- value", "- key: ..."
#: (kind, key text, key, value, column of the value in the line, repeated keys of a
#: flow mapping as (column in the value, key text)). A flow list is kept as a tuple
#: and a flow mapping as its pairs: each use builds a new list or dict.
Entry = tuple[int, str, Any, Any, int, tuple[tuple[int, str], ...]]
_LINE_CACHE: dict[str, Entry] = {}
_LINE_ONCE = _Once()
_NO_DUPS: tuple[tuple[int, str], ...] = ()


def _entry(content: str) -> Entry:
    """What one line holds (cached by its text); _Fallback when not plain."""
    entry = _LINE_CACHE.get(content)
    if entry is not None:
        return entry
    if _is_item(content):
        rest = content[2:].lstrip(" ")
        if not rest or _is_item(rest):
            raise _Fallback  # "-" alone, or a list in a list
        at = len(content) - len(rest)
        if rest[0] not in "[{'\"" and (": " in rest or rest[-1] == ":"):
            entry = (ITEM_MAPPING, "", None, rest, at, _NO_DUPS)
        else:
            kind, value, dups = _scalar_or_flow(rest)
            entry = (ITEM_SCALAR + kind, "", None, value, at, dups)
    else:
        at = content.find(": ")
        if at < 0:
            if content[-1] != ":":
                raise _Fallback
            at = len(content) - 1
        key_text = content[:at]
        if len(key_text) > _MAX_KEY or not _plain(key_text):
            raise _Fallback
        key = _value(key_text)
        if key != key:  # NaN: the full reader finds no first key equal to a repeat
            raise _Fallback
        rest = content[at + 1:].lstrip(" ")
        if not rest:
            entry = (KEY_EMPTY, key_text, key, None, 0, _NO_DUPS)
        else:
            kind, value, dups = _scalar_or_flow(rest)
            entry = (KEY_SCALAR + kind, key_text, key, value, len(content) - len(rest), dups)
    if len(content) <= 200:
        _LINE_ONCE.remember(_LINE_CACHE, content, entry)
    return entry


def _scalar_or_flow(text: str) -> tuple[int, Any, tuple[tuple[int, str], ...]]:
    """(0, value) of a scalar, (1, items) of a flow list, (2, pairs, repeated keys)
    of a flow mapping, written where a value starts."""
    first = text[0]
    if first == "[" or first == "{":
        return _flow(text)
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _Fallback
        return 0, inner.replace("''", "'"), _NO_DUPS
    if first == '"':
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != '"' or '"' in inner or "\\" in inner:
            raise _Fallback
        return 0, inner, _NO_DUPS
    if not _plain(text):
        raise _Fallback
    return 0, _value(text), _NO_DUPS


def _flow(text: str) -> tuple[int, Any, tuple[tuple[int, str], ...]]:
    """A one-line flow list or mapping of plain scalars."""
    close = "]" if text[0] == "[" else "}"
    if text[-1] != close:
        raise _Fallback
    inner = text[1:-1]
    if not inner.strip(" "):
        return (1, (), _NO_DUPS) if close == "]" else (2, (), _NO_DUPS)
    parts = inner.split(",")
    if close == "]":
        items = []
        for part in parts:
            item = part.strip(" ")
            if not _flow_plain(item):
                raise _Fallback
            items.append(_value(item))
        return 1, tuple(items), _NO_DUPS
    pairs = []
    seen: dict[Any, None] = {}
    dups = []
    at = 1
    for part in parts:
        key, sep, rest = part.partition(": ")
        k, v = key.strip(" "), rest.strip(" ")
        if not sep or not _flow_plain(k) or not _flow_plain(v) or k != key.lstrip(" "):
            raise _Fallback
        kval = _value(k)
        if kval in seen:
            if kval != kval:
                raise _Fallback
            dups.append((at + len(key) - len(k), k))
        seen[kval] = None
        pairs.append((kval, _value(v)))
        at += len(part) + 1
    return 2, tuple(pairs), tuple(dups)


class _Reader:
    def __init__(self, lines: list[Line]) -> None:
        self.lines = lines
        self.end = 0
        self.duplicates: list[Duplicate] = []

    def _built(self, entry: Entry, col: int, number: int) -> Any:
        """The value a line's entry holds (kind: a scalar, a flow list or mapping)."""
        kind = entry[0] % 4
        if kind == 0:
            return entry[3]
        if kind == 1:
            return list(entry[3])
        for rel, key_text in entry[5]:
            self.duplicates.append((number, col + entry[4] + rel, number, key_text))
        return dict(entry[3])

    def mapping(self, i: int, col: int) -> dict[Any, Any]:
        """The block mapping whose first key is lines[i], at column ``col``."""
        lines = self.lines
        n = len(lines)
        out: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        while i < n:
            kcol, _, number, entry = lines[i]
            if kcol != col:
                if kcol < col:
                    break
                raise _Fallback  # deeper than a key, after a value
            kind = entry[0]
            if kind >= ITEM_SCALAR:
                break
            key = entry[2]
            if key in out:
                self.duplicates.append((number, kcol, seen[key], entry[1]))
            else:
                seen[key] = number
            i += 1
            if kind == KEY_EMPTY:
                value = None
                if i < n:
                    ncol, ncontent, _, _ = lines[i]
                    if ncol > col:
                        value = self.block(i, ncol)
                        i = self.end
                    elif ncol == col and _is_item(ncontent):
                        value = self.sequence(i, ncol)
                        i = self.end
                out[key] = value
            elif kind == KEY_SCALAR:
                out[key] = entry[3]
            else:
                out[key] = self._built(entry, kcol, number)
        self.end = i
        return out

    def block(self, i: int, col: int) -> Any:
        if _is_item(self.lines[i][1]):
            return self.sequence(i, col)
        return self.mapping(i, col)

    def sequence(self, i: int, col: int) -> list[Any]:
        """The block list whose first dash is lines[i], at column ``col``."""
        lines = self.lines
        n = len(lines)
        out: list[Any] = []
        while i < n:
            dcol, _, number, entry = lines[i]
            if dcol != col:
                if dcol < col:
                    break
                raise _Fallback
            kind = entry[0]
            if kind < ITEM_SCALAR:
                break
            if kind == ITEM_MAPPING:  # a mapping in the list: its first key on this line
                vcol = dcol + entry[4]
                lines[i] = (vcol, entry[3], number, _entry(entry[3]))
                out.append(self.mapping(i, vcol))
                i = self.end
            elif kind == ITEM_SCALAR:
                out.append(entry[3])
                i += 1
            else:
                out.append(self._built(entry, dcol, number))
                i += 1
        self.end = i
        return out
