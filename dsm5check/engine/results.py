"""Frozen result records returned by the engine; renderers only read them.

Reasons are derived on demand from the stored counts and values, so a batch
run that only needs statuses does not pay for sentences it never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from dsm5check.engine.outcome import MET as MET
from dsm5check.engine.outcome import NOT_MET as NOT_MET
from dsm5check.engine.outcome import UNKNOWN as UNKNOWN
from dsm5check.engine.outcome import ResultKind
from dsm5check.engine.outcome import Status as Status
from dsm5check.engine.reasons import needed_inputs, needed_names, reason_for
from dsm5check.frozen import quick_init


class NodeResult(NamedTuple):
    """The outcome of one rule node, with what it was decided on.

    Immutable (a named tuple: a batch builds ~70 per case, and a tuple is three
    times cheaper to make than a frozen dataclass). ``detail`` is never mutated
    after the engine creates it.
    """

    kind: ResultKind
    status: Status
    name: str  # what the node is about: an item id, a fact path, a label
    children: tuple[NodeResult, ...] = ()
    id: str | None = None
    label: str | None = None
    detail: Mapping[str, Any] = MappingProxyType({})

    @property
    def reason(self) -> str:
        return reason_for(self)

    @property
    def title(self) -> str:
        if self.kind == "item" and self.label and not self.id:
            return f"{self.name} {self.label}"
        if self.id and self.label:
            return f"{self.id} {self.label}"
        return self.id or self.label or self.name


@quick_init
@dataclass(frozen=True, slots=True)
class CriterionResult:
    id: str
    title: str
    status: Status
    node: NodeResult
    name: str | None = None  # plain words shown instead of an id readers do not know

    @property
    def label(self) -> str:
        """How text for people names the criterion where it stands alone."""
        return self.name or self.id

    @property
    def heading(self) -> str:
        """The criterion's line heading: 'B Intrusion symptoms', or the title alone
        when the id is not shown to people."""
        return self.title if self.name else f"{self.id} {self.title}"

    @property
    def reason(self) -> str:
        return self.node.reason


@quick_init
@dataclass(frozen=True, slots=True)
class SpecifierResult:
    id: str
    title: str
    source: str
    status: Status
    node: NodeResult  # the specifier's own rule
    diagnosis: Status  # specifiers apply only when the diagnosis is met

    @property
    def reason(self) -> str:
        if self.diagnosis != MET and self.status != MET:
            if self.diagnosis == NOT_MET:
                return "does not apply: the diagnosis is not met"
            if self.node.status == NOT_MET:
                return self.node.reason
            return f"depends on the diagnosis, which is undecided; own rule: {self.node.reason}"
        return self.node.reason


#: the slot that holds a specifier result's node
_NODE_SLOT: Any = SpecifierResult.__dict__["node"]


class LazySpecifierResult(SpecifierResult):
    """A specifier of a diagnosis that is not met: its status and reason do not
    depend on its own rule ("does not apply"), so the rule is evaluated only when
    something reads ``node`` (most runs never do). Equal to, and used as, the
    :class:`SpecifierResult` it stands for."""

    __slots__ = ("_later",)
    _later: Callable[[], NodeResult] | None

    def __init__(self, id: str, title: str, source: str, status: Status,
                 later: Callable[[], NodeResult], diagnosis: Status) -> None:
        # each field through its slot's own setter (see frozen.py): five of these a case
        _SET_ID(self, id)
        _SET_TITLE(self, title)
        _SET_SOURCE(self, source)
        _SET_STATUS(self, status)
        _SET_DIAGNOSIS(self, diagnosis)
        _SET_LATER(self, later)

    @property
    def node(self) -> NodeResult:
        later = self._later
        if later is None:
            found: NodeResult = _NODE_SLOT.__get__(self)
            return found
        found = later()
        _NODE_SLOT.__set__(self, found)
        object.__setattr__(self, "_later", None)  # what it needed can go
        return found

    @node.setter
    def node(self, value: NodeResult) -> None:  # for copy and replace()
        _NODE_SLOT.__set__(self, value)
        object.__setattr__(self, "_later", None)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SpecifierResult):
            return NotImplemented
        return _fields(self) == _fields(other)

    def __hash__(self) -> int:
        return hash(_fields(self))

    def __reduce__(self) -> tuple[Any, ...]:  # pickled as the plain record it stands for
        return (SpecifierResult, _fields(self))


_SET_ID, _SET_TITLE, _SET_SOURCE, _SET_STATUS, _SET_DIAGNOSIS = (
    SpecifierResult.__dict__[name].__set__
    for name in ("id", "title", "source", "status", "diagnosis"))
_SET_LATER = LazySpecifierResult.__dict__["_later"].__set__


def _fields(s: SpecifierResult) -> tuple[Any, ...]:
    return (s.id, s.title, s.source, s.status, s.node, s.diagnosis)


@dataclass(frozen=True, slots=True)
class Mismatch:
    what: str  # "diagnosis", "criteria.F", "specifiers"
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.what}: expected {_show(self.expected)}, got {_show(self.actual)}"

    def as_record(self) -> dict[str, Any]:
        return {"what": self.what, "expected": self.expected, "actual": self.actual}


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(value) + "]" if value else "none"
    return str(value)


@quick_init
@dataclass(frozen=True, slots=True)
class CaseResult:
    case_id: str
    ruleset_id: str
    ruleset_version: str
    ruleset_sha256: str
    diagnosis: Status
    diagnosis_node: NodeResult
    criteria: tuple[CriterionResult, ...]
    specifiers: tuple[SpecifierResult, ...]
    index_element: str | None
    expected_checked: bool
    mismatches: tuple[Mismatch, ...]
    file: str = ""
    line: int = 1
    diagnosis_title: str = "diagnosis"
    index_title: str = "Index element"

    @property
    def applied_specifiers(self) -> list[str]:
        return [s.id for s in self.specifiers if s.status == MET]

    @property
    def undecided_specifiers(self) -> list[str]:
        """With the diagnosis met: specifiers whose own rule lacks information.

        They are not in ``applied_specifiers`` (nothing shows that they apply),
        but a reader should know the answer is "unknown", not "no"."""
        if self.diagnosis != MET:
            return []
        return [s.id for s in self.specifiers if s.status == UNKNOWN]

    @property
    def matched(self) -> bool | None:
        return None if not self.expected_checked else not self.mismatches

    def criterion(self, cid: str) -> CriterionResult:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    def specifier(self, sid: str) -> SpecifierResult:
        for s in self.specifiers:
            if s.id == sid:
                return s
        raise KeyError(sid)

    def to_dict(self) -> dict[str, Any]:
        """Exactly this case's element of ``check --format json`` (the contract)."""
        from dsm5check.render.records import case_record

        return case_record(self)


def needed_for_diagnosis(result: CaseResult, *, words: bool = False) -> dict[str, list[str]]:
    """For an undecided diagnosis: per undecided criterion, the answers it needs
    (as field paths, or in words with ``words=True``)."""
    if result.diagnosis != UNKNOWN:
        return {}
    pick = needed_names if words else needed_inputs
    return {c.id: pick(c.node) for c in result.criteria if c.status == UNKNOWN}
