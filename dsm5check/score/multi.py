"""Several criteria sets in one pass: `score --rules A,B,...` and the ITQ's two sets.

Every named set is compiled from its YAML by :func:`dsm5check.score.query.build`,
exactly as for one set; the queries are then stacked so that DuckDB reads the
data once: the first set's query runs over the input, carrying every input
column through; the next one runs over its output, and so on. Each set's
columns are renamed with the set's prefix (``dsm5_ptsd_status``,
``icd11_ptsd_status``, ...); item-based columns (cluster severities, totals,
missing items, the cut-point) and criteria that several sets define with the
very same rule appear once, unprefixed, from the first set that has them. An instrument
with categories (the ITQ) adds a category column over the sets' statuses.

The summary is one aggregate query over the statuses (``multi_summary``).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from dsm5check.engine.ruleset import LoadedRuleset, Ruleset
from dsm5check.errors import InputError, Problem, UsageError
from dsm5check.score.cells import Checked, checked_columns, clean_sql
from dsm5check.score.columns import ColumnPlan
from dsm5check.score.compile_sql import TRUE, ident, literal
from dsm5check.score.instruments import INSTRUMENTS, SUMMED_SECTION, Instrument, category_words
from dsm5check.score.multi_model import Multi, ScoredSet
from dsm5check.score.query import NOT_ASSESSED_TYPE, ROW, STATUS_TYPE, Compiled, Options, build

if TYPE_CHECKING:
    import duckdb

    from dsm5check.score.multi_summary import MultiSummary
    from dsm5check.score.run import Stage
    from dsm5check.score.source import Source

BAD = "__m_bad"
#: per-set output columns that depend only on the items (shown once, unprefixed)
ITEM_KINDS = ("number",)
SHARED = ("items_missing", "items_prorated", "cutpoint")


def resolve(spec: str) -> LoadedRuleset:
    """One name of a comma-separated --rules: a shipped id or a ruleset file."""
    from dsm5check.engine.registry import resolve as resolve_one
    from dsm5check.errors import UsageError

    spec = spec.strip()
    if not spec:
        raise UsageError("--rules: expected a ruleset id or file between the commas, got an"
                         " empty name")
    return resolve_one(spec)


def prefix_of(rules: Ruleset) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in rules.id) + "_"


#: the columns an open criterion and an assumed one read (see ScoredSet.extras)
UNKNOWN, GIVEN = "__m_open", "__m_given"
EXTRA_SQL = {UNKNOWN: "CAST(NULL AS INTEGER)", GIVEN: "1"}


def plan_sets(names: Sequence[str], loaded: Sequence[LoadedRuleset], instrument: Instrument,
              cmap: Any, locate: Any, source: str,
              assume: Sequence[str] = ()) -> list[ScoredSet]:
    from dsm5check.score.crosswalk import plan_for, quoted, reads_criteria

    out: list[ScoredSet] = []
    prefixes: set[str] = set()
    derived: dict[str, str] = {}  # SQL -> column, so sets computing the same share it
    for ld in loaded:
        r = plan_for(names, ld.rules, instrument, cmap, locate, source, assume)
        # one set (asked for --format json or a report) writes the columns a one-set run
        # writes: its columns need no set's id to tell them apart
        prefix = prefix_of(ld.rules) if len(loaded) > 1 else ""
        if prefix in prefixes:
            raise UsageError(f"--rules: ruleset {ld.rules.id!r} is named twice")
        prefixes.add(prefix)
        extras: dict[str, str] = {}
        criteria = dict(r.plan.criteria)
        for cid, sql in r.derived.items():
            col = derived.setdefault(sql, f"__m_x{len(derived)}")
            criteria[cid] = col
            extras[col] = quoted(sql)
        # an open criterion reads NULL, an assumed one 1; an open criterion built on
        # other criteria (ICD-11's "Complex PTSD does not apply") is computed from them
        for cids, col in ((r.open, UNKNOWN), (r.assumed, GIVEN)):
            for cid in cids:
                if col == GIVEN or not reads_criteria(ld.rules, cid):
                    criteria[cid] = col
                    extras[col] = EXTRA_SQL[col]
        plan = dataclasses.replace(r.plan, criteria=criteria)
        out.append(ScoredSet(ld, plan, prefix, r.estimate, r.open, r.assumed, extras,
                             r.fact_columns))
    _check_assume(assume, out)
    return out


def _check_assume(assume: Sequence[str], sets: Sequence[ScoredSet]) -> None:
    """Every name given to --assume takes some open criterion as met."""
    from dsm5check.render.names import id_and_name
    from dsm5check.score.crosswalk import EXPOSURE, assumed_here

    for name in assume:
        if any(assumed_here(s.rules, c, [name]) for s in sets for c in s.assumed):
            continue
        left = [f"{s.rules.id}: {', '.join(id_and_name(s.rules.criterion_map[c]) for c in s.open)}"
                for s in sets if s.open]
        raise UsageError(
            f"--assume: {name!r} names no criterion these data leave open; "
            + (f"open are {'; '.join(left)} (or {EXPOSURE!r} for a set's event criterion)"
               if left else "no criterion is left open (--assume applies to sets estimated"
               " through a crosswalk, e.g. --rules icd11-ptsd with PCL-5 data)"))


def union_checked(sets: Sequence[ScoredSet]) -> list[Checked]:
    """Every input column any set reads, once (the first set's reading wins)."""
    seen: dict[str, Checked] = {}
    extras = {n for s in sets for n in s.extras}
    for s in sets:
        for c in [*checked_columns(s.rules, s.plan).values(), *s.fact_columns]:
            if c.column not in seen and c.column not in extras:
                seen[c.column] = dataclasses.replace(c, clean=f"__s_v{len(seen)}")
    return list(seen.values())


def build_multi(sets: Sequence[ScoredSet], instrument: Instrument, options: Options,
                names: Sequence[str], source: str, bad_cells: str | None,
                checked: Sequence[Checked], enums: bool = True) -> Multi:
    """Stack the sets' queries over ``source`` (a SELECT giving __s_row and the inputs).

    ``bad_cells``: SQL of the bad-cell text over the union of read columns
    (their cleaned values named as in ``checked``), or None.
    """
    inputs = list(names)
    taken = {n.lower() for n in inputs}
    extras = {n: sql for s in sets for n, sql in s.extras.items()}
    if extras:  # computed once, read by the sets' plans as criterion columns
        source = (f"SELECT *, {', '.join(f'{sql} AS {ident(n)}' for n, sql in extras.items())}"
                  f" FROM ({source})")
    first = [(c.column, c.clean) for c in checked_columns(sets[0].rules, sets[0].plan).values()
             if c.column not in extras]
    if bad_cells is not None and first == [(c.column, c.clean) for c in checked]:
        # the first set reads every column: it finds the bad cells on its own cleaned
        # values (``checked`` names them as it does), no second cleaning
        cur, carried, first_bad = f"SELECT * FROM ({source})", [*inputs, *extras], bad_cells
    else:
        cleaned = ", ".join(f"{clean_sql(c)} AS {ident(c.clean)}" for c in checked)
        level0 = (f"SELECT *, {cleaned} FROM ({source})" if cleaned
                  else f"SELECT * FROM ({source})")
        cur = (f"SELECT {ident(ROW)}, {', '.join(ident(n) for n in [*inputs, *extras])},"
               f" {bad_cells or 'NULL'} AS {ident(BAD)} FROM ({level0})")
        carried, first_bad = [*inputs, *extras, BAD], None
    compiled: list[Compiled] = []
    finals: list[tuple[str, str, str]] = []  # (column at the top level, output name, kind)
    shared: set[str] = set()
    common = _common_criteria(sets)
    criterion_columns: dict[tuple[int, str], str] = {}
    all_enums: dict[str, tuple[str, ...]] = {}
    done: dict[str, str] = {}  # common criterion -> its yes/no column, once computed
    for k, s in enumerate(sets):
        plan = _reusing(s, done, carried)
        extra = [("bad_cells", first_bad)] if k == 0 and first_bad is not None else []
        c = build(s.rules, instrument, plan, options, source=cur, enums=enums, extra=extra)
        sql = c.sql
        if enums and NOT_ASSESSED_TYPE in c.enums:  # one ENUM type per set
            own = f"{NOT_ASSESSED_TYPE}_{k}"
            sql = sql.replace(f"AS {NOT_ASSESSED_TYPE})", f"AS {own})")
            all_enums[own] = c.enums[NOT_ASSESSED_TYPE]
        if enums:
            all_enums[STATUS_TYPE] = c.enums[STATUS_TYPE]
        compiled.append(c)
        passed = [f"{ident('row')} AS {ident(ROW)}"]
        new: list[str] = []

        def output(sql_of: str, out_name: str, kind: str, passed: list[str] = passed,
                   new: list[str] = new) -> None:
            """One output column of this set, its name checked against the inputs'."""
            if out_name.lower() in taken:
                raise InputError([Problem.about("DATA", f"an input column is named {out_name!r},"
                                          " the name of an output column; rename it")])
            taken.add(out_name.lower())
            passed.append(f"{sql_of} AS {ident(out_name)}")
            new.append(out_name)
            finals.append((out_name, out_name, kind))

        passed += [f"{ident(c.carried[col])} AS {ident(col)}" for col in carried]
        # left open: indeterminate in every row by construction, so named once in a
        # constant `<set>_left_open` column rather than written as a status column each
        unread = _unread_groups(s) | {f"{cid}_status" for cid in s.open}
        for name, kind in c.outputs:
            if kind in ("row", "carried") or name in unread:
                continue
            if extra and name == "bad_cells":
                passed.append(f"{ident(name)} AS {ident(BAD)}")
                new.append(BAD)
                continue
            sql_of = ident(name)
            if s.assumed and name in ("provisional", "not_assessed"):
                # taken as met by --assume: provisional, and said which in the row
                given = " ".join([*c.not_assessed, *s.assumed])
                sql_of = TRUE if name == "provisional" else literal(given)
            cid = _criterion_of(name, s.rules)
            if kind in ITEM_KINDS or name in SHARED or (cid is not None and cid in common):
                if cid is not None and name.endswith("_status"):
                    criterion_columns[(k, cid)] = name
                if name in shared:
                    continue
                shared.add(name)
                out_name = name
            else:
                out_name = s.prefix + name
                if cid is not None and name.endswith("_status"):
                    criterion_columns[(k, cid)] = out_name
            output(sql_of, out_name, kind)
            if cid is not None and cid in common and name.endswith("_status"):
                # later sets read this criterion instead of computing it again
                done[cid] = f"__m_c{len(done)}"
                col = ident(name)
                passed.append(f"CASE WHEN {col} = 'met' THEN 1 WHEN {col} = 'not_met' THEN 0"
                              f" END AS {ident(done[cid])}")
                new.append(done[cid])
        if s.open:  # one constant column instead of a status column each
            output(literal(" ".join(s.open)), f"{s.prefix}left_open", "text")
        cur = f"SELECT {', '.join(passed)} FROM ({sql})"
        carried += new
    outputs: list[tuple[str, str]] = [("row", "row")]
    select = [f"{ident(ROW)} AS {ident('row')}"]
    read = {c.column for c in checked}
    for n in inputs:
        if n not in read:
            select.append(ident(n))
            outputs.append((n, "carried"))
    for col, name, kind in finals:
        if kind == "number" and instrument.scores and name == "total":
            continue  # the instrument's own scores replace the sum of every item
        select.append(f"{ident(col)} AS {ident(name)}")
        outputs.append((name, kind))
    for name, sql_expr in _scores(sets, instrument, {n for _, n, _ in finals}):
        select.append(f"{sql_expr} AS {ident(name)}")
        outputs.append((name, "number"))
    category = None
    category_sql = _category_sql(sets, instrument, enums)
    if category_sql is not None:
        if enums:
            all_enums[CATEGORY_TYPE] = category_words(instrument)
        category = instrument.category_column
        select.append(f"{category_sql} AS {ident(category)}")
        outputs.append((category, "category"))
    select.append(f"{ident(BAD)} AS {ident('bad_cells')}")
    outputs.append(("bad_cells", "text"))
    sql = f"SELECT {', '.join(select)} FROM ({cur})"
    return Multi(sql, tuple(sets), tuple(compiled), tuple(outputs), tuple(checked),
                 category, all_enums, criterion_columns)


def _unread_groups(s: ScoredSet) -> set[str]:
    """Severity columns of clusters none of whose items a column supplies (a set read
    through a crosswalk: ICD-11 self-organisation from PCL-5 items): NULL in every row,
    so not written."""
    gone = set(s.plan.not_assessed_items)
    groups: dict[str, set[str]] = {}
    for item in s.rules.items:
        if item.group and item.section == SUMMED_SECTION:
            groups.setdefault(item.group, set()).add(item.id)
    return {f"{g}_severity" for g, ids in groups.items() if gone and ids <= gone}


def _reusing(s: ScoredSet, done: dict[str, str], carried: Sequence[str]) -> ColumnPlan:
    """The set's plan carrying every column on, reading the criteria an earlier set
    already computed (same id, rule and data) from that set's column, and keeping only
    the items that what is left still reads."""
    from dsm5check.engine.rules_model import ItemNode
    from dsm5check.engine.ruleset import walk

    reuse = {cid: col for cid, col in done.items() if cid in s.rules.criterion_map}
    plan = dataclasses.replace(s.plan, carried=tuple(carried))
    if not reuse:
        return plan
    rules = [c.rule for c in s.rules.criteria if c.id not in reuse]
    rules += [s.rules.diagnosis.rule, *(sp.rule for sp in s.rules.specifiers)]
    needed = {n.item for r in rules for n in walk(r) if isinstance(n, ItemNode)}
    return dataclasses.replace(
        plan, criteria={**plan.criteria, **reuse},
        items={i: cols for i, cols in plan.items.items() if i in needed})


def _criterion_of(name: str, rules: Ruleset) -> str | None:
    """The criterion of an output column ``<id>_status`` / ``<id>_count``, if any."""
    for suffix in ("_status", "_count"):
        if name.endswith(suffix) and name.removesuffix(suffix) in rules.criterion_map:
            return name.removesuffix(suffix)
    return None


def _common_criteria(sets: Sequence[ScoredSet]) -> set[str]:
    """Criteria ids that two or more sets define with the very same rule and data:
    their columns are shown once, without a set prefix."""
    seen: dict[str, list[Any]] = {}
    for s in sets:
        for crit in s.rules.criteria:
            key = (crit.rule, s.plan.criteria.get(crit.id))
            seen.setdefault(crit.id, []).append(key)
    return {cid for cid, keys in seen.items() if len(keys) >= 2 and all(k == keys[0]
                                                                         for k in keys)}


def _scores(sets: Sequence[ScoredSet], instrument: Instrument,
            have: set[str]) -> list[tuple[str, str]]:
    """The instrument's dimensional scores, as sums of cluster severities."""
    if not instrument.scores:
        return []
    rules = sets[0].rules
    numbered = instrument.numbered(rules)
    out: list[tuple[str, str]] = []
    for score in instrument.scores:
        items = [rules.item_map[numbered[n]] for n in score.numbers if n in numbered]
        groups = list(dict.fromkeys(i.group for i in items if i.group))
        whole = all({j.id for j in rules.items if j.group == g}
                    <= {i.id for i in items} for g in groups)
        cols = [f"{g}_severity" for g in groups]
        if not groups or not whole or not all(c in have for c in cols):
            continue  # the ruleset's clusters do not make up this score
        out.append((score.name, "(" + " + ".join(ident(c) for c in cols) + ")"))
    return out


CATEGORY_TYPE = "dsm5_category"


def _category_sql(sets: Sequence[ScoredSet], instrument: Instrument,
                  enums: bool = False) -> str | None:
    """The first category (in precedence order) whose set is met; indeterminate as soon
    as a set before it is open; the last word when every set is not met. None when
    the instrument has no categories or a set they need is not scored."""
    by_id = {s.rules.id: s for s in sets}
    if not instrument.categories or any(i not in by_id for _, i in instrument.categories):
        return None
    def word(w: str) -> str:  # an ENUM value is far cheaper to write than text
        return f"CAST({literal(w)} AS {CATEGORY_TYPE})" if enums else literal(w)

    parts = []
    for w, set_id in instrument.categories:
        col = ident(by_id[set_id].status)
        parts.append(f"WHEN {col} = 'met' THEN {word(w)}"
                     f" WHEN {col} = 'indeterminate' OR {col} IS NULL"
                     f" THEN {word('indeterminate')}")
    return f"CASE {' '.join(parts)} ELSE {word(instrument.category_none)} END"


# --- running -----------------------------------------------------------------


def wanted(args: argparse.Namespace, instrument: Instrument) -> bool:
    """Whether this run goes through the multi-set path."""
    specs = args.rules.split(",") if args.rules else []
    return (len(specs) > 1 or bool(instrument.categories) or getattr(args, "format", "text")
            == "json" or bool(getattr(args, "report", None)) or bool(assumed(args))
            or _crosswalked(specs, instrument))


def assumed(args: argparse.Namespace) -> list[str]:
    """The names given to --assume (comma-separated, repeatable)."""
    return [a.strip() for given in getattr(args, "assume", None) or []
            for a in given.split(",") if a.strip()]


def _crosswalked(specs: Sequence[str], instrument: Instrument) -> bool:
    if len(specs) != 1 or instrument.home is None:
        return False
    try:
        return resolve(specs[0]).rules.id != instrument.home
    except InputError:
        return False


def rulesets(args: argparse.Namespace, instrument: Instrument) -> list[LoadedRuleset]:
    if args.rules:
        return [resolve(s) for s in args.rules.split(",")]
    from dsm5check.engine.registry import DEFAULT_RULESET

    ids = instrument.default_rules or (DEFAULT_RULESET,)
    return [resolve(i) for i in ids]


def score_multi(args: argparse.Namespace) -> int:
    from dsm5check.score.datafile import open_data, report_bad_cells, summary_stream
    from dsm5check.score.mapfile import load_map, no_map
    from dsm5check.score.options import options_from

    instrument = INSTRUMENTS[args.instrument]
    loaded = rulesets(args, instrument)
    cmap, locate = load_map(args.map_file) if args.map_file else (no_map(), None)
    options = options_from(args, instrument)
    if args.dialect or args.order_by:
        option = "--dialect" if args.dialect else "--order-by"
        raise UsageError(f"{option} applies to the SQL of one criteria set; several sets,"
                         " the ITQ's category, --assume, --report and --format json print"
                         " DuckDB SQL only")
    if args.data is None:
        if not args.emit_sql:
            raise InputError([Problem.about("DATA", "expected a data file (or - for stdin)")])
        first = loaded[0].rules
        names = [i.id for i in first.items if i.section == SUMMED_SECTION]
        sets = plan_sets(names, loaded, instrument, cmap, locate, "score_input",
                         assumed(args))
        _emit(sets, instrument, options, names)
        return 0
    if args.report:
        _report_path_ok(args.report, args.data)
    from dsm5check.score.run import default_threads

    # the threads one set takes (the idle cores, at most 2); rows keep the input order
    with open_data(args, cmap, threads=args.threads or default_threads(),
                   progress=sys.stderr.isatty() and not args.no_summary) as d:
        src, con, types, engine = d.src, d.con, d.types, d.engine
        sets = plan_sets(list(types), loaded, instrument, cmap, locate, src.name,
                         assumed(args))
        if args.emit_sql:
            _emit(sets, instrument, options, list(types))
            return 0
        multi, summary = _run(con, sets, instrument, options, src, types, engine, args,
                              d.tmpdir)
        report_bad_cells(summary.bad, multi.as_compiled(), src, sets[0].plan.positions,
                         d.first_line)
        from dsm5check.score.multi_summary import figures, render

        data = figures(summary, multi, instrument, options)
        if args.report:
            from dsm5check.score.report import write_report

            items = _item_stats(con, sets, src, types, engine)
            write_report(args.report, data, items, src.name)
        if args.format == "json" and (args.summary_only or args.no_summary):
            import json

            summary_stream(args).write(json.dumps(data, indent=2) + "\n")
        elif args.summary_only or not args.no_summary:
            from dsm5check.render.console import make_console

            console = make_console(summary_stream(args))
            if args.format == "json":
                import json

                console.file.write(json.dumps(data, indent=2) + "\n")
            else:
                render(data, console)
        return 0


def _report_path_ok(path: str, data: str) -> None:
    if not path.lower().endswith((".html", ".htm")):
        raise InputError([Problem(path, 1, 1, "--report writes an HTML file: give a name"
                                  " ending in .html")])
    if os.path.isdir(path):
        raise InputError([Problem(path, 1, 1, "--report names a folder; expected a file name")])
    from dsm5check.score.report import _plotly
    from dsm5check.score.run import refuse_overwriting_input

    refuse_overwriting_input(path, data)
    _plotly()  # say now, before scoring, when the extra is not installed


def _emit(sets: Sequence[ScoredSet], instrument: Instrument, options: Options,
          names: Sequence[str]) -> None:
    from dsm5check.score.query import PORTABLE_SOURCE

    checked = union_checked(sets)
    multi = build_multi(sets, instrument, options, names, PORTABLE_SOURCE, None, checked,
                        enums=False)
    lines = [f"-- dsm5check score --emit-sql ({instrument.title};"
             f" sets: {', '.join(s.rules.id for s in sets)})",
             "-- Input: a table or view named score_input with one row per person. Columns read:"]
    for c in checked:
        lines.append(f"--   {c.column}: {c.role}, {c.expected()} or NULL when missing")
    sys.stdout.write("\n".join(lines) + "\n" + multi.sql + ";\n")


def _run(con: duckdb.DuckDBPyConnection, sets: Sequence[ScoredSet], instrument: Instrument,
         options: Options, src: Source, types: dict[str, str], engine: Any,
         args: argparse.Namespace, tmpdir: str) -> tuple[Multi, MultiSummary]:
    import duckdb

    from dsm5check.score.run import create_enums, plan_stage
    from dsm5check.score.source import (
        bad_cells_sql,
        read_failure,
        read_serially,
        select_at,
    )

    checked = union_checked(sets)
    names = list(types)
    failure: duckdb.Error | None = None
    created = False
    # rows written to Parquet are staged first (see run.Stage)
    staging = None if args.summary_only else plan_stage(engine, src, args.out, len(types),
                                                         tmpdir)
    # the cheapest read first (see app.LEVELS): "lean" gives the CSV reader only the
    # missing codes that look like numbers; a cell it cannot parse tries the next level:
    # the columns the rules read as text (the others keep their types), then every column
    levels = ("lean", "numbers", "items_text", "text")
    todo = list(levels if src.kind == "csv" else levels[1:])
    while todo:
        level = todo[0]
        stage = staging.at_level(src, checked, level) if staging else None
        select, raw_of = select_at(src, types, checked, level,
                                   staged=stage.path if stage else None)
        multi = build_multi(sets, instrument, options, names, select,
                            bad_cells_sql(checked, raw_of), checked)
        if not created:
            for name, values in multi.enums.items():
                create_enums(con, dataclasses.replace(multi.compiled[0],
                                                      enums={name: values}))
            created = True
        # without row numbers: the summary-only pass, and the first pass of rows written
        # to CSV or JSON Lines
        unnumbered = None
        if stage is None:
            select2, raw2 = select_at(src, types, checked, level, numbered=False)
            unnumbered = build_multi(sets, instrument, options, names, select2,
                                     bad_cells_sql(checked, raw2), checked).sql
        # bad cells found while the reader parsed ratings as numbers are read again as
        # text, to be reported as the file holds them ("5", "2.50"; not 5.0 and 2.5)
        numbers = level in ("lean", "numbers") and src.kind == "csv"
        try:
            summary = run_multi(con, multi, engine, args.out, args.summary_only, sys.stdout,
                                tmpdir, unnumbered, stage, held=numbers)
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None
        except duckdb.ConversionException as exc:  # a cell the reader cannot parse
            failure = exc
            todo.pop(0)
            continue
        except duckdb.Error as exc:  # the file itself cannot be read: say where
            if read_serially(src, exc):  # a quoted line break: the same level, serially
                continue
            raise read_failure(src, exc) from None
        if numbers and summary.bad.bad_rows:
            todo = list(levels[levels.index("items_text"):])
            continue
        return multi, summary
    if failure is None:  # pragma: no cover - the loop returns or fails
        raise InputError([Problem(src.name, 1, 1, "cannot score the data")])
    raise read_failure(src, failure)


def run_multi(con: duckdb.DuckDBPyConnection, multi: Multi, engine: Any, out: str | None,
              summary_only: bool, stdout: Any, tmpdir: str,
              unnumbered: str | None = None, stage: Stage | None = None,
              held: bool = False) -> MultiSummary:
    """Score every row against every set; write the rows (unless summary_only); return
    the summary. ``held``: rows going to standard output are held back when there are
    bad cells (the caller scores again, reading them as text)."""

    from dsm5check.score.multi_summary import aggregate_sql, decode
    from dsm5check.score.run import execute, quiet, rows_to_stdout, write_rows
    from dsm5check.score.summary import bad_cells_sql as first_bad_sql
    from dsm5check.score.summary import decode_bad

    comp = multi.as_compiled()
    if summary_only:
        # counts need no row order: the threads need not keep one
        con.execute("SET preserve_insertion_order = false")
        try:
            summary = decode(multi, execute(con, aggregate_sql(
                multi, f"({unnumbered or multi.sql})"), engine))
        finally:
            con.execute(f"SET preserve_insertion_order = {engine.threads > 1}")
        if summary.bad.bad_rows:
            bad = execute(con, first_bad_sql(comp, f"({multi.sql})"), engine, "finding bad cells")
            decode_bad(summary.bad, comp, bad[0])
        return summary
    _, relation = write_rows(con, multi.sql, out, tmpdir, engine, unnumbered, stage)
    summary = decode(multi, execute(con, aggregate_sql(multi, relation), quiet(engine)))
    if summary.bad.bad_rows:
        decode_bad(summary.bad, comp, execute(con, first_bad_sql(comp, relation),
                                              quiet(engine))[0])
    if out is None and not (held and summary.bad.bad_rows):
        rows_to_stdout(con, relation, tmpdir, engine, stdout)
    return summary


def _item_stats(con: duckdb.DuckDBPyConnection, sets: Sequence[ScoredSet], src: Source,
                types: dict[str, str], engine: Any) -> list[dict[str, Any]]:
    """Per item column read: endorsed (rated at or above the threshold), missing, rows."""
    from dsm5check.score.report import items_sql
    from dsm5check.score.run import execute
    from dsm5check.score.source import source_select

    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for s in sets:
        for item, cols in s.plan.items.items():
            if len(cols) != 1 or cols[0] in seen:
                continue
            seen.add(cols[0])
            it = s.rules.item_map[item]
            entries.append({"column": cols[0], "item": item, "short": it.short or it.text,
                            "group": it.group or "", "set": s.rules.id,
                            "threshold": s.rules.symptom_threshold})
    checked = [c for c in union_checked(sets) if c.column in seen]
    by_col = {c.column: c for c in checked}
    if not entries:
        return []
    for text in (False, True):
        select, _ = source_select(src, types, checked, text=text, numbered=False)
        try:
            row = execute(con, items_sql(select, entries, by_col), engine, "item figures")[0]
        except Exception:
            if text:
                raise
            continue
        rows = int(row[0])
        for n, e in enumerate(entries):
            e["rows"] = rows
            e["endorsed"] = int(row[1 + 2 * n] or 0)
            e["missing"] = int(row[2 + 2 * n] or 0)
        break
    return entries
