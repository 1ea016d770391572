"""`learn`: the criteria rendered for study, for any ruleset.

An overview table (criteria and what each needs, derived from the rule tree),
then each criterion with its items, our paraphrase, teaching notes, common
pitfalls and our readings, then the specifiers with their source. A teaching
note written as "Pitfall: ..." in the YAML is listed under common pitfalls.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dsm5check.engine.rules_model import ItemNode
from dsm5check.engine.ruleset import Criterion, LoadedRuleset, Ruleset, Specifier, walk
from dsm5check.errors import unknown
from dsm5check.render.names import criterion_heading, shown_id
from dsm5check.teach.thresholds import threshold

PITFALL = "Pitfall:"
_ONSET = {
    "began_after": "must begin after the event",
    "began_or_worsened_after": "must begin or worsen after the event",
}


def split_notes(notes: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Teaching notes, and pitfalls (notes that start with "Pitfall:")."""
    plain = [n for n in notes if not n.startswith(PITFALL)]
    traps = [n[len(PITFALL):].strip() for n in notes if n.startswith(PITFALL)]
    traps = [t[:1].upper() + t[1:] for t in traps]
    return plain, traps


def overview(r: Ruleset) -> Table:
    table = Table(title=f"{r.title} — overview", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("criterion")
    table.add_column("needs")
    for c in r.criteria:
        table.add_row(shown_id(c.id, c.name), escape(c.title), escape(threshold(c.rule, r)))
    table.add_row("", escape(r.diagnosis.title), escape(threshold(r.diagnosis.rule, r)))
    return table


def _items(r: Ruleset, c: Criterion | Specifier) -> Table | None:
    ids = list(dict.fromkeys(n.item for n in walk(c.rule) if isinstance(n, ItemNode)))
    if not ids:
        return None
    table = Table(show_header=True, box=None, pad_edge=False)
    table.add_column("item", no_wrap=True, style="bold")
    table.add_column("what it means (our paraphrase)")
    for i in ids:
        item = r.item_map[i]
        extras = [_ONSET[item.onset]] if item.onset else []
        extras += [e for e in (item.help,) if e]
        notes, traps = split_notes(item.teaching)
        extras += notes
        extras += _crosswalked(r, i)
        rows = [("·", e, "dim") for e in extras] + [("!", t, "red") for t in traps]
        cell: RenderableType = Text(item.text)
        if rows:
            cell = Group(cell, bullets(rows))
        table.add_row(i, cell)
    return table


def _crosswalked(r: Ruleset, item_id: str) -> list[str]:
    """Where the item comes from in a case coded in another set's items."""
    from dsm5check.engine.crosswalk import describe

    out = []
    for cw in r.crosswalks:
        rule = cw.items.get(item_id)
        source = describe(rule, cw.label) if rule is not None else None
        out.append(f"in a case coded in {cw.from_}: read from {source}" if source else
                   f"in a case coded in {cw.from_}: not assessed unless coded natively")
    return out


def bullets(rows: list[tuple[str, str, str]], indent: int = 2) -> RenderableType:
    """Marked lines (mark, text, style) whose wrapped lines keep their indent:
    a grid of mark and text, so a long note continues under its own first word."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")
    for mark, line, style in rows:
        grid.add_row(Text(mark, style=style), Text(line, style=style))
    return Padding(grid, (0, 0, 0, indent))


def _notes(title: str, lines: list[str], style: str, mark: str) -> RenderableType | None:
    if not lines:
        return None
    return Group(Text(title, style=f"bold {style}"), bullets([(mark, x, "") for x in lines]))


def criterion_view(r: Ruleset, c: Criterion | Specifier) -> RenderableType:
    parts: list[RenderableType] = [Text(c.text)]
    if isinstance(c, Specifier):
        parts.append(Text(f"Source: {c.source}", style="italic"))
    parts.append(Text(f"Needs: {threshold(c.rule, r)}", style="cyan"))
    routes = [n for n in walk(c.rule) if n.id and n is not c.rule]
    if routes:
        parts.append(Text("Ways to meet it:", style="bold"))
        parts.append(bullets([(f"{n.id}:", n.label or threshold(n), "") for n in routes]))
    items = _items(r, c)
    if items is not None:
        parts.append(items)
    notes, traps = split_notes(c.teaching)
    for block in (
        _notes("Teaching notes", notes, "green", "·"),
        _notes("Common pitfalls", traps, "red", "!"),
        _notes("Our reading (where the source is silent)", list(c.interpretation),
               "magenta", "·"),
    ):
        if block is not None:
            parts.append(block)
    head = (_criterion_head(c) if isinstance(c, Criterion) else f"{c.title}  [{c.source}]")
    return Panel(Group(*parts), title=escape(head), title_align="left")


def _criterion_head(c: Criterion) -> str:
    """'B  Intrusion symptoms', 'AD  Problems in affect regulation'; the title alone
    for an id that is no code (its plain name says the same)."""
    heading = criterion_heading(c.id, c.title, c.name)
    return heading if heading == c.title else f"{c.id}  {c.title}"


def find_part(r: Ruleset, name: str) -> Criterion | Specifier:
    """The criterion or specifier ``name`` names, ignoring case (``d`` is D);
    a UsageError with the close ids ("did you mean") when there is none."""
    parts: dict[str, Criterion | Specifier] = {**r.criterion_map, **{s.id: s for s in r.specifiers}}
    if name in parts:
        return parts[name]
    folded = [k for k in parts if k.lower() == name.lower()]
    if len(folded) == 1:
        return parts[folded[0]]
    raise unknown("criterion or specifier", name, parts)


def learn_view(loaded: LoadedRuleset, only: str | None = None) -> RenderableType:
    r = loaded.rules
    if only is not None:
        return criterion_view(r, find_part(r, only))
    parts: list[RenderableType] = [overview(r)]
    head = Text(f"Source: {r.source.citation}", style="dim")
    parts.append(head)
    if r.disclaimer:
        parts.append(Text(r.disclaimer, style="italic"))
    notes = _notes("How this ruleset reads the criteria", list(r.interpretation), "magenta", "·")
    if notes is not None:
        parts.append(notes)
    parts.extend(criterion_view(r, c) for c in r.criteria)
    if r.specifiers:
        parts.append(Text("Specifiers", style="bold"))
        parts.extend(criterion_view(r, s) for s in r.specifiers)
    return Group(*parts)
