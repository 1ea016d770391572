"""The clinician's view: a rich tree per case and a summary table per run.

Renderers take a Console, so tests can capture exact text
(``Console(file=StringIO(), width=80, color_system=None)``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from rich.console import Console, Group
from rich.text import Text
from rich.tree import Tree

from dsm5check.engine.reasons import needed_inputs
from dsm5check.engine.results import (
    MET,
    NOT_MET,
    CaseResult,
    Mismatch,
    NodeResult,
    Status,
    needed_for_diagnosis,
)
from dsm5check.engine.ruleset import Ruleset
from dsm5check.render.fit import Column, Fitted
from dsm5check.render.names import criterion_heading, criterion_name, name_of, names_of

STYLE = {MET: "green", NOT_MET: "red", "indeterminate": "yellow"}
WORD = {MET: "met", NOT_MET: "not met", "indeterminate": "indeterminate"}
MARK = {MET: "+", NOT_MET: "-", "indeterminate": "?"}


def status_text(status: Status, *, upper: bool = False) -> Text:
    word = WORD[status].upper() if upper else WORD[status]
    return Text(word, style=f"bold {STYLE[status]}")


def _line(mark_status: Status, title: str, reason: str) -> Text:
    text = Text()
    text.append(f"[{MARK[mark_status]}] ", style=STYLE[mark_status])
    text.append(title, style="bold")
    text.append(f": {reason}" if reason else "")
    return text


def _shown_children(node: NodeResult) -> list[NodeResult]:
    """Children worth a line: unlabelled all/any groups are flattened."""
    out: list[NodeResult] = []
    for kid in node.children:
        if kid.kind in {"all", "any"} and kid.id is None and kid.label is None:
            out.extend(_shown_children(kid))
        else:
            out.append(kid)
    return out


def _ref_name(kid: NodeResult, named: Mapping[str, tuple[str | None, str]]) -> str:
    """A reference to a criterion: its own label, else how people see it named
    ("AD (affect dysregulation)"; the engine labels it with the bare plain name)."""
    plain, shown = named.get(kid.name, (None, kid.name))
    if kid.label and kid.label != plain:
        return kid.label
    return shown


def _add_children(tree: Tree, node: NodeResult, depth: int,
                  named: Mapping[str, tuple[str | None, str]]) -> None:
    for kid in _shown_children(node):
        if kid.kind == "criterion":
            tree.add(_line(kid.status, _ref_name(kid, named), WORD[kid.status]))
            continue
        branch = tree.add(_line(kid.status, kid.title, kid.reason))
        # a node with an id (a route such as A1) is one line unless undecided
        if depth > 1 and kid.kind not in {"item", "fact", "months"} and (
            kid.id is None or kid.status == "indeterminate"
        ):
            _add_children(branch, kid.children[0] if kid.kind == "element" else kid, depth - 1,
                          named)


def case_tree(result: CaseResult, *, depth: int = 6) -> Tree:
    head = Text()
    head.append(result.case_id, style="bold")
    head.append(f"  {result.diagnosis_title}: ")
    head.append_text(status_text(result.diagnosis, upper=True))
    head.append(f"  ({result.ruleset_id} {result.ruleset_version})", style="dim")
    tree = Tree(head, guide_style="dim")
    named = {c.id: (c.name, criterion_name(c.id, c.name)) for c in result.criteria}
    for c in result.criteria:
        branch = tree.add(_line(c.status, criterion_heading(c.id, c.title, c.name), c.reason))
        node = c.node
        if node.kind not in {"item", "fact", "months"}:
            _add_children(branch, node, depth, named)
    if result.specifiers:
        specs = tree.add(Text("Specifiers", style="bold"))
        for s in result.specifiers:
            specs.add(_line(s.status, f"{s.title} [{s.source}]", s.reason))
    if result.index_element:
        # an element without an id is known by its path (events[0]): say "event 1"
        shown = re.sub(r"^(\w+?)s?\[(\d+)\]$", lambda m: f"{m[1]} {int(m[2]) + 1}",
                       result.index_element)
        tree.add(Text(f"{result.index_title}: {shown}", style="dim"))
    needed = needed_for_diagnosis(result, words=True)
    if needed:
        from dsm5check.teach.whatif import still_needed

        need = tree.add(Text("Still needed to decide the diagnosis", style="bold yellow"))
        decide = {d.criterion: d for d in still_needed(result)}
        labels = names_of(result.criteria)
        for crit, inputs in needed.items():
            said = ", ".join(inputs)
            line = need.add(Text(f"{labels.get(crit, crit)}" + (f": {said}" if said else "")))
            if crit in decide:
                line.add(Text(decide[crit].brief_sentence(), style="dim"))
    for caution in getattr(result, "cautions", ()):  # cases/cautions.py
        tree.add(Text(f"Caution: {caution['message']}", style="yellow"))
    if result.expected_checked:
        if result.mismatches:
            exp = tree.add(Text("Expected: DID NOT MATCH", style="bold red"))
            for m in result.mismatches:
                exp.add(Text(mismatch_text(m, result), style="red"))
        else:
            tree.add(Text("Expected: matched", style="green"))
    return tree


def mismatch_text(m: Mismatch, result: CaseResult) -> str:
    """An expectation that did not match, in words (the JSON keeps the keys)."""
    titles = {s.id: s.title for s in result.specifiers}

    def said(value: object) -> str:
        if isinstance(value, list):
            return ", ".join(titles.get(v, str(v)) for v in value) or "none"
        words: dict[str, str] = {str(k): v for k, v in WORD.items()}
        return words.get(value, value) if isinstance(value, str) else str(value)

    what = m.what
    if what.startswith("criteria."):
        cid = what.split(".", 1)[1]
        named = {c.id: criterion_name(c.id, c.name) for c in result.criteria if c.name}
        what = named.get(cid) or f"criterion {cid}"
    return f"{what}: expected {said(m.expected)}, got {said(m.actual)}"


def summary_table(results: Sequence[CaseResult]) -> Fitted:
    """One line per case; at a narrow width case ids fold and specifiers wrap
    (never an ellipsis), or the rows stack."""
    rows: list[list[str | Text]] = []
    for r in results:
        if not r.expected_checked:
            exp = Text("-", style="dim")
        elif r.mismatches:
            exp = Text("MISMATCH", style="bold red")
        else:
            exp = Text("ok", style="green")
        titles = {s.id: s.title for s in r.specifiers}
        specs = Text(", ".join(titles[s] for s in r.applied_specifiers) or "-")
        if r.undecided_specifiers:
            undecided = ", ".join(titles[s] for s in r.undecided_specifiers)
            specs.append(f"; undecided: {undecided}", style="yellow")
        rows.append([r.case_id, status_text(r.diagnosis), specs, exp])
    return Fitted([Column("case", wrap=True), Column("diagnosis"),
                   Column("specifiers", wrap=True), Column("expected")], rows,
                  title=f"{len(results)} case{'' if len(results) == 1 else 's'}")


def needs_attention(result: CaseResult) -> bool:
    return (bool(result.mismatches) or result.diagnosis == "indeterminate"
            or bool(getattr(result, "cautions", ())))


def readings(rules: Ruleset) -> Tree:
    """The readings dsm5check chose where the source is silent or unclear."""
    tree = Tree(Text(f"How dsm5check reads {rules.id} {rules.version}", style="bold"),
                guide_style="dim")
    for note in rules.interpretation:
        tree.add(Text(" ".join(note.split())))
    notes = [(name_of(c), n) for c in rules.criteria for n in c.interpretation]
    notes += [(s.title, n) for s in rules.specifiers for n in s.interpretation]
    for owner, note in notes:
        tree.add(Text(f"{owner}: " + " ".join(note.split())))
    return tree


def render_run(
    console: Console, results: Sequence[CaseResult], *, detail: bool, errors: int,
    explain: Sequence[Ruleset] = (),
) -> None:
    _render_results(console, results, detail=detail, errors=errors)
    for rules in explain:
        console.print()
        console.print(readings(rules))
    if explain:
        from dsm5check.cases.timeline_checks import MONTHS_READING

        console.print(Text(MONTHS_READING))


def _render_results(
    console: Console, results: Sequence[CaseResult], *, detail: bool, errors: int
) -> None:
    if len(results) == 1 and not errors:
        console.print(case_tree(results[0]))
        return
    if results:
        console.print(summary_table(results))
    shown = [r for r in results if detail or needs_attention(r)]
    for r in shown:
        console.print()
        console.print(Group(case_tree(r)))
    matched = sum(1 for r in results if r.expected_checked and not r.mismatches)
    mismatched = sum(1 for r in results if r.mismatches)
    parts = [f"{len(results)} case{'s' if len(results) != 1 else ''} evaluated"]
    if matched or mismatched:
        parts.append(f"{matched} matched expectations, {mismatched} did not")
    if errors:
        parts.append(f"{errors} input problem{'s' if errors != 1 else ''} (see above)")
    console.print()
    console.print(Text("; ".join(parts) + ".", style="bold"))


__all__ = ["case_tree", "needed_inputs", "render_run", "summary_table"]
