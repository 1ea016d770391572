"""Streams of cases: JSON Lines, YAML streams and JSON lists, read a case at a time.

A bad document is reported at file:line:col and the others are still checked;
results keep input order; ``check --format jsonl --with-input`` output is input.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dsm5check.cases.loading import LoadedCase, RulesetResolver, iter_cases
from dsm5check.cases.streams import iter_documents
from dsm5check.cases.yamlio import Document
from dsm5check.cli import main
from tests.conftest import EXAMPLES

GOOD_YAML = (EXAMPLES / "vet-014.yaml").read_text(encoding="utf-8")


def good(i: int, **extra: object) -> dict[str, object]:
    case: dict[str, object] = {
        "id": f"j{i}",
        "events": [{"nature": ["serious_injury"], "exposure": ["direct"]}],
        "symptoms": {"B1": 3, "C1": 2, "D1": 2, "D2": 3, "E1": 2, "E2": 2},
        "timeline": {"months_since_symptom_onset": 4},
        "impairment": True,
        "attributable_to_substance_or_medical": False,
    }
    case.update(extra)
    return case


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_jsonl_bad_line_reported_others_checked_in_order(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps(good(0)), json.dumps(good(1))[:-5], "", json.dumps(good(2)),
             json.dumps(good(3, symptoms={"B1": 9})), json.dumps(good(4))]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["j0", "j2", "j4"]
    problems = err.splitlines()
    assert problems[0].startswith(f"{path}:2:")
    assert "JSON syntax error" in problems[0]
    col = lines[4].index('"B1": 9') + len('"B1": ') + 1  # the 9, on its own line
    assert problems[1] == (f"{path}:5:{col}: got 9: expected less than or equal to 4"
                           " (at symptoms.B1)")
    assert len(problems) == 2


def test_jsonl_position_of_a_value_is_on_its_line(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "pos.jsonl"
    second = '{"id": "b", "symptoms": {"B1": 7}}'
    path.write_text('{"id": "a"}\n' + second + "\n", encoding="utf-8")
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    col = second.index("7") + 1
    assert err.startswith(f"{path}:2:{col}: got 7: expected less than or equal to 4")


def test_jsonl_duplicate_key_and_bad_utf8_lines(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dup.jsonl"
    path.write_bytes(b'{"id": "a", "id": "b"}\n{"id": "caf\xe9"}\n' +
                     json.dumps(good(5)).encode() + b"\n")
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["j5"]
    assert err.splitlines() == [
        f"{path}:1:13: duplicate key 'id' (first given on line 1); each key may appear once",
        f"{path}:2:12: byte 0xe9 is not UTF-8: save the file as UTF-8"
        " (it may be Latin-1 or Windows-1252)",
    ]


def test_stdin_jsonl_with_input_format() -> None:
    data = "\n".join(json.dumps(good(i)) for i in range(3)) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "dsm5check", "check", "-", "--input-format", "jsonl",
         "--format", "jsonl"],
        input=data, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(x)["id"] for x in proc.stdout.splitlines()] == ["j0", "j1", "j2"]


def test_stdin_jsonl_is_recognised_without_the_option() -> None:
    data = "\n".join(json.dumps(good(i)) for i in range(2)) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "dsm5check", "check", "-", "--format", "jsonl"],
        input=data, capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 2


def test_yaml_stream_bad_document_does_not_stop_the_rest(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    docs = [GOOD_YAML.replace("vet-014", f"y{i}") for i in range(4)]
    docs[1] = "id: y1\nsymptoms: {B1: [\n"  # a syntax error in the second case
    path = tmp_path / "stream.yaml"
    path.write_text("---\n".join(docs), encoding="utf-8")
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["y0", "y2", "y3"]
    n = GOOD_YAML.count("\n")
    assert err.startswith(f"{path}:{n + 4}:1: YAML syntax error")
    assert len(err.splitlines()) == 1


def test_yaml_stream_positions_are_file_positions(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("id: a\n---\n# comment\nid: b\nsymptoms:\n  B2: often\n", encoding="utf-8")
    code, _, err = run(["check", str(path)], capsys)
    assert code == 2
    assert err.startswith(f"{path}:6:7: got 'often'")


def test_json_list_is_read_element_by_element(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    cases = [good(i) for i in range(5)]
    cases[2]["symptoms"] = {"B1": 8}
    path = tmp_path / "list.json"
    path.write_text(json.dumps(cases, indent=1), encoding="utf-8")
    docs = [d for d in iter_documents(str(path)) if isinstance(d, Document)]
    assert [d.part for d in docs] == [True] * 5
    assert max(len(d.source) for d in docs) < 2 * len(json.dumps(cases[0], indent=1))
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["j0", "j1", "j3", "j4"]
    text = path.read_text()
    line = text[: text.index('"B1": 8')].count("\n") + 1
    assert err.startswith(f"{path}:{line}:")
    assert "(at [2].symptoms.B1)" in err


def test_json_list_broken_half_way_keeps_the_cases_before(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.json"
    text = json.dumps([good(0), good(1)], indent=1)
    path.write_text(text[: len(text) * 3 // 4], encoding="utf-8")
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["j0"]
    assert "JSON syntax error" in err and len(err.splitlines()) == 1


def test_round_trip_jsonl_output_is_input(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    """check --format jsonl --with-input, then the input taken back out, checks the same."""
    src = tmp_path / "in.yaml"
    src.write_text("---\n".join(GOOD_YAML.replace("vet-014", f"r{i}") for i in range(3)))
    code, out, _ = run(["check", str(src), "--format", "jsonl", "--with-input"], capsys)
    assert code == 0
    first = [json.loads(x) for x in out.splitlines()]
    again = tmp_path / "again.jsonl"
    again.write_text("".join(json.dumps(r["input"], default=str) + "\n" for r in first))
    code, out2, err = run(["check", str(again), "--format", "jsonl"], capsys)
    assert code == 0, err
    second = [json.loads(x) for x in out2.splitlines()]

    def verdicts(rs: list[dict[str, object]]) -> list[object]:
        return [(r["id"], r["diagnosis"], r["criteria"], r["specifiers"]) for r in rs]

    assert verdicts(first) == verdicts(second)


def test_iter_cases_is_lazy_and_ordered(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps(good(i)) + "\n" for i in range(50)))
    items = iter_cases([str(path), str(tmp_path / "missing.yaml")], RulesetResolver())
    first = next(items)
    assert isinstance(first, LoadedCase) and first.case.id == "j0"
    rest = list(items)
    assert [c.case.id for c in rest if isinstance(c, LoadedCase)] == [f"j{i}" for i in
                                                                       range(1, 50)]
    assert str(rest[-1]).endswith("missing.yaml:1:1: no such file or folder")


def test_duplicate_ids_across_a_stream(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dups.jsonl"
    path.write_text(json.dumps(good(1)) + "\n" + json.dumps(good(1)) + "\n")
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert len(out.splitlines()) == 1
    assert err.startswith(f"{path}:2:8: case id 'j1' already used in {path}:1")


def test_nul_on_a_later_line_is_that_line_only(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nul.jsonl"
    path.write_bytes(json.dumps(good(0)).encode() + b'\n{"id": "x\x00"}\n' +
                     json.dumps(good(2)).encode() + b"\n")
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["j0", "j2"]
    assert err == f"{path}:2:10: a NUL byte (binary data) in the line: expected one JSON object\n"


def test_small_files_read_whole_give_what_the_line_reader_gives(tmp_path: Path) -> None:
    """A small YAML file is split in memory; a large one line by line: same documents."""
    docs = [GOOD_YAML.replace("vet-014", f"w{i}") for i in range(3)]
    docs[1] = "id: w1\nsymptoms: {B1: [\n"
    docs.append("id: w3\nsymptoms:\n  B2: often\n")
    text = "---\n".join(docs)
    small, large = tmp_path / "small.yaml", tmp_path / "large.yaml"
    small.write_text(text)
    large.write_text(text + "---\n" + "# padding\n" * 200_000 + "id: w4\n")

    def shown(path: Path) -> list[str]:
        out = []
        for item in iter_documents(str(path)):
            if isinstance(item, Document):
                out.append(f"{item.line} {item.data.get('id')} {item.problems}")
                if item.data.get("id") == "w3":
                    out.append(str(item.problem(("symptoms", "B2"), "x")))
            else:
                out.append(str(item))
        return [x.replace(str(path), "F") for x in out]

    assert shown(large)[:-1] == shown(small)
    assert len(shown(small)) == 5


def test_jsonl_line_cut_short_is_reported_on_its_own_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_text('{"id": 1e309 \r\n' + json.dumps(good(1)) + "\n")
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert err == f"{path}:1:14: JSON syntax error: Expecting ',' delimiter\n"
    assert len(out.splitlines()) == 1


def test_yaml_stream_with_binary_in_one_document(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """UTF-16 text pasted into the middle of a stream loses that case only."""
    docs = [GOOD_YAML.replace("vet-014", f"b{i}").encode() for i in range(3)]
    docs[1] = "id: b1\n".encode("utf-16")
    path = tmp_path / "mixed.yaml"
    path.write_bytes(b"---\n".join(d if d.endswith(b"\n") else d + b"\n" for d in docs))
    code, out, err = run(["check", str(path), "--format", "jsonl"], capsys)
    assert code == 2
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["b0", "b2"]
    assert len(err.splitlines()) == 1 and f"{path}:{GOOD_YAML.count(chr(10)) + 2}:" in err


def test_a_folder_is_read_files_first_then_subfolders_each_in_name_order(
        tmp_path: Path) -> None:
    """docs/case-format.md: a folder's files in name order, then its subfolders."""
    case = (Path(__file__).parent.parent / "examples" / "vet-014.yaml").read_text(
        encoding="utf-8")
    for rel in ("d.yaml", "b.yaml", "c/y.yaml", "a/x.yaml", "a/z/w.yaml", "a/v.yaml"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(case.replace("id: vet-014", f"id: {rel}"), encoding="utf-8")
    items = list(iter_cases([str(tmp_path)], RulesetResolver()))
    assert [i.case.id for i in items if isinstance(i, LoadedCase)] == [
        "b.yaml", "d.yaml", "a/v.yaml", "a/x.yaml", "a/z/w.yaml", "c/y.yaml"]


@pytest.mark.parametrize("how", ["small file", "large file", "stdin"])
def test_a_directive_after_an_end_marker_belongs_to_the_next_document(
        tmp_path: Path, how: str) -> None:
    """A newcomer's finding: a valid stream (a case, ``...``, ``%YAML 1.2``, ``---``,
    a case) got "YAML syntax error: did not find expected <document start>". The
    directive is now read with the document after it, and positions stay right."""
    case = (Path(__file__).parent.parent / "examples" / "vet-014.yaml").read_text(
        encoding="utf-8")
    pad = "# padding\n" * (8000 if how == "large file" else 0)
    second = case.replace("id: vet-014", "id: second").replace(
        "ruleset: dsm5-ptsd", "ruleset: dsm5-ptsd\nunknown_key: 1", 1)
    text = (f"%YAML 1.1\n---\n{pad}{case.replace('id: vet-014', 'id: first')}...\n"
            f"# the next one\n%YAML 1.2\n\n---\n{second}")
    path = tmp_path / "stream.yaml"
    path.write_text(text, encoding="utf-8")
    bad_line = text.splitlines().index("unknown_key: 1") + 1
    args = [sys.executable, "-m", "dsm5check", "check", "-" if how == "stdin" else str(path),
            "--format", "jsonl"]
    proc = subprocess.run(args, input=text if how == "stdin" else None, capture_output=True,
                          text=True, timeout=120, check=False)
    name = "<stdin>" if how == "stdin" else str(path)
    assert [json.loads(line)["id"] for line in proc.stdout.splitlines()] == ["first"]
    assert proc.stderr.startswith(f"{name}:{bad_line}:1: "), proc.stderr
    assert "unknown_key" in proc.stderr and "syntax" not in proc.stderr
