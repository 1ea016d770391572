"""A case id written unquoted as a number, date or yes/no is the text written
(README: "a number is read as text"; docs/case-format.md): ``id: 007`` is "007",
never 7, in the fast reader, the full YAML reader and JSON alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dsm5check.cases import yamlio, yamlplain
from dsm5check.cases.streams import iter_documents
from dsm5check.cases.yamlio import Document
from dsm5check.cli import main
from tests.test_yamlplain import full_reader_only

BODY = "events: []\n"
WRITTEN = ["007", "0x1F", "1_000", "2024-03-02", "2024-03-02 10:00:00", "1.50", "1e3",
           "+5", "-0", ".inf", "1:30", "0o17", "true", "No", "7"]


def _ids(text: str) -> list[object]:
    return [d.data["id"] for d in yamlio.iter_yaml("c.yaml", text)]


@pytest.mark.parametrize("written", WRITTEN)
def test_unquoted_id_is_kept_as_written_by_both_readers(written: str) -> None:
    texts = [f"id: {written}\n{BODY}",
             f"id: {written}  # a comment\n{BODY}",
             f"{BODY}id: {written}\n",
             f"title: \"the full reader's layout\"\nid: {written}\n{BODY}",
             f"id: {written}\n{BODY}---\nid: {written}\n{BODY}"]
    for text in texts:
        fast = _ids(text)
        with full_reader_only():
            full = _ids(text)
        assert fast == full == [written] * len(fast), text
    assert yamlplain.plain_document(texts[0]) is not None  # the fast reader took it


def test_the_full_readers_other_builder_keeps_it_too() -> None:
    # a merge key sends the document to PyYAML's constructor (yamlbuild: Unusual)
    assert _ids("base: &b {a: 1}\nm:\n  <<: *b\nid: 0x1F\n") == ["0x1F"]


def test_quoted_and_null_ids_are_unchanged() -> None:
    assert _ids(f"id: '007'\n{BODY}") == ["007"]
    assert _ids(f'id: "0x1F"\n{BODY}') == ["0x1F"]
    assert _ids(f"id: ~\n{BODY}") == [None]  # no id: still refused as missing
    assert _ids(f"id: [1]\n{BODY}") == [[1]]  # a list is not an id (refused by the format)
    # ids of events are not case ids: left as the YAML reader reads them
    assert yamlio.iter_yaml("c.yaml", "id: a\nevents:\n  - id: 007\n").__next__().data[
        "events"] == [{"id": 7}]


def _check(capsys: pytest.CaptureFixture[str], *paths: Path,
           ) -> tuple[int, list[dict[str, object]], str]:
    code = main(["check", "--format", "jsonl", *map(str, paths)])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_check_reports_the_id_as_written(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    paths = []
    for i, written in enumerate(["007", "0x1F", "1_000", "2024-03-02", "1.50", "true"]):
        path = tmp_path / f"c{i}.yaml"
        path.write_text(f"id: {written}\n{BODY}", encoding="utf-8")
        paths.append(path)
    code, records, err = _check(capsys, *paths)
    assert (code, err) == (0, "")
    assert [r["id"] for r in records] == ["007", "0x1F", "1_000", "2024-03-02", "1.50", "true"]


def test_ids_007_and_7_are_two_cases(tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(f"id: 007\n{BODY}", encoding="utf-8")
    b.write_text(f"id: 7\n{BODY}", encoding="utf-8")
    code, records, err = _check(capsys, a, b)
    assert (code, err) == (0, "")
    assert [r["id"] for r in records] == ["007", "7"]
    # the same id written the same way twice is still a repeated id
    b.write_text(f"id: 007\n{BODY}", encoding="utf-8")
    code, _, err = _check(capsys, a, b)
    assert code == 2 and "case id '007' already used" in err


@pytest.mark.parametrize("name", ["cases.json", "cases.jsonl"])
def test_json_numbers_and_booleans_as_ids_keep_their_text(
        tmp_path: Path, name: str) -> None:
    written = ["1.50", "1e3", "2.0E+0", "7", "true", "false"]
    objects = [f'{{"id": {w}, "events": [{{"id": 1.50}}]}}' for w in written]
    path = tmp_path / name
    path.write_text("[" + ",\n".join(objects) + "]\n" if name.endswith(".json")
                    else "\n".join(objects) + "\n", encoding="utf-8")
    docs = [d for d in iter_documents(str(path)) if isinstance(d, Document)]
    assert [d.data["id"] for d in docs] == written
    assert all(d.data["events"] == [{"id": 1.5}] for d in docs)  # only the case's id


def test_a_long_json_list_keeps_id_text(tmp_path: Path) -> None:
    """A JSON list read element by element (streams.py) keeps ids as written too."""
    path = tmp_path / "many.json"
    path.write_text("[" + ",\n".join(
        f'{{"id": {i}.50, "note_": "{"x" * 200}"}}' for i in range(2000)) + "]",
        encoding="utf-8")
    ids = [d.data["id"] for d in iter_documents(str(path)) if isinstance(d, Document)]
    assert ids == [f"{i}.50" for i in range(2000)]
