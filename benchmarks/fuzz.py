"""Fuzz the front door: hypothesis-driven mutations of the shipped cases and of score inputs.

Usage: python benchmarks/fuzz.py N [--seed S] [--keep DIR] [--report FILE]

N inputs are drawn (hypothesis strategies, reproducible with --seed) in three kinds:

* cases (about 85 %): shipped cases and vignettes, as YAML, JSON, JSON Lines, YAML
  streams and JSON lists, mutated: type swaps, out-of-range and non-finite numbers,
  missing and unknown keys, duplicate keys, explicit tags (``!!python/object``,
  ``!!bool maybe`` ...), huge numbers and strings, control characters, invalid UTF-8,
  byte-order marks, truncation, empty files. They are checked in folders of up to
  200 by one real ``dsm5check check DIR --format jsonl`` process each, so that a
  bad input stopping the run would show as the inputs after it going missing.
* attacks (about 5 %): alias bombs (nodes and bytes), merge-key bombs, nesting up to
  100,000 deep, 6-million-item lists, 20 MB strings, binary data, special files;
  each run alone, timed and its peak memory taken (``os.wait4``).
* score (about 10 %): CSV and Parquet inputs for ``dsm5check score``: empty and
  header-only files, wrong delimiters, CRLF, quoted numbers, text in numeric
  columns, duplicate columns, truncated or fake Parquet, a folder for a file.

For every input: a clear problem (``file:line:col: message``), a documented exit
code (check: 0, 1, 2; score: 0, 2), no traceback, no hang (timeout), bounded memory
(a check of 200 inputs under 150 MB; an attack refused in under 1 s beyond start-up
and under 100 MB beyond an ordinary run), and the other inputs of the run still
processed. Prints counts per kind and every finding; exits 1 if there are findings.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BATCH = 200
TIME = os.path.exists("/usr/bin/time")
CHECK_CODES = {0, 1, 2}
SCORE_CODES = {0, 2}
BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00", b"\xef\xbb\xbf")
PROBLEM = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S")


@dataclass
class Input:
    kind: str  # cases/<form>, attack/<what>, score/<what>
    name: str  # file name (suffix says the format)
    content: bytes | None  # None: a folder (or special file, see special)
    good_ids: list[str] = field(default_factory=list)  # cases that must give a result
    special: str = ""  # fifo, folder
    args: list[str] = field(default_factory=list)


@dataclass
class Finding:
    kind: str
    name: str
    what: str
    detail: str = ""


def shipped_cases() -> list[dict[str, Any]]:
    """The shipped cases that check cleanly (vignettes keep only their case keys)."""
    from dsm5check.cases.loading import RulesetResolver, load_case_file

    found = []
    resolver = RulesetResolver()
    for folder in (ROOT / "tests" / "cases", ROOT / "examples", ROOT / "dsm5check" / "vignettes"):
        for path in sorted(folder.glob("*.yaml")):
            for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
                if not isinstance(doc, dict):
                    continue
                doc = doc.get("case", doc) if isinstance(doc.get("case"), dict) else doc
                text = json.dumps(doc, default=str).encode()
                cases, problems = load_case_file("x.json", text, resolver)
                if cases and not problems:
                    found.append(doc)
    return found


BASES = shipped_cases()

# values a script or attacker might put anywhere (YAML text)
YAML_VALUES = [
    "abc", "-1", "5", "2.5", "1e309", "-1e309", ".nan", ".inf", "-.inf", "[1, 2]", "{a: 1}",
    "null", "~", "''", "yes", "no", "on", "99999999999999999999", "9" * 5000,
    "0x" + "f" * 5000, "!!bool maybe", "!!int abc", "!!float ''", "!!timestamp hello",
    "!!map [1]", "!!seq {a: 1}", "!!python/object:os.system {}", "!!python/name:os.system",
    "!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!str 3", "2025-02-30", "2025-13-01",
    "0000-01-01", "9999-12-31", '"\\x07"', "&x 3", "*nope", "<<: {a: 1}", "|", ">",
    "- 1", "{", "[", "'unclosed", '"\\uD800"', "1_000", "0b101", "0o17", "017", "1:30:00",
    "x" * 100_000,
]
# values for JSON data (type swaps, non-finite, huge)
JSON_VALUES: list[Any] = [
    "abc", -1, 5, 2.5, 1e308, float("nan"), float("inf"), float("-inf"), [1, 2], {"a": 1},
    None, "", True, False, 10**30, "9" * 5000, [], {}, "2025-02-30", "\x07", "\u0000",
    [[[[[]]]]], "x" * 100_000, -(10**20), 0.1,
]
TEXT_OPS = ["value", "delete_line", "duplicate_line", "unknown_key", "drop_id", "truncate",
            "control", "bad_utf8", "bom8", "utf16", "indent", "empty", "tab"]
DATA_OPS = ["swap", "delete", "unknown", "deep", "huge_int", "nonfinite"]


def set_id(case: dict[str, Any], cid: str) -> dict[str, Any]:
    out = dict(case)
    out["id"] = cid
    return out


def paths_of(data: Any) -> list[tuple[Any, ...]]:
    """Key paths of the values in ``data`` (not below depth 12: nested bombs stay opaque)."""
    found: list[tuple[Any, ...]] = []
    todo: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while todo:
        prefix, value = todo.pop()
        if prefix:
            found.append(prefix)
        if len(prefix) >= 12:
            continue
        if isinstance(value, dict):
            todo.extend(((*prefix, k), v) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend(((*prefix, i), v) for i, v in enumerate(value))
    return found


def put(data: Any, path: tuple[Any, ...], value: Any, delete: bool = False) -> None:
    for part in path[:-1]:
        data = data[part]
    if delete:
        del data[path[-1]]
    else:
        data[path[-1]] = value


def mutate_text(draw: Any, text: str) -> bytes:
    ops = draw(st.lists(st.sampled_from(TEXT_OPS), min_size=1, max_size=3))
    lines = text.splitlines(keepends=True)
    raw: bytes | None = None
    for op in ops:
        if not lines:
            lines = ["\n"]
        i = draw(st.integers(0, len(lines) - 1))
        if op == "value":
            key, sep, _ = lines[i].partition(": ")
            if sep:
                lines[i] = f"{key}: {draw(st.sampled_from(YAML_VALUES))}\n"
            else:
                lines.insert(i, f"{lines[i][: len(lines[i]) - len(lines[i].lstrip())]}"
                                f"- {draw(st.sampled_from(YAML_VALUES))}\n")
        elif op == "delete_line":
            del lines[i]
        elif op == "duplicate_line":
            lines.insert(i, lines[i])
        elif op == "unknown_key":
            lines.insert(0, f"{draw(st.sampled_from(['zzz', 'symptom', 'Events', '']))}: 1\n")
        elif op == "drop_id":
            lines = [x for x in lines if not x.startswith("id:")]
        elif op == "truncate":
            joined = "".join(lines)
            lines = [joined[: draw(st.integers(0, len(joined)))]]
        elif op == "control":
            joined = "".join(lines)
            at = draw(st.integers(0, len(joined)))
            ch = draw(st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\ufeff", "\x85",
                                       "\u2028", "\ud800"]))
            lines = [joined[:at] + ch + joined[at:]]
        elif op == "tab":
            lines[i] = "\t" + lines[i]
        elif op == "indent":
            lines[i] = " " + lines[i]
        elif op == "empty":
            lines = [draw(st.sampled_from(["", "\n", "   \n", "# only a comment\n", "---\n",
                                           "...\n", "--- \n---\n"]))]
    text = "".join(lines)
    raw = text.encode("utf-8", "surrogatepass")
    if "bad_utf8" in ops and raw:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\xe9", b"\xff", b"\xc3", b"\xed\xa0\x80"])) \
            + raw[at:]
    if "bom8" in ops:
        raw = b"\xef\xbb\xbf" + raw
    if "utf16" in ops:
        raw = text.encode(draw(st.sampled_from(["utf-16", "utf-32", "utf-16-le"])),
                          "surrogatepass")
    return raw


def mutate_data(draw: Any, case: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(case, default=str))
    for op in draw(st.lists(st.sampled_from(DATA_OPS), min_size=1, max_size=3)):
        paths = paths_of(data)
        path = draw(st.sampled_from(paths)) if paths else ("id",)
        if op == "swap":
            put(data, path, draw(st.sampled_from(JSON_VALUES)))
        elif op == "delete" and len(path) >= 1:
            with contextlib.suppress(KeyError, IndexError, TypeError):
                put(data, path, None, delete=True)
        elif op == "unknown":
            data[draw(st.sampled_from(["zzz", "symptom", "Id", "expected_"]))] = 1
        elif op == "deep":
            depth = draw(st.integers(10, 3000))
            value: Any = 1
            for _ in range(depth):
                value = [value]
            put(data, path, value)
        elif op == "huge_int":
            put(data, path, draw(st.sampled_from([10**400, -(10**4400), 2**64])))
        elif op == "nonfinite":
            put(data, path, draw(st.sampled_from([float("nan"), float("inf")])))
    return data


def dump_json(data: Any) -> str:
    try:
        return json.dumps(data)
    except (ValueError, RecursionError):
        return '{"id": "unencodable"}'


def draw_case_input(draw: Any, n: int) -> Input:
    form = draw(st.sampled_from(["yaml", "yaml", "json", "jsonl", "stream", "list"]))
    if form in ("yaml", "json"):
        case = set_id(draw(st.sampled_from(BASES)), f"fz{n}")
        if form == "yaml":
            text = yaml.safe_dump(case, sort_keys=False, allow_unicode=True)
            return Input(f"cases/{form}", f"in{n:05d}.yaml", mutate_text(draw, text))
        if draw(st.booleans()):
            raw = dump_json(mutate_data(draw, case)).encode()
        else:
            raw = mutate_text(draw, json.dumps(case, default=str, indent=1))
        return Input(f"cases/{form}", f"in{n:05d}.json", raw)
    count = draw(st.integers(2, 6))
    cases = [set_id(draw(st.sampled_from(BASES)), f"fz{n}-{k}") for k in range(count)]
    bad = set(draw(st.lists(st.integers(0, count - 1), max_size=count - 1)))
    good_ids = [c["id"] for k, c in enumerate(cases) if k not in bad]
    if form == "jsonl":
        lines = []
        for k, c in enumerate(cases):
            if k in bad:
                line = (dump_json(mutate_data(draw, c)).encode() if draw(st.booleans())
                        else mutate_text(draw, json.dumps(c, default=str)).replace(b"\n", b" "))
                if k == 0 and (b"\x00" in line or line.startswith(BOMS)):
                    good_ids = []  # a file that starts as binary data is refused whole
            else:
                line = json.dumps(c, default=str).encode()
            lines.append(line)
        return Input("cases/jsonl", f"in{n:05d}.jsonl", b"\n".join(lines) + b"\n", good_ids)
    if form == "stream":
        docs = []
        for k, c in enumerate(cases):
            text = yaml.safe_dump(c, sort_keys=False, allow_unicode=True)
            if k in bad:
                raw = mutate_text(draw, text)
                if raw.startswith(BOMS):
                    raw = text.encode()[: len(text) // 2]  # a BOM belongs at the start only
                if k == 0 and b"\x00" in raw[:8192]:
                    good_ids = []  # a file that starts as binary data is refused whole
                docs.append(raw.replace(b"\n---", b"\n#--"))
            else:
                docs.append(text.encode())
        return Input("cases/stream", f"in{n:05d}.yaml", b"---\n".join(
            d if d.endswith(b"\n") else d + b"\n" for d in docs), good_ids)
    items = [mutate_data(draw, c) if k in bad else json.loads(json.dumps(c, default=str))
             for k, c in enumerate(cases)]
    return Input("cases/list", f"in{n:05d}.json", dump_json(items).encode(), good_ids)


def draw_attack(draw: Any, n: int) -> Input:
    what = draw(st.sampled_from(["laughs", "alias_bytes", "merge_bomb", "deep_yaml",
                                 "deep_json", "long_list", "huge_string", "binary",
                                 "many_problems", "fifo", "folder", "long_line_jsonl"]))
    name = f"at{n:05d}.yaml"
    raw: bytes | None = None
    special = ""
    if what == "laughs":
        width = draw(st.integers(5, 12))
        depth = draw(st.integers(6, 12))
        lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, depth)]
        raw = ("\n".join(lines) + "\n").encode()
    elif what == "alias_bytes":
        size = draw(st.integers(1, 4)) * 1_000_000
        uses = draw(st.integers(10, 3000))
        raw = (f'id: ab\nnotes: &a "{"x" * size}"\nevents:\n' + "  - id: *a\n" * uses).encode()
    elif what == "merge_bomb":
        depth = draw(st.integers(5, 25))
        lines = ["m0: &m0 {a: 1, b: 2}"]
        lines += [f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: 1}}" for i in range(1, depth)]
        raw = ("\n".join(lines) + "\n").encode()
    elif what == "deep_yaml":
        depth = draw(st.sampled_from([1000, 10_000, 100_000]))
        raw = ("id: d\nx: " + "[" * depth + "]" * depth + "\n").encode()
    elif what == "deep_json":
        depth = draw(st.sampled_from([1000, 10_000, 100_000]))
        name = f"at{n:05d}.json"
        raw = ('{"id": "d", "x": ' + "[" * depth + "]" * depth + "}").encode()
    elif what == "long_list":
        count = draw(st.sampled_from([100_000, 1_000_000, 6_000_000]))
        raw = ("id: sm\nevents: [" + ",".join(["1"] * count) + "]\n").encode()
    elif what == "huge_string":
        size = draw(st.integers(1, 20)) * 1_000_000
        raw = ("id: hs\nnotes: " + "y" * size + "\nsymptoms: {B1: " + "z" * size + "}\n").encode()
    elif what == "binary":
        raw = bytes(draw(st.binary(min_size=1, max_size=4096))) + b"\x00" * 16
    elif what == "many_problems":
        count = draw(st.integers(1000, 5000))
        raw = ("id: many\nsymptoms:\n" + "".join(f"  X{i}: 9\n" for i in range(count))).encode()
    elif what == "fifo":
        special = "fifo"
    elif what == "folder":
        special = "folder"
    elif what == "long_line_jsonl":
        name = f"at{n:05d}.jsonl"
        raw = b'{"id": "ll", "notes": "' + b"q" * draw(st.integers(1, 20)) * 1_000_000 + b'"}\n'
    return Input(f"attack/{what}", name, raw, special=special)


SCORE_HEADERS = {
    "ids": [f"B{i}" for i in range(1, 6)] + ["C1", "C2"] + [f"D{i}" for i in range(1, 8)]
    + [f"E{i}" for i in range(1, 7)],
    "numbered": [f"pcl_{i:02d}" for i in range(1, 21)],
    "positional": [],
}
CELLS = ["0", "1", "2", "3", "4", "4", "3", "", "NA", "2.5", "0x3", '"3"', "five", "-1", "7",
         "1e3", " 2", "nan", "inf", "\u00e9", "3;4", "1,2"]


def draw_score(draw: Any, n: int) -> Input:
    what = draw(st.sampled_from(["csv", "csv", "csv", "empty", "header_only", "delimiter",
                                 "crlf", "duplicate_columns", "ragged", "parquet_fake",
                                 "parquet_truncated", "folder", "binary"]))
    name = f"sc{n:05d}.csv"
    style = draw(st.sampled_from(sorted(SCORE_HEADERS)))
    header = list(SCORE_HEADERS[style])
    rows = [[draw(st.sampled_from(CELLS)) for _ in range(20)]
            for _ in range(draw(st.integers(1, 30)))]
    sep, end = ",", "\n"
    raw: bytes | None = None
    special = ""
    if what == "empty":
        raw = draw(st.sampled_from([b"", b"\n", b"  \n\n"]))
    elif what == "header_only":
        header = header or SCORE_HEADERS["ids"]
        rows = []
    elif what == "delimiter":
        sep = draw(st.sampled_from([";", "\t", "|", " "]))
    elif what == "crlf":
        end = "\r\n"
    elif what == "duplicate_columns":
        header = SCORE_HEADERS["ids"][:]
        header[draw(st.integers(0, 19))] = header[draw(st.integers(0, 19))]
    elif what == "ragged":
        for row in rows:
            del row[draw(st.integers(0, 19)):]
    elif what in ("parquet_fake", "parquet_truncated"):
        name = f"sc{n:05d}.parquet"
        if what == "parquet_fake":
            raw = b"PAR1" + bytes(draw(st.binary(max_size=2000))) + b"PAR1"
        else:
            raw = _parquet_bytes(rows)
            raw = raw[: draw(st.integers(0, max(0, len(raw) - 1)))]
    elif what == "folder":
        special = "folder"
    elif what == "binary":
        raw = bytes(draw(st.binary(min_size=1, max_size=2000)))
    if raw is None and not special:
        lines = ([sep.join(header)] if header else []) + [sep.join(r) for r in rows]
        raw = (end.join(lines) + end).encode()
    return Input(f"score/{what}", name, raw, special=special,
                 args=["--instrument", "pcl5", "--summary-only"])


_PARQUET: dict[int, bytes] = {}


def _parquet_bytes(rows: list[list[str]]) -> bytes:
    """A real Parquet file of the items (made once per row count, with DuckDB)."""
    key = len(rows)
    if key not in _PARQUET:
        import duckdb

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "x.parquet"
            cols = ", ".join(f"(i + {j}) % 5 AS {c}" for j, c in enumerate(SCORE_HEADERS["ids"]))
            duckdb.sql(f"COPY (SELECT {cols} FROM range({key}) t(i)) TO '{path}' (FORMAT parquet)")
            _PARQUET[key] = path.read_bytes()
    return _PARQUET[key]


def generate(count: int, seed_value: int) -> list[Input]:
    inputs: list[Input] = []

    @seed(seed_value)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw_one(data: st.DataObject) -> None:
        n = len(inputs)
        roll = data.draw(st.integers(0, 99))
        if roll < 5:
            inputs.append(draw_attack(data.draw, n))
        elif roll < 15:
            inputs.append(draw_score(data.draw, n))
        else:
            inputs.append(draw_case_input(data.draw, n))

    draw_one()
    return inputs


def materialise(item: Input, folder: Path) -> Path:
    path = folder / item.name
    if item.special == "fifo":
        os.mkfifo(path)
    elif item.special == "folder":
        path.mkdir()
    else:
        path.write_bytes(item.content or b"")
    return path


def run_child(cmd: list[str], timeout: float, cwd: Path | None = None,
              stdin: bytes | None = None) -> tuple[int | None, str, str, float, int]:
    """(exit code or None on timeout, stdout, stderr, CPU seconds, peak RSS in MB).

    The time is the CPU the command used (user + system, its children included),
    not the wall clock: on a shared machine the wall clock measures the load, the
    CPU time measures the work an input costs. A hang is still caught by
    ``timeout``, which is wall-clock."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".rss") as rss_file:
        # the peak memory of a forked child would include this (large) process:
        # GNU time measures the command from its own small process
        timer = ["/usr/bin/time", "-f", "%M", "-o", rss_file.name] if TIME else []
        start = time.perf_counter()
        proc = subprocess.Popen([*timer, *cmd], stdout=out, stderr=err, cwd=cwd,
                                stdin=subprocess.DEVNULL)
        deadline = start + timeout
        status = rusage = None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, rusage = os.wait4(proc.pid, 0)
                status = None
                break
            time.sleep(0.01)
        cpu = rusage.ru_utime + rusage.ru_stime
        proc.returncode = 0  # reaped by wait4 above
        out.seek(0)
        err.seek(0)
        code = None if status is None else os.waitstatus_to_exitcode(status)
        peak = rusage.ru_maxrss
        if TIME:
            text = rss_file.read().strip().splitlines()
            peak = int(text[-1]) if text and text[-1].isdigit() else 0
        return (code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                cpu, peak // 1024)


def check_problem_lines(err: str, allowed: set[str]) -> list[str]:
    """Stderr lines that are not `file:line:col: message` of a file of the run."""
    bad = []
    for line in err.splitlines():
        if not line.strip():
            continue
        m = PROBLEM.match(line)
        if not m or not any(m.group("file").startswith(a) for a in allowed):
            bad.append(line[:300])
    return bad


def run_cases(batch: list[Input], work: Path, findings: list[Finding], stats: Counter[str],
              ) -> None:
    folder = work / "cases"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    paths = {str(materialise(item, folder)): item for item in batch}
    code, out, err, _elapsed, rss = run_child(
        [PY, "-m", "dsm5check", "check", str(folder), "--format", "jsonl", "--jobs", "1"],
        timeout=120 + 2 * len(batch))
    stats["check runs"] += 1
    stats["check max rss MB"] = max(stats["check max rss MB"], rss)
    where = f"batch of {len(batch)} from {batch[0].name}"
    if code is None:
        findings.append(Finding("cases", where, "hang (timeout)"))
        return
    if code not in CHECK_CODES:
        findings.append(Finding("cases", where, f"exit code {code}", err[-2000:]))
    if "Traceback" in err:
        findings.append(Finding("cases", where, "traceback", err[-3000:]))
    if rss > 150:
        findings.append(Finding("cases", where, f"peak memory {rss} MB (> 150 MB)"))
    for line in check_problem_lines(err, {*paths, str(folder)}):
        findings.append(Finding("cases", where, "problem without file:line:col", line))
    results: dict[str, list[str]] = {}
    # JSON Lines end at "\n" only: a case id may hold U+2028, which JSON leaves raw and
    # str.splitlines() would take for a line end
    for line in out.split("\n"):
        if not line:
            continue
        try:
            record = json.loads(line)
        except ValueError:
            findings.append(Finding("cases", where, "output line is not JSON", line[:300]))
            continue
        results.setdefault(record.get("file", ""), []).append(record.get("id"))
    for path, item in paths.items():
        mentioned = path in results or f"{path}:" in err
        if not mentioned:
            findings.append(Finding(item.kind, item.name, "input neither checked nor reported"))
        missing = [i for i in item.good_ids if i not in results.get(path, [])]
        if missing and item.kind != "cases/list":
            said = [x for x in err.splitlines() if x.startswith(f"{path}:")]
            findings.append(Finding(item.kind, item.name,
                                    f"good cases of the file not checked: {missing}",
                                    "\n".join(said)[:1500]))


def run_attack(item: Input, work: Path, baseline: tuple[float, int],
               findings: list[Finding], stats: Counter[str]) -> None:
    folder = work / "attack"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    path = materialise(item, folder)
    (folder / "zz-good.yaml").write_bytes((ROOT / "examples" / "vet-014.yaml").read_bytes())
    target = str(folder) if item.special == "fifo" else str(path)
    cmd = [PY, "-m", "dsm5check", "check", target, str(folder / "zz-good.yaml"),
           "--format", "jsonl"]
    code, out, err, elapsed, rss = run_child(cmd, timeout=60)  # elapsed: CPU seconds
    base_time, base_rss = baseline
    stats[f"{item.kind} worst extra CPU s x100"] = max(stats[f"{item.kind} worst extra CPU s x100"],
                                                   int((elapsed - base_time) * 100))
    stats[f"{item.kind} worst extra MB"] = max(stats[f"{item.kind} worst extra MB"],
                                               rss - base_rss)
    if code is None:
        findings.append(Finding(item.kind, item.name, "hang (timeout)"))
        return
    if code != 2 and item.kind not in ("attack/long_line_jsonl", "attack/long_list"):
        findings.append(Finding(item.kind, item.name, f"exit code {code}, expected 2",
                                err[-500:]))
    if "Traceback" in err:
        findings.append(Finding(item.kind, item.name, "traceback", err[-3000:]))
    for line in check_problem_lines(err, {str(folder)}):
        findings.append(Finding(item.kind, item.name, "problem without file:line:col", line))
    if '"id": "vet-014"' not in out:
        findings.append(Finding(item.kind, item.name, "the good file after it was not checked"))
    if item.kind in ("attack/laughs", "attack/deep_yaml", "attack/deep_json",
                     "attack/merge_bomb", "attack/alias_bytes"):
        if elapsed - base_time > 1.0:
            findings.append(Finding(item.kind, item.name,
                                    f"refused in {elapsed - base_time:.2f} s of CPU beyond"
                                    " start-up"))
        if rss - base_rss > 100:
            findings.append(Finding(item.kind, item.name,
                                    f"{rss - base_rss} MB beyond an ordinary run"))


SCORE_DRIVER = r"""
import contextlib, io, json, sys, time, traceback
from dsm5check.cli import main
out = []
for line in sys.stdin:
    path, *args = json.loads(line)
    o, e = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    crash = ""
    try:
        with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
            code = main(["score", path, *args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        code, crash = None, traceback.format_exc()
    print(json.dumps({"path": path, "code": code, "err": e.getvalue()[-2000:],
                      "crash": crash[-3000:], "s": time.perf_counter() - start}), flush=True)
"""


def run_score(batch: list[Input], work: Path, findings: list[Finding],
              stats: Counter[str]) -> None:
    folder = work / "score"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    items = {str(materialise(item, folder)): item for item in batch}
    lines = "".join(json.dumps([p, *i.args]) + "\n" for p, i in items.items())
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as fh:
        fh.write(lines)
    try:
        proc = subprocess.run([PY, "-c", SCORE_DRIVER], stdin=open(fh.name),  # noqa: SIM115
                              capture_output=True, text=True, timeout=60 + 5 * len(batch),
                              check=False)
    except subprocess.TimeoutExpired:
        findings.append(Finding("score", f"batch from {batch[0].name}", "hang (timeout)"))
        return
    finally:
        os.unlink(fh.name)
    seen = set()
    for line in proc.stdout.split("\n"):  # JSON Lines end at "\n" only (see above)
        if not line:
            continue
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if "path" not in r:
            continue
        seen.add(r["path"])
        item = items[r["path"]]
        if r["crash"]:
            findings.append(Finding(item.kind, item.name, "traceback", r["crash"]))
        elif r["code"] not in SCORE_CODES:
            findings.append(Finding(item.kind, item.name, f"exit code {r['code']}", r["err"]))
        if r["code"] == 2 and not any(PROBLEM.match(x) or x.startswith("dsm5check")
                                      for x in r["err"].splitlines()):
            findings.append(Finding(item.kind, item.name, "exit 2 without a clear problem",
                                    r["err"][:500]))
        if r["s"] > 30:
            findings.append(Finding(item.kind, item.name, f"took {r['s']:.1f} s"))
    for path, item in items.items():
        if path not in seen:
            findings.append(Finding(item.kind, item.name, "score run died before this input",
                                    proc.stderr[-2000:]))


def fuzz(count: int, seed_value: int = 12, keep: Path | None = None,
         report: Path | None = None, quiet: bool = False) -> tuple[Counter[str], list[Finding]]:
    started = time.perf_counter()
    inputs = generate(count, seed_value)
    kinds = Counter(i.kind for i in inputs)
    stats: Counter[str] = Counter()
    findings: list[Finding] = []
    work = Path(tempfile.mkdtemp(prefix="dsm5check-fuzz-"))
    try:
        good = work / "good"
        good.mkdir()
        (good / "g.yaml").write_bytes((ROOT / "examples" / "vet-014.yaml").read_bytes())
        ordinary = [PY, "-m", "dsm5check", "check", str(good / "g.yaml"), "--format", "jsonl"]
        runs = [run_child(ordinary, timeout=60) for _ in range(3)]
        baseline = (statistics.median(r[3] for r in runs), max(r[4] for r in runs))
        cases = [i for i in inputs if i.kind.startswith("cases/")]
        for start in range(0, len(cases), BATCH):
            run_cases(cases[start : start + BATCH], work, findings, stats)
            if not quiet:
                print(f"  cases {min(start + BATCH, len(cases))}/{len(cases)}, findings"
                      f" {len(findings)}", file=sys.stderr, flush=True)
        for item in (i for i in inputs if i.kind.startswith("attack/")):
            run_attack(item, work, baseline, findings, stats)
        scores = [i for i in inputs if i.kind.startswith("score/")]
        for start in range(0, len(scores), 100):
            run_score(scores[start : start + 100], work, findings, stats)
        if keep is not None:
            keep.mkdir(parents=True, exist_ok=True)
            for f in findings:
                item = next((i for i in inputs if i.name == f.name), None)
                if item is not None and item.content is not None:
                    (keep / item.name).write_bytes(item.content)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not quiet:
        print(f"{len(inputs)} inputs in {time.perf_counter() - started:.0f} s (seed {seed_value});"
              f" baseline check run {baseline[0]:.2f} s, {baseline[1]} MB")
        for kind, n in sorted(kinds.items()):
            print(f"  {kind:28s} {n:6d}")
        for key, value in sorted(stats.items()):
            print(f"  {key:40s} {value}")
        print(f"findings: {len(findings)}")
        by_what = Counter((f.kind, f.what.split(":")[0]) for f in findings)
        for (kind, what), n in by_what.most_common():
            print(f"  {n:5d}  {kind}: {what}")
        for f in findings[:40]:
            print(f"- {f.kind} {f.name}: {f.what}\n    {f.detail[:600]}")
    if report is not None:
        report.write_text(json.dumps({
            "inputs": len(inputs), "seed": seed_value, "kinds": dict(kinds),
            "stats": dict(stats), "findings": [f.__dict__ for f in findings]}, indent=1))
    return kinds, findings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("count", type=int, nargs="?", default=1000)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--keep", type=Path, help="save inputs that gave findings here")
    ap.add_argument("--report", type=Path, help="write counts and findings as JSON here")
    args = ap.parse_args(argv)
    _, findings = fuzz(args.count, args.seed, args.keep, args.report)
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
