"""Assemble the whole scoring query: clean cells, fill items, criteria, outputs.

The query reads a relation with the input columns (``score_input`` in the SQL
that ``--emit-sql`` prints) and is built from common table expressions, one
layer per step, each adding columns to ``*``:

1. ``__s_a``  every column the rules read, checked (off-scale or wrong type -> NULL)
2. ``__s_b``  per row: answered summed symptom items and their sum (for prorating)
3. ``__s_c``  item values after the missing-data mode (impairment items, marked
   ``impairment: true`` in the YAML, are never filled in)
4. ``__s_k0``... criteria, in dependency order (compile_sql.compile_rule)
5. ``__s_x``  the diagnosis rule; ``__s_y`` specifiers (diagnosis AND own rule)

then one SELECT names the output columns. Internal names start with ``__s_``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dsm5check.engine.rules_model import AtLeastNode
from dsm5check.engine.ruleset import DIAGNOSIS, Ruleset
from dsm5check.errors import UsageError
from dsm5check.score.cells import Bind, Checked, checked_columns, clean_sql, criterion_levels
from dsm5check.score.columns import ColumnPlan
from dsm5check.score.compile_sql import (
    FALSE,
    TRUE,
    compile_rule,
    count_null,
    count_true,
    ident,
    literal,
)
from dsm5check.score.instruments import SUMMED_SECTION, Instrument
from dsm5check.score.missing import filled_value, prorated_count

STATUS_TYPE = "dsm5_status"
NOT_ASSESSED_TYPE = "dsm5_not_assessed"
PORTABLE_SOURCE = 'SELECT ROW_NUMBER() OVER () AS "__s_row", * FROM score_input'
ROW = "__s_row"


@dataclass(frozen=True)
class Options:
    missing: str = "strict"
    max_missing: int = 2
    cutpoint: int | None = None


@dataclass(frozen=True)
class Compiled:
    sql: str
    outputs: tuple[tuple[str, str], ...]  # (name, kind)
    checked: tuple[Checked, ...]
    criteria: tuple[str, ...]
    not_assessed: tuple[str, ...]
    counted: tuple[str, ...]
    groups: tuple[str, ...]
    specifiers: tuple[str, ...]
    gaps: tuple[str, ...]
    cutpoint: int | None
    total_max: int
    carried: dict[str, str] = field(default_factory=dict)  # input column -> output name
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)  # DuckDB types to create


def _word(word: str, status_type: str | None) -> str:
    return f"CAST('{word}' AS {status_type})" if status_type else f"'{word}'"


def status_sql(x: str, status_type: str | None = None) -> str:
    """met / not_met / indeterminate for a three-valued SQL boolean."""
    met, no, unknown = (_word(w, status_type) for w in ("met", "not_met", "indeterminate"))
    return f"CASE WHEN {x} THEN {met} WHEN NOT {x} THEN {no} ELSE {unknown} END"


def build(rules: Ruleset, instrument: Instrument, plan: ColumnPlan, options: Options,
          source: str = PORTABLE_SOURCE, extra: Sequence[tuple[str, str]] = (),
          enums: bool = False) -> Compiled:
    """The scoring query over ``source`` (a SELECT giving the input columns and __s_row).

    ``enums``: write status words as DuckDB ENUM values (types ``dsm5_status`` and
    ``dsm5_not_assessed``, see Compiled.enums), far cheaper to write than text;
    False gives plain text literals (the portable SQL).
    """
    return _Builder(rules, plan, options, enums).finish(source, extra)


class _Builder:
    def __init__(self, rules: Ruleset, plan: ColumnPlan, options: Options, enums: bool) -> None:
        self.rules, self.plan, self.options = rules, plan, options
        self.status_type = STATUS_TYPE if enums else None
        self.checked = checked_columns(rules, plan)
        self.ctes: list[tuple[str, list[str]]] = []
        self.ctes.append(("__s_a", [f"{clean_sql(c)} AS {ident(c.clean)}"
                                    for c in self.checked.values()]))
        self.summed = [i for i in rules.items if i.section == SUMMED_SECTION]
        # the symptoms a missing-data mode may fill in; impairment ratings stay as given
        self.fillable = [i for i in self.summed if not i.impairment]
        self.gaps: list[str] = []
        self._items()
        self.bind = Bind(rules, plan, self.checked, self.values)
        self._criteria()

    def _items(self) -> None:
        raw: dict[str, str] = {}
        for item in self.summed:
            cols = self.plan.items.get(item.id, ())
            if len(cols) > 1:
                raise UsageError(f"--map: item {item.id} adds up to the total:"
                                 " give it one column, not several")
            raw[item.id] = ident(self.checked[cols[0]].clean) if cols else "NULL"
        given = [raw[i.id] for i in self.fillable if raw[i.id] != "NULL"]
        answered = " + ".join(f"(CASE WHEN {v} IS NOT NULL THEN 1 ELSE 0 END)"
                              for v in given) or "0"
        answered_sum = " + ".join(f"COALESCE({v}, 0)" for v in given) or "0"
        if self.options.missing == "prorate":  # every row needs them: compute once
            self.ctes.append(("__s_b", [f"{answered} AS __s_na", f"{answered_sum} AS __s_ns"]))
            self.na, self.ns = "__s_na", "__s_ns"
        else:  # needed only where a row has gaps: inline, evaluated lazily inside CASE
            self.na, self.ns = f"({answered})", f"({answered_sum})"
        self.missing = f"({len(self.fillable)} - {self.na})"
        # impairment items left blank (never filled in, so counted apart)
        self.unfilled = " + ".join(f"(CASE WHEN {raw[i.id]} IS NULL THEN 1 ELSE 0 END)"
                                   for i in self.summed if i.impairment)
        self.values: dict[str, str] = {}
        layer = []
        for j, item in enumerate(self.summed):
            self.values[item.id] = f"__s_i{j}"
            filled = raw[item.id] if item.impairment else filled_value(
                self.options.missing, raw[item.id], self.na, self.ns, self.missing,
                self.options.max_missing)
            layer.append(f"{filled} AS __s_i{j}")
        for item_id, cols in self.plan.items.items():
            if item_id not in self.values and len(cols) == 1:
                self.values[item_id] = self.checked[cols[0]].clean
        self.ctes.append(("__s_c", layer or ["0 AS __s_i_none"]))
        # cluster severities and the total, once, for the outputs and the cut-point
        self.groups = list(dict.fromkeys(i.group for i in self.summed if i.group))
        sums = [f"{' + '.join(ident(self.values[i.id]) for i in self.summed if i.group == g)}"
                f" AS __s_g{m}" for m, g in enumerate(self.groups)]
        if all(i.group for i in self.summed) and self.groups:
            total = " + ".join(f"__s_g{m}" for m in range(len(self.groups)))
            self.ctes.append(("__s_g", sums or ["0 AS __s_g_none"]))
            self.ctes.append(("__s_t", [f"{total} AS __s_total"]))
        else:
            total = " + ".join(ident(self.values[i.id]) for i in self.summed) or "NULL"
            self.ctes.append(("__s_g", [*sums, f"{total} AS __s_total"]))

    def _criteria(self) -> None:
        rules, bind, plan = self.rules, self.bind, self.plan
        levels = criterion_levels(rules)
        self.counted: list[str] = []
        for depth in range(max(levels.values(), default=-1) + 1):
            counts: list[str] = []
            layer: list[str] = []
            for n, crit in enumerate(rules.criteria):
                if levels[crit.id] != depth:
                    continue
                if crit.id in plan.criteria:
                    sql = f"({ident(self.checked[plan.criteria[crit.id]].clean)} = 1)"
                else:
                    compiled = compile_rule(crit.rule, bind)
                    if not compiled.data:
                        continue
                    sql = compiled.text
                    self.gaps.extend(f"{crit.id}: {g}" for g in compiled.gaps)
                    if isinstance(crit.rule, AtLeastNode):  # counts once, in their own layer
                        kids = [compile_rule(k, bind).text for k in crit.rule.of]
                        counts.append(f"{count_true(kids)} AS __s_t{n}")
                        k = crit.rule.at_least
                        # the unknowns are counted only where the met count falls short
                        # (CASE evaluates a WHEN only for rows no earlier WHEN took)
                        sql = (f"(CASE WHEN __s_t{n} >= {k} THEN {TRUE} WHEN __s_t{n}"
                               f" + ({count_null(kids)}) < {k} THEN {FALSE} ELSE NULL END)")
                        self.counted.append(crit.id)
                bind.columns[crit.id] = f"__s_k{n}"
                layer.append(f"{sql} AS __s_k{n}")
            if counts:
                self.ctes.append((f"__s_n{depth}", counts))
            if layer:
                self.ctes.append((f"__s_k{depth}_", layer))
        self.not_assessed = tuple(c.id for c in rules.criteria if c.id not in bind.columns)
        dx = compile_rule(rules.diagnosis.rule, bind)
        self.ctes.append(("__s_x", [f"{dx.text} AS __s_dx"]))
        bind.columns[DIAGNOSIS] = "__s_dx"
        self.specs: list[tuple[str, str]] = []
        for n, spec in enumerate(rules.specifiers):
            compiled = compile_rule(spec.rule, bind)
            if compiled.data:
                self.specs.append((spec.id, f"__s_s{n}"))
                self.ctes.append((f"__s_y{n}", [f"(__s_dx AND {compiled.text}) AS __s_s{n}"]))
                self.gaps.extend(f"{spec.id}: {g}" for g in compiled.gaps)

    def _outputs(self) -> list[tuple[str, str, str]]:
        st = self.status_type
        outs: list[tuple[str, str, str]] = [("status", status_sql("__s_dx", st), "status")]
        outs.append(("provisional", TRUE if self.not_assessed else FALSE, "bool"))
        na = literal(" ".join(self.not_assessed))
        if st and self.not_assessed:
            na = f"CAST({na} AS {NOT_ASSESSED_TYPE})"
        outs.append(("not_assessed", na if self.not_assessed else "NULL", "text"))
        for n, crit in enumerate(self.rules.criteria):  # the others are in not_assessed
            if crit.id in self.bind.columns:
                outs.append((f"{crit.id}_status", status_sql(f"__s_k{n}", st), "status"))
        for n, crit in enumerate(self.rules.criteria):
            if crit.id in self.counted:
                outs.append((f"{crit.id}_count", f"__s_t{n}", "count"))
        for m, g in enumerate(self.groups):
            outs.append((f"{g}_severity", f"__s_g{m}", "number"))
        outs.append(("total", "__s_total", "number"))
        cut = self.options.cutpoint
        if cut is not None and self.summed:
            low, high = self._bounds()
            met, no, unknown = (_word(w, st) for w in ("met", "not_met", "indeterminate"))
            outs.append(("cutpoint", f"CASE WHEN __s_total >= {cut} THEN {met}"
                                     f" WHEN __s_total IS NOT NULL THEN {no}"
                                     f" WHEN {low} >= {cut} THEN {met} WHEN {high} < {cut}"
                                     f" THEN {no} ELSE {unknown} END", "status"))
        for sid, col in self.specs:
            outs.append((sid, status_sql(col, st), "status"))
        others = [c for c in self.checked.values() if c.kind == "rating"
                  and not any(c.column in self.plan.items.get(i.id, ()) for i in self.summed)]
        summed_missing = f"({self.missing} + {self.unfilled})" if self.unfilled else self.missing
        if self.options.missing == "strict":  # a known total means no summed item is missing
            summed_missing = f"(CASE WHEN __s_total IS NOT NULL THEN 0 ELSE {summed_missing} END)"
        nmiss = " + ".join([summed_missing] + [f"(CASE WHEN {ident(c.clean)} IS NULL THEN 1"
                                               " ELSE 0 END)" for c in others])
        outs.append(("items_missing", nmiss, "count"))
        if self.options.missing == "prorate":
            outs.append(("items_prorated", prorated_count(
                self.na, self.missing, self.options.max_missing), "count"))
        return outs

    def _bounds(self) -> tuple[str, str]:
        """Lowest and highest total a row with gaps can still have."""
        scales = {(self.rules.scale_of(i).min, self.rules.scale_of(i).max) for i in self.summed}
        if len(scales) == 1 and not self.unfilled:  # ns and missing cover every summed item
            lo, hi = scales.pop()
            return (f"{self.ns} + {lo} * {self.missing}", f"{self.ns} + {hi} * {self.missing}")
        low = " + ".join(f"COALESCE({ident(self.values[i.id])}, {self.rules.scale_of(i).min})"
                         for i in self.summed)
        high = " + ".join(f"COALESCE({ident(self.values[i.id])}, {self.rules.scale_of(i).max})"
                          for i in self.summed)
        return low, high

    def finish(self, source: str, extra: Sequence[tuple[str, str]]) -> Compiled:
        outs = self._outputs() + [(name, sql, "text") for name, sql in extra]
        taken = {"row"} | {name for name, _, _ in outs}
        if len(taken) != len(outs) + 1:
            raise UsageError("the ruleset would give two output columns the same name")
        carried: dict[str, str] = {}
        for col in self.plan.carried:
            name = col
            while name in taken:
                name += "_input"
            taken.add(name)
            carried[col] = name
        select = [f"{ident(ROW)} AS {ident('row')}"]
        select += [f"{ident(c)} AS {ident(n)}" for c, n in carried.items()]
        select += [f"{sql} AS {ident(name)}" for name, sql, _ in outs]
        prev = "__s_src"
        parts = [f"__s_src AS (\n  {source}\n)"]
        for name, cols in self.ctes:
            parts.append(f"{name} AS (\n  SELECT *,\n    " + ",\n    ".join(cols)
                         + f"\n  FROM {prev}\n)")
            prev = name
        sql = "WITH\n" + ",\n".join(parts) + "\nSELECT\n  " + ",\n  ".join(select)
        sql += f"\nFROM {prev}"
        enums: dict[str, tuple[str, ...]] = {}
        if self.status_type:
            enums[STATUS_TYPE] = ("met", "not_met", "indeterminate")
            if self.not_assessed:
                enums[NOT_ASSESSED_TYPE] = (" ".join(self.not_assessed),)
        return Compiled(
            sql=sql,
            outputs=(("row", "row"), *((n, "carried") for n in carried.values()),
                     *((n, k) for n, _, k in outs)),
            checked=tuple(self.checked.values()),
            criteria=tuple(c.id for c in self.rules.criteria),
            not_assessed=self.not_assessed,
            counted=tuple(self.counted),
            groups=tuple(g for g in self.groups if g),
            specifiers=tuple(s for s, _ in self.specs),
            gaps=tuple(dict.fromkeys(self.gaps)),
            cutpoint=self.options.cutpoint if self.summed else None,
            total_max=sum(self.rules.scale_of(i).max for i in self.summed),
            carried=carried,
            enums=enums,
        )
