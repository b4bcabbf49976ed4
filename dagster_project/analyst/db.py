"""Short-lived, read-only, locked-down connections to the published marts file.

A DuckDB reader holding the file blocks the single writer, so every helper here opens the file,
runs its queries and closes it again. ``enable_external_access = false`` keeps SQL from reading or
writing other files (read_csv, COPY, ATTACH, extensions); ``lock_configuration`` keeps it so.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

DEFAULT_PUBLISHED_DB = "data/published/marts.duckdb"
PUBLISH_INFO_TABLE = "_publish_info"
READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}


class PublishedFileMissing(FileNotFoundError):
    """The published file does not exist yet (no refresh has published)."""


def published_path(path: str | os.PathLike[str] | None = None) -> Path:
    """The published marts file: the argument, else $SHORTFORM_PUBLISHED_DB, else the default."""
    chosen = Path(path or os.environ.get("SHORTFORM_PUBLISHED_DB") or DEFAULT_PUBLISHED_DB).expanduser()
    return chosen if chosen.is_absolute() else (Path.cwd() / chosen).resolve()


@contextmanager
def connect(path: str | os.PathLike[str] | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection with external access disabled and the configuration locked."""
    file = published_path(path)
    if not file.exists():
        raise PublishedFileMissing(f"{file} does not exist yet: run `shortform refresh` (or `make run`) first")
    conn = duckdb.connect(str(file), read_only=True, config=dict(READ_ONLY_CONFIG))
    try:
        yield conn
    finally:
        conn.close()


def query_df(sql: str, params: Sequence[Any] | None = None, path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One query on a fresh connection, as a DataFrame."""
    with connect(path) as conn:
        return conn.execute(sql, list(params or [])).df(date_as_object=True)


class Catalog:
    """Which tables and columns the published file has (paid marts arrive later than organic ones)."""

    def __init__(self, columns: dict[str, list[str]]):
        self.columns = columns

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None) -> Catalog:
        with connect(path) as conn:
            rows = conn.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_catalog = current_database() AND table_schema = 'main' "
                "ORDER BY table_name, ordinal_position"
            ).fetchall()
        columns: dict[str, list[str]] = {}
        for table, column in rows:
            columns.setdefault(table, []).append(column)
        return cls(columns)

    def has(self, table: str, *columns: str) -> bool:
        return table in self.columns and all(c in self.columns[table] for c in columns)

    def cols(self, table: str) -> list[str]:
        return list(self.columns.get(table, []))

    def find(self, table: str, *candidates: str, prefix: str | None = None, exclude: Sequence[str] = ()) -> str | None:
        """The first candidate column the table has; else the first column starting with prefix."""
        cols = self.columns.get(table, [])
        for c in candidates:
            if c in cols:
                return c
        if prefix:
            for c in cols:
                if c.startswith(prefix) and not any(x in c for x in exclude):
                    return c
        return None


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
