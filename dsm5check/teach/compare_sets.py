"""`learn --compare A B`: what differs between two criteria sets, criterion by criterion.

Generic: each set's criteria side by side with what each needs (its count or
threshold in words), the specifiers of each, and — where one set declares a
crosswalk from the other — which items read across and which have no
counterpart, so stay not assessed for a case coded in the other set.
"""

from __future__ import annotations

from itertools import zip_longest

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table

from dsm5check.engine.rules_model import ItemNode
from dsm5check.engine.ruleset import Crosswalk, LoadedRuleset, Ruleset, walk
from dsm5check.teach.thresholds import threshold


def _cell(r: Ruleset, index: int) -> str:
    if index >= len(r.criteria):
        return ""
    c = r.criteria[index]
    return f"[bold]{escape(c.id)}[/] {escape(c.title)}\nneeds: {escape(threshold(c.rule))}"


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


def compare_sets_view(a: LoadedRuleset, b: LoadedRuleset) -> RenderableType:
    ra, rb = a.rules, b.rules
    crit = Table(title=f"Criteria: {ra.title} and {rb.title}", show_lines=True)
    crit.add_column(ra.id, ratio=1)
    crit.add_column(rb.id, ratio=1)
    for i, _ in enumerate(zip_longest(ra.criteria, rb.criteria)):
        crit.add_row(_cell(ra, i), _cell(rb, i))
    crit.add_row(f"[bold]diagnosis[/]: {escape(ra.diagnosis.text or ra.diagnosis.title)}",
                 f"[bold]diagnosis[/]: {escape(rb.diagnosis.text or rb.diagnosis.title)}")
    spec = Table(title="Specifiers")
    spec.add_column(ra.id, ratio=1)
    spec.add_column(rb.id, ratio=1)
    for sa, sb in zip_longest(ra.specifiers, rb.specifiers):
        spec.add_row(escape(f"{sa.title} ({sa.source})") if sa else "",
                     escape(f"{sb.title} ({sb.source})") if sb else "")
    if not ra.specifiers and not rb.specifiers:
        spec.add_row("none", "none")
    parts: list[RenderableType] = [crit, spec]
    for target, source in ((rb, ra), (ra, rb)):
        for cw in getattr(target, "crosswalks", ()) or ():
            if cw.from_ == source.id:
                parts.append(_crosswalk(target, cw, source))
    if len(parts) == 2:
        parts.append(f"Neither set declares how it reads the other's items: a case coded in"
                     f" {ra.id} is not read for {rb.id} item by item.")
    return Group(*parts)
