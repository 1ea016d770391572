"""`dsm5check score DATA --instrument pcl5|caps5`: score item data sets at scale.

The criteria of the ruleset (rules/dsm5-ptsd.yaml) are compiled to SQL and run
by DuckDB embedded; see docs/scoring.md. Exit codes: 0 scored (bad cells are
reported, never fatal); 2 the input could not be read or its columns not found.
"""

from __future__ import annotations

import argparse

HELP = "score PCL-5 / CAPS-5 / ITQ item data (CSV or Parquet) against criteria sets, at scale"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "data", nargs="?", metavar="DATA",
        help="CSV or Parquet file, or - for CSV on standard input"
        " (optional with --emit-sql: then columns are assumed named by item id)",
    )
    parser.add_argument("--instrument", choices=("pcl5", "caps5", "itq"), required=True,
                        help="which instrument the item columns come from")
    parser.add_argument("--map", metavar="FILE", dest="map_file",
                        help="YAML naming the columns (items, positional, criteria, facts,"
                        " missing_values); see docs/scoring.md")
    parser.add_argument("--out", metavar="FILE",
                        help="write rows to FILE (.csv, .parquet or .jsonl);"
                        " default: JSON Lines on standard output")
    parser.add_argument("--missing", choices=("strict", "prorate", "zero"), default="strict",
                        help="strict (default): a missing answer is unknown (three-valued);"
                        " prorate: up to --max-missing missing symptom items take the"
                        " person's mean of answered symptom items; zero: missing symptom"
                        " items score 0 (impairment items are never filled in)")
    parser.add_argument("--max-missing", type=int, default=None, metavar="N",
                        help="with --missing prorate (only): most missing symptom items a"
                        " row may have (2)")
    parser.add_argument("--cutpoint", type=int, metavar="N",
                        help="PCL-5 total at or above which the cut-point flag is met (33)")
    parser.add_argument("--na", action="append", default=[], metavar="TEXT",
                        help="a cell text that means missing (repeatable), e.g. --na -99")
    parser.add_argument("--summary-only", action="store_true",
                        help="print only the summary, on standard output")
    parser.add_argument("--no-summary", action="store_true",
                        help="do not print the text summary (with --format json the JSON"
                        " summary is still written: to standard output when the rows go to"
                        " --out, else to standard error)")
    parser.add_argument("--emit-sql", action="store_true",
                        help="print the generated SQL (over a table score_input) and stop")
    parser.add_argument("--rules", metavar="IDS",
                        help="criteria sets to score against: shipped ids or ruleset files,"
                        " separated by commas (e.g. dsm5-ptsd,icd11-ptsd): every row gets a"
                        " status per set, the summary prevalence and agreement")
    parser.add_argument("--assume", action="append", default=[], metavar="CRITERIA",
                        help="take criteria the data cannot assess as met in a set estimated"
                        " through a crosswalk (e.g. ICD-11 from PCL-5 items): criterion ids"
                        " separated by commas, or 'exposure' for the set's event criterion;"
                        " without it they stay open (indeterminate)")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="summary as text (default) or as JSON (shape in docs/scoring.md)")
    parser.add_argument("--report", metavar="FILE.html",
                        help="also write a self-contained HTML report with charts"
                        " (needs the extra dsm5check[report])")
    parser.add_argument("--dialect", metavar="NAME",
                        help="with --emit-sql: the SQL of duckdb (default), spark, postgres,"
                        " sqlite, bigquery, snowflake or tsql (needs dsm5check[sql])")
    parser.add_argument("--order-by", action="append", default=[], metavar="COL",
                        help="with --emit-sql: number the rows by this column (repeatable);"
                        " default: the engine's own row order")
    parser.add_argument("--threads", type=int, default=0, metavar="N",
                        help="DuckDB threads, 1 to 256 (default: the cores this process may"
                        " use, at most 2; rows stay in input order)")
    parser.add_argument("--memory-limit", default=None, metavar="SIZE",
                        help="DuckDB memory limit, e.g. 1GB; more spills to a temporary"
                        " folder (default: 64MB per thread; rows written to CSV or JSON"
                        " Lines may get up to 384MB so that two threads write; a limit"
                        " given is kept)")


def run(args: argparse.Namespace) -> int:
    from dsm5check.score.app import score

    return score(args)
