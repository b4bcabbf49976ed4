"""RELIABILITY.md F1: a larger world pulled for one day, through the real Dagster job.

Figures only (rows/s, peak RSS), no timing assertions: this machine's speed is not a contract.
The correctness side is asserted: every pull succeeds and every organic raw table has rows of
the day for every brand.
"""

from __future__ import annotations

import resource
import time

import duckdb
import pytest

from .conftest import make_env, run_job

pytestmark = pytest.mark.slow

N_BRANDS = 6


def test_f1_larger_world_one_day_pull_figures(tmp_path):
    env = make_env(tmp_path, n_brands=N_BRANDS)
    try:
        day = env.world.settings.end
        env.server.set_as_of(day)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.monotonic()
        _, summary = run_job("daily_pull", day)
        elapsed = time.monotonic() - t0
        assert summary.success, summary.describe()
        with duckdb.connect(str(env.db), read_only=True) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw' "
                "AND table_name <> 'accounts' ORDER BY 1").fetchall()]
            rows = {t: conn.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in tables}
            per_account = conn.execute(
                "SELECT count(DISTINCT business_id) FROM raw.tiktok_videos WHERE snapshot_date = ?", [day]
            ).fetchone()[0]
        total = sum(rows.values())
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"\nF1 n_brands={N_BRANDS}: {len(env.server.request_log)} requests, {total} raw rows in "
              f"{elapsed:.1f} s = {total / elapsed:.0f} rows/s; peak RSS of the test process "
              f"{peak_mb:.0f} MB (was {rss_before / 1024:.0f} MB before the pull), children {child_mb:.0f} MB; "
              f"rows per table {rows}")
        assert per_account == N_BRANDS
        for t in ("tiktok_videos", "instagram_reels", "facebook_reels", "youtube_videos", "youtube_video_days"):
            assert rows[t] > 0, t
    finally:
        env.close()
