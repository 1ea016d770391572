"""`compare` for people: verdicts side by side, what decides them, agreement figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from dsm5check.compare.cases import CaseComparison
from dsm5check.compare.stats import kappa_text
from dsm5check.engine.ruleset import LoadedRuleset
from dsm5check.render.fit import Column, Fitted

WORDS = {"met": "met", "not_met": "not met", "indeterminate": "undecided"}
STYLE = {"met": "green", "not_met": "red", "indeterminate": "yellow"}


def _status(status: str | None) -> Text:
    if status is None:  # the set skipped the case (one it is not for)
        return Text("skipped", style="dim")
    return Text(WORDS[status], style=STYLE[status])


def _lower(title: str) -> str:
    return title[:1].lower() + title[1:] if title[1:2].islower() else title


def _pct(figure: dict[str, Any]) -> str:
    if figure.get("estimate") is None:
        return "-"
    low, high = 100 * figure["ci_low"], 100 * figure["ci_high"]
    return f"{100 * figure['estimate']:.0f}% ({low:.0f}-{high:.0f})"


def render_comparison(console: Console, sets: Sequence[LoadedRuleset],
                      cases: Sequence[CaseComparison], summary: dict[str, Any] | None, *,
                      every: bool = False) -> None:
    ids = [s.rules.id for s in sets]
    for s in sets:
        # said once: a research set whose title already says so gets no second label
        said = "not a diagnosis" in s.rules.title.lower()
        label = " — a research label, not a diagnosis" if s.rules.research_only and not said else ""
        console.print(f"[bold]{s.rules.id}[/]: {s.rules.title}{label}")
    listed = [c for c in cases if every or not c.agree or len(cases) == 1]
    if listed:
        rows: list[list[str | Text]] = []
        for c in listed:
            st = c.statuses
            deciding = c.deciding()
            titles = {(r.ruleset_id, k.id): k.title for r in c.results for k in r.criteria}
            why = "; ".join(
                f"{rid} {WORDS[st[rid]]}: "
                + ", ".join(_lower(titles[(rid, k)]) for k in deciding[rid])
                for rid in ids if deciding.get(rid) and not c.agree
            ) or (("all undecided" if set(st.values()) == {"indeterminate"} else "all agree")
                  if c.agree else "")  # as the summary line counts them
            rows.append([c.case_id, *(_status(st.get(rid)) for rid in ids), why])
        console.print(Fitted(
            [Column("case", wrap=True), *(Column(rid) for rid in ids),
             Column("what decides it", wrap=True)], rows,
            title="Verdicts side by side" + ("" if every or len(cases) == 1
                                             else " (cases where the sets differ)"),
            split=False))  # the sets' verdicts belong side by side, or stacked per case
    for c in cases:  # said for every case, listed above or not (as check says them)
        for caution in c.cautions:
            console.print(f"Caution ({c.case_id}): {caution['message']}", soft_wrap=True)
    if summary is None:
        console.print("No case could be compared.")
        return
    # a case every set leaves undecided is not an agreement on a verdict
    undecided = sum(c.agree and set(c.statuses.values()) == {"indeterminate"} for c in cases)
    agree = sum(c.agree for c in cases) - undecided
    n = summary["cases"]
    console.print(f"{n} case{'' if n == 1 else 's'}; all sets reach the same verdict on {agree}"
                  + (f"; every set leaves {undecided} undecided" if undecided else "") + ".")
    prev = []
    for rid in ids:
        p = summary["prevalence"][rid]
        prev.append([rid, str(p["met"]), str(p["not_met"]), str(p["indeterminate"]),
                     _pct(p["prevalence"])])
    console.print(Fitted(
        [Column("set"), *(Column(c, "right") for c in ("met", "not met", "undecided",
                                                      "prevalence"))], prev,
        title="Prevalence (over the cases a set decides; 95% Wilson interval)"))
    pairs = []
    exclusive = []
    for p in summary["pairs"]:
        if p.get("exclusive"):  # never given together: agreement would measure nothing
            exclusive.append(p)
            pairs.append([p["reference"], p["other"], str(p["both_decided"]),
                          *(["-"] * 6)])
            continue
        k = p["kappa"]
        kappa = kappa_text(k, 2)
        pairs.append([p["reference"], p["other"], str(p["both_decided"]), _pct(p["agreement"]),
                      kappa, _pct(p["sensitivity"]), _pct(p["specificity"]), _pct(p["ppv"]),
                      _pct(p["npv"])])
    console.print(Fitted(
        [Column("reference"), Column("other"),
         *(Column(c, "right") for c in ("both decide", "agreement", "kappa", "sensitivity",
                                         "specificity", "PPV", "NPV"))], pairs, keys=2,
        title="Agreement per pair (sensitivity to NPV against the set in the reference"
              " column; undecided cases are counted apart, never as not met)"))
    for p in exclusive:
        console.print(f"{p['reference']} and {p['other']} are never given together (one"
                      " excludes the other): no agreement figures; only"
                      f" {p['reference']}: {p['first_only']}, only {p['other']}:"
                      f" {p['second_only']}.")
