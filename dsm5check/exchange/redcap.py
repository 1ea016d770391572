"""A ruleset's interview as a REDCap data dictionary (the CSV REDCap imports).

One row per field of the static form (exchange/form.py): rated items as radio
buttons with the scale's anchors, yes/no questions as REDCap's yesno, ticked
lists as checkboxes, dates as text validated as date_ymd, and the interview's
skips as branching logic. A repeated group (the events) becomes its own
instrument, to be marked as a repeating instrument in the project's settings.
Nothing may stand in for an unasked question: no field has a default.
"""

from __future__ import annotations

import csv
import io
import re

from dsm5check.engine.ruleset import LoadedRuleset
from dsm5check.exchange.form import Condition, Form, FormField, build_form

HEADER = (
    "Variable / Field Name", "Form Name", "Section Header", "Field Type", "Field Label",
    "Choices, Calculations, OR Slider Labels", "Field Note",
    "Text Validation Type OR Show Slider Number", "Text Validation Min",
    "Text Validation Max", "Identifier?", "Branching Logic (Show field only if...)",
    "Required Field?", "Custom Alignment", "Question Number (surveys only)",
    "Matrix Group Name", "Matrix Ranking?", "Field Annotation",
)


def variable(link_id: str) -> str:
    """A REDCap variable name: lower case letters, digits and underscores."""
    name = re.sub(r"[^a-z0-9_]+", "_", link_id.lower()).strip("_")
    return name if name[:1].isalpha() else f"v_{name}"


def data_dictionary(loaded: LoadedRuleset) -> str:
    form = build_form(loaded)
    main = variable(form.ruleset_id)
    rows: list[list[str]] = [_row("record_id", main, "", "text", "Record ID")]
    kinds = {f.link_id: f for f in form.fields()}
    for section in form.sections:
        header = section.title
        for f in section.fields:
            repeated = section.collection is not None and f.role != "any"
            form_name = variable(section.collection or "") if repeated else main
            rows.append(_field_row(form, f, form_name, header, kinds))
            header = ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _row(name: str, form_name: str, header: str, kind: str, label: str, choices: str = "",
         note: str = "", validation: str = "", vmin: str = "", vmax: str = "",
         branching: str = "", annotation: str = "") -> list[str]:
    return [name, form_name, header, kind, label, choices, note, validation, vmin, vmax, "",
            branching, "", "", "", "", "", annotation]


def _field_row(form: Form, f: FormField, form_name: str, header: str,
               fields: dict[str, FormField]) -> list[str]:
    name = variable(f.link_id)
    label = f"{f.label}: {f.text}" if f.code else f.text
    branching = _branching(form, f.show_when, fields)
    note = f.help or ""
    annotation = f"dsm5check:{f.link_id}"
    if f.kind == "boolean":
        return _row(name, form_name, header, "yesno", label, note=note, branching=branching,
                    annotation=annotation)
    if f.kind in ("rating", "choice", "multi"):
        choices = " | ".join(f"{o.code}, {o.label}" for o in f.options)
        kind = "checkbox" if f.kind == "multi" else "radio"
        return _row(name, form_name, header, kind, label, choices, note, branching=branching,
                    annotation=annotation)
    if f.kind == "date":
        return _row(name, form_name, header, "text", label, note=note, validation="date_ymd",
                    branching=branching, annotation=annotation)
    if f.kind == "decimal":
        return _row(name, form_name, header, "text", label, note=note, validation="number",
                    vmin="0", branching=branching, annotation=annotation)
    return _row(name, form_name, header, "notes", label, note=note, branching=branching,
                annotation=annotation)


def _branching(form: Form, show_when: tuple[tuple[Condition, ...], ...],
               fields: dict[str, FormField]) -> str:
    parts = []
    for conditions in show_when:
        terms = [_term(c, fields) for c in conditions]
        parts.append(terms[0] if len(terms) == 1 else "(" + " or ".join(terms) + ")")
    return " and ".join(parts)


def _term(c: Condition, fields: dict[str, FormField]) -> str:
    name = variable(c.link_id)
    target = fields.get(c.link_id)
    if c.value is None:
        return f"[{name}] = ''"
    if isinstance(c.value, bool):
        return f"[{name}] = '{1 if c.value else 0}'"
    if target is not None and target.kind == "multi":
        return f"[{name}({c.value})] = '1'"
    return f"[{name}] = '{c.value}'"
