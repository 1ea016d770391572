"""Rendering the quiz: the vignette, the marked answers, the progress report."""

from __future__ import annotations

from rich.bar import Bar
from rich.console import Group, RenderableType
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from dsm5check.teach.progress import LogEntry, Tally
from dsm5check.teach.quiz import Marked
from dsm5check.teach.vignettes import Vignette

_SPARK = " ▁▂▃▄▅▆▇█"


def vignette_view(v: Vignette) -> RenderableType:
    body = Text(v.narrative.strip().replace("\n", "\n\n"))
    return Panel(body, title=f"{escape(v.title)}  [{v.id}, {v.difficulty}]",
                 title_align="left")


def marked_view(m: Marked, v: Vignette) -> RenderableType:
    table = Table(title=f"Your answers and the engine's ({v.id})", title_justify="left")
    table.add_column("")
    table.add_column("item", max_width=28, overflow="fold")
    table.add_column("you", no_wrap=True)
    table.add_column("engine", no_wrap=True)
    # wrapped at spaces; a word longer than the column (a path such as
    # timeline.symptom_onset) is folded onto the next line, never cut off with "…"
    table.add_column("the engine's reason", ratio=1, overflow="fold")
    for r in m.rows:
        mark = Text("ok", style="green") if r.right else Text("X", style="bold red")
        reason = "" if r.right else escape(r.reason)
        item = f"{r.key} {r.title}" if r.group == "criterion" else r.title
        table.add_row(mark, escape(item), r.yours, r.engine, reason)
    score = Text(f"Score: {m.correct} of {m.total} ({m.score:.0%})", style="bold")
    points = Text("Teaching points:\n", style="bold")
    for p in v.teaching_points:
        points.append(f"  - {p}\n", style="")
    return Group(table, score, points)


def spark(values: tuple[float | None, ...]) -> str:
    return "".join(
        "·" if v is None else _SPARK[1 + round(v * (len(_SPARK) - 2))] for v in values
    )


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
    for t in tallies:
        colour = "green" if t.accuracy >= 0.8 else "yellow" if t.accuracy >= 0.5 else "red"
        table.add_row(escape(t.key), f"{t.right}/{t.total}", f"{t.accuracy:.0%}",
                      Bar(1.0, 0, t.accuracy, width=20, color=colour), spark(t.buckets))
    recent = Table(title="Latest quizzes", title_justify="left")
    for col in ("when", "vignette", "score", ""):
        recent.add_column(col)
    for e in ordered[-10:]:
        recent.add_row(e.timestamp.strftime("%Y-%m-%d %H:%M"), escape(e.vignette),
                       f"{e.score:.0%}", Bar(1.0, 0, e.score, width=20))
    note = Text("over time: oldest to newest stretch of quizzes; · = not asked", style="dim")
    return Group(table, note, recent)
