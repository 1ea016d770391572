"""Rendering the quiz: the vignette, the marked answers, the progress report."""

from __future__ import annotations

from rich.bar import Bar
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dsm5check.render.names import name_of
from dsm5check.teach.learn import bullets
from dsm5check.teach.progress import LogEntry, Tally
from dsm5check.teach.quiz import Marked, Row
from dsm5check.teach.vignettes import Vignette

_SPARK = " ▁▂▃▄▅▆▇█"


def vignette_view(v: Vignette) -> RenderableType:
    body = Text(v.narrative.strip().replace("\n", "\n\n"))
    return Panel(body, title=Text(f"{v.title}  ({v.id}, {v.difficulty})"),
                 title_align="left")


def marked_view(m: Marked, v: Vignette) -> RenderableType:
    table = Table(title=f"Your answers and the engine's ({v.id})", title_justify="left")
    table.add_column("")
    table.add_column("item", ratio=1, overflow="fold")
    table.add_column("you", no_wrap=True)
    table.add_column("engine", no_wrap=True)
    wrong: list[RenderableType] = []
    for r in m.rows:
        mark = Text("ok", style="green") if r.right else Text("X", style="bold red")
        table.add_row(mark, Text(_name(r)), r.yours, r.engine)
        if not r.right:
            wrong.append(Group(
                Text(f"{_name(r)}: you said {r.yours}, the engine says {r.engine}",
                     style="bold"),
                bullets([("", r.reason, "")] + [("-", line, "dim") for line in r.why]),
            ))
    parts: list[RenderableType] = [table]
    if wrong:
        parts.append(Text("Where you and the engine differ, and what decided it:",
                          style="bold"))
        parts.extend(wrong)
    for note in m.notes:
        parts.append(Text(f"Check your reasoning: {note}", style="bold yellow"))
    score = Text(f"Score: {m.correct} of {m.total} ({m.score:.0%})", style="bold")
    points = bullets([("-", p, "") for p in v.teaching_points])
    return Group(*parts, score, Text("Teaching points:", style="bold"), points)


def _name(r: Row) -> str:
    return r.title



def spark(values: tuple[float | None, ...]) -> str:
    return "".join(
        "·" if v is None else _SPARK[1 + round(v * (len(_SPARK) - 2))] for v in values
    )


def _key_names(entries: list[LogEntry]) -> dict[str, str]:
    """Criterion and specifier ids of the log's sets in words (a criterion's plain
    name, a specifier's title); ids readers know (A, Re) stay as they are."""
    from dsm5check.engine.registry import shipped, shipped_ids

    known = shipped_ids()
    sets = {e.ruleset for e in entries if e.ruleset in known} or set(known)
    names: dict[str, str] = {}
    for rid in sorted(sets):
        rules = shipped(str(rid)).rules
        names.update({c.id: name_of(c) for c in rules.criteria if c.name})
        names.update({s.id: s.title for s in rules.specifiers})
    return names


def progress_view(entries: list[LogEntry], tallies: list[Tally]) -> RenderableType:
    ordered = sorted(entries, key=lambda e: e.timestamp)
    first, last = ordered[0].timestamp.date(), ordered[-1].timestamp.date()
    table = Table(
        title=f"Accuracy by criterion: {len(entries)} quizzes, {first} to {last}",
        title_justify="left",
    )
    for col, justify in (("item", "left"), ("right", "right"), ("accuracy", "right"),
                         ("", "left"), ("over time", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    names = _key_names(entries)
    for t in tallies:
        colour = "green" if t.accuracy >= 0.8 else "yellow" if t.accuracy >= 0.5 else "red"
        table.add_row(escape(names.get(t.key, t.key)), f"{t.right}/{t.total}", f"{t.accuracy:.0%}",
                      Bar(1.0, 0, t.accuracy, width=20, color=colour), spark(t.buckets))
    recent = Table(title="Latest quizzes", title_justify="left")
    for col in ("when", "vignette", "score", ""):
        recent.add_column(col)
    for e in ordered[-10:]:
        recent.add_row(e.timestamp.strftime("%Y-%m-%d %H:%M"), escape(e.vignette),
                       f"{e.score:.0%}", Bar(1.0, 0, e.score, width=20))
    note = Text("over time: oldest to newest stretch of quizzes; · = not asked", style="dim")
    return Group(table, note, recent)
