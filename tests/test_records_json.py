"""The JSON text `check` writes per case (render.records.record_json, built from
pieces for speed) is byte for byte the encoding of the contract's record
(render.records.case_record) — for every shipped, test and generated case, read
by its own set and by every other shipped set."""

from __future__ import annotations

import itertools
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsm5check.cases.loading import LoadedCase, RulesetResolver, iter_cases
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped, shipped_ids
from dsm5check.engine.results import CaseResult
from dsm5check.render.records import case_record, record_json
from tests.conftest import EXAMPLES, ROOT

REFERENCE = json.JSONEncoder(ensure_ascii=False, default=str).encode
FOLDERS = [ROOT / "tests" / "cases", ROOT / "tests" / "golden" / "cases", EXAMPLES,
           ROOT / "dsm5check" / "vignettes"]


def results(paths: list[str], resolver: RulesetResolver) -> Iterator[CaseResult]:
    for item in iter_cases(paths, resolver):
        if isinstance(item, LoadedCase):
            yield evaluate(item.ruleset, item.case, file=item.doc.file, line=item.doc.line)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_check import make_case
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    out = tmp_path_factory.mktemp("generated")
    rng = random.Random(5)
    for i in range(120):
        (out / f"case-{i:03d}.yaml").write_text(make_case(i, rng), encoding="utf-8")
    # text a JSON encoder must escape, and letters beyond ASCII (written as they are)
    (out / "ünïcode \"quoted\".yaml").write_text(
        'id: "café \\"ü\\" \\\\ tab\\t"\nsymptoms: {B1: 3}\n', encoding="utf-8")
    return out


def test_same_bytes_as_the_contract_record(generated: Path) -> None:
    paths = [str(f) for f in FOLDERS] + [str(generated)]
    seen = 0
    kinds: set[str] = set()
    for r in results(paths, RulesetResolver()):
        assert record_json(r) == REFERENCE(case_record(r)), r.case_id
        seen += 1
        kinds.add(r.diagnosis)
        kinds.update("expected" for _ in r.mismatches[:1])
        kinds.update("index" for _ in [r.index_element] if r.index_element is not None)
    assert seen > 250
    assert kinds >= {"met", "not_met", "indeterminate", "expected", "index"}


@pytest.mark.parametrize("rid", shipped_ids())
def test_same_bytes_read_by_every_set(rid: str) -> None:
    resolver = RulesetResolver(shipped(rid))
    paths = [str(ROOT / "tests" / "cases"), str(EXAMPLES)]
    seen = 0
    # the first 12 cases of each set (what-if records make some sets slow to explain)
    for r in itertools.islice(results(paths, resolver), 12):
        assert record_json(r) == REFERENCE(case_record(r)), (rid, r.case_id)
        seen += 1
    assert seen > 10
