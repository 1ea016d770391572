"""`score --emit-sql --dialect D`: the scoring query for other SQL engines.

The query is built once, in DuckDB's SQL (query.build), and translated by
sqlglot, a maintained SQL transpiler (the optional extra ``dsm5check[sql]``,
imported only here). Before translating, a few portable fixes are made on the
syntax tree, the same for every engine:

- rows are numbered from an ordering: the column the user names
  (``--order-by``) or the engine's own row id; never an unordered window
  (Spark and Snowflake refuse ``ROW_NUMBER() OVER ()``);
- every cell the rules read is converted to a number with the engine's own
  *safe* conversion (a text cell such as ``2.5`` or ``often`` becomes a bad
  cell, NULL, instead of stopping the query under Spark's ANSI mode);
- decimal literals are DOUBLE (Spark would type prorated totals
  ``decimal(32,12)``), a bare NULL output is typed text (Spark's ``VOID``
  cannot be written to CSV);
- for T-SQL, which has no boolean values, three-valued booleans become 1, 0
  or NULL and ``ROUND`` gets its second argument;
- for PostgreSQL, each layer is ``MATERIALIZED`` (inlined, the layers took
  the planner minutes).

What differs between engines is data in ``DIALECTS``: the row id and the safe
number conversion, each written in the engine's own SQL and parsed by sqlglot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dsm5check.errors import InputError, Problem
from dsm5check.score.cells import Checked, checked_columns
from dsm5check.score.compile_sql import ident, literal
from dsm5check.score.query import ROW, Compiled, build

if TYPE_CHECKING:
    from dsm5check.engine.ruleset import Ruleset
    from dsm5check.score.columns import ColumnPlan
    from dsm5check.score.instruments import Instrument
    from dsm5check.score.query import Options

#: how ``--order-by`` is described when it is not given, per engine
_X = "__dsm5_x__"  # the cell in a template

# the safe number conversions (NULL for anything that is not a number)
_TRY = f"TRY_CAST(CAST({_X} AS VARCHAR) AS DOUBLE)"
_NUMBER_RE = r"^\s*[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?\s*$"
_PG = (f"CASE WHEN TRIM(CAST({_X} AS TEXT)) ~ '{_NUMBER_RE}'"
       f" THEN CAST(TRIM(CAST({_X} AS TEXT)) AS DOUBLE PRECISION) END")
# SQLite has neither a safe cast nor regular expressions: numbers stay numbers,
# text must be digits with at most one point (CAST('often' AS REAL) would be 0)
_LITE = (f"CASE WHEN TYPEOF({_X}) IN ('integer', 'real') THEN {_X}"
         f" WHEN TYPEOF({_X}) = 'text' AND TRIM({_X}) GLOB '[0-9]*'"
         f" AND NOT TRIM({_X}) GLOB '*[^0-9.]*' AND NOT TRIM({_X}) GLOB '*.*.*'"
         f" THEN CAST(TRIM({_X}) AS REAL) END")


@dataclass(frozen=True)
class Dialect:
    name: str  # sqlglot's name
    title: str
    number: str  # safe conversion of the cell __dsm5_x__ to a number, in this SQL
    row_id: str | None  # the engine's own row order; None: --order-by is needed
    row_id_note: str = ""
    booleans: bool = True  # has boolean values (T-SQL has not)
    # compute each layer once: PostgreSQL inlines the layers otherwise, and planning the
    # inlined query took over a minute for 1,500 rows (0.5 s materialized)
    materialized: bool = False


DIALECTS: dict[str, Dialect] = {d.name: d for d in (
    Dialect("duckdb", "DuckDB", _TRY, "", "the order DuckDB reads score_input in"),
    Dialect("spark", "Spark SQL", f"TRY_CAST(CAST({_X} AS STRING) AS DOUBLE)",
            "monotonically_increasing_id()", "Spark's monotonically_increasing_id()"
            " (the order of the input files and of the rows in them)"),
    Dialect("postgres", "PostgreSQL", _PG, "ctid",
            "the table's ctid (score_input must be a table; for a view name --order-by)",
            materialized=True),
    Dialect("sqlite", "SQLite", _LITE, "", "the order SQLite reads score_input in"),
    Dialect("bigquery", "BigQuery", "SAFE_CAST(CAST({x} AS STRING) AS FLOAT64)".replace(
        "{x}", _X), None),
    Dialect("snowflake", "Snowflake", _TRY, None),
    Dialect("tsql", "T-SQL (SQL Server)", f"TRY_CAST(CAST({_X} AS VARCHAR(100)) AS FLOAT)",
            None, booleans=False),
)}

#: the engines the tests run the emitted SQL on (docs/scoring.md says how)
RUN_FOR_REAL = ("duckdb", "spark", "sqlite", "postgres")


def _sqlglot() -> Any:
    try:
        import sqlglot
    except ImportError:
        raise InputError([Problem.about("--dialect", "translating the SQL needs sqlglot:"
                                  " pip install 'dsm5check[sql]'")]) from None
    return sqlglot


def dialect_of(name: str) -> Dialect:
    if name not in DIALECTS:
        raise InputError([Problem.about("--dialect", f"unknown SQL dialect {name!r};"
                                  f" expected one of {', '.join(DIALECTS)}")])
    return DIALECTS[name]


def row_order(dialect: Dialect, order_by: Sequence[str]) -> tuple[str, str]:
    """The window that numbers the rows, and how the header describes it."""
    if order_by:
        cols = ", ".join(ident(c) for c in order_by)
        return (f"ROW_NUMBER() OVER (ORDER BY {cols})",
                f"the ordering you named (--order-by {' '.join(order_by)})")
    if dialect.row_id is None:
        raise InputError([Problem.about("--order-by", (
            f"{dialect.title} has no row id that keeps the input order: name a column"
            " to number the rows by, e.g. --order-by id (a unique column)"))])
    if dialect.row_id == "":  # single-node engines read a table in its stored order
        return "ROW_NUMBER() OVER ()", dialect.row_id_note
    return "ROW_NUMBER() OVER (ORDER BY __dsm5_rowid__())", dialect.row_id_note


def portable_source(names: Sequence[str], checked: Sequence[Checked], window: str,
                    missing: Sequence[str]) -> str:
    """SELECT giving __s_row and every input column, the read ones as numbers.

    Written in DuckDB's SQL with two placeholders (``__dsm5_num(cell)`` and
    ``__dsm5_rowid__()``) that :func:`translate` replaces by the engine's own SQL.
    """
    from dsm5check.score.source import _NO, _YES

    by_col = {c.column: c for c in checked}
    cols = [f"{window} AS {ident(ROW)}"]
    for n in names:
        c = by_col.get(n)
        x = ident(n)
        if c is None or c.kind == "text":
            cols.append(x)
            continue
        number = f"__dsm5_num({x})"
        if c.kind == "bool":
            low = f"LOWER(TRIM(CAST({x} AS VARCHAR)))"
            number = (f"CASE WHEN {low} IN ({', '.join(map(literal, _YES))}) THEN 1"
                      f" WHEN {low} IN ({', '.join(map(literal, _NO))}) THEN 0"
                      f" ELSE {number} END")
        if missing:
            number = (f"CASE WHEN TRIM(CAST({x} AS VARCHAR)) IN"
                      f" ({', '.join(map(literal, missing))}) THEN NULL ELSE {number} END")
        cols.append(f"{number} AS {x}")
    return f"SELECT {', '.join(cols)} FROM score_input"


def _is_bool(e: Any, exp: Any) -> bool:
    while isinstance(e, exp.Paren):
        e = e.this
    return isinstance(e, exp.Predicate | exp.Connector | exp.Not | exp.Boolean)


def translate(sql: str, dialect: Dialect) -> str:
    """DuckDB SQL (with the placeholders of portable_source) in the engine's SQL."""
    sqlglot = _sqlglot()
    exp = sqlglot.exp
    tree = sqlglot.parse_one(sql, read="duckdb")
    number = sqlglot.parse_one(dialect.number, read=dialect.name)
    row_id = sqlglot.parse_one(dialect.row_id, read=dialect.name) if dialect.row_id else None
    final = tree  # the outermost SELECT names the outputs

    def fix(node: Any) -> Any:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "__dsm5_num":
            cell = node.expressions[0]
            return number.copy().transform(
                lambda n: cell.copy() if isinstance(n, exp.Column) and n.name == _X else n)
        if isinstance(node, exp.Anonymous) and node.name.lower() == "__dsm5_rowid__":
            return row_id.copy() if row_id is not None else node
        if isinstance(node, exp.Literal) and not node.is_string and "." in node.this:
            return exp.cast(node, exp.DataType.build("DOUBLE"))
        if isinstance(node, exp.Identifier) and (
            node.name.startswith("__s_") or node.name == "score_input"
        ):  # ours: unquoted, so every engine finds them whatever its case rules
            node.set("quoted", False)
        return node

    tree = tree.transform(fix)
    final = tree
    for i, proj in enumerate(final.expressions):  # a bare NULL has no type (Spark: VOID)
        if isinstance(proj, exp.Alias) and isinstance(proj.this, exp.Null):
            final.expressions[i].set("this", exp.cast(exp.null(), exp.DataType.build("VARCHAR")))
    if not dialect.booleans:
        tree = _no_booleans(tree, exp)
    if dialect.materialized:
        for cte in tree.find_all(exp.CTE):
            cte.set("materialized", True)
    out: str = tree.sql(dialect=dialect.name, pretty=True, identify=False)
    return out


def _no_booleans(tree: Any, exp: Any) -> Any:
    """Three-valued booleans as 1 / 0 / NULL where a value (not a condition) is due."""

    def as_int(e: Any) -> Any:
        return exp.Case(ifs=[exp.If(this=e.copy(), true=exp.Literal.number(1)),
                             exp.If(this=exp.Not(this=exp.Paren(this=e.copy())),
                                    true=exp.Literal.number(0))])

    def fix(node: Any) -> Any:
        if isinstance(node, exp.Alias) and _is_bool(node.this, exp):
            node.set("this", as_int(node.this))
        elif isinstance(node, exp.If) and _is_bool(node.args.get("true"), exp):
            node.set("true", as_int(node.args["true"]))
        elif isinstance(node, exp.Case) and _is_bool(node.args.get("default"), exp):
            node.set("default", as_int(node.args["default"]))
        elif isinstance(node, exp.Round) and node.args.get("decimals") is None:
            node.set("decimals", exp.Literal.number(0))
        return node

    return tree.transform(fix)


def header(compiled: Compiled, instrument: Instrument, dialect: Dialect, ordering: str,
           from_data: bool) -> str:
    lines = [
        f"-- dsm5check score --emit-sql --dialect {dialect.name} ({instrument.title})",
        f"-- {dialect.title}. Input: a table or view named score_input, one row per person."
        " Columns read:",
    ]
    for c in compiled.checked:
        lines.append(f"--   {c.column}: {c.role}, {c.expected()} or NULL when missing")
    lines.append("-- A cell that is not a number, or outside the scale, counts as missing.")
    carried = list(compiled.carried)
    if carried:
        lines.append("-- Carried through unchanged: " + ", ".join(carried) + ".")
    if not from_data:
        lines.append("-- Other input columns are not in the output: give a data file (its header"
                     " line is enough) to carry its columns through, or join on row.")
    lines += [
        f"-- The row column numbers the rows by {ordering}.",
        "-- A distributed engine may return the rows in any order: ORDER BY row restores it.",
    ]
    if compiled.not_assessed:
        lines.append("-- Provisional: no data for criteria " + ", ".join(compiled.not_assessed)
                     + " (treated as met in status).")
    return "\n".join(lines) + "\n"


def emit_sql(rules: Ruleset, instrument: Instrument, plan: ColumnPlan, options: Options,
             names: Sequence[str], dialect_name: str, order_by: Sequence[str],
             from_data: bool, missing: Sequence[str] = ()) -> str:
    """The whole text `score --emit-sql` prints: header comment and query."""
    dialect = dialect_of(dialect_name)
    known = set(names)
    unknown = [c for c in order_by if c not in known]
    if unknown and from_data:
        raise InputError([Problem.about("--order-by", f"no column {unknown[0]!r} in the data;"
                                  f" columns are: {', '.join(names[:30])}")])
    window, ordering = row_order(dialect, order_by)
    checked = list(checked_columns(rules, plan).values())
    source = portable_source(names, checked, window, [*missing, *plan.missing_values])
    compiled = build(rules, instrument, plan, options, source=source)
    body = translate(compiled.sql, dialect)
    return header(compiled, instrument, dialect, ordering, from_data) + body + ";\n"
