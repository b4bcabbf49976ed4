"""Quota modes land the same raw rows with fewer API calls (issue 7, docs/DESIGN.md "Quota efficiency").

The same sandbox days are pulled by the real ingest assets twice, into two DuckDB files: once with
SHORTFORM_META_INSIGHTS=batch / SHORTFORM_YOUTUBE_REPORTS=by_day (the defaults), once with
per_object / per_video (one insights call per Reel, one Analytics report per Short: the naive
pattern). Every raw table must hold identical rows (pulled_at aside), and the calls each mode
spent, counted from the sandbox's own request log, must be fewer in the efficient mode. A third
pull against a sandbox without batch requests or per-video reports (a server that only follows
API_CONTRACTS.md) must land the same rows too.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from connectors.sandbox import SandboxServer, World, WorldSettings
from dagster_project.defs.ingest.landing import RAW_TABLES
from tests.integration.sandbox_run import pull_days, sandbox_env

pytestmark = pytest.mark.slow

SETTINGS = WorldSettings(n_brands=2, posts_per_week=8.0)


def raw_rows(db: Path) -> dict[str, list[tuple]]:
    out = {}
    with duckdb.connect(str(db), read_only=True) as conn:
        for name, table in RAW_TABLES.items():
            out[name] = conn.execute(
                f"SELECT {', '.join(table.key)}, payload::VARCHAR FROM {table.qualified} ORDER BY ALL").fetchall()
    return out


def calls(server: SandboxServer, since: int) -> dict[str, int]:
    counts = {"meta": 0, "youtube_analytics": 0, "other": 0}
    for _, path in server.request_log[since:]:
        if path.startswith("/v2/reports"):
            counts["youtube_analytics"] += 1
        elif path.startswith("/v"):
            counts["meta"] += 1
        else:
            counts["other"] += 1
    return counts


def pull(server: SandboxServer, db: Path, days: list, meta_mode: str, youtube_mode: str) -> dict[str, int]:
    os.environ["SHORTFORM_DB"] = str(db)
    os.environ["SHORTFORM_META_INSIGHTS"] = meta_mode
    os.environ["SHORTFORM_YOUTUBE_REPORTS"] = youtube_mode
    before = len(server.request_log)
    pull_days(server, days)
    return calls(server, before)


@pytest.fixture(scope="module")
def world() -> World:
    return World(SETTINGS)


def test_efficient_and_naive_modes_land_identical_raw_rows_with_fewer_calls(tmp_path, world):
    days = [world.end - timedelta(days=2 - i) for i in range(3)]
    with sandbox_env(world, tmp_path) as server:
        efficient = pull(server, tmp_path / "efficient.duckdb", days, "batch", "by_day")
        naive = pull(server, tmp_path / "naive.duckdb", days, "per_object", "per_video")
    print(f"\nquota modes, {len(days)} daily pulls of a {SETTINGS.n_brands}-brand world: "
          f"efficient {efficient}, naive {naive}")
    ours, theirs = raw_rows(tmp_path / "efficient.duckdb"), raw_rows(tmp_path / "naive.duckdb")
    for table in ("instagram_reels", "facebook_reels", "youtube_video_days", "youtube_videos", "tiktok_videos"):
        assert ours[table], f"nothing landed in raw.{table}"
    for table in RAW_TABLES:
        assert ours[table] == theirs[table], f"raw.{table} differs between the modes"
    assert efficient["other"] == naive["other"]  # TikTok and YouTube Data: the same calls
    assert efficient["meta"] * 10 <= naive["meta"], (efficient, naive)
    assert efficient["youtube_analytics"] * 5 <= naive["youtube_analytics"], (efficient, naive)


def test_a_contract_only_server_lands_the_same_rows(tmp_path, world):
    days = [world.end]
    with sandbox_env(world, tmp_path) as server:
        expected = pull(server, tmp_path / "naive.duckdb", days, "per_object", "per_video")
    plain = SandboxServer(world, graph_batch=False, yta_video_reports=False, as_of=days[0])
    (tmp_path / "plain").mkdir()
    # same environment, but every base URL pointing at the contract-only server
    with sandbox_env(world, tmp_path / "plain") as server:
        plain.start()
        try:
            for name in ("SHORTFORM_META_BASE_URL", "SHORTFORM_YOUTUBE_ANALYTICS_BASE_URL"):
                os.environ[name] = plain.url
            os.environ["SHORTFORM_DB"] = str(tmp_path / "fallback.duckdb")
            os.environ["SHORTFORM_META_INSIGHTS"] = "batch"
            os.environ["SHORTFORM_YOUTUBE_REPORTS"] = "by_day"
            pull_days(server, days)
            plain_calls = calls(plain, 0)
        finally:
            plain.stop()
    print(f"\ncontract-only server, one daily pull: {plain_calls} (naive on the full sandbox: {expected})")
    assert raw_rows(tmp_path / "fallback.duckdb") == raw_rows(tmp_path / "naive.duckdb")
    # tried once per account and family, then one call per object
    n_meta_accounts = 2 * SETTINGS.n_brands
    assert sum(1 for m, _ in plain.request_log if m == "POST") <= n_meta_accounts
    # the refused batch and expanded listing cost at most two calls per Meta account, the refused
    # per-video report one call per channel
    assert expected["meta"] < plain_calls["meta"] <= expected["meta"] + 2 * n_meta_accounts
    assert plain_calls["youtube_analytics"] == expected["youtube_analytics"] + SETTINGS.n_brands
