"""Regression tests for every case-side finding of the fuzz run in issue 12.

Each bad input must end as ``file:line:col: message`` with exit code 2 (never a
traceback, never exit 1, which means "expectation mismatch"), with bounded
work, and without stopping the other inputs of the run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dsm5check.cases import yamlio
from dsm5check.cases.loading import (
    MAX_PROBLEMS_PER_FILE,
    RulesetResolver,
    load_case_file,
    read_source,
)
from dsm5check.cases.streams import MAX_FILE_BYTES, read_bounded
from dsm5check.cases.yamlbuild import MAX_DOCUMENT_NODES, MAX_EXPANDED_CHARS
from dsm5check.cli import main
from dsm5check.errors import InputError
from tests.conftest import EXAMPLES

GOOD = (EXAMPLES / "vet-014.yaml").read_text(encoding="utf-8")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# file name -> text, and the exact first problem line expected on stderr
FINDINGS: dict[str, tuple[str, str]] = {
    "bigint.yaml": ("id: a\nsymptoms:\n  B1: " + "9" * 5000 + "\n",
                    "bigint.yaml:3:7: number of 5,000 characters is too long: expected at most"
                    " 1,000 (quote it if it is text)"),
    "bigint.json": ('{"id": "a",\n "symptoms": {"B1": ' + "9" * 5000 + "}}",
                    "bigint.json:2:21: number of 5,000 characters is too long: expected at"
                    " most 1,000 (quote it if it is text)"),
    "hex.yaml": ("id: g\nsymptoms:\n  B1: 0x" + "f" * 5000 + "\n",
                 "hex.yaml:3:7: number of 5,002 characters is too long: expected at most"
                 " 1,000 (quote it if it is text)"),
    "bool.yaml": ("id: b\nsymptoms:\n  B1: !!bool maybe\n",
                  "bool.yaml:3:7: !!bool expects true or false, got 'maybe'"),
    "int.yaml": ("id: c\nsymptoms:\n  B1: !!int abc\n",
                 "int.yaml:3:7: !!int expects a whole number, got 'abc'"),
    "float.yaml": ("id: d\nsymptoms:\n  B1: !!float ''\n",
                   "float.yaml:3:7: !!float expects a number, got ''"),
    "timestamp.yaml": ("id: e\ntimeline:\n  assessed: !!timestamp hello\n",
                       "timestamp.yaml:3:13: !!timestamp expects a date (YYYY-MM-DD),"
                       " got 'hello'"),
    "map.yaml": ("id: f\nsymptoms: !!map [1]\n",
                 "map.yaml:2:11: !!map expects a mapping, got a list"),
    "seq.yaml": ("id: f\nevents: !!seq {a: 1}\n",
                 "seq.yaml:2:9: !!seq expects a list, got a mapping"),
    "null.yaml": ("id: f\nsymptoms:\n  B1: !!null 3\n",
                  "null.yaml:3:7: !!null expects nothing (null), got '3'"),
    "ctrl.yaml": ('id: h\nnote: "\u00e9"\nsymptoms:\n  B1: 1\n  B2: \x07\n',
                  "ctrl.yaml:5:7: character #x0007 is not allowed in YAML (a control"
                  " character): remove it or write it as an escape in double quotes"),
    "python.yaml": ("id: p\nsymptoms: !!python/object:os.system {}\n",
                    "python.yaml:2:11: tag !!python/object:os.system is not allowed: a case"
                    " holds plain values (text, numbers, true/false, dates, lists and"
                    " mappings)"),
    "mergebad.yaml": ("id: m\nsymptoms:\n  <<: !!int x\n",
                      "mergebad.yaml:3:7: cannot read this mapping: expected a mapping or list"
                      " of mappings for merging, but found scalar"),
}


@pytest.mark.parametrize("name", sorted(FINDINGS))
def test_finding_is_a_clear_problem(name: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    text, want = FINDINGS[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, _, err = run(["check", str(path), "--format", "json"], capsys)
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == f"{tmp_path}/{want}" or lines[0].startswith(f"{tmp_path}/{want}")
    assert len(lines) == 1  # one problem, one line: no stray position line


def test_one_bad_file_in_a_folder_of_1000(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """The run goes on past a bad file, and the JSON list is closed."""
    for i in range(1000):
        text = GOOD.replace("id: vet-014", f"id: c{i:04d}")
        if i == 500:
            text = FINDINGS["bool.yaml"][0]
        (tmp_path / f"c{i:04d}.yaml").write_text(text, encoding="utf-8")
    code, out, err = run(["check", str(tmp_path), "--format", "json", "--jobs", "1"], capsys)
    assert code == 2
    records = json.loads(out)
    assert len(records) == 999
    assert [r["id"] for r in records][499:501] == ["c0499", "c0501"]
    assert err.count("\n") == 1 and "c0500.yaml:3:7: !!bool" in err


def test_many_problems_are_capped_and_counted(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """3,000 wrong keys: the node tree is composed once (linear), problems capped."""
    lines = ["id: many", "symptoms:"] + [f"  X{i}: 1" for i in range(3000)]
    path = tmp_path / "many.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    composed = []
    real = yamlio._node_of

    def counting(*args: object) -> object:
        composed.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlio, "_node_of", counting)
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    shown = err.splitlines()
    assert len(shown) == MAX_PROBLEMS_PER_FILE + 1
    assert shown[0].startswith(f"{path}:3:7: unknown item 'X0'")
    assert shown[-1] == (f"{path}:203:9: 2,800 more problems in this file not shown"
                         f" (the first {MAX_PROBLEMS_PER_FILE} are above)")
    assert len(composed) == 1


def test_yaml_stream_of_2000_documents_reads_each_alone(tmp_path: Path) -> None:
    """Each document of a stream is parsed from its own text (no whole-file work per case)."""
    docs = [GOOD.replace("id: vet-014", f"id: s{i}") for i in range(2000)]
    path = tmp_path / "stream.yaml"
    path.write_text("---\n".join(docs), encoding="utf-8")
    cases, problems = load_case_file(str(path), path.read_bytes(), RulesetResolver())
    assert problems == []
    assert len(cases) == 2000
    assert max(len(c.doc.source) for c in cases) < len(GOOD) + 10
    assert cases[1999].doc.line == 1 + 1999 * (GOOD.count("\n") + 1)  # each "---" a line


def test_alias_bytes_are_bounded_not_only_nodes(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A 1 MB string aliased 2,000 times: few nodes, 2 GB of text. Refused, output small."""
    big = "x" * 1_000_000
    text = (f'id: ab\nnotes: &a "{big}"\nevents:\n' + "  - id: *a\n" * 2000)
    path = tmp_path / "aliasbytes.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(["check", str(path)], capsys)
    assert code == 2
    assert err == (f"{path}:1:1: aliases expand to more than"
                   f" {MAX_EXPANDED_CHARS // 2**20} MiB of text; refusing to expand\n")
    assert len(out) < 1000


def test_long_value_in_a_message_is_cut(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    big = "y" * 100_000
    path = tmp_path / "long.yaml"
    path.write_text(f"id: lv\nsymptoms:\n  B1: {big}\n", encoding="utf-8")
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert err.startswith(f"{path}:3:7: got 'yyy")
    assert len(err) < 1000 and "characters cut" in err


def test_six_million_item_list_is_refused_in_bounded_memory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "sixm.yaml"
    path.write_text("id: sm\nevents: [" + ",".join(["1"] * 6_000_000) + "]\n")
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert err.startswith(f"{path}:1:1: document is larger than 1 MiB: expected one case")
    # within the size bound, the count of values bounds the node tree (about 1 KB each)
    for name, text in (("many.yaml", "id: sm\nevents: [" + ",".join(["1"] * 200_000) + "]\n"),
                       ("many.json", '{"id": "sm", "events": [' + ",".join(["1"] * 200_000)
                        + "]}")):
        (tmp_path / name).write_text(text)
        code, _, err = run(["check", str(tmp_path / name)], capsys)
        assert code == 2
        assert err.startswith(f"{tmp_path / name}:1:1: document holds more than"
                              f" {MAX_DOCUMENT_NODES:,} values")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_fifo_in_a_folder_is_skipped_with_a_word(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "good.yaml").write_text(GOOD, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "dsm5check", "check", str(tmp_path), "--format", "jsonl"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr == (f"{tmp_path / 'pipe.yaml'}:1:1: skipped: a named pipe (FIFO),"
                           " not a regular file\n")
    assert json.loads(proc.stdout)["id"] == "vet-014"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
@pytest.mark.parametrize("name", ["pipe.yaml", "pipe.jsonl", "pipe"])
def test_a_fifo_named_on_the_command_line_is_opened_once(tmp_path: Path, name: str) -> None:
    """A named pipe given by name is read (as <(...) is): opened once, since opening
    it again would wait for a writer that has already gone (a newcomer saw check
    hang forever in 2 runs of 10)."""
    import threading

    fifo = tmp_path / name
    os.mkfifo(fifo)
    text = GOOD.replace("id: vet-014", "id: piped") if name != "pipe.jsonl" else (
        json.dumps({"id": "piped", "ruleset": "dsm5-ptsd"}) + "\n")

    def write() -> None:
        with open(fifo, "w", encoding="utf-8") as fh:  # waits for the reader
            fh.write(text)

    for _ in range(5):  # the hang depended on timing: try a few times
        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        proc = subprocess.run(
            [sys.executable, "-m", "dsm5check", "check", str(fifo), "--format", "jsonl"],
            capture_output=True, text=True, timeout=60, check=False,
        )
        writer.join(timeout=10)
        assert "Traceback" not in proc.stderr
        assert json.loads(proc.stdout.splitlines()[0])["id"] == "piped", proc.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_each_input_is_opened_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The timing-free form of the test above: every way a path could be opened is
    counted, for a named pipe, a small and a large YAML file and a JSON Lines file."""
    import builtins
    import threading

    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 8000 + GOOD.replace("vet-014", "big"), encoding="utf-8")
    small = tmp_path / "small.yaml"
    small.write_text(GOOD.replace("vet-014", "small"), encoding="utf-8")
    lines = tmp_path / "cases.jsonl"
    lines.write_text(json.dumps({"id": "line", "ruleset": "dsm5-ptsd"}) + "\n",
                     encoding="utf-8")
    opened: list[str] = []
    real_os_open, real_open = os.open, builtins.open

    def os_open(path: object, *args: object, **kwargs: object) -> int:
        opened.append(str(path))
        return real_os_open(path, *args, **kwargs)  # type: ignore[arg-type]

    def any_open(path: object, *args: object, **kwargs: object) -> object:
        if not isinstance(path, int):
            opened.append(str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    def write() -> None:
        with real_open(fifo, "w", encoding="utf-8") as fh:
            fh.write(GOOD.replace("vet-014", "piped"))

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(builtins, "open", any_open)
    code, out, _ = run(["check", str(fifo), str(small), str(big), str(lines),
                        "--format", "jsonl"], capsys)
    monkeypatch.undo()
    writer.join(timeout=10)
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == [
        "piped", "small", "big", "line"]
    for path in (fifo, small, big, lines):
        assert opened.count(str(path)) == 1, (path, opened)


class _NoRead:
    """A file that must not be read."""

    def read(self, n: int = -1) -> bytes:  # pragma: no cover - the test fails if called
        raise AssertionError("read before sizing")


def test_files_are_sized_before_they_are_read() -> None:
    with pytest.raises(InputError) as err:
        read_bounded("huge.yaml", _NoRead(), MAX_FILE_BYTES + 1)  # type: ignore[arg-type]
    assert "file is larger than 256 MiB" in str(err.value)


def test_sparse_gigabyte_file_is_refused_without_reading_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as fh:
        fh.truncate(1 << 30)
    with pytest.raises(InputError):
        read_source(str(path))
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert err == f"{path}:1:1: not a text file: expected UTF-8 YAML or JSON\n"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_ends_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["check", "/dev/zero"], capsys)
    assert code == 2
    assert err == "/dev/zero:1:1: not a text file: expected UTF-8 YAML or JSON\n"


def test_a_folder_named_as_a_file_in_what_if(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    code, _, err = run(["what-if", str(tmp_path)], capsys)
    assert code == 2
    assert "is a folder, not a file" in err


@pytest.mark.parametrize("text", [
    "id: r\nx: &a [*a]\n",  # an alias inside itself
    "&a [*a, *a]\n",
    "id: q\n" + "a: [" * 3000 + "]" * 3000 + "\n",
])
def test_self_reference_and_depth(text: str, tmp_path: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert err.startswith(f"{path}:")


def test_a_problem_is_one_line_without_control_characters(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "esc.json"
    path.write_text(json.dumps({"id": "e", "symptoms": {"B1": "x\n\x1b[31mred"},
                                "k\x1b": 1}))
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert "\x1b" not in err
    assert all(line.startswith(f"{path}:") for line in err.splitlines())


@pytest.mark.parametrize("name, text, good", [
    # a YAML stream whose first document holds a NUL byte (fuzz, seed 2027): the
    # other documents are still checked
    ("first.yaml", b"id: a\x00b\nsymptoms: {B1: 3}\n---\nid: good-2\nsymptoms: {B1: 3}\n",
     ["good-2"]),
    ("first.jsonl", b'{"id": "a\x00"}\n{"id": "good-2", "symptoms": {"B1": 3}}\n', ["good-2"]),
    # JSON Lines not named .jsonl, its first line broken by the NUL: the second says
    # what the file is (a newcomer's finding: the whole file was refused)
    ("first.json", b'{"id": "a",\x00"x": 1}\n{"id": "good-2", "symptoms": {"B1": 3}}\n',
     ["good-2"]),
    ("later.yaml", b"id: good-1\n---\nid: g\x00\n---\nid: good-3\n", ["good-1", "good-3"]),
    # a second newcomer's findings: a NUL as a line's first byte, two in a short file
    ("first-byte.json", b'\x00{"id": "a"}\n{"id": "good-2", "symptoms": {"B1": 3}}\n',
     ["good-2"]),
    ("first-two.json", b'{"id":\x00\x00 "a"}\n{"id": "good-2", "symptoms": {"B1": 3}}\n',
     ["good-2"]),
    ("first-two.yaml", b"id: a\x00\x00\n---\nid: good-2\n", ["good-2"]),
])
def test_a_stray_nul_byte_is_its_lines_problem(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: bytes,
        good: list[str]) -> None:
    path = tmp_path / name
    path.write_bytes(text)
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert [json.loads(line)["id"] for line in out.splitlines()] == good
    line = 1 if name.startswith("first") else 3
    col = text.split(b"\n")[line - 1].index(b"\x00") + 1
    message = ("a NUL byte (binary data) in the line: expected one JSON object"
               if name.endswith((".jsonl", ".json"))
               else "a NUL byte (binary data) in the text: expected UTF-8 YAML or JSON")
    assert err.splitlines() == [f"{path}:{line}:{col}: {message}"]


@pytest.mark.parametrize("head", [
    b"\x00" * 4096,  # /dev/zero in a file
    "id: a\n".encode("utf-16-le"),  # UTF-16 without its byte-order mark
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "id: a\n".encode("utf-16-be"),
    "id: a\n".encode("utf-32-le"),
    b"\x00\n",  # a line of one NUL byte
    b"id: a\x00\x00 \x00\xff\xfe\n",  # NUL bytes and bytes that are no UTF-8
])
def test_binary_data_is_still_refused_whole(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], head: bytes) -> None:
    path = tmp_path / "data.yaml"
    path.write_bytes(head + b"\nid: after\n")
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert (code, out) == (2, "")
    assert err == f"{path}:1:1: not a text file: expected UTF-8 YAML or JSON\n"


def test_a_small_case_file_is_read_in_one_system_call(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file read whole asks for one byte more than its size (a file that grew is
    noticed); a read that gave the whole file is not followed by another one."""
    from dsm5check.cases.streams import iter_documents

    small = tmp_path / "small.yaml"
    small.write_text(GOOD, encoding="utf-8")
    reads: list[int] = []
    real = os.read

    def counted(fd: int, n: int) -> bytes:
        reads.append(n)
        return real(fd, n)

    monkeypatch.setattr(os, "read", counted)
    docs = list(iter_documents(str(small)))
    monkeypatch.undo()
    assert [type(d).__name__ for d in docs] == ["Document"]
    assert reads == [small.stat().st_size + 1]
