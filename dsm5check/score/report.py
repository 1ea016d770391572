"""`score ... --report cohort.html`: one self-contained HTML file for a research team.

The page holds the summary tables and four charts drawn by plotly (the optional
extra ``dsm5check[report]``, imported only here): prevalence per criteria set
with its 95% interval, the agreement cross-table of each pair of sets,
item endorsement by cluster and missing answers by item. plotly.js is inlined
once, so the file opens with no network.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from dsm5check import __version__
from dsm5check.compare.stats import STATUSES, kappa_text
from dsm5check.errors import InputError, Problem
from dsm5check.score.cells import Checked, clean_sql
from dsm5check.score.compile_sql import ident
from dsm5check.score.instruments import shown_name
from dsm5check.score.multi_summary import no_figures, set_notes
from dsm5check.score.summary import rows_text

REPORT_EXTRA = "report"


def items_sql(source: str, entries: Sequence[dict[str, Any]], by_col: dict[str, Checked]) -> str:
    """Rows, and per item column: rated at or above the threshold, missing (or bad)."""
    parts = ["COUNT(*)"]
    for e in entries:
        v = clean_sql(by_col[e["column"]])
        parts.append(f"SUM(CASE WHEN ({v}) >= {int(e['threshold'])} THEN 1 ELSE 0 END)")
        parts.append(f"SUM(CASE WHEN ({v}) IS NULL THEN 1 ELSE 0 END)")
    return f"SELECT {', '.join(parts)} FROM ({source}) AS {ident('__m_src')}"


def _plotly() -> Any:
    try:
        import plotly.graph_objects as go
    except ImportError:
        raise InputError([Problem.about("--report", (
            "the HTML report draws its charts with plotly, which is not installed;"
            f" install it with: pip install 'dsm5check[{REPORT_EXTRA}]'"))]) from None
    return go


def _pct(p: float | None) -> str:
    return "&ndash;" if p is None else f"{100 * p:.1f}%"


def _ci(d: dict[str, Any]) -> str:
    if d.get("estimate") is None:
        return "&ndash;"
    return f"{_pct(d['estimate'])} ({_pct(d['ci_low'])}&ndash;{_pct(d['ci_high'])})"


def figures_html(data: dict[str, Any], items: Sequence[dict[str, Any]]) -> list[tuple[str, Any]]:
    """(title, plotly figure) for each chart."""
    go = _plotly()
    charts: list[tuple[str, Any]] = []
    sets = data["sets"]
    # a set with criteria left open has no estimate over the rows it decides (mostly
    # the not met ones): its bar is the lower bound, the whisker reaches the upper one
    low_high = [(d["bounds"][0], d["bounds"][1]) if d["left_open_deciding"]
                else (d["prevalence"]["ci_low"], d["prevalence"]["ci_high"]) for d in sets]
    est = [100 * ((d["bounds"][0] if d["left_open_deciding"]
                   else d["prevalence"]["estimate"]) or 0.0) for d in sets]
    hi = [100 * (h or 0.0) - e for (_, h), e in zip(low_high, est, strict=True)]
    lo = [e - 100 * (w or 0.0) for (w, _), e in zip(low_high, est, strict=True)]
    names = [d["id"] + (" (research label)" if d["research_only"] else "")
             + (" (bounds: criteria left open)" if d["left_open_deciding"] else "") for d in sets]
    fig = go.Figure(go.Bar(x=names, y=est, error_y={"type": "data", "array": hi,
                                                     "arrayminus": lo, "visible": True},
                           marker_color="#3b6ea5",
                           text=[f"{e:.1f}%" for e in est], textposition="outside"))
    fig.update_layout(yaxis_title="% of rows the set decides (95% Wilson CI)",
                      yaxis_range=[0, 100], margin={"t": 30})
    charts.append(("Prevalence per criteria set", fig))
    for pair in data["pairs"]:
        labels = [s.replace("_", " ") for s in STATUSES]
        z = pair["table"]
        fig = go.Figure(go.Heatmap(
            z=z, x=[f"{pair['second']}: {x}" for x in labels],
            y=[f"{pair['first']}: {y}" for y in labels], colorscale="Blues",
            text=[[f"{n:,}" for n in row] for row in z], texttemplate="%{text}",
            showscale=False))
        fig.update_yaxes(autorange="reversed")
        fig.update_layout(margin={"t": 30})
        what = "How the rows split" if pair.get("exclusive") else "Agreement"
        charts.append((f"{what}: {pair['first']} and {pair['second']}", fig))
    if items:
        groups = list(dict.fromkeys(e["group"] for e in items))
        fig = go.Figure()
        for g in groups:
            sel = [e for e in items if e["group"] == g]
            fig.add_trace(go.Bar(
                name=g or "(no cluster)",
                x=[f"{e['item']} {e['short']}" for e in sel],
                y=[100 * e["endorsed"] / max(1, e["rows"] - e["missing"]) for e in sel]))
        fig.update_layout(yaxis_title="% of answered rows rated at threshold or above",
                          yaxis_range=[0, 100], legend_title="cluster", margin={"t": 30})
        charts.append(("Item endorsement by cluster", fig))
        fig = go.Figure(go.Bar(x=[f"{e['item']} ({e['column']})" for e in items],
                               y=[100 * e["missing"] / max(1, e["rows"]) for e in items],
                               marker_color="#b5523b"))
        fig.update_layout(yaxis_title="% of rows missing or bad", margin={"t": 30},
                          yaxis_rangemode="tozero")
        charts.append(("Missing answers by item", fig))
    return charts


def _tables(data: dict[str, Any]) -> str:
    rows = []
    for d in data["sets"]:
        notes = set_notes(d)
        if d["estimate_note"]:
            notes.append(d["estimate_note"])
        rows.append(
            f"<tr><td>{html.escape(d['id'])}</td><td>{html.escape(d['title'])}</td>"
            f"<td>{d['met']:,}</td><td>{d['not_met']:,}</td><td>{d['indeterminate']:,}</td>"
            f"<td>{_ci(d['prevalence'])}</td><td>{html.escape('; '.join(notes))}</td></tr>")
    out = ["<h2>Criteria sets</h2><table><tr><th>set</th><th>diagnosis</th><th>met</th>"
           "<th>not met</th><th>indeterminate</th><th>prevalence (95% CI)</th><th>notes</th>"
           "</tr>" + "".join(rows) + "</table>",
           "<p class=note>Prevalence is over the rows a set decides. Indeterminate rows"
           " (missing answers leave the status open) are counted apart, never as not"
           " met.</p>"]
    if data["pairs"]:
        out.append("<h2>Agreement</h2><table><tr><th>reference</th><th>other</th>"
                   "<th>rows both decide</th><th>agreement</th><th>Cohen's kappa (95% CI)</th>"
                   "<th>sensitivity</th><th>specificity</th><th>PPV</th><th>NPV</th></tr>")
        for p in data["pairs"]:
            why = no_figures(p)
            if why:  # as in the text summary: figures that would mislead are not shown
                if p["exclusive"]:
                    why += (f"; only {p['first']}: {p['first_only']:,},"
                            f" only {p['second']}: {p['second_only']:,}")
                out.append(f"<tr><td>{html.escape(p['first'])}</td><td>"
                           f"{html.escape(p['second'])}</td><td>{p['both_decided']:,}</td>"
                           f"<td colspan=6 class=note>no agreement figures: "
                           f"{html.escape(why)}</td></tr>")
                continue
            k = p["kappa"]
            kap = kappa_text(k, 3, none="&ndash;")
            out.append(f"<tr><td>{html.escape(p['first'])}</td><td>{html.escape(p['second'])}"
                       f"</td><td>{p['both_decided']:,}</td><td>{_ci(p['agreement'])}</td>"
                       f"<td>{kap}</td><td>{_ci(p['sensitivity'])}</td>"
                       f"<td>{_ci(p['specificity'])}</td><td>{_ci(p['ppv'])}</td>"
                       f"<td>{_ci(p['npv'])}</td></tr>")
        out.append("</table>")
    cats = data.get("categories")
    if cats:
        out.append(f"<h2>{html.escape(cats['column'])}</h2><table><tr>"
                   + "".join(f"<th>{html.escape(w)}</th>" for w in cats["counts"]) + "</tr><tr>"
                   + "".join(f"<td>{n:,}</td>" for n in cats["counts"].values())
                   + "</tr></table>")
    return "\n".join(out)


STYLE = """body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;
text-align:right}td:first-child,th:first-child{text-align:left}.note{color:#555}
.chart{margin:1.5em 0}"""


def render_html(data: dict[str, Any], items: Sequence[dict[str, Any]], source: str) -> str:
    import plotly.io as pio

    parts = []
    for n, (title, fig) in enumerate(figures_html(data, items)):
        fig.update_layout(title=None, height=420)
        div = pio.to_html(fig, full_html=False, include_plotlyjs=(n == 0),
                          config={"displaylogo": False, "responsive": True},
                          div_id=f"chart{n}")
        parts.append(f"<section class=chart><h2>{html.escape(title)}</h2>{div}</section>")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>dsm5check cohort report: {html.escape(source)}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Cohort report: {html.escape(os.path.basename(source))}</h1>"
        f"<p>{rows_text(data['rows'])}, instrument"
        f" {html.escape(shown_name(str(data['instrument'])))}, missing"
        f" data {html.escape(data['missing'])}. dsm5check {__version__}, {when}."
        " A teaching and decision-support aid, not a diagnostic device: self-report"
        " results are provisional.</p>"
        + _tables(data) + "".join(parts) + "</body></html>\n")


def write_report(path: str, data: dict[str, Any], items: Sequence[dict[str, Any]],
                 source: str) -> None:
    text = render_html(data, items, source)
    tmp = f"{path}.{os.getpid()}.partial"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError([Problem(path, 1, 1, f"cannot write the report: {exc.strerror}")]
                         ) from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
