"""`shortform sql`: a read-only SQL shell on the published marts file.

The connection is read-only, cannot reach other files or the network (enable_external_access =
false: no read_csv/COPY/ATTACH/extensions) and its configuration is locked, so a query cannot
undo either. It is opened per statement batch and closed right after, so an open shell never
blocks a refresh.

    shortform sql "SELECT * FROM rpt_platform_comparison_weekly LIMIT 5"
    echo "SELECT count(*) FROM fct_content_daily" | shortform sql
    shortform sql            # interactive: end statements with ';', quit with .quit or Ctrl-D
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

import duckdb

from dagster_project.analyst.db import connect, published_path

MAX_ROWS = 200
CSV_FORMATS = ("table", "csv", "tsv")


def _print_result(conn: duckdb.DuckDBPyConnection, statement: str, out: TextIO, fmt: str, max_rows: int) -> None:
    cursor = conn.execute(statement)
    if cursor.description is None:
        return
    names = [d[0] for d in cursor.description]
    rows = cursor.fetchmany(max_rows + 1)
    more = len(rows) > max_rows
    rows = rows[:max_rows]
    if fmt in ("csv", "tsv"):
        import csv

        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows)
        return
    cells = [[("NULL" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in cells]) for i, n in enumerate(names)]
    line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    out.write(line + "\n")
    out.write("| " + " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)) + " |\n")
    out.write(line + "\n")
    for r in cells:
        out.write("| " + " | ".join(v.rjust(w) if _numeric(v) else v.ljust(w)
                                     for v, w in zip(r, widths, strict=True)) + " |\n")
    out.write(line + "\n")
    out.write(f"({len(rows)}{'+' if more else ''} row{'s' if len(rows) != 1 else ''}"
              f"{f', first {max_rows} shown' if more else ''})\n")


def _numeric(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def run_sql(sql: str, path: str | os.PathLike[str] | None = None, out: TextIO | None = None, fmt: str = "table",
            max_rows: int = MAX_ROWS) -> int:
    """Run every statement of sql on a locked-down read-only connection; 0 on success, 1 on an error."""
    out = out or sys.stdout
    with connect(path, shared=False) as conn:
        try:
            statements = conn.extract_statements(sql)
        except duckdb.Error as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        for stmt in statements:
            try:
                _print_result(conn, stmt.query, out, fmt, max_rows)
            except duckdb.Error as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
    return 0


def interactive(path: str | os.PathLike[str] | None = None, fmt: str = "table") -> int:
    file = published_path(path)
    print(f"shortform sql: {file} (read-only). End statements with ';'. .tables lists tables, .quit exits.")
    buffer: list[str] = []
    while True:
        try:
            line = input("sql> " if not buffer else "...> ")
        except EOFError:
            print()
            return 0
        stripped = line.strip()
        if not buffer and stripped in (".quit", ".exit", "\\q"):
            return 0
        if not buffer and stripped == ".tables":
            run_sql("SELECT table_name FROM information_schema.tables ORDER BY 1", path, fmt=fmt)
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            run_sql("\n".join(buffer), path, fmt=fmt)
            buffer = []


def main(query: str | None, path: str | os.PathLike[str] | None = None, fmt: str = "table",
         max_rows: int = MAX_ROWS, stdin: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    if query is None or query == "-":
        if query is None and stdin.isatty():
            return interactive(path, fmt)
        query = stdin.read()
    if not query.strip():
        print("error: no SQL given (pass it as an argument or on stdin)", file=sys.stderr)
        return 2
    return run_sql(query, path, fmt=fmt, max_rows=max_rows)
