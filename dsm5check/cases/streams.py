"""Reading case files one document at a time, in flat memory.

A file may hold one case or a stream of them: a YAML multi-document stream
(``---`` between cases), a JSON list, or JSON Lines (one case per line,
``.jsonl``; what ``check --format jsonl`` writes). Each is read a document at
a time: memory stays flat however many cases a file holds, and a document
that cannot be read is reported at its ``file:line:col`` while the documents
after it are still read (a JSON list, once broken, cannot be followed: the
cases before the break are kept).

Bounds, whatever the input: a document may be at most MAX_DOCUMENT_BYTES; a
regular file is sized before it is read (never read whole); special files met
while walking a folder (pipes, sockets, devices) are skipped with a word; a
NUL byte in the first block ends the file at once (``/dev/zero``, binary data).
"""

from __future__ import annotations

import codecs
import contextlib
import io
import itertools
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from typing import BinaryIO

from dsm5check.cases.yamlbuild import json_too_many, too_many_message
from dsm5check.cases.yamlio import (
    NUL_MESSAGE,
    Document,
    JsonPairs,
    LongNumber,
    iter_json,
    iter_yaml,
    json_count,
    json_duplicates_in,
    json_ids,
    json_int,
    json_loads,
    long_number_message,
    looks_binary,
    plain_yaml_document,
    read_text,
)
from dsm5check.errors import InputError, Problem

#: Largest single document (one case) we read, in bytes (a case is a few KB; the
#: memory a document costs while read and checked is about 30 times its size).
MAX_DOCUMENT_BYTES = 1024 * 1024
#: Largest whole file read at once (UTF-16/32 files, YAML with directives).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: Input kinds: by suffix, or --input-format for standard input.
JSONL_SUFFIXES = (".jsonl", ".ndjson")
YAML_SUFFIXES = (".yaml", ".yml")
JSON_SUFFIXES = (".json",)
CASE_SUFFIXES = YAML_SUFFIXES + JSON_SUFFIXES + JSONL_SUFFIXES
INPUT_FORMATS = ("auto", "yaml", "json", "jsonl")

_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_PEEK = 8192

Item = Document | Problem


def kind_of(name: str, input_format: str | None = None) -> str:
    """yaml, json, jsonl, or auto (decide from the first bytes)."""
    if input_format and input_format != "auto":
        return input_format
    lower = name.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(JSON_SUFFIXES):
        return "json"
    if lower.endswith(YAML_SUFFIXES):
        return "yaml"
    return "auto"


def open_source(path: str) -> tuple[str, BinaryIO, int | None]:
    """(name shown, binary stream, size when known) of a path, or '-' for stdin."""
    if path == "-":
        return "<stdin>", sys.stdin.buffer, None
    fd, st = _open_path(path)
    return path, open(fd, "rb"), _size(st)


def _open_path(path: str) -> tuple[int, os.stat_result]:
    """An open descriptor of a file (not a folder), and what the system says of it.
    Opened once: a named pipe opened twice could wait for a writer that has gone."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except IsADirectoryError:
        raise InputError([Problem(path, 1, 1, "is a folder, not a file")]) from None
    except OSError as exc:
        raise InputError([Problem(path, 1, 1, f"cannot read: {exc.strerror}")]) from None
    try:
        st = os.fstat(fd)
    except OSError as exc:  # pragma: no cover - fstat of an open file
        os.close(fd)
        raise InputError([Problem(path, 1, 1, f"cannot read: {exc.strerror}")]) from None
    if stat.S_ISDIR(st.st_mode):
        os.close(fd)
        raise InputError([Problem(path, 1, 1, "is a folder, not a file")])
    return fd, st


def _size(st: os.stat_result) -> int | None:
    return st.st_size if stat.S_ISREG(st.st_mode) else None


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def special_file(path: str) -> str | None:
    """What a path is when it is not a regular file we should open, else None."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # reported when it is opened
    for test, word in ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device")):
        if test(mode):
            return word
    return None


def read_bounded(name: str, fh: BinaryIO, size: int | None, limit: int = MAX_FILE_BYTES,
                 *, sniff: bool = True) -> bytes:
    """The whole content of a stream, refusing (before reading, when the size is
    known) more than ``limit`` bytes."""
    too_big = Problem(name, 1, 1, f"file is larger than {limit // 2**20} MiB: split it into"
                      " several files, or write the cases as JSON Lines (.jsonl)")
    if size is not None and size > limit:
        raise InputError([too_big])
    head = fh.read(_PEEK)
    if sniff and b"\x00" in head and not head.startswith(_BOMS):
        raise InputError([Problem(name, 1, 1, "not a text file: expected UTF-8 YAML or JSON")])
    rest = fh.read(limit + 1 - len(head)) if len(head) == _PEEK else b""
    if len(head) + len(rest) > limit:
        raise InputError([too_big])
    return head + rest


class _Lines:
    """Lines of a binary stream, each at most MAX_DOCUMENT_BYTES + 1 bytes (a longer
    line comes in pieces), read in blocks (``readline`` with a limit is slow).

    A ``live`` stream (a pipe: standard input) is read as its data come, a block at
    most, never waiting for a whole block: cases written one by one into the pipe
    are each answered before the next arrives."""

    def __init__(self, fh: BinaryIO, live: bool = False) -> None:
        self.fh = fh
        self.live = live
        read1 = getattr(fh, "read1", None)
        self._read: Callable[[int], bytes] = read1 if live and read1 is not None else fh.read
        self.number = 0  # of the last line returned
        self.pending: list[bytes] = []
        self.buf = b""
        self.pos = 0
        self.eof = False
        self._fill(_PEEK)

    def _fill(self, want: int) -> bool:
        chunk = self._read(max(want, 1 << 16))
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def head(self) -> bytes:
        """The first bytes of the stream (before any line is taken)."""
        return self.buf[:_PEEK]

    def rest(self) -> bytes:
        """Everything not yet returned, as it is (at most MAX_FILE_BYTES)."""
        left = self.buf[self.pos:]
        self.buf, self.pos = b"", 0
        return left + self.fh.read(MAX_FILE_BYTES + 1 - len(left))

    def whole(self) -> str | None:
        """All the (small) stream as text, when it was read in one block and is
        plain UTF-8 without directives; else None (read it line by line)."""
        if self.live and not self.eof:
            return None  # more may come, later: read what is there, line by line
        if not self.eof and len(self.buf) < 1 << 20:
            self._fill(0)  # at the end, this read finds nothing and says so
        if not self.eof or self.number != 0:
            return None
        raw = b"".join(reversed(self.pending)) + self.buf[self.pos:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        if "\x00" in text or _DIRECTIVE.search(text):
            return None
        return text

    def push(self, line: bytes) -> None:
        self.pending.append(line)
        self.number -= 1

    def next(self) -> bytes:
        self.number += 1
        if self.pending:
            return self.pending.pop()
        return self._raw()

    def _raw(self) -> bytes:
        while True:
            end = self.buf.find(b"\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos : end + 1]
                self.pos = end + 1
                return line
            left = len(self.buf) - self.pos
            if left > MAX_DOCUMENT_BYTES or (self.eof and left):
                line = self.buf[self.pos : self.pos + MAX_DOCUMENT_BYTES + 1]
                self.pos += len(line)
                return line
            if self.eof:
                return b""
            self._fill(left)

    def skip_rest_of_line(self, line: bytes) -> None:
        """After an over-long line: read on to its end (the line count stays right)."""
        while line and not line.endswith(b"\n"):
            line = self._raw()


def iter_documents(path: str, input_format: str | None = None) -> Iterator[Item]:
    """Every document of one input, in order, with a Problem for each that cannot
    be read (validation comes after). Never raises InputError."""
    kind = kind_of(path, input_format)
    if path == "-":
        name, fh, size = open_source(path)
    else:
        try:
            fd, st = _open_path(path)
        except InputError as err:
            yield from err.problems
            return
        name, size = path, _size(st)
        if kind == "yaml" and size is not None and size <= _SMALL:
            # most case files: one small file, read whole with no file object
            try:
                raw = _read_whole(fd, size)
            except OSError as exc:
                yield Problem(name, 1, 1, f"cannot read: {exc.strerror or exc}")
                return
            finally:
                os.close(fd)
            try:
                yield from _small_yaml(name, raw, size)
            except InputError as err:
                yield from err.problems
            return
        fh = open(fd, "rb")  # noqa: SIM115 - closed below
    try:
        yield from documents_of(name, fh, size, kind)
    except InputError as err:
        yield from err.problems
    except OSError as exc:
        yield Problem(name, 1, 1, f"cannot read: {exc.strerror or exc}")
    finally:
        if path != "-":  # never close standard input
            fh.close()


#: A YAML file up to this size (most case files) is read in one piece (below).
_SMALL = 1 << 16


def _read_whole(fd: int, size: int) -> bytes:
    """Up to ``size + 1`` bytes of a file (one more than its size: a file that grew
    is noticed), in one system call as a rule: a read that gave ``size`` bytes is not
    followed by another one to see the end (only a short read is)."""
    raw = os.read(fd, size + 1)
    while len(raw) < size:
        more = os.read(fd, size + 1 - len(raw))
        if not more:
            break
        raw += more
    return raw


def _small_yaml(name: str, raw: bytes, size: int) -> Iterator[Item]:
    """A small YAML file (its bytes, read whole): when it is plain UTF-8 text without
    directives, split into documents at once (one in the plain layout: read at
    once); else (a BOM of UTF-16/32, a NUL byte, bytes that are not UTF-8, a %YAML
    directive, a file that grew) the bytes read go the general way, which reports
    each such problem at its place. The same documents and problems either way;
    this way skips the line reader."""
    text = None
    if len(raw) == size and b"\x00" not in raw and not raw.startswith(_BOMS):
        with contextlib.suppress(UnicodeDecodeError):
            text = raw.decode("utf-8")
    if text is None or text.startswith("%") or "\n%" in text:
        yield from documents_of(name, io.BufferedReader(io.BytesIO(raw)), len(raw), "yaml")
        return
    doc = plain_yaml_document(name, text, part=True)  # one document, the plain layout
    if doc is not None:
        yield doc
        return
    yield from _yaml_text(name, text[1:] if text.startswith("\ufeff") else text)


def documents_of(name: str, fh: BinaryIO, size: int | None, kind: str) -> Iterator[Item]:
    """The documents of one open binary stream (see iter_documents)."""
    lines = _Lines(fh, live=size is None)
    head = lines.head()
    if head.startswith(_BOMS) or head.startswith(b"\xff\xfe\x00\x00"):
        # UTF-16/32 (YAML allows them): small files, read whole
        raw = lines.rest()
        if len(raw) > MAX_FILE_BYTES:
            raise InputError([Problem(name, 1, 1, f"file is larger than"
                                      f" {MAX_FILE_BYTES // 2**20} MiB: save it as UTF-8")])
        yield from _whole(name, raw, kind)
        return
    if b"\x00" in head and looks_binary(head, lines_apart=kind == "jsonl"):
        # binary data (or /dev/zero) ends the file at once; a NUL on a later line of
        # text is reported on its own line, and the other cases are still read
        raise InputError([Problem(name, 1, 1, "not a text file: expected UTF-8 YAML or JSON")])
    first = lines.next()
    if first.startswith(codecs.BOM_UTF8):
        first = first[len(codecs.BOM_UTF8):]
    lines.push(first)
    if kind == "auto":
        kind = _sniff(first, lines)
    if kind == "jsonl":
        yield from _jsonl(name, lines)
        return
    if kind == "yaml":
        whole = lines.whole()
        yield from _yaml_stream(name, lines) if whole is None else _yaml_text(name, whole)
        return
    blank: list[bytes] = []
    line = lines.next()
    while line and not line.strip():  # blank leading lines
        blank.append(line)
        line = lines.next()
    lines.push(line)
    stripped = _shape(line)
    if stripped.startswith(b"["):
        yield from _JsonBuffer(name, lines, "".join(b.decode() for b in blank)).elements()
    elif stripped.startswith(b"{") and _jsonl_start(lines):
        yield from _jsonl(name, lines)  # one object per line: JSON Lines
    else:
        raw = b"".join(blank) + b"".join(_drain(lines, name))
        yield from _whole(name, raw, "json")


def _sniff(first: bytes, lines: _Lines) -> str:
    s = _shape(first)
    if s.startswith(b"{") and _jsonl_start(lines):
        return "jsonl"
    return "json" if s.startswith((b"[", b"{")) else "yaml"


def _shape(line: bytes) -> bytes:
    """A line as read to tell what the input holds: stray NUL bytes (reported on their
    line later) and leading blanks left out."""
    return line.replace(b"\x00", b"").lstrip()


def _jsonl_start(lines: _Lines) -> bool:
    """Whether a stream whose next line starts with ``{`` is JSON Lines: that line is
    one whole JSON object, or (that line broken: a NUL byte, a typo) the line after
    it is. Lines read to see are given back."""
    first = lines.next()
    try:
        if _complete_json_line(first.lstrip()):
            return True
        second = lines.next()
        lines.push(second)
        return second.lstrip().startswith(b"{") and _complete_json_line(second.lstrip())
    finally:
        lines.push(first)


def _complete_json_line(line: bytes) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _drain(lines: _Lines, name: str) -> Iterator[bytes]:
    total = 0
    while True:
        line = lines.next()
        if not line:
            return
        total += len(line)
        if total > MAX_DOCUMENT_BYTES:
            raise InputError([Problem(name, 1, 1, _too_big_document())])
        yield line


def _too_big_document() -> str:
    return (f"document is larger than {MAX_DOCUMENT_BYTES // 2**20} MiB: expected one case;"
            " write many cases as JSON Lines (.jsonl) or a YAML stream")


def _whole(name: str, raw: bytes, kind: str) -> Iterator[Item]:
    text = read_text(name, raw)
    if kind == "json" or (kind == "auto" and text.lstrip()[:1] in ("[", "{")):
        docs = iter_json(name, text)
    else:
        docs = iter_yaml(name, text)
    found = False
    for doc in docs:
        found = True
        yield doc
    if not found:
        yield Problem(name, 1, 1, "file holds no document: expected a case")


def _decode(name: str, line: bytes, number: int) -> str | Problem:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(
            name, number, exc.start + 1,
            f"byte 0x{line[exc.start]:02x} is not UTF-8: save the file as UTF-8"
            " (it may be Latin-1 or Windows-1252)",
        )


def _jsonl(name: str, lines: _Lines) -> Iterator[Item]:
    """JSON Lines: each non-blank line one case; a bad line does not stop the rest."""
    index = 0
    seen = False
    while True:
        raw = lines.next()
        if not raw:
            break
        number = lines.number
        if len(raw) > MAX_DOCUMENT_BYTES:
            lines.skip_rest_of_line(raw)
            yield Problem(name, number, 1, _too_big_document())
            continue
        if not raw.strip():
            continue
        seen = True
        text = _decode(name, raw.rstrip(b"\r\n"), number)  # an error at the end is on this line
        if isinstance(text, Problem):
            yield text
            continue
        if "\x00" in text:
            yield Problem(name, number, text.index("\x00") + 1,
                          "a NUL byte (binary data) in the line: expected one JSON object")
            continue
        try:
            data, duplicated = json_loads(name, text, number - 1)
        except InputError as err:
            yield from err.problems
            index += 1
            continue
        found = json_duplicates_in(name, text, number - 1, 0) if duplicated else ()
        yield Document(name, data, index, number, text, is_json=True, problems=found,
                       part=True, line_offset=number - 1)
        index += 1
    if not seen:
        yield Problem(name, 1, 1, "file is empty: expected a case (a mapping)")


def _is_document_start(raw: bytes) -> bool:
    return raw.startswith(b"---") and raw[3:4] in (b"", b" ", b"\t", b"\n", b"\r")


def _yaml_stream(name: str, lines: _Lines) -> Iterator[Item]:
    """A YAML file a document at a time: split before each ``---`` line."""
    chunk: list[str] = []
    size = 0
    start = 1  # line number of the chunk's first line
    index = 0
    broken: Problem | None = None  # the current document cannot be read
    seen = content = False
    while True:
        raw = lines.next()
        number = lines.number
        if not raw or (_is_document_start(raw) and not _only_directives(chunk)):
            carried: list[str] = []  # the next document's directives, after an end marker
            at = _directives_after_end(chunk) if raw and broken is None else None
            if at is not None:
                chunk, carried = chunk[:at], chunk[at:]
            if broken is not None:
                yield broken
                index += 1
                seen = content = True
            elif chunk:
                for item in _yaml_chunk(name, "".join(chunk), start - 1, index):
                    seen = True
                    index += 1
                    yield item
            if not raw:
                break
            chunk, size, broken = carried, sum(len(c) for c in carried), None
            start = number - len(carried)
        if broken is not None:
            content = True
            lines.skip_rest_of_line(raw)
            continue  # skip to the next document
        size += len(raw)
        if size > MAX_DOCUMENT_BYTES:
            lines.skip_rest_of_line(raw)
            broken, chunk = Problem(name, start, 1, _too_big_document()), []
            continue
        text = _decode(name, raw, number)
        if isinstance(text, Problem):
            broken, chunk = text, []
            continue
        if "\x00" in text:
            broken, chunk = Problem(name, number, text.index("\x00") + 1,
                                    NUL_MESSAGE), []
            continue
        content = content or bool(text.strip())
        chunk.append(text)
    if not content:
        yield Problem(name, 1, 1, "file is empty: expected a case (a mapping)")
    elif not seen:
        yield Problem(name, 1, 1, "file holds no document: expected a case")


_DIRECTIVE = re.compile(r"^%", re.M)
_DOCUMENT_START = re.compile(r"^---(?=[ \t\r\n]|$)", re.M)


def _yaml_text(name: str, text: str) -> Iterator[Item]:
    """A small YAML file held whole: the same documents as _yaml_stream gives."""
    if not text or text.isspace():
        yield Problem(name, 1, 1, "file is empty: expected a case (a mapping)")
        return
    starts = [m.start() for m in _DOCUMENT_START.finditer(text)] if (
        text.startswith("---") or "\n---" in text) else []
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    if "\n%" in text:  # directives after an end marker belong to the next document
        for k in range(1, len(starts)):
            lines = text[starts[k - 1]:starts[k]].splitlines(keepends=True)
            at = _directives_after_end(lines)
            if at is not None:
                starts[k] -= sum(len(line) for line in lines[at:])
    starts.append(len(text))
    index = 0
    line_offset = 0
    for begin, end in itertools.pairwise(starts):
        chunk = text[begin:end]
        for item in _yaml_chunk(name, chunk, line_offset, index):
            index += 1
            yield item
        line_offset += chunk.count("\n")
    if not index:
        yield Problem(name, 1, 1, "file holds no document: expected a case")


def _directives_after_end(chunk: list[str]) -> int | None:
    """Where the lines that belong to the next document begin in a document's lines:
    after its end marker (``...``), directives (``%YAML``, ``%TAG``) with comments or
    blank lines between them are the next document's (YAML allows a directive only
    at the start or after an end marker). None when there are none."""
    for i in range(len(chunk) - 1, -1, -1):
        s = chunk[i].strip()
        if s == "..." or s.startswith("... #"):
            return i + 1 if _only_directives(chunk[i + 1:]) else None
        if s and not s.startswith(("%", "#")):
            return None
    return None


def _only_directives(chunk: list[str]) -> bool:
    """Lines before a document's ``---`` that belong to it (%YAML, %TAG, comments)."""
    has_directive = False
    for line in chunk:
        s = line.strip()
        if s.startswith("%"):
            has_directive = True
        elif s and not s.startswith("#"):
            return False
    return has_directive


def _yaml_chunk(name: str, text: str, line_offset: int, index: int) -> Iterator[Item]:
    if not text or text.isspace():
        return
    try:
        yield from iter_yaml(name, text, line_offset, part=True, first_index=index)
    except InputError as err:
        yield from err.problems


class _JsonBuffer:
    """The elements of a JSON list one at a time: the text is read in blocks and
    what was read is dropped once its elements are out (flat memory)."""

    def __init__(self, name: str, lines: _Lines, prefix: str = "") -> None:
        self.name = name
        self.fh = lines
        self.buf = prefix
        self.line_base = 1  # line number of buf[0] (buf always starts a line)
        self.counted_to = 0
        self.counted_line = 1
        self.eof = False
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def more(self, at_least: int) -> bool:
        """Read at least ``at_least`` more characters (less at the end)."""
        if self.eof:
            return False
        parts = []
        got = 0
        while got < at_least:
            line = self.fh.next()
            if not line:
                self.eof = True
                break
            text = _decode(self.name, line, self.fh.number)
            if isinstance(text, Problem):
                raise InputError([text])
            parts.append(text)
            got += len(text)
        self.buf += "".join(parts)
        return got > 0

    def where(self, pos: int) -> tuple[int, int]:
        if pos < self.counted_to:
            self.counted_to, self.counted_line = 0, self.line_base
        self.counted_line += self.buf.count("\n", self.counted_to, pos)
        self.counted_to = pos
        return self.counted_line, pos - (self.buf.rfind("\n", 0, pos) + 1) + 1

    def trim(self, pos: int) -> int:
        """Drop text before the line holding ``pos``; return ``pos`` in the new buffer."""
        cut = self.buf.rfind("\n", 0, pos) + 1
        if cut < 1 << 20:
            return pos
        self.where(cut)
        self.line_base = self.counted_line
        self.buf = self.buf[cut:]
        self.counted_to, self.counted_line = 0, self.line_base
        return pos - cut

    def skip_ws(self, pos: int) -> int:
        while True:
            n = len(self.buf)
            while pos < n and self.buf[pos] in " \t\r\n":
                pos += 1
            if pos < n or not self.more(65536):
                return pos

    def problem(self, pos: int, message: str) -> Problem:
        line, col = self.where(pos)
        return Problem(self.name, line, col, message)

    def elements(self) -> Iterator[Item]:
        pos = self.skip_ws(0) + 1  # after the "[" (the caller saw it)
        index = 0
        while True:
            pos = self.skip_ws(pos)
            if pos >= len(self.buf):
                yield self.problem(pos, "JSON syntax error: the list is not closed with ]")
                return
            if self.buf[pos] == "]" and index == 0:
                yield from self._after_list(pos)
                return
            start = pos
            value = self._value(start)
            if isinstance(value, Problem):
                yield value
                return
            data, duplicated, end = value
            text = self.buf[start:end]
            line, col = self.where(start)
            found = json_duplicates_in(self.name, text, line - 1, col - 1) if duplicated else ()
            yield Document(self.name, data, index, line, text, is_json=True, problems=found,
                           in_list=True, part=True, line_offset=line - 1, col_offset=col - 1)
            index += 1
            pos = self.skip_ws(self.trim(end) if end > 1 << 20 else end)
            if pos < len(self.buf) and self.buf[pos] == "]":
                yield from self._after_list(pos)
                return
            if pos >= len(self.buf) or self.buf[pos] != ",":
                yield self.problem(pos, "JSON syntax error: Expecting ',' delimiter")
                return
            pos += 1

    def _after_list(self, pos: int) -> Iterator[Problem]:
        pos = self.skip_ws(pos + 1)
        if pos < len(self.buf):
            yield self.problem(pos, "JSON syntax error: Extra data after the list")

    def _value(self, start: int) -> tuple[object, bool, int] | Problem:
        """The JSON value at ``start`` and where it ends, reading more text as needed."""
        want = 65536
        while True:
            hook = JsonPairs()
            decoder = json.JSONDecoder(object_pairs_hook=hook, parse_int=json_int)
            try:
                data, end = decoder.raw_decode(self.buf, start)
                data = json_ids(data, lambda floats: json.JSONDecoder(
                    object_pairs_hook=JsonPairs(), parse_int=json_int,
                    parse_float=floats).raw_decode(self.buf, start)[0])
                if end < len(self.buf) or self.eof:
                    if json_count(self.buf, start, end) and json_too_many(data):
                        return self.problem(start, too_many_message())
                    return data, hook.duplicated, int(end)
                # a number may go on in the next block: read on to be sure it ended
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.buf) - 1 or exc.msg.startswith("Unterminated")
                if self.eof or not cut:
                    line, col = self.where(exc.pos)
                    return Problem(self.name, line, col, f"JSON syntax error: {exc.msg}")
            except LongNumber as exc:
                at = self.buf.find(exc.text, start)
                return self.problem(at if at >= 0 else start, long_number_message(exc.text))
            except RecursionError:
                return self.problem(start, "values are nested too deeply")
            if len(self.buf) - start > MAX_DOCUMENT_BYTES:
                return self.problem(start, _too_big_document())
            self.more(want)
            want *= 2
