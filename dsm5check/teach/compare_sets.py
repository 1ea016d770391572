"""`learn --compare A B`: what differs between two criteria sets, criterion by criterion.

Generic: criteria are paired by meaning (:mod:`dsm5check.teach.pairing` reads
the pairing from the crosswalks and ``corresponds_to`` declarations in the
YAML), each pair side by side with what each needs; criteria with no
counterpart are listed as "only in" their set with what that means for a case;
then the specifiers of each, and — where one set declares a crosswalk from the
other — which items read across and which stay not assessed.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dsm5check.engine.rules_model import CriterionNode, ItemNode
from dsm5check.engine.ruleset import Criterion, Crosswalk, LoadedRuleset, Ruleset, Specifier, walk
from dsm5check.render.names import criterion_heading, name_of
from dsm5check.teach.learn import bullets
from dsm5check.teach.pairing import Group as Pair
from dsm5check.teach.pairing import Pairing, case_items, fact_words, pair, reads
from dsm5check.teach.thresholds import id_list, threshold


def _label_of(r: Ruleset, other: Ruleset, vocab: str | None) -> str:
    """How a crosswalk's source is named: its label ("DSM-5"), else its id."""
    for rules in (r, other):
        for cw in rules.crosswalks:
            if cw.from_ == vocab:
                return cw.label
    return vocab or ""


def _criterion(r: Ruleset, c: Criterion) -> Text:
    text = Text()
    text.append(criterion_heading(c.id, c.title, c.name), style="bold")
    text.append(f"\nneeds: {threshold(c.rule, r)}")
    return text


def _side(r: Ruleset, ids: tuple[str, ...], read_from: tuple[tuple[str, tuple[str, ...]], ...],
          source: str, hub: Ruleset | None) -> RenderableType:
    parts: list[RenderableType] = [_criterion(r, r.criterion_map[cid]) for cid in ids]
    if read_from:
        parts.append(Text(f"items read from {source}: {_read_list(read_from, hub)}",
                          style="dim"))
    return Group(*parts)


def _read_list(read_from: tuple[tuple[str, tuple[str, ...]], ...],
               hub: Ruleset | None = None) -> str:
    """"B1-B5 as they are; C3 from D1; P7-P9 from distress or impairment": items
    grouped by where they are read from (an item of the case itself in words)."""
    same = [own for own, src in read_from if src == (own,)]
    by: dict[tuple[str, ...], list[str]] = {}
    for own, src in read_from:
        if src != (own,):
            by.setdefault(src, []).append(own)
    said = [f"{id_list(same)} as they are"] if same else []
    said += [f"{id_list(owns)} from {' or '.join(_item_words(hub, s) for s in src)}"
             for src, owns in by.items()]
    return "; ".join(said)


def _item_words(rules: Ruleset | None, item_id: str) -> str:
    """An item id as it reads in a list: a code as it is (B2), a word by its name."""
    item = rules.item_map.get(item_id) if rules is not None else None
    if item is None or item.id[-1:].isdigit():
        return item_id
    return item.short or item.text


def _why(p: Pairing, g: Pair) -> str:
    """What pairs the criteria of a row, in a few words."""
    said: list[str] = []
    if g.shared:
        names = list(dict.fromkeys(_fact_name(p, name) for _, name in g.shared))
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        said.append(f"both read {shown}")
    if g.declared:
        said.append("declared in the criteria set")
    if g.through:
        said.append(f"each corresponds to the same {g.through} criteria")
    return "paired: " + "; ".join(said) if said else ""


def _fact_name(p: Pairing, path: str) -> str:
    """A shared fact in words: from whichever set names it."""
    for rules in (p.a, p.b):
        said = fact_words(rules, path)
        if said != path.rsplit(".", 1)[-1].replace("_", " "):
            return said
    return fact_words(p.a, path)


def _only(r: Ruleset, other: Ruleset, cid: str) -> str:
    """What a criterion with no counterpart in ``other`` means for a case."""
    c = r.criterion_map[cid]
    own_case = case_items(r)
    inputs = set(reads(c.rule, own_case))
    items = sorted({n for k, n in inputs if k == "item" and n not in own_case})
    said = [f"{other.id} asks for nothing like it: it plays no part in that set's verdict."]
    if not inputs:
        refs = [name_of(r.criterion_map[n.criterion]) for n in walk(c.rule)
                if isinstance(n, CriterionNode) and n.criterion in r.criterion_map]
        if refs:
            said.append(f"It combines other criteria of {r.id}: {', '.join(refs)}.")
        return " ".join(said)
    if not items:
        said.append(f"It reads the case's own facts, so a case coded for {other.id} can still"
                    " decide it.")
        return " ".join(said)
    cw = r.crosswalk_from(other.id)
    if r.vocabulary == other.vocabulary:
        return " ".join(said)
    missing = [i for i in items if cw is None or i not in cw.items]
    if missing:
        said.append(f"A case coded for {other.id} leaves it not assessed (unknown, never"
                    f" absent) unless {id_list(missing)} are coded for {r.id} too.")
    return " ".join(said)


def _only_block(r: Ruleset, other: Ruleset, ids: tuple[str, ...]) -> RenderableType | None:
    if not ids:
        return None
    rows: list[tuple[str, str, str]] = []
    for cid in ids:
        c = r.criterion_map[cid]
        head = criterion_heading(c.id, c.title, c.name)
        rows.append(("-", f"{head} (needs {threshold(c.rule, r)})", "bold"))
        rows.append(("", _only(r, other, cid), ""))
    return Group(Text(f"Only in {r.id} (no counterpart in {other.id})", style="bold"),
                 bullets(rows))


def criteria_table(p: Pairing) -> Table:
    ra, rb = p.a, p.b
    table = Table(title=f"Criteria that correspond: {ra.title} and {rb.title}",
                  show_lines=True)
    table.add_column(ra.id, ratio=1)
    table.add_column(rb.id, ratio=1)
    source = _label_of(ra, rb, p.vocabulary)
    hub = next((r for r in (ra, rb) if r.id == p.vocabulary), None)
    if hub is None and p.vocabulary is not None:
        from dsm5check.engine.registry import shipped, shipped_ids

        hub = shipped(p.vocabulary).rules if p.vocabulary in shipped_ids() else None
    for g in p.groups:
        right = _side(rb, g.right, g.right_from, source, hub)
        why = _why(p, g)
        table.add_row(_side(ra, g.left, g.left_from, source, hub),
                      Group(right, Text(why, style="dim italic")) if why else right)
    table.add_row(*(Text.assemble(("diagnosis", "bold"),
                                  f": {r.diagnosis.text or r.diagnosis.title}")
                    for r in (ra, rb)))
    return table


def _sources(rule: object) -> list[str]:
    return [n.item for n in walk(rule) if isinstance(n, ItemNode)]  # type: ignore[arg-type]


def _crosswalk(target: Ruleset, walk_: Crosswalk, source: Ruleset) -> Table:
    table = Table(title=f"Reading a case coded in {source.id} for {target.id}",
                  show_lines=False)
    table.add_column(f"{target.id} item")
    table.add_column(f"read from {walk_.label}")
    for item in target.items:
        if item.section == "case":
            continue
        rule = walk_.items.get(item.id)
        name = item.short or item.text
        if rule is None:
            table.add_row(f"{item.id} {escape(name)}", "[yellow]no counterpart: not assessed"
                          " unless coded[/]")
        else:
            from_items = [source.item_map[i] for i in _sources(rule) if i in source.item_map]
            labels = [str(n.label) for n in walk(rule) if getattr(n, "label", None)]
            shown = (", ".join(f"{i.id} {i.short or ''}".strip() for i in from_items)
                     or "; ".join(labels) or "the case's facts")
            table.add_row(f"{item.id} {escape(name)}", escape(shown))
    return table


def specifier_rows(ra: Ruleset, rb: Ruleset
                   ) -> list[tuple[Specifier | None, Specifier | None]]:
    """Specifiers side by side only when they are the same specifier (the same id,
    e.g. DSM-IV-TR's course specifiers in both sets); each other one on its own row."""
    theirs = {s.id: s for s in rb.specifiers}
    rows: list[tuple[Specifier | None, Specifier | None]] = [
        (s, theirs.get(s.id)) for s in ra.specifiers]
    mine = {s.id for s in ra.specifiers}
    rows += [(None, s) for s in rb.specifiers if s.id not in mine]
    return rows


def compare_sets_view(a: LoadedRuleset, b: LoadedRuleset) -> RenderableType:
    ra, rb = a.rules, b.rules
    p = pair(ra, rb)
    parts: list[RenderableType] = [criteria_table(p)]
    for block in (_only_block(ra, rb, p.only_a), _only_block(rb, ra, p.only_b)):
        if block is not None:
            parts.append(block)
    spec = Table(title="Specifiers")
    spec.add_column(ra.id, ratio=1)
    spec.add_column(rb.id, ratio=1)
    for sa, sb in specifier_rows(ra, rb):
        spec.add_row(escape(f"{sa.title} ({sa.source})") if sa else "",
                     escape(f"{sb.title} ({sb.source})") if sb else "")
    if not ra.specifiers and not rb.specifiers:
        spec.add_row("none", "none")
    elif not ra.specifiers or not rb.specifiers:
        spec.caption = f"{(rb if ra.specifiers else ra).id} has no specifiers"
    parts.append(spec)
    crosswalks = 0
    for target, source in ((rb, ra), (ra, rb)):
        for cw in getattr(target, "crosswalks", ()) or ():
            if cw.from_ == source.id:
                parts.append(_crosswalk(target, cw, source))
                crosswalks += 1
    if not crosswalks:
        parts.append(f"Neither set declares how it reads the other's items: a case coded in"
                     f" {ra.id} is not read for {rb.id} item by item.")
    return Group(*parts)
