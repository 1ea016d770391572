"""quick_init (dsm5check/frozen.py): the same objects as the dataclass's own __init__."""

from __future__ import annotations

import dataclasses
import inspect
import pickle

import pytest

from dsm5check.cases.loading import LoadedCase
from dsm5check.cases.yamlio import Document
from dsm5check.engine.results import CaseResult, CriterionResult, SpecifierResult
from dsm5check.frozen import quick_init


def _pair() -> tuple[type, type]:
    def make() -> type:
        @dataclasses.dataclass(frozen=True, slots=True)
        class Rec:
            a: int
            b: str = "b"
            c: list[int] = dataclasses.field(default_factory=list)
            d: int = dataclasses.field(default=4, init=False)
        return Rec
    return make(), quick_init(make())


@pytest.mark.parametrize("args,kwargs", [((1,), {}), ((1, "x"), {}), ((1,), {"c": [2]}),
                                          ((), {"a": 3, "b": "y", "c": [1, 2]})])
def test_the_same_values_as_the_dataclass(args: tuple, kwargs: dict) -> None:
    plain, quick = _pair()
    want, got = plain(*args, **kwargs), quick(*args, **kwargs)
    assert dataclasses.astuple(got) == dataclasses.astuple(want)
    assert repr(got).split("(", 1)[1] == repr(want).split("(", 1)[1]


def test_the_same_signature_and_the_same_errors() -> None:
    plain, quick = _pair()
    def params(cls: type) -> list[tuple[str, str, str]]:
        return [(p.name, repr(p.default), str(p.kind))
                for p in inspect.signature(cls).parameters.values()]

    assert params(quick) == params(plain)
    with pytest.raises(TypeError):
        quick()
    with pytest.raises(TypeError):
        quick(1, b="x", e=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick(1).a = 2  # type: ignore[misc]


def test_a_factory_default_is_made_fresh_each_time() -> None:
    _, quick = _pair()
    first, second = quick(1), quick(1)
    assert first.c == [] and first.c is not second.c
    assert first.d == 4


def test_refused_where_it_would_differ() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclasses.dataclass(frozen=True, slots=True)
    class Post:
        a: int

        def __post_init__(self) -> None:
            pass

    for cls in (NoSlots, Post):
        with pytest.raises(TypeError):
            quick_init(cls)


def test_the_records_a_batch_makes_keep_their_behaviour() -> None:
    c = CaseResult("x", "r", "v", "h", "met", None, (), (), None, False, ())  # type: ignore[arg-type]
    assert (c.file, c.line, c.index_title) == ("", 1, "Index element")
    assert pickle.loads(pickle.dumps(c)) == c
    assert dataclasses.replace(c, line=5).line == 5
    crit = CriterionResult("A", "t", "met", None)  # type: ignore[arg-type]
    assert crit.name is None and crit == CriterionResult("A", "t", "met", None)  # type: ignore[arg-type]
    spec = SpecifierResult("s", "t", "DSM-5", "met", None, "met")  # type: ignore[arg-type]
    assert hash(spec) == hash(SpecifierResult("s", "t", "DSM-5", "met", None, "met"))  # type: ignore[arg-type]
    doc = Document("f", {}, 0, 1, "text")
    assert doc._tree == [] and Document("f", {}, 0, 1, "text")._tree is not doc._tree
    assert LoadedCase(None, None, doc).doc is doc  # type: ignore[arg-type]
