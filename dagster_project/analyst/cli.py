"""The analyst subcommands of `shortform`: `report` and `sql`.

dagster_project/cli.py adds them with ``analyst_cli.register(sub)`` inside build_parser().
Both read only the published file (--published, else $SHORTFORM_PUBLISHED_DB, else
data/published/marts.duckdb), read-only.
"""

from __future__ import annotations

import argparse
import sys

from dagster_project.analyst.db import PublishedFileMissing, published_path


def cmd_report(args: argparse.Namespace) -> int:
    from dagster_project.analyst.report import ReportError, default_report_path, latest_complete_week, write_report

    path = published_path(args.published)
    try:
        week = args.week or latest_complete_week(path, args.brand)
        out = args.out or default_report_path(week, args.brand)
        data = write_report(path, week, args.brand, out)
    except (ReportError, PublishedFileMissing) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"weekly report {data.week} ({data.brand or 'all brands'}): {published_path(out)}")
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from dagster_project.analyst.sql_shell import main as sql_main

    try:
        return sql_main(args.query, args.published, fmt=args.format, max_rows=args.max_rows)
    except PublishedFileMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `report` and `sql` to the `shortform` subcommands."""
    report = subparsers.add_parser("report", help="write the weekly client report (self-contained HTML)")
    report.add_argument("--week", default=None, help="ISO week YYYY-Www (default: the newest complete week)")
    report.add_argument("--brand", default=None, help="one brand (default: all brands)")
    report.add_argument("--out", default=None, help="output file (default data/reports/weekly_<week>[_<brand>].html)")
    report.add_argument("--published", default=None, help="published marts file (default $SHORTFORM_PUBLISHED_DB)")
    report.set_defaults(func=cmd_report)

    sql = subparsers.add_parser("sql", help="read-only SQL on the published marts (argument, stdin, or interactive)")
    sql.add_argument("query", nargs="?", default=None, help="SQL to run; '-' or omitted reads stdin (a tty: interactive)")
    sql.add_argument("--published", default=None, help="published marts file (default $SHORTFORM_PUBLISHED_DB)")
    sql.add_argument("--format", choices=("table", "csv", "tsv"), default="table")
    sql.add_argument("--max-rows", type=int, default=200)
    sql.set_defaults(func=cmd_sql)


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point (python -m dagster_project.analyst.cli ...), same subcommands."""
    parser = argparse.ArgumentParser(prog="shortform")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
