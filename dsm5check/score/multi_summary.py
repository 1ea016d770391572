"""The summary of a multi-set run: prevalence per set, agreement per pair.

One aggregate query counts the rows per combination of statuses (every set's
diagnosis and criteria, and the category); :func:`figures` adds up the margins
and computes, with :mod:`dsm5check.compare.stats`, each set's prevalence with its
Wilson interval and, for each pair of sets, the cross-table, % agreement,
Cohen's kappa and -- against the first set as reference -- sensitivity,
specificity, PPV and NPV. Its result is the JSON of ``--format json`` (shape in
docs/scoring.md) and what :func:`render` prints and the report draws.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Any

from dsm5check.compare.stats import STATUSES, compare_pair, kappa_text, prevalence
from dsm5check.render.names import is_code
from dsm5check.score.compile_sql import ident
from dsm5check.score.crosswalk import deciding
from dsm5check.score.summary import Summary, print_bad_cells, rows_text

if TYPE_CHECKING:
    from rich.console import Console

    from dsm5check.score.instruments import Instrument
    from dsm5check.score.multi_model import Multi
    from dsm5check.score.query import Options

SHAPE_VERSION = 1


@dataclass
class MultiSummary:
    rows: int = 0
    columns: tuple[str, ...] = ()
    combos: dict[tuple[str, ...], int] = field(default_factory=dict)
    bad: Summary = field(default_factory=Summary)
    #: criterion status column -> (met, not met) over every row
    criteria: dict[str, tuple[int, int]] = field(default_factory=dict)


def criterion_columns(multi: Multi) -> list[str]:
    """Every criterion status column of the run, once (shared criteria are one column)."""
    return list(dict.fromkeys(multi.criterion_columns.values()))


def aggregate_sql(multi: Multi, relation: str) -> str:
    """One pass: rows per combination of the sets' statuses (the cross-tables), and
    in the same groups how many rows meet and fail each criterion (a criterion's
    columns are counted, never grouped by: grouping by them too multiplied the
    groups and doubled the cost of the summary)."""
    keys = [ident(c) for c in multi.status_columns()]
    aggs = ["COUNT(*)", f"COUNT({ident('bad_cells')})"]
    for col in criterion_columns(multi):
        aggs += [f"COUNT_IF({ident(col)} = 'met')", f"COUNT_IF({ident(col)} = 'not_met')"]
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}" if keys else ""
    return f"SELECT {', '.join(keys + aggs)} FROM {relation}{group}"


def decode(multi: Multi, groups: Sequence[Sequence[Any]]) -> MultiSummary:
    cols = tuple(multi.status_columns())
    crits = criterion_columns(multi)
    s = MultiSummary(columns=cols, criteria={c: (0, 0) for c in crits})
    for g in groups:
        words = tuple("indeterminate" if w is None else str(w) for w in g[:len(cols)])
        n, bad = int(g[len(cols)]), int(g[len(cols) + 1] or 0)
        s.rows += n
        s.combos[words] = s.combos.get(words, 0) + n
        s.bad.bad_rows += bad
        for k, col in enumerate(crits):
            at = len(cols) + 2 + 2 * k
            met, no = s.criteria[col]
            s.criteria[col] = (met + int(g[at] or 0), no + int(g[at + 1] or 0))
    s.bad.rows = s.rows
    return s


def _counts(s: MultiSummary, col: str) -> dict[str, int]:
    i = s.columns.index(col)
    out: dict[str, int] = {}
    for words, n in s.combos.items():
        out[words[i]] = out.get(words[i], 0) + n
    return out


def _cross(s: MultiSummary, a: str, b: str) -> dict[tuple[str, str], int]:
    i, j = s.columns.index(a), s.columns.index(b)
    out: dict[tuple[str, str], int] = {}
    for words, n in s.combos.items():
        out[(words[i], words[j])] = out.get((words[i], words[j]), 0) + n
    return out


def figures(s: MultiSummary, multi: Multi, instrument: Instrument,
            options: Options) -> dict[str, Any]:
    """Everything the summary says, as plain data (the `--format json` document)."""
    sets: list[dict[str, Any]] = []
    for k, (scored, comp) in enumerate(zip(multi.sets, multi.compiled, strict=True)):
        r = scored.rules
        counts = _counts(s, scored.status)
        criteria = {crit.id: multi.criterion_columns[(k, crit.id)] for crit in r.criteria
                    if (k, crit.id) in multi.criterion_columns}
        # taken as met without data: by the instrument's scoring rule (its home set),
        # or because --assume named them (a set estimated through a crosswalk)
        taken = [*comp.not_assessed, *scored.assumed]
        by = ("--assume" if scored.assumed
              else f"the {instrument.short}'s scoring rule" if comp.not_assessed else None)
        sets.append({
            "id": r.id,
            "title": r.diagnosis.title,
            "ruleset_title": r.title,
            "version": r.version,
            "column": scored.status,
            "research_only": bool(getattr(r, "research_only", False)),
            "provisional": bool(taken),
            "not_assessed": taken,
            "assumed_by": by,
            "left_open": list(scored.open),
            # those the status still depends on (not behind a criterion taken as met):
            # with none, the prevalence over the rows the set decides is an estimate
            "left_open_deciding": list(deciding(r, scored.open, scored.assumed)),
            # a short code (B, AD) is shown with its title; a named non-code by its name
            "criterion_titles": {c.id: c.name if c.name and not is_code(c.id) else c.title
                                 for c in r.criteria},
            "estimate": scored.estimate,
            "estimate_note": _crosswalk_note(scored) if scored.estimate else None,
            **prevalence(counts),
            "criterion_columns": criteria,
            # a criterion left open has no column: indeterminate in every row
            "criteria": {c.id: (_criterion_counts(s, criteria[c.id]) if c.id in criteria
                                else {"met": 0, "not_met": 0, "indeterminate": s.rows})
                         for c in r.criteria if c.id in criteria or c.id in scored.open},
        })
    pairs = []
    for x, y in combinations(range(len(multi.sets)), 2):
        a, b = multi.sets[x], multi.sets[y]
        pairs.append({"first": a.rules.id, "second": b.rules.id,
                      "reference": a.rules.id,
                      # a set with criteria left open that decide its status decides
                      # mostly the rows it rules out: its figures would mislead
                      "left_open_in": [d["id"] for d in (sets[x], sets[y])
                                       if d["left_open_deciding"]],
                      # never given together (the sets' `excludes`): agreement between
                      # them measures nothing; the table shows how the rows split
                      "exclusive": a.rules.exclusive_with(b.rules),
                      **compare_pair(_cross(s, a.status, b.status))})
    out: dict[str, Any] = {
        "shape": SHAPE_VERSION,
        "instrument": instrument.id,
        "missing": options.missing,
        "rows": s.rows,
        "statuses": list(STATUSES),
        "sets": sets,
        "pairs": pairs,
        "categories": None,
        "bad_cells": {"rows": s.bad.bad_rows, "by_column": dict(s.bad.bad_by_column)},
    }
    if "cutpoint" in s.columns:
        cc = _counts(s, "cutpoint")
        out["cutpoint"] = {"at_least": multi.compiled[0].cutpoint,
                           **{st: cc.get(st, 0) for st in STATUSES}}
    if multi.category:
        cc = _counts(s, multi.category)
        from dsm5check.score.instruments import category_words

        words = category_words(instrument)
        out["categories"] = {"column": multi.category,
                             "counts": {w: cc.get(w, 0) for w in words}}
    return out


def _criterion_counts(s: MultiSummary, col: str) -> dict[str, int]:
    met, no = s.criteria.get(col, (0, 0))
    return {"met": met, "not_met": no, "indeterminate": s.rows - met - no}


def _named(d: dict[str, Any], ids: Sequence[str]) -> str:
    """Criteria in words: their plain names, else their titles."""
    titles = d.get("criterion_titles", {})
    return "; ".join(titles.get(c, c) for c in ids)


def set_notes(d: dict[str, Any]) -> list[str]:
    """What a reader must know about one set's figures, in words (the terminal
    summary and the report say the same)."""
    notes = []
    if d["research_only"]:
        notes.append(f"a research label, not a diagnosis ({d['ruleset_title']})")
    if d["estimate"]:
        notes.append(d["estimate"])
    if d["provisional"]:
        why = ("because --assume asks for it" if d["assumed_by"] == "--assume"
               else f"as {d['assumed_by']} does")
        notes.append(f"provisional: taken as met without data, {why}: "
                     + _named(d, d["not_assessed"]))
    if d["left_open"]:
        notes.append("not assessed from these data, so left open (indeterminate wherever"
                     " they could decide): " + _named(d, d["left_open"])
                     + f". --assume takes a criterion as met by its id (`dsm5check rules"
                     f" show {d['id']}` lists them; see docs/scoring.md)")
    return notes


def _crosswalk_note(scored: Any) -> str | None:
    from dsm5check.score.instruments import INSTRUMENTS

    homes = {i.home for i in INSTRUMENTS.values() if i.home}
    for home in homes:
        walk = scored.rules.crosswalk_from(home)
        if walk is not None and walk.note:
            return " ".join(str(walk.note).split())
    return None


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{100 * p:.1f}%"


def _ci(d: dict[str, Any]) -> str:
    if d.get("estimate") is None:
        return "-"
    return f"{_pct(d['estimate'])} ({_pct(d['ci_low'])}-{_pct(d['ci_high'])})"


def _name(d: dict[str, Any]) -> str:
    return str(d["id"])


def render(data: dict[str, Any], console: Console) -> None:
    from rich.text import Text

    from dsm5check.render.fit import Column, Fitted
    from dsm5check.score.instruments import shown_name

    shown = shown_name(str(data["instrument"]))  # JSON keeps the id
    console.print(Text(f"dsm5check score: {rows_text(data['rows'])} ({shown},"
                       f" missing data: {data['missing']}), {len(data['sets'])} criteria"
                       f" set{'s' if len(data['sets']) != 1 else ''}", style="bold"))
    rows: list[list[str | Text]] = []
    for d in data["sets"]:
        p = d["prevalence"]
        width = 20
        bar = "█" * round(width * (p["estimate"] or 0.0))
        # with criteria left open, the rows a set decides are mostly the not met ones:
        # the share over them would mislead, so the bounds over every row are shown
        shown = (f"{_pct(d['bounds'][0])} to {_pct(d['bounds'][1])} *"
                 if d["left_open_deciding"] else _ci(p))
        rows.append([_name(d), f"{d['met']:,}", f"{d['not_met']:,}",
                     f"{d['indeterminate']:,}", shown, Text(bar, style="cyan")])
    console.print(Fitted(
        [Column("set"), *(Column(h, "right") for h in ("met", "not met", "indeterminate",
                                                      "prevalence (95% CI)")),
         Column("", optional=True)], rows, boxed=False))
    console.print(Text("prevalence is over the rows a set decides; indeterminate rows"
                       " (missing answers that leave the status open) are counted apart",
                       style="dim"))
    if any(d["left_open_deciding"] for d in data["sets"]):
        console.print(Text("* criteria left open (below): no estimate, only the bounds over"
                           " all rows (every indeterminate row not met, or met)", style="dim"))
    for d in data["sets"]:
        for note in set_notes(d):
            console.print(Text(f"{d['id']}: {note}", style="yellow"))
    _render_criteria(data, console)
    cats = data.get("categories")
    if cats:
        total = sum(cats["counts"].values())
        line = ", ".join(f"{w} {n:,} ({_pct(n / total if total else None)})"
                         for w, n in cats["counts"].items())
        console.print(f"{cats['column']}: {line}")
    for pair in data["pairs"]:
        _render_pair(pair, console)
    bad = data["bad_cells"]
    print_bad_cells(console, bad["rows"], bad["by_column"])


def _render_criteria(data: dict[str, Any], console: Console) -> None:
    """Each criterion the data assess, met / not met / indeterminate (a criterion
    several sets share, computed once, is shown once)."""
    from rich.table import Table
    from rich.text import Text

    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for head, just in (("set", "left"), ("criterion", "left"), ("met", "right"),
                       ("not met", "right"), ("indeterminate", "right")):
        t.add_column(head, justify=just)  # type: ignore[arg-type]
    shown: set[str] = set()
    for d in data["sets"]:
        for cid, counts in d.get("criteria", {}).items():
            col = d["criterion_columns"].get(cid, f"{d['id']} {cid}")
            if col in shown:
                continue
            shown.add(col)
            t.add_row(d["id"], _named(d, [cid]), f"{counts['met']:,}", f"{counts['not_met']:,}",
                      f"{counts['indeterminate']:,}")
    if shown:
        console.print(Text("\ncriteria (a criterion the sets share is counted once)",
                           style="bold"))
        console.print(t)


def no_figures(pair: dict[str, Any]) -> str | None:
    """Why a pair gets no agreement figures in the text summary and the report (its
    JSON keeps them, marked), or None."""
    if pair["exclusive"]:
        return (f"{pair['first']} and {pair['second']} are never given together (one"
                " excludes the other), so agreement between them measures nothing; the"
                " table shows how the rows split")
    if pair["left_open_in"]:
        return (f"{', '.join(pair['left_open_in'])} leaves criteria open (see above), so"
                " the rows it decides are mostly those it rules out")
    return None


def _render_pair(pair: dict[str, Any], console: Console) -> None:
    from rich.table import Table
    from rich.text import Text

    console.print(Text(f"\n{pair['first']} (rows) against {pair['second']} (columns)",
                       style="bold"))
    t = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    t.add_column("")
    for st in STATUSES:
        t.add_column(st.replace("_", " "), justify="right")
    for st, row in zip(STATUSES, pair["table"], strict=True):
        t.add_row(st.replace("_", " "), *(f"{n:,}" for n in row))
    console.print(t)
    why = no_figures(pair)
    if why:
        console.print(Text(f"no agreement figures: {why}", style="dim"))
        if pair["exclusive"]:
            console.print(f"only {pair['first']}: {pair['first_only']:,};"
                          f" only {pair['second']}: {pair['second_only']:,}")
        return
    k = pair["kappa"]
    kap = kappa_text(k, 3)
    console.print(f"over {rows_text(pair['both_decided'])} both decide"
                  f" ({pair['indeterminate_in_either']:,} indeterminate in either):"
                  f" agreement {_ci(pair['agreement'])}, Cohen's kappa {kap}")
    console.print(f"only {pair['first']}: {pair['first_only']:,};"
                  f" only {pair['second']}: {pair['second_only']:,}")
    console.print(f"against {pair['reference']} as reference: sensitivity"
                  f" {_ci(pair['sensitivity'])}, specificity {_ci(pair['specificity'])},"
                  f" PPV {_ci(pair['ppv'])}, NPV {_ci(pair['npv'])}")
