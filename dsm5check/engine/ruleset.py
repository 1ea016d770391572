"""A criteria set ("ruleset"): items, criteria, diagnosis rule and specifiers.

Loaded from YAML into frozen pydantic models that forbid unknown keys, then
checked for consistency (every reference resolves, no cycles). All clinical
wording lives in the YAML; nothing here knows a criterion id. The sets shipped
with dsm5check are found and loaded here too (``shipped``), because checking a
crosswalk loads the shipped set it reads; ``registry.py`` names rulesets for
the command line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dsm5check.engine.kinds import located_children
from dsm5check.engine.rules_model import (
    CriterionNode,
    FactNode,
    ForAnyNode,
    ItemNode,
    MonthsNode,
    NodeModel,
    Rule,
)
from dsm5check.errors import InputError, Problem
from dsm5check.interview.spec import InterviewSpec

DIAGNOSIS = "diagnosis"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True,
                              defer_build=True)


class Source(_Frozen):
    citation: str = Field(description="The work the criteria paraphrase, e.g. DSM-5 (APA, 2013).")
    note: str | None = None
    url: str | None = None


class Scale(_Frozen):
    """An answer scale: integer ratings from `min` to `max` with anchor labels."""

    min: int = 0
    max: int = 4
    labels: dict[int, str] = Field(default_factory=dict, description="Short anchor per rating.")

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"scale min {self.min} must be below max {self.max}")
        stray = [k for k in self.labels if not self.min <= k <= self.max]
        if stray:
            raise ValueError(f"labels {stray} lie outside {self.min}..{self.max}")
        return self


class FactWords(_Frozen):
    """How results name a case fact the rules read, and its values, in words."""

    name: str = Field(description="The fact in words, e.g. 'what the event involved'.")
    values: dict[str, str] = Field(
        default_factory=dict, description="Each value in words, e.g. direct: it happened to them."
    )


class Item(_Frozen):
    """One answer item: a symptom, a dissociation item, a rating."""

    id: str
    section: str = Field(
        "symptoms", description="Where a case gives the answer: symptoms or dissociation."
    )
    group: str | None = Field(None, description="Cluster the item belongs to, for display.")
    text: str = Field(description="Our paraphrase of what the item means.")
    short: str | None = Field(None, description="A few words naming the item in results.")
    prompt: str | None = Field(None, description="A short interview question in our own words.")
    help: str | None = Field(None, description="What to listen for when rating.")
    onset: Literal["began_after", "began_or_worsened_after"] | None = Field(
        None, description="What relation to the event the item needs to count."
    )
    teaching: tuple[str, ...] = Field((), description="Teaching notes and common pitfalls.")
    scale: str = Field("severity", description="Name of an answer scale of this ruleset.")
    impairment: bool = Field(
        False, description="A rating of the symptoms' impact on functioning, not a symptom:"
        " `score --missing prorate` and `zero` never fill it in (left blank, it stays"
        " missing).",
    )
    otherwise: Rule | None = Field(
        None, description="How to read the item from the case's other keys (facts only,"
        " e.g. the `impairment` ratings every case may give) when the case does not"
        " answer it: it decides only where the item is not given, and only when it is"
        " itself decided.",
    )


class Criterion(_Frozen):
    id: str
    title: str
    name: str | None = Field(
        None, description="A few plain words people see where the id would stand alone"
        " (e.g. 'several weeks' for the id duration); give one when the id is not a code"
        " readers know (A, B, Re). JSON keeps the id.",
    )
    text: str = Field(description="Our paraphrase of the criterion.")
    rule: Rule
    corresponds_to: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="For `learn --compare`: per shipped set id, the criteria of that set"
        " asking the same thing (an empty list: none does). Overrides the pairing the"
        " crosswalks imply; needed where no crosswalk links the two sets.",
    )

    @property
    def label(self) -> str:
        """How text for people names the criterion where it stands alone."""
        return self.name or self.id

    @property
    def heading(self) -> str:
        """'B Intrusion symptoms', or the title alone when the id is not shown."""
        return self.title if self.name else f"{self.id} {self.title}"
    teaching: tuple[str, ...] = ()
    interpretation: tuple[str, ...] = Field(
        (), description="Readings we chose where the source is silent; shown in explanations."
    )


class Coding(_Frozen):
    """A standard code for the diagnosis (e.g. for a FHIR export)."""

    system: str = Field(description="Code system URI, e.g. http://id.who.int/icd/release/11/mms.")
    code: str = Field(min_length=1, description="The code in that system, e.g. 6B40.")
    display: str | None = Field(None, description="The code system's name for it.")


class Diagnosis(_Frozen):
    title: str
    text: str | None = None
    rule: Rule
    code: str | None = None
    codes: tuple[Coding, ...] = Field(
        (), description="Standard codings of the diagnosis ({system, code, display})."
    )


class Specifier(_Frozen):
    id: str
    title: str
    source: str = Field(description="Which criteria set defines it, e.g. DSM-5 or DSM-IV-TR.")
    text: str
    rule: Rule
    teaching: tuple[str, ...] = ()
    interpretation: tuple[str, ...] = ()


class Crosswalk(_Frozen):
    """How this set reads a case coded in another set's items, where that is sound."""

    from_: str = Field(alias="from", pattern=r"^[a-z0-9][a-z0-9_.-]*$",
                       description="Id of the shipped ruleset whose items the case uses.")
    label: str = Field(description="How explanations name that set: 'from DSM-5 B2'.")
    note: str | None = None
    items: dict[str, Rule] = Field(
        description="Item of this set -> a rule over the other set's answers and the case's"
        " facts; an item not listed here is not assessed (code it natively)."
    )


class IndexElement(_Frozen):
    """How to pick the index element of a collection (the index event)."""

    collection: str = "events"
    name: str = Field("index_event", description="Fact path prefix the element is known by.")
    title: str = Field("Index element", description="What results call it, e.g. Index event.")
    flag: str | None = Field("index", description="Element key that marks it explicitly.")
    first_meeting: str | None = Field(
        None, description="Criterion whose `for_any` picks the first qualifying element."
    )


class AppliesTo(_Frozen):
    """Who a criteria set is for; a case outside it is refused, not judged."""

    text: str = Field(description="Who the set is for, in words, e.g. 'individuals older than 6'.")
    rule: Rule = Field(description="Met for cases inside; unknown (e.g. no age given) passes.")


class Ruleset(_Frozen):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str
    version: str
    source: Source
    disclaimer: str | None = None
    research_only: bool = Field(
        False, description="A research definition (e.g. subthreshold PTSD), never a diagnosis:"
        " results label its verdict a research label."
    )
    symptom_threshold: int = Field(
        2, description="Rating at or above which an item counts as present (CAPS-5 convention)."
    )
    excludes: tuple[Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")], ...] = Field(
        (), description="Ids of sets whose diagnosis is never given together with this one"
        " (ICD-11 PTSD is not given when Complex PTSD is met). Comparisons of two such sets"
        " show how the cases split between them, not agreement figures: agreement between"
        " diagnoses that exclude each other measures nothing.",
    )
    scales: dict[str, Scale] = Field(default_factory=lambda: {"severity": Scale()})
    items: tuple[Item, ...]
    criteria: tuple[Criterion, ...]
    diagnosis: Diagnosis
    specifiers: tuple[Specifier, ...] = ()
    index_element: IndexElement | None = None
    applies_to: AppliesTo | None = None
    interpretation: tuple[str, ...] = Field(
        (), description="Readings we chose for the whole set, shown in docs and explanations."
    )
    interview: InterviewSpec | None = Field(
        None, description="Optional: interview questions beyond the items (see docs/interview.md)."
    )
    facts: dict[str, FactWords] = Field(
        default_factory=dict,
        description="Optional: names in words of the facts the rules read, keyed by the fact"
        " path as the rules write it (event.nature, timeline.assessed); results show these"
        " instead of field paths. An item's sub-ratings are keyed item.rating.",
    )
    coding: str | None = Field(
        None, pattern=r"^[a-z0-9][a-z0-9_.-]*$",
        description="Name of the item vocabulary; sets sharing it read each other's cases"
        " natively, and `native:` blocks of a case are keyed by it. Default: the id.",
    )
    crosswalks: tuple[Crosswalk, ...] = Field(
        (), description="How this set reads cases coded in another set's items."
    )

    def exclusive_with(self, other: Ruleset) -> bool:
        """Whether the two sets' diagnoses are never given together (either says so)."""
        return other.id in self.excludes or self.id in other.excludes

    @property
    def vocabulary(self) -> str:
        """The coding a case's items must use to be read natively."""
        return self.coding or self.id

    def crosswalk_from(self, ruleset_id: str) -> Crosswalk | None:
        for cw in self.crosswalks:
            if cw.from_ == ruleset_id:
                return cw
        return None

    @cached_property
    def item_map(self) -> dict[str, Item]:
        return {i.id: i for i in self.items}

    @cached_property
    def item_groups(self) -> dict[str, tuple[str, ...]]:
        """Item ids by their group (cluster), groups and items in file order; the
        interview's default steps and the exported forms both read this."""
        groups: dict[str, list[str]] = {}
        for item in self.items:
            if item.group:
                groups.setdefault(item.group, []).append(item.id)
        return {g: tuple(ids) for g, ids in groups.items()}

    @cached_property
    def criterion_map(self) -> dict[str, Criterion]:
        return {c.id: c for c in self.criteria}

    @cached_property
    def sections(self) -> dict[str, dict[str, Item]]:
        out: dict[str, dict[str, Item]] = {}
        for item in self.items:
            out.setdefault(item.section, {})[item.id] = item
        return out

    def scale_of(self, item: Item) -> Scale:
        return self.scales[item.scale]


def walk(node: NodeModel) -> Iterator[NodeModel]:
    """Every node of a rule tree, depth first."""
    for _loc, found in walk_located(node, ()):
        yield found


def walk_located(
    node: NodeModel, loc: tuple[object, ...]
) -> Iterator[tuple[tuple[object, ...], NodeModel]]:
    """Every node of a rule tree with its key path in the file, depth first."""
    yield loc, node
    for at, child in located_children(node):
        yield from walk_located(child, (*loc, *at))


def _rules(rs: Ruleset) -> Iterator[tuple[tuple[object, ...], NodeModel]]:
    for i, c in enumerate(rs.criteria):
        yield ("criteria", i, "rule"), c.rule
    yield ("diagnosis", "rule"), rs.diagnosis.rule
    for i, s in enumerate(rs.specifiers):
        yield ("specifiers", i, "rule"), s.rule


def consistency_errors(rs: Ruleset) -> list[tuple[tuple[object, ...], str]]:
    """References that do not resolve, duplicate ids, cycles: (loc, message)."""
    errors: list[tuple[tuple[object, ...], str]] = []
    groups: tuple[tuple[str, list[str]], ...] = (
        ("items", [x.id for x in rs.items]),
        ("criteria", [x.id for x in rs.criteria]),
        ("specifiers", [x.id for x in rs.specifiers]),
    )
    for kind, ids in groups:
        seen: set[str] = set()
        for i, entry_id in enumerate(ids):
            if entry_id in seen:
                errors.append(((kind, i, "id"), f"duplicate id {entry_id!r} in {kind}"))
            seen.add(entry_id)
    for i, item in enumerate(rs.items):
        if item.scale not in rs.scales:
            errors.append(
                (("items", i, "scale"), f"unknown scale {item.scale!r}; known: {sorted(rs.scales)}")
            )
    if DIAGNOSIS in rs.criterion_map:
        errors.append((("criteria",), f"{DIAGNOSIS!r} is reserved for the diagnosis rule"))
    for i, item in enumerate(rs.items):
        if item.otherwise is None:
            continue
        for loc, node in walk_located(item.otherwise, ("items", i, "otherwise")):
            if not located_children(node) and not isinstance(node, FactNode | MonthsNode):
                errors.append((loc, "`otherwise` reads the case's facts, not items or"
                                    " criteria"))
    for top, rule in _rules(rs):
        for loc, node in walk_located(rule, top):
            if isinstance(node, ItemNode) and node.item not in rs.item_map:
                some = ", ".join(list(rs.item_map)[:8]) + (", ..." if len(rs.item_map) > 8 else "")
                errors.append(((*loc, "item"), (
                    f"unknown item {node.item!r}; expected an id listed under items ({some})"
                )))
            if isinstance(node, CriterionNode) and (
                node.criterion not in rs.criterion_map and node.criterion != DIAGNOSIS
            ):
                errors.append(((*loc, "criterion"), (
                    f"unknown criterion {node.criterion!r}; expected one of"
                    f" {', '.join([*rs.criterion_map, DIAGNOSIS])}"
                )))
    if rs.index_element and rs.index_element.first_meeting:
        crit = rs.criterion_map.get(rs.index_element.first_meeting)
        if crit is None or not isinstance(crit.rule, ForAnyNode):
            errors.append(
                (
                    ("index_element", "first_meeting"),
                    "expected a criterion whose rule is a for_any over the collection",
                )
            )
    if rs.interview is not None:
        errors.extend(rs.interview.problems({i.id: i.group for i in rs.items}))
    errors.extend(((("excludes", i), "a set's diagnosis cannot exclude itself; expected the"
                    " id of another set") for i, x in enumerate(rs.excludes) if x == rs.id))
    errors.extend(_crosswalk_errors(rs))
    errors.extend(_correspondence_errors(rs))
    errors.extend(_cycles(rs))
    errors.extend(_unused_or_repeated(rs))
    errors.extend(_fact_paths(rs))
    return errors


_CHECKING: set[str] = set()


def _crosswalk_errors(rs: Ruleset) -> list[tuple[tuple[object, ...], str]]:
    """A crosswalk maps items of this set from items and facts of a shipped set."""
    from dsm5check.cases.case import Case
    from dsm5check.engine.paths import path_problems

    errors: list[tuple[tuple[object, ...], str]] = []
    seen: set[str] = set()
    for i, cw in enumerate(rs.crosswalks):
        loc: tuple[object, ...] = ("crosswalks", i)
        if cw.from_ in seen:
            errors.append(((*loc, "from"), f"a second crosswalk from {cw.from_!r}"))
        seen.add(cw.from_)
        if cw.from_ == rs.id:
            errors.append(((*loc, "from"), "a crosswalk reads another set, not this one"))
            continue
        source = _source_rules(cw.from_)
        if isinstance(source, str):
            errors.append(((*loc, "from"), source))
            continue
        if source is not None and source.vocabulary == rs.vocabulary:
            errors.append(((*loc, "from"), (
                f"{cw.from_!r} shares this set's coding {rs.vocabulary!r}: it is read natively"
            )))
        for item_id, rule in cw.items.items():
            iloc = (*loc, "items", item_id)
            item = rs.item_map.get(item_id)
            if item is None:
                errors.append((iloc, f"unknown item {item_id!r}; expected an item of this set"))
                continue
            if item.section == "case":
                errors.append((iloc, (
                    f"item {item_id!r} is read from the case itself, whatever set the case is"
                    " coded in: it needs no crosswalk"
                )))
            for nloc, node in walk_located(rule, iloc):
                if isinstance(node, CriterionNode):
                    errors.append(((*nloc, "criterion"), (
                        "a crosswalk reads answers and facts, not criteria"
                    )))
                if isinstance(node, ItemNode) and source is not None and (
                    node.item not in source.item_map
                ):
                    errors.append(((*nloc, "item"), (
                        f"unknown item {node.item!r} of {cw.from_}; expected one of"
                        f" {', '.join(list(source.item_map)[:8])}, ..."
                    )))
            errors.extend(path_problems(rule, iloc, {}, Case))
    return errors


def _correspondence_errors(rs: Ruleset) -> list[tuple[tuple[object, ...], str]]:
    """`corresponds_to` names shipped sets and criteria they hold."""
    errors: list[tuple[tuple[object, ...], str]] = []
    for i, c in enumerate(rs.criteria):
        for other_id, ids in c.corresponds_to.items():
            loc: tuple[object, ...] = ("criteria", i, "corresponds_to", other_id)
            other = rs if other_id == rs.id else _source_rules(other_id)
            if isinstance(other, str):
                errors.append((loc, other))
                continue
            if other is None:
                continue
            for cid in ids:
                if cid not in other.criterion_map:
                    errors.append((loc, (
                        f"unknown criterion {cid!r} of {other_id}; expected one of"
                        f" {', '.join(other.criterion_map)}"
                    )))
    return errors


def _source_rules(ruleset_id: str) -> Ruleset | str | None:
    """The shipped ruleset a crosswalk reads (None while it is being checked itself,
    for crosswalks in both directions), or a message when there is none."""
    if ruleset_id in _CHECKING:
        return None
    if ruleset_id not in shipped_ids():
        return f"no shipped ruleset {ruleset_id!r}; known: {', '.join(shipped_ids())}"
    _CHECKING.add(ruleset_id)
    try:
        return shipped(ruleset_id).rules
    except InputError as err:
        return f"ruleset {ruleset_id!r} does not load: {err.problems[0].message}"
    finally:
        _CHECKING.discard(ruleset_id)


def _cycles(rs: Ruleset) -> list[tuple[tuple[object, ...], str]]:
    deps: dict[str, set[str]] = {}
    for c in rs.criteria:
        deps[c.id] = {n.criterion for n in walk(c.rule) if isinstance(n, CriterionNode)}
    deps[DIAGNOSIS] = {n.criterion for n in walk(rs.diagnosis.rule) if isinstance(n, CriterionNode)}
    state: dict[str, int] = {}
    found: list[tuple[tuple[object, ...], str]] = []

    def visit(name: str, trail: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            found.append((("criteria",), "criteria refer to each other in a cycle: "
                          + " -> ".join([*trail, name])))
            return
        state[name] = 1
        for dep in sorted(deps.get(name, ())):
            visit(dep, [*trail, name])
        state[name] = 2

    for name in deps:
        visit(name, [])
    return found[:1]


def _fact_paths(rs: Ruleset) -> list[tuple[tuple[object, ...], str]]:
    """Every fact path leads to a key of a case, and fits its comparison."""
    from dsm5check.cases.case import Case
    from dsm5check.engine.paths import follow, path_problems

    scope: dict[str, object] = {}
    spec = rs.index_element
    if spec is not None:
        found = follow(spec.collection, {}, Case) or []
        elements = [t for f in found for t in getattr(f, "__args__", ())]
        if elements:
            scope[spec.name] = elements[0]
    errors: list[tuple[tuple[object, ...], str]] = []
    for loc, rule in _rules(rs):
        errors.extend(path_problems(rule, loc, scope, Case))
    for i, item in enumerate(rs.items):
        if item.otherwise is not None:
            errors.extend(path_problems(item.otherwise, ("items", i, "otherwise"), {}, Case))
    if rs.applies_to is not None:
        errors.extend(path_problems(rs.applies_to.rule, ("applies_to", "rule"), scope, Case))
    return errors


def _unused_or_repeated(rs: Ruleset) -> list[tuple[tuple[object, ...], str]]:
    """A criterion nothing refers to, or one the diagnosis names twice, is almost
    surely a slip (e.g. A written where B was meant)."""
    errors: list[tuple[tuple[object, ...], str]] = []
    used: set[str] = set()
    for _loc, rule in _rules(rs):
        used.update(n.criterion for n in walk(rule) if isinstance(n, CriterionNode))
    if rs.index_element and rs.index_element.first_meeting:
        used.add(rs.index_element.first_meeting)
    for i, c in enumerate(rs.criteria):
        if c.id not in used:
            errors.append(((("criteria", i, "id")), (
                f"criterion {c.id!r} is not used by the diagnosis rule, a specifier or another"
                " criterion: refer to it (e.g. {criterion: " + c.id + "}) or remove it"
            )))
    seen: set[str] = set()
    for loc, node in walk_located(rs.diagnosis.rule, ("diagnosis", "rule")):
        if isinstance(node, CriterionNode):
            if node.criterion in seen:
                errors.append(((*loc, "criterion"), (
                    f"criterion {node.criterion!r} is named twice in the diagnosis rule"
                )))
            seen.add(node.criterion)
    return errors


def sha256_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


class LoadedRuleset:
    """A validated ruleset together with where it came from and its digest."""

    __slots__ = ("path", "rules", "sha256")

    def __init__(self, rules: Ruleset, path: str, sha256: str) -> None:
        self.rules = rules
        self.path = path
        self.sha256 = sha256


def parse_ruleset(file: str, raw: bytes) -> LoadedRuleset:
    """Parse and check a ruleset file; raise InputError listing every problem.

    A file that loaded cleanly before (same bytes, same code) comes from the
    cache of checked rulesets (rulecache.py) instead of being parsed again.
    """
    from dsm5check.engine import rulecache

    digest = sha256_of(raw)
    cached = rulecache.load(digest, Ruleset, shipped_digest)
    if cached is not None:
        return LoadedRuleset(cached, file, digest)
    loaded = _parse_ruleset(file, raw, digest)
    sources = [cw.from_ for cw in loaded.rules.crosswalks]
    if not any(s in _CHECKING for s in sources):  # (not when a crosswalk went unchecked)
        rulecache.store(digest, loaded.rules, {s: shipped_digest(s) for s in sources})
    return loaded


def shipped_digest(ruleset_id: str) -> str | None:
    """The sha256 of a shipped ruleset file, None when there is no such id."""
    raw = shipped_bytes(ruleset_id)
    return None if raw is None else sha256_of(raw)


def _parse_ruleset(file: str, raw: bytes, digest: str) -> LoadedRuleset:
    from dsm5check.cases.yamlio import expected_mapping, load_documents

    docs = load_documents(file, raw)
    doc = docs[0]
    if len(docs) > 1:
        raise InputError([Problem(file, docs[1].line, 1, "expected one ruleset per file")])
    bad = expected_mapping(doc)
    if bad:
        raise InputError([bad])
    try:
        rules = Ruleset.model_validate(doc.data)
    except ValidationError as exc:
        from dsm5check.cases.validation import problems_from

        raise InputError([*doc.problems, *problems_from(doc, exc, Ruleset)]) from None
    if doc.problems:
        raise InputError(doc.problems)
    errors = consistency_errors(rules)
    if errors:
        raise InputError([doc.problem(loc, msg) for loc, msg in errors])
    return LoadedRuleset(rules, file, digest)


def load_ruleset_file(path: str | Path) -> LoadedRuleset:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        problem = Problem(str(path), 1, 1, f"cannot read ruleset: {exc.strerror}")
        raise InputError([problem]) from None
    return parse_ruleset(str(path), raw)


# --- the shipped sets -------------------------------------------------------------


def _folder() -> resources.abc.Traversable:
    """The rules inside the installed package, or rules/ of a source checkout.

    A wheel carries the top-level rules/ folder as ``dsm5check.rules``. When the
    package is imported straight from a checkout (the repository root on
    sys.path, as in the test suite), that subpackage is not importable, and the
    folder beside the package is the same files.
    """
    try:
        return resources.files("dsm5check.rules")
    except ModuleNotFoundError:
        return resources.files("dsm5check").joinpath("..", "rules")


def shipped_ids() -> list[str]:
    """Ids of the shipped rulesets (file names without .yaml), sorted."""
    return sorted(
        entry.name.removesuffix(".yaml")
        for entry in _folder().iterdir()
        if entry.name.endswith(".yaml")
    )


@cache
def shipped(ruleset_id: str) -> LoadedRuleset:
    """Load a shipped ruleset by id; InputError when there is none of that id."""
    entry = _folder() / f"{ruleset_id}.yaml"
    if ruleset_id not in shipped_ids():  # an id, never a path
        raise InputError(
            [
                Problem(
                    f"{ruleset_id}.yaml",
                    1,
                    1,
                    f"no shipped ruleset {ruleset_id!r}; known: {', '.join(shipped_ids())}",
                )
            ]
        )
    return parse_ruleset(f"rules/{ruleset_id}.yaml", entry.read_bytes())


def shipped_bytes(ruleset_id: str) -> bytes | None:
    """The bytes of a shipped ruleset file; None when there is no such id."""
    if ruleset_id not in shipped_ids():
        return None
    try:
        return (_folder() / f"{ruleset_id}.yaml").read_bytes()
    except OSError:
        return None
