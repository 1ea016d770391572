"""`dsm5check score`: load the rules, find the columns, compile, run, summarise."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from dsm5check.engine.ruleset import LoadedRuleset, Ruleset
from dsm5check.errors import InputError, Problem, UsageError
from dsm5check.score.cells import checked_columns
from dsm5check.score.columns import ColumnPlan, plan_columns
from dsm5check.score.datafile import open_data, report_bad_cells, summary_stream
from dsm5check.score.instruments import INSTRUMENTS, SUMMED_SECTION, Instrument
from dsm5check.score.mapfile import load_map, no_map
from dsm5check.score.options import options_from
from dsm5check.score.query import Compiled, Options, build

if TYPE_CHECKING:
    import duckdb

    from dsm5check.score.run import Engine
    from dsm5check.score.source import Source
    from dsm5check.score.summary import Summary

def _ruleset(rules_file: str | None) -> LoadedRuleset:
    from dsm5check.engine.registry import resolve

    return resolve(rules_file)




def score(args: argparse.Namespace) -> int:
    if args.summary_only and args.no_summary:
        raise UsageError("--summary-only and --no-summary ask for opposite things; give one")
    instrument = INSTRUMENTS[args.instrument]
    from dsm5check.score import multi

    if multi.wanted(args, instrument):  # several sets, a category, JSON or a report
        return multi.score_multi(args)
    loaded = _ruleset(args.rules)
    rules = loaded.rules
    cmap, locate = load_map(args.map_file) if args.map_file else (no_map(), None)
    options = options_from(args, instrument)
    if args.data is None:
        if not args.emit_sql:
            raise UsageError("expected a data file (or - for stdin) after `score`")
        names = [i.id for i in rules.items if i.section == SUMMED_SECTION]
        names += [c for c in args.order_by if c not in names]  # carried through
        plan = plan_columns(names, rules, instrument, cmap, locate, "score_input")
        _emit(args, rules, instrument, plan, options, names, from_data=False)
        return 0
    if args.dialect or args.order_by:
        _emit_only(args)

    from dsm5check.score.run import default_threads

    # rows stay in input order whatever the threads (preserve_insertion_order)
    with open_data(args, cmap, threads=args.threads or default_threads(),
                   progress=sys.stderr.isatty(), ordered=not args.summary_only) as d:
        src, con, types, engine = d.src, d.con, d.types, d.engine
        plan = plan_columns(list(types), rules, instrument, cmap, locate, src.name)
        _refuse_label_values(con, src, types, plan)
        if args.emit_sql:
            _emit(args, rules, instrument, plan, options, list(types), from_data=True)
            return 0
        compiled, summary = _score_rows(con, rules, instrument, plan, options, src, types,
                                        engine, args, d.tmpdir)
        report_bad_cells(summary, compiled, src, plan.positions, d.first_line)
        if args.summary_only or not args.no_summary:
            from dsm5check.render.console import make_console
            from dsm5check.score.summary import render

            console = make_console(summary_stream(args))
            notes = [f"items found by: {plan.convention}", *plan.notes]
            from dsm5check.score.redcap import is_redcap

            if is_redcap(list(types)):
                notes.append("REDCap raw export: its own columns (record_id, redcap_*,"
                             " *_complete) are carried through")
            notes += [f"not assessed inside {g}" for g in compiled.gaps]
            render(summary, compiled, console, instrument=instrument.short,
                   mode=options.missing, notes=notes,
                   names={c.id: c.name for c in rules.criteria if c.name})
        return 0


def _emit_only(args: argparse.Namespace) -> None:
    if not args.emit_sql:
        option = "--dialect" if args.dialect else "--order-by"
        raise InputError([Problem(option, 1, 1, f"{option} applies to the SQL that --emit-sql"
                                  " prints; add --emit-sql")])


def _refuse_label_values(con: duckdb.DuckDBPyConnection, src: Source,
                         types: dict[str, str], plan: ColumnPlan) -> None:
    """Item cells that are words (a REDCap export of labels) cannot be scored: say so.

    Looked at only when the reader found text in an item column (numbers cost nothing).
    """
    cols = [c for cs in plan.items.values() for c in cs if types.get(c) == "VARCHAR"]
    if not cols:
        return
    from dsm5check.score.redcap import RAW_EXPORT, label_cells
    from dsm5check.score.source import peek

    cells = peek(con, src, cols)
    if label_cells(cells):
        sample = next(c for c in cells if c and any(ch.isalpha() for ch in c))
        raise InputError([Problem(src.name, 1, 1, (
            f"the item cells hold answer words ({sample!r} in {', '.join(cols[:3])}...), as a"
            f" REDCap export of labels does; ratings must be numbers: {RAW_EXPORT}"))])


def _emit(args: argparse.Namespace, rules: Ruleset, instrument: Instrument, plan: ColumnPlan,
          options: Options, names: list[str], from_data: bool) -> None:
    from dsm5check.score.dialects import emit_sql

    sys.stdout.write(emit_sql(rules, instrument, plan, options, names,
                              args.dialect or "duckdb", args.order_by, from_data,
                              [*args.na, *plan.missing_values]))


#: how the data is read, from the cheapest: the reader parses ratings as numbers and is
#: given only the missing-value codes that look like numbers ("lean"), then every code;
#: the columns the rules read as text, exactly as the file holds them; every column as text
LEVELS = ("lean", "numbers", "items_text", "text")
#: where to go next when a pass meets a cell the reader cannot parse
_ON_UNPARSED = {"lean": "numbers", "numbers": "items_text", "items_text": "text"}


def _score_rows(con: duckdb.DuckDBPyConnection, rules: Ruleset, instrument: Instrument,
                plan: ColumnPlan, options: Options, src: Source, types: dict[str, str],
                engine: Engine, args: argparse.Namespace, tmpdir: str
                ) -> tuple[Compiled, Summary]:
    """Fast path: the reader parses ratings as numbers. A cell it cannot parse (a word,
    a missing-value code) stops that pass and the next level of LEVELS is tried. Bad
    cells found on a numbers pass are looked up again as text, so that they are reported
    exactly as the file holds them (``2.50``, not the number 2.5): data with bad cells
    takes a second pass."""
    import duckdb

    from dsm5check.score.run import create_enums, plan_stage, run_query
    from dsm5check.score.source import (
        bad_cells_sql,
        read_failure,
        read_serially,
        select_at,
    )

    checked = list(checked_columns(rules, plan).values())
    failure: duckdb.Error | None = None
    known: Summary | None = None
    level: str | None = "lean" if src.kind == "csv" else "numbers"
    first = True
    staging = None if args.summary_only else plan_stage(engine, src, args.out, len(types),
                                                         tmpdir)
    while level is not None:
        # (the rows are staged when written to Parquet: see run.Stage)
        stage = staging.at_level(src, checked, level) if staging else None
        select, raw_of = select_at(src, types, checked, level,
                                   staged=stage.path if stage else None)
        compiled = build(rules, instrument, plan, options, source=select,
                         extra=[("bad_cells", bad_cells_sql(checked, raw_of))], enums=True)
        if first:
            create_enums(con, compiled)
            first = False
        unnumbered = None
        # rows written to CSV or JSON Lines are numbered after a parallel first pass
        if known is None and stage is None:
            select, raw_of = select_at(src, types, checked, level, numbered=False)
            unnumbered = build(rules, instrument, plan, options, source=select, enums=True,
                               extra=[("bad_cells", bad_cells_sql(checked, raw_of))]).sql
        numbers = level in ("lean", "numbers") and src.kind == "csv"
        try:
            summary = run_query(con, compiled, engine, args.out, args.summary_only,
                                sys.stdout, tmpdir, unnumbered, known, held=numbers,
                                stage=stage)
        except duckdb.InterruptException:
            raise KeyboardInterrupt from None
        except duckdb.ConversionException as exc:  # a cell the reader cannot parse
            failure, level = exc, _ON_UNPARSED.get(level)
            continue
        except duckdb.Error as exc:  # the file itself cannot be read: say where
            if read_serially(src, exc):  # a quoted line break: the same level, serially
                continue
            raise read_failure(src, exc) from None
        if numbers and summary.bad_rows:
            known, level = (summary if args.summary_only else None), "items_text"
            continue
        return compiled, summary
    if failure is None:  # pragma: no cover - the loop returns or fails
        raise InputError([Problem(src.name, 1, 1, "cannot score the data")])
    raise read_failure(src, failure)
