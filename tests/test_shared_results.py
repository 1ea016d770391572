"""Results shared between cases (engine/shared.py) change nothing but the cost.

Interned results equal results made fresh for each case; every output (text,
JSON, JSON Lines) is the same with sharing on and off; the number of shared
results never passes the cap; a table that does not pay its way stops."""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from dsm5check.cases.loading import LoadedCase, RulesetResolver, iter_cases
from dsm5check.check.batch import check_paths
from dsm5check.engine import shared
from dsm5check.engine.evaluate import evaluate
from dsm5check.engine.registry import shipped
from dsm5check.engine.results import CaseResult, NodeResult
from dsm5check.render.records import case_record, record_json
from tests.conftest import EXAMPLES, ROOT

FOLDERS = [ROOT / "tests" / "cases", ROOT / "tests" / "golden" / "cases", EXAMPLES]


@pytest.fixture(autouse=True)
def _fresh_tables() -> Iterator[None]:
    shared.set_sharing(True)
    yield
    shared.set_sharing(True)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cases that repeat answers as a real batch does (the benchmark's generator)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_check import make_case
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    out = tmp_path_factory.mktemp("generated")
    rng = random.Random(12)
    for i in range(80):
        (out / f"case-{i:03d}.yaml").write_text(make_case(i, rng), encoding="utf-8")
    return out


def _loaded(paths: list[str], rules: str | None = None) -> list[LoadedCase]:
    resolver = RulesetResolver(shipped(rules) if rules else None)
    return [c for c in iter_cases(paths, resolver) if isinstance(c, LoadedCase)]


def _results(cases: list[LoadedCase]) -> list[CaseResult]:
    return [evaluate(c.ruleset, c.case, file=c.doc.file, line=c.doc.line) for c in cases]


def _nodes(node: NodeResult) -> Iterator[NodeResult]:
    yield node
    for kid in node.children:
        yield from _nodes(kid)


def _outputs(paths: list[str], rules: str | None = None, formats: tuple[str, ...] = (
        "text", "json", "jsonl")) -> dict[str, str]:
    out = {}
    for fmt in formats:
        detail = fmt == "text"
        buf = io.StringIO()
        check_paths(paths, fmt=fmt, rules_file=rules, detail=detail, out=buf, jobs=1)
        out[fmt] = buf.getvalue()
    return out


def test_interned_results_equal_fresh_ones(generated: Path) -> None:
    paths = [str(f) for f in FOLDERS] + [str(generated)]
    cases = _loaded(paths)
    shared.set_sharing(False)
    fresh = _results(cases)
    shared.set_sharing(True)
    first, again = _results(cases), _results(cases)  # the second run is mostly hits
    assert first == fresh
    assert again == fresh
    for r, f in zip(again, fresh, strict=True):
        assert record_json(r) == record_json(f), r.case_id
        assert case_record(r) == case_record(f), r.case_id
        for c, cf in zip(r.criteria, f.criteria, strict=True):
            assert c.reason == cf.reason
            for n, nf in zip(_nodes(c.node), _nodes(cf.node), strict=True):
                assert n.reason == nf.reason
                assert n.title == nf.title
    assert len(shared.MEMOS) > 0


def test_repeated_answers_share_one_result(generated: Path) -> None:
    cases = _loaded([str(generated)])[:50]
    on = _results(cases)
    item_results = {id(n) for r in on for n in _nodes(r.criterion("B").node) if n.kind == "item"}
    assert len(item_results) < 50 * 5 / 2  # 50 cases, five B items each: mostly shared
    shared.set_sharing(False)
    off = _results(cases)
    fresh = {id(n) for r in off for n in _nodes(r.criterion("B").node) if n.kind == "item"}
    assert len(fresh) == 50 * 5  # each case its own
    assert not shared.MEMOS


def test_outputs_same_without_sharing(generated: Path) -> None:
    paths = [str(f) for f in FOLDERS] + [str(generated)]
    shared.set_sharing(False)
    off = _outputs(paths)
    shared.set_sharing(True)
    on = _outputs(paths)
    assert on == off
    assert _outputs(paths) == off  # with the tables filled by the first run


@pytest.mark.parametrize("rules", ["icd11-ptsd", "dsm4tr-ptsd"])
def test_outputs_same_without_sharing_under_another_set(rules: str) -> None:
    """Cases read by another set (through its crosswalk, where it has one)."""
    paths = [str(ROOT / "tests" / "cases" / rules), str(EXAMPLES)]
    shared.set_sharing(False)
    off = _outputs(paths, rules, ("jsonl",))
    shared.set_sharing(True)
    assert _outputs(paths, rules, ("jsonl",)) == off
    assert _outputs(paths, "dsm5-ptsd", ("jsonl",)) == _outputs(paths, "dsm5-ptsd", ("jsonl",))


def test_cap_respected(generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = [str(generated)]
    cases = _loaded(paths)
    shared.set_sharing(False)
    fresh = _results(cases)
    want = _outputs(paths, formats=("jsonl",))
    monkeypatch.setattr(shared, "CAP", 40)
    shared.set_sharing(True)
    assert _results(cases) == fresh
    assert 0 < len(shared.MEMOS) <= 40
    assert _outputs(paths, formats=("jsonl",)) == want
    assert len(shared.MEMOS) <= 40


def test_a_table_that_does_not_pay_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "TRIES", 16)
    table = shared.Table()
    for i in range(16):
        assert table.live
        table.add(i, object())
    assert not table.live  # sixteen look-ups, no hit
    paying = shared.Table()
    kept = object()
    paying.add("k", kept)
    for _ in range(40):
        assert paying.entries.get("k") is kept
        paying.hits += 1
    for i in range(16):
        paying.add(i, object())
    assert paying.live


def test_memo_holds_its_result() -> None:
    """A registered result stays alive, so its id() names it alone."""
    table = shared.Table()
    table.add("k", [1, 2])  # nothing else holds the list
    obj = table.entries["k"]
    memo = shared.memo(obj)
    assert memo is not None and memo.obj is obj
    shared.clear()
    assert shared.memo(obj) is None and not table.entries


def test_specifiers_of_a_diagnosis_not_met_are_evaluated_when_read(
        generated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import copy
    import pickle

    from dsm5check.engine import evaluate as engine
    from dsm5check.engine.results import LazySpecifierResult, SpecifierResult

    cases = _loaded([str(generated)])
    lazy = _results(cases)
    monkeypatch.setattr(engine, "LAZY_SPECIFIERS", False)
    eager = _results(cases)
    not_met = [(r, e) for r, e in zip(lazy, eager, strict=True) if r.diagnosis == "not_met"]
    assert not_met
    for r, e in not_met:
        assert all(type(s) is LazySpecifierResult for s in r.specifiers)
        assert all(type(s) is SpecifierResult for s in e.specifiers)
        assert record_json(r) == record_json(e)
        assert r == e and e == r  # reads every lazy node
        for s, se in zip(r.specifiers, e.specifiers, strict=True):
            assert s.node == se.node and s.reason == se.reason
            back = pickle.loads(pickle.dumps(s))
            assert type(back) is SpecifierResult and back == se
            assert copy.copy(s) == se
