"""Which input column feeds which item, criterion or fact (default naming, --map).

Default naming, tried in this order (names compare case-insensitively):

1. item ids of the ruleset: ``B1`` ... ``E6`` (and ``depersonalization``,
   ``derealization``, ``impairment``);
2. numbered items: a prefix of the instrument and the item number, with an
   optional ``_``, ``-`` or ``.`` and leading zeros: ``item1``, ``pcl_01``,
   ``PCL5-20``, ``caps29``;
3. positional: when nothing above matches and the file has exactly as many
   columns as the instrument has symptom items (20), in instrument order.

A column named after a criterion (``A``, ``crit_A``, ``criterion_A``) gives that
criterion directly (yes/no), but only for a criterion none of whose items has
a column. A column named after a fact path used by the rules (full dotted
path, the path with ``_`` for ``.``, or its last part when that is unique)
gives the fact. Every other column is carried through to the output.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import final

from dsm5check.engine.kinds import NodeVisitor, visit
from dsm5check.engine.rules_model import (
    AllNode,
    AnyNode,
    AtLeastNode,
    CriterionNode,
    FactNode,
    ForAnyNode,
    ItemNode,
    MonthsNode,
    NodeModel,
    NotNode,
)
from dsm5check.engine.ruleset import Ruleset
from dsm5check.errors import InputError, Problem
from dsm5check.score.instruments import SUMMED_SECTION, Instrument
from dsm5check.score.mapfile import ColumnMap, Locator, no_map

Bad = Callable[[tuple[object, ...], str], None]

@dataclass(frozen=True)
class ColumnPlan:
    items: dict[str, tuple[str, ...]]
    criteria: dict[str, str]
    facts: dict[str, str]
    carried: tuple[str, ...]
    convention: str
    missing_values: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    positions: dict[str, int] = field(default_factory=dict)  # column -> 1-based position
    #: items no column can supply (e.g. beyond a crosswalk): not assessed, not missing
    not_assessed_items: tuple[str, ...] = ()


def fact_paths(node: NodeModel, scoped: frozenset[str] = frozenset()) -> Iterator[str]:
    """Fact paths a rule reads outside any for_any element (those can be columns)."""
    return visit(node, _FactPaths(scoped))


@final
class _FactPaths(NodeVisitor[Iterator[str]]):
    def __init__(self, scoped: frozenset[str]) -> None:
        self.scoped = scoped

    def _children(self, kids: tuple[NodeModel, ...]) -> Iterator[str]:
        for kid in kids:
            yield from fact_paths(kid, self.scoped)

    def visit_all(self, node: AllNode) -> Iterator[str]:
        return self._children(node.all)

    def visit_any(self, node: AnyNode) -> Iterator[str]:
        return self._children(node.any)

    def visit_at_least(self, node: AtLeastNode) -> Iterator[str]:
        return self._children(node.of)

    def visit_not(self, node: NotNode) -> Iterator[str]:
        return self._children((node.not_,))

    def visit_item(self, node: ItemNode) -> Iterator[str]:
        return iter(())

    def visit_criterion(self, node: CriterionNode) -> Iterator[str]:
        return iter(())

    def visit_fact(self, node: FactNode) -> Iterator[str]:
        # a list fact (includes_any) cannot come from one cell
        if node.fact.split(".")[0] not in self.scoped and node.comparison()[0] != "includes_any":
            yield node.fact

    def visit_months(self, node: MonthsNode) -> Iterator[str]:
        # dates are not read from data (calendar months are not portable SQL):
        # only the months-given-directly fact can be a column
        path = node.months.or_fact
        if path and path.split(".")[0] not in self.scoped:
            yield path

    def visit_for_any(self, node: ForAnyNode) -> Iterator[str]:
        return fact_paths(node.where, self.scoped | {node.as_})


def all_rules(rules: Ruleset) -> Iterator[NodeModel]:
    for c in rules.criteria:
        yield c.rule
    yield rules.diagnosis.rule
    for s in rules.specifiers:
        yield s.rule


def _items_of(node: NodeModel) -> Iterator[str]:
    from dsm5check.engine.ruleset import walk

    for n in walk(node):
        if isinstance(n, ItemNode):
            yield n.item


class _Resolver:
    def __init__(self, names: Sequence[str], source: str) -> None:
        self.names = list(names)
        self.source = source
        self.by_norm: dict[str, str] = {}
        for n in names:
            self.by_norm.setdefault(n.strip().lower(), n)
        self.used: dict[str, str] = {}  # column -> what it feeds

    def find(self, name: str) -> str | None:
        if name in self.names:
            return name
        return self.by_norm.get(name.strip().lower())

    def take(self, column: str, role: str) -> str | None:
        """Claim a column; the error message when it already feeds something."""
        if column in self.used and self.used[column] != role:
            return f"column {column!r} already feeds {self.used[column]}"
        self.used[column] = role
        return None


def _numbered(names: Sequence[str], prefixes: Sequence[str]) -> dict[int, str]:
    best: dict[int, str] = {}
    for prefix in prefixes:
        pattern = re.compile(rf"^{re.escape(prefix)}[_.\- ]?0*(\d{{1,3}})$", re.IGNORECASE)
        found: dict[int, str] = {}
        for name in names:
            m = pattern.match(name.strip())
            if m:
                found.setdefault(int(m.group(1)), name)
        if len(found) > len(best):
            best = found
    return best


def plan_columns(
    names: Sequence[str],
    rules: Ruleset,
    instrument: Instrument,
    cmap: ColumnMap | None = None,
    map_problem: Locator | None = None,
    source: str = "DATA",
) -> ColumnPlan:
    """Decide the role of every input column; InputError when items cannot be found.

    ``map_problem`` is a callable ``(loc, message) -> Problem`` pointing into the
    --map file (its line and column).
    """
    res = _Resolver(names, source)
    problems: list[Problem] = []

    def bad(loc: tuple[object, ...], message: str) -> None:
        if map_problem is not None:
            problems.append(map_problem(loc, message))
        else:  # pragma: no cover - only map entries call this
            problems.append(Problem(source, 1, 1, message))

    numbered = instrument.numbered(rules)
    items: dict[str, list[str]] = {}
    convention = "item ids"

    def claim_item(item: str, column: str, loc: tuple[object, ...] | None) -> None:
        err = res.take(column, f"item {item}")
        if err:
            if loc is not None:
                bad(loc, err)
            return
        items.setdefault(item, [])
        if column not in items[item]:
            items[item].append(column)

    cmap = cmap or no_map()
    summed_ids = {i.id for i in rules.items if i.section == SUMMED_SECTION}
    given_by: dict[str, str | int] = {}
    for key, value in cmap.items.items():
        if isinstance(key, int) or key.isdigit():
            item = numbered.get(int(key))
            if item is None:
                bad(("items", key), f"{instrument.id} has no item {key}; numbers: "
                    f"{', '.join(str(n) for n in sorted(numbered))}")
                continue
        elif key in rules.item_map:
            item = key
        else:
            bad(("items", key), f"unknown item {key!r}; expected an item id of the ruleset"
                f" ({', '.join(rules.item_map)}) or an item number")
            continue
        if item in given_by and item in summed_ids:  # 1 and B1 both name item B1
            bad(("items", key), f"item {item} is named twice in the map (also as"
                f" {given_by[item]!r}); it adds up to the total: give it one column")
            continue
        given_by.setdefault(item, key)
        if item in summed_ids and not isinstance(value, str) and len(value) > 1:
            bad(("items", key), f"item {item} adds up to the total: give it one column,"
                f" not several ({', '.join(value)})")
            continue
        for col in [value] if isinstance(value, str) else value:
            found = res.find(col)
            if found is None:
                bad(("items", key), f"no column {col!r} in {source}")
            else:
                claim_item(item, found, ("items", key))
    if cmap.items:
        convention = "--map"
    if cmap.positional is not None:
        start = cmap.positional - 1
        if start + instrument.positional > len(names):
            bad(("positional",), f"{instrument.positional} items from column {cmap.positional}"
                f" need {start + instrument.positional} columns; {source} has {len(names)}")
        else:
            for n in range(1, instrument.positional + 1):
                claim_item(numbered[n], names[start + n - 1], ("positional",))
            convention = f"positional from column {cmap.positional}"

    summed = [i.id for i in rules.items if i.section == SUMMED_SECTION]
    targets = list(numbered.values())
    for item in dict.fromkeys([*summed, *targets, *rules.item_map]):
        if item in items:
            continue
        found = res.find(item)
        if found is not None and found not in res.used:
            claim_item(item, found, None)
    if not cmap.items and cmap.positional is None:  # REDCap style: caps5_b1, pcl5_b1_sev
        from dsm5check.score.redcap import prefixed_ids

        for item, col in prefixed_ids(names, instrument.prefixes, rules.item_map).items():
            if item not in items and col not in res.used:
                claim_item(item, col, None)
    by_number = _numbered(names, instrument.prefixes)
    if not cmap.items and cmap.positional is None and not any(i in items for i in summed):
        for n, col in sorted(by_number.items()):
            if n in numbered:
                claim_item(numbered[n], col, None)
        convention = "numbered columns"
        if not any(i in items for i in summed) and len(names) == instrument.positional:
            for n in range(1, instrument.positional + 1):
                claim_item(numbered[n], names[n - 1], None)
            convention = "positional"
    else:  # symptoms named by id (B1..E6): the other items may still be numbered (caps23)
        named = set(items)
        for n, col in sorted(by_number.items()):
            if n in numbered and numbered[n] not in named and col not in res.used:
                claim_item(numbered[n], col, None)
    missing = [i for i in summed if i not in items]
    notes: list[str] = []
    if missing and not problems:
        if cmap.items or cmap.positional is not None:
            notes.append(f"no column for item(s) {', '.join(missing)}: missing in every row")
        else:
            from dsm5check.score.redcap import export_problem

            if (why := export_problem(names)) is not None:
                raise InputError([Problem(source, 1, 1, why)])
            have = [i for i in summed if i in items]
            raise InputError([Problem(source, 1, 1,
                f"cannot find the {instrument.id} item columns: "
                + (f"found {', '.join(have)} but not {', '.join(missing)}" if have
                   else f"expected columns named {summed[0]}..{summed[-1]}, "
                        f"{instrument.prefixes[-1]}1..{instrument.prefixes[-1]}"
                        f"{instrument.positional}, or exactly {instrument.positional} columns")
                + f"; columns are: {', '.join(names[:30])}"
                + ("" if len(names) <= 30 else ", ...")
                + "; name them with --map (see docs/scoring.md)")])

    criteria = _criteria(rules, res, cmap, items, bad)
    facts = _facts(rules, res, cmap, bad)
    if problems:
        raise InputError(problems)
    carried = tuple(n for n in names if n not in res.used)
    return ColumnPlan(
        items={k: tuple(v) for k, v in items.items()},
        criteria=criteria,
        facts=facts,
        carried=carried,
        convention=convention,
        missing_values=tuple(cmap.missing_values),
        notes=tuple(notes),
        positions={n: i + 1 for i, n in enumerate(names)},
    )


def _criteria(rules: Ruleset, res: _Resolver, cmap: ColumnMap,
              items: dict[str, list[str]], bad: Bad) -> dict[str, str]:
    out: dict[str, str] = {}
    for cid, col in cmap.criteria.items():
        found = res.find(col)
        if cid not in rules.criterion_map:
            bad(("criteria", cid), f"unknown criterion {cid!r}; known: "
                f"{', '.join(rules.criterion_map)}")
        elif found is None:
            bad(("criteria", cid), f"no column {col!r} in {res.source}")
        elif (err := res.take(found, f"criterion {cid}")) is not None:
            bad(("criteria", cid), err)
        else:
            out[cid] = found
    for crit in rules.criteria:
        if crit.id in out or any(i in items for i in _items_of(crit.rule)):
            continue
        for name in (crit.id, f"crit_{crit.id}", f"criterion_{crit.id}"):
            hit = res.find(name)
            if hit is not None and hit not in res.used:
                res.take(hit, f"criterion {crit.id}")
                out[crit.id] = hit
                break
    return out


def _facts(rules: Ruleset, res: _Resolver, cmap: ColumnMap, bad: Bad) -> dict[str, str]:
    paths = list(dict.fromkeys(p for r in all_rules(rules) for p in fact_paths(r)))
    out: dict[str, str] = {}
    for path, col in cmap.facts.items():
        found = res.find(col)
        if path not in paths:
            bad(("facts", path), f"the rules read no fact {path!r}; they read: "
                f"{', '.join(paths)}")
        elif found is None:
            bad(("facts", path), f"no column {col!r} in {res.source}")
        elif (err := res.take(found, f"fact {path}")) is not None:
            bad(("facts", path), err)
        else:
            out[path] = found
    lasts: dict[str, int] = {}
    for p in paths:
        last = p.rsplit(".", 1)[-1]
        lasts[last] = lasts.get(last, 0) + 1
    for path in paths:
        if path in out:
            continue
        last = path.rsplit(".", 1)[-1]
        candidates = [path, path.replace(".", "_")] + ([last] if lasts[last] == 1 else [])
        for name in candidates:
            hit = res.find(name)
            if hit is not None and hit not in res.used:
                res.take(hit, f"fact {path}")
                out[path] = hit
                break
    return out
