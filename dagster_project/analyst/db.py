"""Read-only, locked-down connections to the published marts file.

``enable_external_access = false`` keeps SQL from reading or writing other files (read_csv, COPY,
ATTACH, extensions); ``lock_configuration`` keeps it so.

Opening a DuckDB file costs ~20 ms (the database instance, its catalog) and starts with a cold
buffer cache, which was most of a dashboard query's time. So each process keeps one open instance
per published file (an in-memory database with the file attached read-only) and every
``connect()`` hands out a cursor on it: a query then costs its own work only. Publishing never
waits for these readers: it writes a side file and renames it over the published one, and the next
``connect()`` sees the file changed (device, inode, mtime, size) and attaches the new one; the old
instance is closed once its last cursor is. `release()` closes them (e.g. before writing the file
in place, which DuckDB refuses while this process has it attached).
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
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


# names DuckDB keeps for its own catalogs (a file so named opens under another name)
RESERVED_CATALOGS = frozenset({"memory", "temp", "system", "main"})
MAX_OPEN_FILES = 4  # published files (or file versions) kept open per process, least recently used first out


def _catalog_name(file: Path) -> str:
    """The name the file's catalog has when DuckDB opens it directly (its stem), so
    `current_database()` and qualified names read the same through the attached instance."""
    stem = file.stem
    usable = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", stem) and stem.lower() not in RESERVED_CATALOGS
    return stem if usable else "marts"


class _Instance:
    """One in-memory DuckDB database with one version of a published file attached read-only."""

    def __init__(self, file: Path, identity: tuple[int, ...]) -> None:
        self.identity = identity
        self.catalog = quote_ident(_catalog_name(file))
        self.users = 0
        self.retired = False
        conn = duckdb.connect(":memory:")
        try:
            conn.execute(f"ATTACH {quote_literal(file)} AS {self.catalog} (READ_ONLY)")
            conn.execute(f"USE {self.catalog}")
            conn.execute("DETACH memory")  # no writable catalog shared by the cursors, and the file cannot be detached
            for key, value in READ_ONLY_CONFIG.items():  # after the ATTACH, which is external access
                conn.execute(f"SET {key} = {'true' if value else 'false'}")
        except BaseException:
            conn.close()
            raise
        self.conn = conn

    def close(self) -> None:
        self.conn.close()


_INSTANCES: OrderedDict[Path, _Instance] = OrderedDict()
_LOCK = threading.Lock()


def _retire(instance: _Instance) -> None:
    """Close the instance now if no cursor uses it, else when its last cursor closes (lock held)."""
    instance.retired = True
    if instance.users == 0:
        instance.close()


def release(path: str | os.PathLike[str] | None = None) -> None:
    """Close this process's open instance of the published file (of every file when path is None)."""
    with _LOCK:
        files = list(_INSTANCES) if path is None else [published_path(path)]
        for file in files:
            instance = _INSTANCES.pop(file, None)
            if instance is not None:
                _retire(instance)


def _missing(file: Path) -> PublishedFileMissing:
    return PublishedFileMissing(f"{file} does not exist yet: run `shortform refresh` (or `make run`) first")


def _checkout(file: Path) -> _Instance:
    try:
        st = file.stat()
    except FileNotFoundError:
        release(file)
        raise _missing(file) from None
    identity = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    with _LOCK:
        instance = _INSTANCES.get(file)
        if instance is not None and instance.identity != identity:  # published again since
            _retire(_INSTANCES.pop(file))
            instance = None
        if instance is None:
            instance = _Instance(file, identity)
            _INSTANCES[file] = instance
            while len(_INSTANCES) > MAX_OPEN_FILES:
                _retire(_INSTANCES.popitem(last=False)[1])
        _INSTANCES.move_to_end(file)
        instance.users += 1
        return instance


def _checkin(instance: _Instance) -> None:
    with _LOCK:
        instance.users -= 1
        if instance.retired and instance.users == 0:
            instance.close()


@contextmanager
def connect(path: str | os.PathLike[str] | None = None, shared: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection with external access disabled and the configuration locked.

    shared: a cursor on this process's open instance of the file (see the module's note);
    otherwise a connection of its own, opened and closed here (e.g. for statements typed by a user).
    """
    file = published_path(path)
    if not shared:
        if not file.exists():
            raise _missing(file)
        conn = duckdb.connect(str(file), read_only=True, config=dict(READ_ONLY_CONFIG))
        try:
            yield conn
        finally:
            conn.close()
        return
    instance = _checkout(file)
    try:
        with _LOCK:
            cursor = instance.conn.cursor()
        try:
            cursor.execute(f"USE {instance.catalog}")
            yield cursor
        finally:
            cursor.close()
    finally:
        _checkin(instance)


def query_df(sql: str, params: Sequence[Any] | None = None, path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """One query (on a cursor of the shared instance), as a DataFrame."""
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


def quote_literal(value: str | os.PathLike[str]) -> str:
    """A SQL string literal (e.g. a file path for ATTACH, which takes no parameters)."""
    return "'" + str(value).replace("'", "''") + "'"
