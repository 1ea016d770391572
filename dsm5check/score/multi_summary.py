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

from dsm5check.compare.stats import STATUSES, compare_pair, prevalence
from dsm5check.score.compile_sql import ident
from dsm5check.score.summary import Summary

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


def aggregate_sql(multi: Multi, relation: str) -> str:
    keys = [ident(c) for c in multi.status_columns()]
    aggs = ["COUNT(*)", f"COUNT({ident('bad_cells')})"]
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}" if keys else ""
    return f"SELECT {', '.join(keys + aggs)} FROM {relation}{group}"


def decode(multi: Multi, groups: Sequence[Sequence[Any]]) -> MultiSummary:
    cols = tuple(multi.status_columns())
    s = MultiSummary(columns=cols)
    for g in groups:
        words = tuple("indeterminate" if w is None else str(w) for w in g[:len(cols)])
        n, bad = int(g[len(cols)]), int(g[len(cols) + 1] or 0)
        s.rows += n
        s.combos[words] = s.combos.get(words, 0) + n
        s.bad.bad_rows += bad
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
        sets.append({
            "id": r.id,
            "title": r.diagnosis.title,
            "ruleset_title": r.title,
            "version": r.version,
            "column": scored.status,
            "research_only": bool(getattr(r, "research_only", False)),
            "provisional": bool(comp.not_assessed),
            "not_assessed": list(comp.not_assessed),
            "estimate": scored.estimate,
            "estimate_note": _crosswalk_note(scored) if scored.estimate else None,
            **prevalence(counts),
            "criterion_columns": criteria,
        })
    pairs = []
    for x, y in combinations(range(len(multi.sets)), 2):
        a, b = multi.sets[x], multi.sets[y]
        pairs.append({"first": a.rules.id, "second": b.rules.id,
                      "reference": a.rules.id,
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


def _criteria_names(set_id: str) -> dict[str, str]:
    """Plain names of a shipped set's criteria (ids readers do not know)."""
    from dsm5check.engine.registry import shipped, shipped_ids

    if set_id not in shipped_ids():
        return {}
    return {c.id: c.name for c in shipped(set_id).rules.criteria if c.name}


def render(data: dict[str, Any], console: Console) -> None:
    from rich.text import Text

    from dsm5check.render.fit import Column, Fitted

    console.print(Text(f"dsm5check score: {data['rows']:,} rows ({data['instrument']},"
                       f" missing data: {data['missing']}), {len(data['sets'])} criteria"
                       f" set{'s' if len(data['sets']) != 1 else ''}", style="bold"))
    rows: list[list[str | Text]] = []
    for d in data["sets"]:
        p = d["prevalence"]
        width = 20
        bar = "█" * round(width * (p["estimate"] or 0.0))
        rows.append([_name(d), f"{d['met']:,}", f"{d['not_met']:,}",
                     f"{d['indeterminate']:,}", _ci(p), Text(bar, style="cyan")])
    console.print(Fitted(
        [Column("set"), *(Column(h, "right") for h in ("met", "not met", "indeterminate",
                                                      "prevalence (95% CI)")),
         Column("", optional=True)], rows, boxed=False))
    console.print(Text("prevalence is over the rows a set decides; indeterminate rows"
                       " (missing answers that leave the status open) are counted apart",
                       style="dim"))
    for d in data["sets"]:
        if d["research_only"]:
            console.print(Text(f"{d['id']}: a research label, not a diagnosis"
                               f" ({d['ruleset_title']})", style="yellow"))
        if d["estimate"]:
            console.print(Text(f"{d['id']}: {d['estimate']}", style="yellow"))
        if d["provisional"]:
            named = _criteria_names(d["id"])
            console.print(Text(f"{d['id']}: provisional, the data cannot assess "
                               + ", ".join(named.get(x, x) for x in d["not_assessed"])
                               + " (assumed met)",
                               style="yellow"))
    cats = data.get("categories")
    if cats:
        total = sum(cats["counts"].values())
        line = ", ".join(f"{w} {n:,} ({_pct(n / total if total else None)})"
                         for w, n in cats["counts"].items())
        console.print(f"{cats['column']}: {line}")
    for pair in data["pairs"]:
        _render_pair(pair, console)
    bad = data["bad_cells"]
    if bad["rows"]:
        cols = ", ".join(f"{k} {v:,}" for k, v in bad["by_column"].items())
        console.print(Text(f"bad cells (counted as missing) in {bad['rows']:,} rows: {cols}",
                           style="red"))
    else:
        console.print("bad cells: none")


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
    k = pair["kappa"]
    kap = "-" if k["kappa"] is None else (f"{k['kappa']:.3f} ({k['ci_low']:.3f} to"
                                          f" {k['ci_high']:.3f})")
    console.print(f"over {pair['both_decided']:,} rows both decide"
                  f" ({pair['indeterminate_in_either']:,} indeterminate in either):"
                  f" agreement {_ci(pair['agreement'])}, Cohen's kappa {kap}")
    console.print(f"only {pair['first']}: {pair['first_only']:,};"
                  f" only {pair['second']}: {pair['second_only']:,}")
    console.print(f"against {pair['reference']} as reference: sensitivity"
                  f" {_ci(pair['sensitivity'])}, specificity {_ci(pair['specificity'])},"
                  f" PPV {_ci(pair['ppv'])}, NPV {_ci(pair['npv'])}")
