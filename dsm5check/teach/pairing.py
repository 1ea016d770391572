"""Which criterion of one set corresponds to which of another, by meaning.

For `learn --compare A B`. Nothing here knows a set or a criterion id; the
pairing is read from what the rulesets declare in YAML:

1. **What each criterion reads.** Every criterion is reduced to the inputs its
   rule reads: answer items, and facts of the case (the event, the timeline,
   items read from the case itself such as ``impairment``). Criteria that only
   combine other criteria read nothing of their own.
2. **One vocabulary for both sets.** Items are only comparable in one coding:
   sets sharing a coding read the same items; a set with a ``crosswalks`` entry
   from the other (or from a set both read across from, e.g. DSM-5) has its
   items rewritten into that set's items through the crosswalk rules ("ICD-11
   P1 is read from DSM-5 B2"). Facts of the case mean the same in every set.
3. **Criteria that read the same inputs correspond.** Linked criteria are
   grouped (a DSM-IV-TR criterion C that reads DSM-5 C and D items pairs with
   both), in the order of the first set.
4. **Declared correspondences win.** A criterion's ``corresponds_to: {set:
   [ids]}`` replaces whatever was derived for that criterion and that set; an
   empty list says it has no counterpart. It is needed where no crosswalk links
   the sets (DSM-5 and its preschool criteria).

A criterion left without a counterpart is "only in" its set.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from dsm5check.engine.rules_model import FactNode, ForAnyNode, ItemNode, MonthsNode, NodeModel
from dsm5check.engine.ruleset import Criterion, Crosswalk, Ruleset, walk

#: An input a rule reads: ("item", id) in some vocabulary, or ("fact", path).
Ref = tuple[str, str]


@dataclass(frozen=True)
class Group:
    """Criteria of A and of B that correspond, with what links them."""

    left: tuple[str, ...]
    right: tuple[str, ...]
    #: per side: (item of that set, the items of the shared vocabulary it is read from)
    left_from: tuple[tuple[str, tuple[str, ...]], ...] = ()
    right_from: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: inputs both sides read as they are: facts of the case, items of the case itself
    shared: tuple[Ref, ...] = ()
    declared: bool = False
    #: paired by way of this third set (neither links the other directly)
    through: str | None = None


@dataclass(frozen=True)
class Pairing:
    a: Ruleset
    b: Ruleset
    groups: tuple[Group, ...]
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]
    #: the set whose item ids both sides were compared in, when there is one
    vocabulary: str | None = None


def _shipped(ruleset_id: str) -> Ruleset | None:
    from dsm5check.engine.registry import shipped, shipped_ids

    return shipped(ruleset_id).rules if ruleset_id in shipped_ids() else None


def case_items(rules: Ruleset) -> set[str]:
    return {i.id for i in rules.items if i.section == "case"}


def _paths(rule: NodeModel) -> list[str]:
    """The fact paths a rule reads (comparisons and the two ends of a duration)."""
    nodes = list(walk(rule))
    facts = [n.fact for n in nodes if isinstance(n, FactNode)]
    spans = [n.months for n in nodes if isinstance(n, MonthsNode)]
    return facts + [p for m in spans for p in (m.from_, m.to, m.or_fact) if p]


def reads(rule: NodeModel, case_items: set[str],
          scope: dict[str, str] | None = None) -> Iterator[Ref]:
    """Every input a rule reads (not through other criteria): its items, and its
    facts with an element's name (event) put as its collection (events), so every
    set's event facts meet under one path; a fact under an item read from the case
    itself (impairment.social) is that item."""
    scope = {} if scope is None else scope
    nodes = list(walk(rule))
    scope.update({n.as_: n.for_any for n in nodes if isinstance(n, ForAnyNode)})
    yield from (("item", n.item) for n in nodes if isinstance(n, ItemNode))
    for path in _paths(rule):
        head, _, rest = path.partition(".")
        if head in case_items:
            yield ("item", head)
        else:
            yield ("fact", f"{scope.get(head, head)}.{rest}" if rest else head)


class _View:
    """One set's criteria seen in a vocabulary: each criterion's inputs, with
    items rewritten through a crosswalk where the set is read across."""

    def __init__(self, rules: Ruleset, crosswalk: Crosswalk | None, source: Ruleset | None):
        self.rules = rules
        own_case = case_items(rules)
        src_case = case_items(source) if source is not None else own_case
        self.refs: dict[str, set[Ref]] = {}
        #: per criterion: (own item, the inputs of the other set it is read from)
        self.via: dict[str, list[tuple[str, set[Ref]]]] = {}
        #: element names (event) -> collections (events), to name facts in words
        self.scope: dict[str, str] = {}
        for c in rules.criteria:
            refs: set[Ref] = set()
            via: list[tuple[str, set[Ref]]] = []
            for kind, name in reads(c.rule, own_case, self.scope):
                if kind == "item" and name not in own_case and crosswalk is not None:
                    rule = crosswalk.items.get(name)
                    if rule is None:
                        continue  # no counterpart: this item reads nothing of the other set
                    across = set(reads(rule, src_case))
                    refs |= across
                    via.append((name, across))
                elif kind == "item" and name not in own_case and source is not None and (
                    crosswalk is None
                ):
                    continue  # no shared vocabulary for this item
                else:
                    refs.add((kind, name))
            self.refs[c.id] = refs
            self.via[c.id] = via


def _views(a: Ruleset, b: Ruleset) -> tuple[_View, _View, str | None]:
    """Both sets in one vocabulary where their YAML allows it."""
    if a.vocabulary == b.vocabulary:
        return _View(a, None, None), _View(b, None, None), a.id
    cw = b.crosswalk_from(a.id)
    if cw is not None:
        return _View(a, None, None), _View(b, cw, a), a.id
    cw = a.crosswalk_from(b.id)
    if cw is not None:
        return _View(a, cw, b), _View(b, None, None), b.id
    for cwa in a.crosswalks:  # a set both read across from (DSM-5 for ICD-11 and ASD)
        cwb = b.crosswalk_from(cwa.from_)
        hub = _shipped(cwa.from_)
        if cwb is not None and hub is not None:
            return _View(a, cwa, hub), _View(b, cwb, hub), hub.id
    # no shared items: only the case's own facts compare
    return _View(a, None, a), _View(b, None, b), None


def _declared(c: Criterion, other: Ruleset) -> tuple[str, ...] | None:
    found = c.corresponds_to.get(other.id)
    return None if found is None else tuple(x for x in found if x in other.criterion_map)


class _Links:
    """Criterion links between two sets, read without a third set."""

    def __init__(self, a: Ruleset, b: Ruleset) -> None:
        self.va, self.vb, self.vocab = _views(a, b)
        va, vb = self.va, self.vb
        self.declared: set[tuple[str, str]] = set()
        fixed_a = {c.id for c in a.criteria if _declared(c, b) is not None}
        fixed_b = {c.id for c in b.criteria if _declared(c, a) is not None}
        self.links = {
            (ca.id, cb.id) for ca in a.criteria for cb in b.criteria
            if ca.id not in fixed_a and cb.id not in fixed_b
            and va.refs[ca.id] & vb.refs[cb.id]
        }
        for ca in a.criteria:
            self.declared |= {(ca.id, other) for other in _declared(ca, b) or ()}
        for cb in b.criteria:
            self.declared |= {(other, cb.id) for other in _declared(cb, a) or ()}
        self.links |= self.declared

    @property
    def item_level(self) -> bool:
        """Whether items could be compared (a shared vocabulary or declarations)."""
        return self.vocab is not None or bool(self.declared)


def _through(a: Ruleset, b: Ruleset) -> tuple[set[tuple[str, str]], str | None]:
    """Links by way of a shipped set both sets are paired with item by item (the
    preschool criteria declared against DSM-5, ICD-11 read across from DSM-5)."""
    from dsm5check.engine.registry import shipped_ids

    for xid in shipped_ids():
        if xid in (a.id, b.id):
            continue
        x = _shipped(xid)
        if x is None:
            continue
        ax, xb = _Links(a, x), _Links(x, b)
        if not (ax.item_level and xb.item_level):
            continue
        return {(p, r) for p, q in ax.links for q2, r in xb.links if q == q2}, x.id
    return set(), None


def pair(a: Ruleset, b: Ruleset) -> Pairing:
    """Group the criteria of ``a`` and ``b`` that correspond (see the module doc)."""
    direct = _Links(a, b)
    va, vb, vocab = direct.va, direct.vb, direct.vocab
    links, declared = set(direct.links), direct.declared
    through = None
    if not direct.item_level:
        extra, through = _through(a, b)
        links |= extra
    # connected groups, in the order of the first set, then the second
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for x, y in links:
        parent[find("a:" + x)] = find("b:" + y)
    members: dict[str, list[str]] = {}
    for c in a.criteria:
        if any(x == c.id for x, _ in links):
            members.setdefault(find("a:" + c.id), []).append("a:" + c.id)
    for c in b.criteria:
        if any(y == c.id for _, y in links):
            members.setdefault(find("b:" + c.id), []).append("b:" + c.id)
    groups = []
    for keys in members.values():
        left = tuple(k[2:] for k in keys if k.startswith("a:"))
        right = tuple(k[2:] for k in keys if k.startswith("b:"))
        shared = set().union(*(va.refs[x] for x in left)) & set().union(
            *(vb.refs[y] for y in right))
        read_across = {r for cid in left for _, across in va.via[cid] for r in across}
        read_across |= {r for cid in right for _, across in vb.via[cid] for r in across}
        plain = tuple(sorted(shared - read_across))
        is_declared = any((x, y) in declared for x in left for y in right)
        groups.append(Group(left, right, _read_from(va, left, shared),
                            _read_from(vb, right, shared), plain, is_declared,
                            through if not shared and not is_declared else None))
    order_a = {c.id: i for i, c in enumerate(a.criteria)}
    order_b = {c.id: i for i, c in enumerate(b.criteria)}
    groups.sort(key=lambda g: (min((order_a[x] for x in g.left), default=len(order_a)),
                               min((order_b[y] for y in g.right), default=len(order_b))))
    paired_a = {x for g in groups for x in g.left}
    paired_b = {y for g in groups for y in g.right}
    return Pairing(
        a, b, tuple(groups),
        tuple(c.id for c in a.criteria if c.id not in paired_a),
        tuple(c.id for c in b.criteria if c.id not in paired_b),
        vocab,
    )


def _read_from(view: _View, ids: tuple[str, ...], shared: set[Ref]
               ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Items of one side read across from items of the shared vocabulary."""
    out: dict[str, tuple[str, ...]] = {}
    for cid in ids:
        for own, across in view.via[cid]:
            if across & shared:
                out[own] = tuple(sorted({n for k, n in across if k == "item"}, key=_natural))
    return tuple(sorted(((k, v) for k, v in out.items() if v), key=lambda kv: _natural(kv[0])))


def _natural(text: str) -> tuple[str, int]:
    head = text.rstrip("0123456789")
    return head, int(text[len(head):] or -1)


def counterparts(p: Pairing) -> dict[str, dict[str, tuple[str, ...]]]:
    """For tests and JSON-minded readers: criterion -> its counterparts, per side."""
    out: dict[str, dict[str, tuple[str, ...]]] = {"a": {}, "b": {}}
    for g in p.groups:
        for x in g.left:
            out["a"][x] = g.right
        for y in g.right:
            out["b"][y] = g.left
    for x in p.only_a:
        out["a"][x] = ()
    for y in p.only_b:
        out["b"][y] = ()
    return out


def fact_words(rules: Ruleset, path: str) -> str:
    """A fact both sets read, in the words the ruleset gives it."""
    for key, words in rules.facts.items():
        head, _, rest = key.partition(".")
        if key == path or (rest and path.endswith("." + rest) and path.startswith(head)):
            return words.name
    item = rules.item_map.get(path)
    if item is not None:
        return item.short or item.text
    return path.rsplit(".", 1)[-1].replace("_", " ")
