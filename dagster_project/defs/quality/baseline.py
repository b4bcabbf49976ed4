"""The last good publish, read from the live published file, as the baseline of the volume checks.

Only a run whose blocking checks all passed reaches the publish asset, so whatever the live
published file records is, by construction, from a checked ("good") run: a run that failed its
checks never replaces it, and so never becomes anyone's baseline.

The file is opened read-only and closed straight away (a reader
holding it must not outlive the check).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np

PUBLISH_INFO_TABLE = "_publish_info"


@dataclass(frozen=True)
class Baseline:
    """What the live published file says about itself; None fields when it cannot say."""

    path: Path
    exists: bool
    run_id: str | None = None
    published_at: str | None = None
    row_counts: dict[str, int] | None = None
    problem: str | None = None  # why the baseline could not be read, when it exists

    @property
    def usable(self) -> bool:
        return self.exists and self.row_counts is not None


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    # plain read-only, like publish.py: the SQL here is fixed, and a second connection in the same
    # process with a different configuration would be refused by DuckDB
    return duckdb.connect(str(path), read_only=True)


def parse_table_hashes(raw) -> dict[str, int]:
    """{table: rowcount} from the table_hashes JSON ({"table": "rowcount:digest"})."""
    hashes = json.loads(raw) if isinstance(raw, str) else dict(raw or {})
    counts = {}
    for table, value in hashes.items():
        head = str(value).split(":", 1)[0]
        if head.isdigit():
            counts[str(table)] = int(head)
    return counts


def read_baseline(path: Path) -> Baseline:
    if not path.exists():
        return Baseline(path, exists=False)
    try:
        conn = _connect(path)
    except duckdb.Error as exc:
        return Baseline(path, exists=True, problem=f"cannot open: {type(exc).__name__}")
    try:
        row = conn.execute(
            f"SELECT run_id, CAST(published_at AS VARCHAR), CAST(table_hashes AS VARCHAR) "
            f"FROM {PUBLISH_INFO_TABLE} ORDER BY published_at DESC LIMIT 1").fetchone()
    except duckdb.Error as exc:
        return Baseline(path, exists=True, problem=f"no readable {PUBLISH_INFO_TABLE}: {type(exc).__name__}")
    finally:
        conn.close()
    if row is None:
        return Baseline(path, exists=True, problem=f"{PUBLISH_INFO_TABLE} is empty")
    try:
        counts = parse_table_hashes(row[2])
    except (ValueError, TypeError) as exc:
        return Baseline(path, exists=True, problem=f"table_hashes unreadable: {type(exc).__name__}")
    return Baseline(path, exists=True, run_id=row[0], published_at=row[1], row_counts=counts)


def recent_views(conn: duckdb.DuckDBPyConnection, table: str, window_days: int) -> dict[str, np.ndarray]:
    """Per surface, the non-negative daily views of the last window_days days (ending at that
    surface's newest day) in table; restated-down rows and unknown views are left out."""
    rows = conn.execute(f"""
        WITH t AS (SELECT surface, metric_date, views, is_restated_down FROM {table}),
             newest AS (SELECT surface, max(metric_date) AS d FROM t GROUP BY surface)
        SELECT t.surface, list(CAST(t.views AS DOUBLE))
        FROM t JOIN newest USING (surface)
        WHERE t.metric_date > newest.d - {int(window_days)} AND t.views IS NOT NULL AND t.views >= 0
          AND NOT coalesce(t.is_restated_down, false)
        GROUP BY t.surface
    """).fetchall()
    return {surface: np.asarray(values, dtype=float) for surface, values in rows}


def published_recent_views(path: Path, window_days: int) -> dict[str, np.ndarray] | None:
    """recent_views of the live published file's fct_content_daily; None without one."""
    if not path.exists():
        return None
    try:
        conn = _connect(path)
    except duckdb.Error:
        return None
    try:
        return recent_views(conn, "main.fct_content_daily", window_days)
    except duckdb.Error:
        return None
    finally:
        conn.close()
