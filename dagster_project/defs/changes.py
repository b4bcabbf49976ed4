"""Which days of a day-grain mart differ between two copies of it (the warehouse's and the live
published file's): what an incremental publish rewrites, and what the daily data checks read.

A day differs when its row count or its digest differs: the sum and the xor of two 64-bit DuckDB
hashes of every row (128 bits, as publish.table_hashes), over every column but the as-of ones. The
as-of columns (AS_OF_COLUMNS) hold one value per (platform, account_id, day) and move on every row
of an account each day it is pulled; counting them would make every day a changed day.
"""

from __future__ import annotations

from datetime import date

import duckdb

DAY_COLUMN = "metric_date"
AS_OF_COLUMNS = ("data_as_of_date", "is_final")
AS_OF_GROUP = ("platform", "account_id", DAY_COLUMN)


def as_of_columns(columns: list[str]) -> list[str]:
    """The as-of columns of a table with these columns (none unless it has the whole group)."""
    if not set(AS_OF_GROUP) <= set(columns):
        return []
    return [c for c in AS_OF_COLUMNS if c in columns]


def changed_days(conn: duckdb.DuckDBPyConnection, source: str, target: str, columns: list[str]) -> list[date]:
    """The days of `source` and `target` (two relations with these columns) whose rows differ,
    as-of columns aside. ValueError when a row has no day (it cannot be placed)."""
    day = f'"{DAY_COLUMN}"'
    as_of = as_of_columns(columns)
    rest = ", ".join(f'"{c}"' for c in columns if c not in as_of)
    per_day = (f"SELECT {day} AS d, count(*) AS n, sum(CAST(hash({rest}) AS HUGEINT)) AS h1, "
               f"bit_xor(hash({rest}, 'shortform')) AS h2 FROM {{}} GROUP BY {day}")
    days = [r[0] for r in conn.execute(
        f"SELECT coalesce(a.d, b.d) FROM ({per_day.format(source)}) a FULL OUTER JOIN ({per_day.format(target)}) b "
        "ON a.d IS NOT DISTINCT FROM b.d "
        "WHERE a.n IS DISTINCT FROM b.n OR a.h1 IS DISTINCT FROM b.h1 OR a.h2 IS DISTINCT FROM b.h2 ORDER BY 1"
    ).fetchall()]
    if None in days:
        raise ValueError(f"{source}: rows without a {DAY_COLUMN}")
    return days


def stage_days(conn: duckdb.DuckDBPyConnection, name: str, days: list[date]) -> str:
    """`days` as a temporary table `name` (replaced if there); returns a subquery of them for
    `WHERE <day column> IN (...)` (none when the list is empty)."""
    conn.execute(f"CREATE OR REPLACE TEMP TABLE {name} (d DATE)")
    if days:
        conn.executemany(f"INSERT INTO {name} VALUES (?)", [[d] for d in days])
    return f"(SELECT d FROM {name})"
