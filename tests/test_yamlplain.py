"""The fast reader of plain case files (cases/yamlplain.py) against the full reader.

Every shipped case file (examples, vignettes, the tests' cases, bad files and
golden cases) is mutated into thousands of variants: lines repeated, dropped,
swapped, indented, commented; keys and values replaced by every kind of YAML
scalar, quote, flow collection, anchor, tag and indicator; control characters,
tabs, document markers. Each variant is read with the fast reader allowed and
with it switched off, and the two must agree exactly: the same values of the
same types, the same documents and their lines, the same duplicate keys and
errors at the same positions, and the same problems once each case is checked
(validation errors are placed through the node tree of the same source text).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.bench_check import make_case
from dsm5check.cases import yamlio, yamlplain
from dsm5check.cases.loading import RulesetResolver, check_document
from dsm5check.cases.streams import _yaml_text
from dsm5check.cases.yamlio import Document
from dsm5check.errors import Problem
from tests.conftest import ROOT

SOURCES = ("examples", "dsm5check/vignettes", "tests/cases", "tests/bad", "tests/bad_timeline",
           "tests/caution_timeline", "tests/golden")
TODAY = dt.date(2026, 12, 5)


def shipped_texts() -> list[str]:
    texts = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".yaml", ".yml") or not path.is_file():
                continue
            try:
                texts.append(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                continue
    return texts


@contextlib.contextmanager
def full_reader_only() -> Iterator[None]:
    saved = yamlio.plain_document
    yamlio.plain_document = lambda text: None  # type: ignore[assignment]
    try:
        yield
    finally:
        yamlio.plain_document = saved


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not True, nor 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            same(k1, k2) and same(v1, v2)
            for (k1, v1), (k2, v2) in zip(a.items(), b.items(), strict=True))
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return repr(a) == repr(b) or (math.isnan(a) and math.isnan(b))
    return bool(a == b)


def read(text: str) -> list[Any]:
    """What reading a file's text gives, document by document, and what checking
    each document finds (positions included)."""
    out: list[Any] = []
    resolver = RulesetResolver()
    for item in _yaml_text("case.yaml", text):
        if isinstance(item, Problem):
            out.append(("problem", str(item)))
            continue
        assert isinstance(item, Document)
        loaded, problems = check_document(item, resolver, TODAY)
        out.append(("document", item.data, item.index, item.line, item.line_offset,
                    [str(p) for p in item.problems], loaded is not None,
                    [str(p) for p in problems]))
    return out


VALUES = [
    "yes", "No", "ON", "off", "~", "null", "Null", "", "0", "-0", "007", "0x1F", "0b101", "0o7",
    "1_000", "1:30", "-1:30", ".5", "-.5", "1e3", "1.0e+3", "-1", "+1", ".inf", "-.Inf", ".NaN",
    "2024-02-30", "2024-01-01", "2024-1-1", "2024-01-01 10:00:00", "2024-01-01T10:00:00Z",
    "'quoted'", "'it''s'", "'a'b'", "''", '""', '"dq"', '"a\\tb"', '"a"b"', "'open", '"open',
    "&a x", "*a", "!!str 3", "!!int x", "!x y", "|", ">", "|-", "[a, b]", "[1, 2, 3]", "[]",
    "{}", "[ ]", "{a: 1, b: 2}", "{a: 1, a: 2}", "{1: a, 1.0: b}", "{true: 1, yes: 2}",
    "[a, [b]]", "{a: [1]}", "[a: b]", "{a}", "{a:1}", "[a, , b]", "[a, b,]", "{a: 1",
    "[a, b] x", "- x", "-", "- -", "a: b", "a:b", "x #y", "x#y", "a #", "@x", "`x", "%x",
    "<<", "=", "?", "? x", ":x", ",x", "-x", "--", "---", "...", "a  b", "http://x/y",
    "é", "naïve café", "日本", "a,b", "a]b", "a}b", "{a: b: c}", "[12:30]", "{t: 12:30}",
    "x" * 70, "1" * 1100, "[-1, -.5]", "{n: -1}", "{ a: 1 }", "[ a , b ]", "{a: 'q'}",
    "#", "'x' # c", '"x" # c', "x # 'c'",
]
KEYS = ["1", "true", "null", "~", "<<", "'q'", '"q"', "a b", "-1", "2024-01-01", ".nan",
        ".NaN", "x" * 130, "a:b", "? a", "[a]", "{a: 1}", "&k a", "*k", "!!str k", "", "-",
        "- a", "id", "B1", "events", "symptoms", "timeline", "0x1", "01", "yes", "Yes", "1.0"]
NOISE = [":", "-", "#", "'", '"', "[", "]", "{", "}", ",", "&", "*", "!", "|", ">", "%", "@",
         "`", " ", "  ", "\t", "\n", "\r", "\x01", "\x7f", "\x85", "\u2028", "\ufeff", "é",
         "---\n", "...\n", "- ", ": ", " #", "\n  ", "\n- "]


def split_key(line: str) -> tuple[str, str, str] | None:
    """(indent and dash, key, rest from the colon on) of a ``key: value`` line."""
    body = line.lstrip(" -")
    head = line[: len(line) - len(body)]
    at = body.find(":")
    if at <= 0:
        return None
    return head, body[:at], body[at:]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    n = len(lines)
    i = rng.randrange(n)
    line = lines[i]
    op = rng.randrange(14)
    if op == 0:  # a line repeated (duplicate keys), maybe elsewhere
        lines.insert(rng.randrange(n + 1), line)
    elif op == 1 and n > 1:
        del lines[i]
    elif op == 2:  # indentation changed
        lines[i] = " " * rng.choice([1, 2, 3, 4]) + line if rng.random() < 0.6 else line[
            rng.choice([1, 2]):] if line.startswith("  ") else line
    elif op == 3:
        lines.insert(i, " " * rng.randrange(6) + rng.choice(["# note", "#", "#: x", "  "]))
    elif op == 4:
        lines[i] = line + rng.choice([" # c", "  #c", "#c", " ", "   ", " #", ":"])
    elif op in (5, 6, 7):  # a value replaced
        parts = split_key(line)
        value = rng.choice(VALUES)
        if parts:
            lines[i] = f"{parts[0]}{parts[1]}: {value}"
        else:
            lines[i] = line[: len(line) - len(line.lstrip(" "))] + f"- {value}"
    elif op == 8:  # a key replaced
        parts = split_key(line)
        if parts:
            lines[i] = parts[0] + rng.choice(KEYS) + parts[2]
    elif op == 9 and n > 1:  # two lines swapped
        j = rng.randrange(n)
        lines[i], lines[j] = lines[j], line
    elif op == 10:  # a key line made a list item, or an item a key
        stripped = line.lstrip(" ")
        pad = line[: len(line) - len(stripped)]
        lines[i] = pad + (stripped[2:] if stripped.startswith("- ") else "- " + stripped)
    elif op == 11:  # a document marker
        lines.insert(rng.randrange(n + 1), rng.choice(["---", "--- ", "...", "--- x", "%YAML 1.1"]))
    elif op == 12 and n > 1:  # two lines joined
        lines[i : i + 2] = [" ".join(lines[i : i + 2])]
    else:  # a character inserted
        at = rng.randrange(len(line) + 1)
        lines[i] = line[:at] + rng.choice(NOISE) + line[at:]
    return "\n".join(lines)


def without_block_scalars(text: str) -> str:
    """A case with its narrative and notes (``>-`` blocks) left out."""
    out: list[str] = []
    skip_deeper_than = -1
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if skip_deeper_than >= 0 and (indent > skip_deeper_than or not line.strip()):
            continue
        skip_deeper_than = -1
        if line.rstrip().endswith((">-", ">", "|", "|-")):
            skip_deeper_than = indent
            continue
        out.append(line)
    return "\n".join(out)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """The shipped cases, the same without their block scalars, and generated ones
    in the layout of bench_check.py (the plain layout a coding tool writes)."""
    found = shipped_texts()
    assert len(found) > 200
    rng = random.Random(5)
    generated = [make_case(i, rng) for i in range(60)]
    return found + [without_block_scalars(t) for t in found] + generated


def compare(text: str) -> bool:
    """True when the fast reader took the text; fails when the readers differ."""
    taken = yamlplain.plain_document(text) is not None
    fast = read(text)
    with full_reader_only():
        full = read(text)
    assert same(fast, full), f"the readers differ on:\n{text}"
    return taken


def test_every_shipped_case_reads_the_same(texts: list[str]) -> None:
    taken = sum(compare(t) for t in texts)
    assert taken > len(texts) // 4  # the fast reader is tried, not only the fallback


@pytest.mark.parametrize("seed", range(4))
def test_mutated_cases_read_the_same(texts: list[str], seed: int) -> None:
    rng = random.Random(20261205 + seed)
    plain = [t for t in texts if yamlplain.plain_document(t) is not None]
    taken = total = 0
    for _ in range(1000):
        text = rng.choice(plain if rng.random() < 0.6 else texts)
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            text = mutate(text, rng)
        taken += compare(text)
        total += 1
    assert taken > total // 5


def test_streams_of_mutated_cases_read_the_same(texts: list[str]) -> None:
    rng = random.Random(12)
    for _ in range(200):
        docs = [mutate(rng.choice(texts), rng) for _ in range(rng.randrange(2, 4))]
        compare("---\n" + "\n---\n".join(d.rstrip("\n") for d in docs) + "\n")


@pytest.mark.parametrize("text", [
    "id: a\nid: b\n",
    "a: 1\n1: x\ntrue: y\n1.0: z\n",
    "a: {x: 1, y: 2, x: 3}\na: 2\n",
    "events:\n  - id: e\n    id: f\n  - {id: g, id: h}\n",
    "e:\n- a\n- b\nf: [1, -2, .5]\n",
    "  id: indented\n  b: 2\n",
    "---\nid: x\n",
    "id: x # comment\nb: 'it''s' \nc: \"q\"\n",
    ".nan: 1\n.nan: 2\n",
    "<<: {a: 1}\n",
    "a: 2024-02-30\nb: 2024-02-28\nc: 1:30\nd: 0x10\n",
])
def test_small_texts_read_the_same(text: str) -> None:
    compare(text)


def test_plain_layout_is_taken_and_exotic_layouts_are_not() -> None:
    assert yamlplain.plain_document("id: a\nsymptoms:\n  B1: 3\nlist: [a, b]\n") is not None
    for text in ("id: &x a\n", "id: !!str a\n", "id: |\n  a\n", "id: a\n  b\n", "id:\ta\n",
                 "id: {a: [1]}\n", "- a\n", "id: a\n---\nid: b\n", 'id: "a\\n"\n'):
        assert yamlplain.plain_document(text) is None, text
