"""Durability of landing and publishing under real SIGKILLs, lock contention and open readers.

Each scenario runs the real code in a subprocess and kills it with SIGKILL at a chosen point,
then checks that nothing partial is visible and that a rerun converges.
"""

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from dagster_project.defs.ingest.landing import ensure_raw_schema
from dagster_project.defs.publish import publish_marts
from dagster_project.defs.resources import WarehouseLockedError, open_duckdb

ROOT = Path(__file__).resolve().parents[2]


def run_py(code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def make_warehouse(path: Path, version: int) -> None:
    with duckdb.connect(str(path)) as conn:
        ensure_raw_schema(conn)
        conn.execute("CREATE SCHEMA IF NOT EXISTS marts")
        conn.execute("CREATE OR REPLACE TABLE marts.rpt AS SELECT range AS id, range * ? AS views FROM range(1000)",
                     [version])
        conn.execute("CREATE OR REPLACE TABLE marts.dim AS SELECT ? AS version", [version])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def published_version(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute("SELECT version FROM dim").fetchone()[0]


def test_sigkill_inside_a_landing_transaction_leaves_no_partial_rows(tmp_path):
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as conn:
        ensure_raw_schema(conn)
    # Land 20k rows, but kill the process from inside the transaction, after the inserts ran.
    result = run_py("""
        import os, signal, sys, duckdb
        from datetime import date
        from connectors.records import LifetimeRecord
        from dagster_project.defs.ingest import landing
        real_execute = duckdb.DuckDBPyConnection.execute
        conn = duckdb.connect(sys.argv[1])
        records = [LifetimeRecord("tiktok", "biz", str(i), {"video_views": i}) for i in range(20_000)]
        class Killer:
            def __init__(self, c): self.c = c
            def execute(self, sql, *a):
                if sql.startswith("COMMIT"):
                    os.kill(os.getpid(), signal.SIGKILL)
                return self.c.execute(sql, *a)
            def __getattr__(self, name): return getattr(self.c, name)
        landing.land_lifetime(Killer(conn), "tiktok_videos", records, date(2026, 11, 1))
    """, str(db))
    assert result.returncode == -signal.SIGKILL, result.stderr
    with duckdb.connect(str(db)) as conn:
        assert conn.execute("SELECT count(*) FROM raw.tiktok_videos").fetchone()[0] == 0


def test_sigkill_after_commit_keeps_the_committed_rows(tmp_path):
    db = tmp_path / "w.duckdb"
    result = run_py("""
        import os, signal, sys, duckdb
        from datetime import date
        from connectors.records import LifetimeRecord
        from dagster_project.defs.ingest.landing import ensure_raw_schema, land_lifetime
        conn = duckdb.connect(sys.argv[1], config={"checkpoint_threshold": "10GB"})
        ensure_raw_schema(conn)
        land_lifetime(conn, "tiktok_videos", [LifetimeRecord("tiktok", "biz", str(i), {"v": i}) for i in range(5000)],
                      date(2026, 11, 1))
        os.kill(os.getpid(), signal.SIGKILL)
    """, str(db))
    assert result.returncode == -signal.SIGKILL, result.stderr
    with duckdb.connect(str(db)) as conn:
        assert conn.execute("SELECT count(*) FROM raw.tiktok_videos").fetchone()[0] == 5000


def test_sigkill_just_before_the_publish_swap_keeps_the_live_file_and_rerun_converges(tmp_path):
    warehouse, live = tmp_path / "w.duckdb", tmp_path / "published" / "marts.duckdb"
    make_warehouse(warehouse, 1)
    publish_marts(warehouse, live)
    before = digest(live)
    make_warehouse(warehouse, 2)
    result = run_py("""
        import os, signal, sys
        from pathlib import Path
        from dagster_project.defs import publish
        publish.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
        publish.publish_marts(Path(sys.argv[1]), Path(sys.argv[2]))
    """, str(warehouse), str(live))
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert digest(live) == before and published_version(live) == 1
    assert (live.parent / "marts.duckdb.next").exists()  # the half-done side file, never swapped in
    outcome = publish_marts(warehouse, live)
    assert outcome.swapped and published_version(live) == 2
    assert not (live.parent / "marts.duckdb.next").exists()


def test_identical_content_is_not_republished(tmp_path):
    warehouse, live = tmp_path / "w.duckdb", tmp_path / "p" / "marts.duckdb"
    make_warehouse(warehouse, 1)
    assert publish_marts(warehouse, live).swapped
    before = digest(live)
    assert not publish_marts(warehouse, live).swapped
    assert digest(live) == before


def test_a_reader_holding_the_published_file_is_not_blocked_and_keeps_its_snapshot(tmp_path):
    warehouse, live = tmp_path / "w.duckdb", tmp_path / "p" / "marts.duckdb"
    make_warehouse(warehouse, 1)
    publish_marts(warehouse, live)
    reader = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, time, duckdb
        conn = duckdb.connect(sys.argv[1], read_only=True)
        print(conn.execute("SELECT version FROM dim").fetchone()[0], flush=True)
        sys.stdin.readline()                      # hold the connection while the refresh publishes
        print(conn.execute("SELECT version FROM dim").fetchone()[0], flush=True)
    """), str(live)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "1"
        make_warehouse(warehouse, 2)
        started = time.monotonic()
        assert publish_marts(warehouse, live).swapped
        assert time.monotonic() - started < 20  # not blocked by the reader's lock
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == "1"  # consistent old snapshot
    finally:
        reader.kill()
        reader.wait()
    assert published_version(live) == 2  # a new connection sees the new data


def test_a_second_writer_waits_then_fails_with_a_clear_message(tmp_path):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import sys, duckdb
        conn = duckdb.connect(sys.argv[1])
        print("locked", flush=True)
        sys.stdin.readline()
    """), str(db)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(WarehouseLockedError, match="locked by another process"):
            open_duckdb(db, wait_seconds=1.5)
        assert 1.0 <= time.monotonic() - started < 15
    finally:
        holder.kill()
        holder.wait()
    open_duckdb(db, wait_seconds=5).close()  # free again once the other writer is gone


def test_publish_with_no_marts_fails_and_keeps_the_live_file(tmp_path):
    import dagster as dg

    warehouse, live = tmp_path / "w.duckdb", tmp_path / "p" / "marts.duckdb"
    make_warehouse(warehouse, 1)
    publish_marts(warehouse, live)
    before = digest(live)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("DROP SCHEMA marts CASCADE")
    with pytest.raises(dg.Failure, match="no tables"):
        publish_marts(warehouse, live)
    assert digest(live) == before


@pytest.mark.skipif(os.geteuid() != 0 and sys.platform != "linux", reason="needs RLIMIT_FSIZE")
def test_write_error_during_publish_is_clear_and_keeps_the_live_file(tmp_path):
    warehouse, live = tmp_path / "w.duckdb", tmp_path / "p" / "marts.duckdb"
    make_warehouse(warehouse, 1)
    publish_marts(warehouse, live)
    before = digest(live)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("CREATE OR REPLACE TABLE marts.big AS SELECT range AS id, md5(range::VARCHAR) AS h FROM range(400000)")
    result = run_py("""
        import resource, signal, sys
        from pathlib import Path
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))
        from dagster_project.defs.publish import publish_marts
        publish_marts(Path(sys.argv[1]), Path(sys.argv[2]))
    """, str(warehouse), str(live))
    assert result.returncode != 0
    assert "Error" in result.stderr  # a clear I/O error, not a silent partial file
    assert digest(live) == before
