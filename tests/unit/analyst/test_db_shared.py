"""The published file's shared reader (analyst.db.connect): one open instance per file version and
process, a cursor per connect(); a new publish is seen on the next connect; the old version is
closed only after its last cursor; SQL still cannot reach other files or write."""

from __future__ import annotations

import os
import threading

import duckdb
import pytest

from dagster_project.analyst import db


def _write(path, value: int) -> None:
    """Publish like the pipeline does: a side file renamed over the published one."""
    side = path.with_name(path.name + ".side")
    side.unlink(missing_ok=True)
    with duckdb.connect(str(side)) as conn:
        conn.execute("CREATE TABLE marker AS SELECT ? AS v", [value])
    os.replace(side, path)


@pytest.fixture
def published(tmp_path):
    path = tmp_path / "marts.duckdb"
    _write(path, 1)
    yield path
    db.release(path)


def _value(path) -> int:
    with db.connect(path) as conn:
        return conn.execute("SELECT v FROM marker").fetchone()[0]


def test_connects_share_one_instance_and_name_the_catalog_as_a_direct_open_would(published):
    assert _value(published) == 1
    first = db._INSTANCES[published]
    assert _value(published) == 1
    assert db._INSTANCES[published] is first
    with db.connect(published) as conn:
        assert conn.execute("SELECT current_database()").fetchone()[0] == "marts"
        assert conn.execute("SELECT count(*) FROM marts.main.marker").fetchone()[0] == 1
    assert first.users == 0


def test_a_new_publish_is_read_by_the_next_connect(published):
    assert _value(published) == 1
    old = db._INSTANCES[published]
    _write(published, 2)
    assert _value(published) == 2
    assert db._INSTANCES[published] is not old
    with pytest.raises(duckdb.ConnectionException):  # closed at once: no cursor was using it
        old.conn.execute("SELECT 1")


def test_the_old_version_stays_open_for_a_query_in_flight(published):
    inside, republished = threading.Event(), threading.Event()
    seen: list[int] = []

    def long_reader():
        with db.connect(published) as conn:
            inside.set()
            republished.wait(30)
            seen.append(conn.execute("SELECT v FROM marker").fetchone()[0])

    worker = threading.Thread(target=long_reader)
    worker.start()
    assert inside.wait(30)
    old = db._INSTANCES[published]
    _write(published, 3)
    assert _value(published) == 3  # a new reader sees the new file at once
    assert old.retired and old.users == 1
    republished.set()
    worker.join(30)
    assert seen == [1]  # the reader in flight finished on the version it started with
    assert old.users == 0
    with pytest.raises(duckdb.ConnectionException):
        old.conn.execute("SELECT 1")


def test_shared_cursors_cannot_reach_files_write_or_unlock(published, tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("a\n1\n")
    with db.connect(published) as conn:
        for sql in (f"SELECT * FROM read_csv('{other}')", f"ATTACH '{tmp_path / 'x.duckdb'}' AS x",
                    "SET enable_external_access = true", "SET memory_limit = '1GB'", "RESET threads",
                    "CREATE TABLE marts.main.t AS SELECT 1", "DELETE FROM marker",
                    "CREATE TABLE memory.main.t AS SELECT 1", "USE memory", "DETACH marts"):
            with pytest.raises(duckdb.Error):
                conn.execute(sql)
    assert _value(published) == 1


def test_missing_file_names_the_path_and_release_lets_a_writer_in(published):
    assert _value(published) == 1
    db.release(published)
    assert published not in db._INSTANCES
    with duckdb.connect(str(published)) as conn:  # in place: refused while this process had it attached
        conn.execute("UPDATE marker SET v = 5")
    assert _value(published) == 5
    published.unlink()  # while this process has it open: the next connect finds it missing
    with pytest.raises(db.PublishedFileMissing, match="marts.duckdb does not exist yet"):
        _value(published)


def test_at_most_a_few_files_stay_open(tmp_path):
    paths = []
    for i in range(db.MAX_OPEN_FILES + 2):
        path = tmp_path / f"p{i}.duckdb"
        _write(path, i)
        paths.append(path)
        assert _value(path) == i
    try:
        assert len([p for p in paths if p in db._INSTANCES]) == db.MAX_OPEN_FILES
        assert paths[0] not in db._INSTANCES and paths[-1] in db._INSTANCES
    finally:
        for path in paths:
            db.release(path)


@pytest.mark.parametrize("stem", ["memory", "Temp", "system", "main", "2026-marts"])
def test_files_named_like_duckdbs_own_catalogs_open(tmp_path, stem):
    path = tmp_path / f"{stem}.duckdb"
    _write(path, 7)
    try:
        assert _value(path) == 7
    finally:
        db.release(path)


def test_unshared_connections_are_private_and_closed(published):
    with db.connect(published, shared=False) as conn:
        assert conn.execute("SELECT v FROM marker").fetchone()[0] == 1
    assert published not in db._INSTANCES
    with pytest.raises(duckdb.ConnectionException):
        conn.execute("SELECT 1")
