"""End to end on the sandbox: daily pulls through Dagster, dbt build, GX check, publish.

Expected values come from the sandbox world's ground truth, never from the warehouse's own code.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from connectors.sandbox import World, WorldSettings
from dagster_project import settings
from tests.integration.sandbox_run import sandbox_env

pytestmark = pytest.mark.slow

SENTINEL = "EAAB-TEST-SENTINEL-7f3a9c"
TOKENS = {"tiktok": SENTINEL + "-tt", "meta": SENTINEL + "-meta", "youtube": SENTINEL + "-yt"}
SIM_DAYS = 16


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldSettings(n_brands=2))


@pytest.fixture(scope="module")
def env(tmp_path_factory, world):
    """A sandbox with sentinel tokens, and the environment every pipeline run reads."""
    tmp = tmp_path_factory.mktemp("e2e")
    with sandbox_env(world, tmp, tokens=TOKENS) as server:
        yield {"server": server, "tmp": tmp}


@pytest.fixture(scope="module")
def simulated(env, world):
    """SIM_DAYS daily pulls with the sandbox clock, then one refresh; returns the run summaries."""
    import dagster as dg

    from dagster_project.orchestrate import pull_day, refresh

    instance = dg.DagsterInstance.ephemeral()
    end = world.settings.end
    days = [end - timedelta(days=n) for n in range(SIM_DAYS - 1, -1, -1)]
    pulls = []
    for day in days:
        env["server"].set_as_of(day)
        pulls += pull_day(day, None, instance)
    summary = refresh(instance)
    assert "published/marts" in summary.materialized, summary.describe()
    return {"pulls": pulls, "refresh": summary, "instance": instance, "days": days}


def published_path() -> Path:
    return Path(os.environ["SHORTFORM_PUBLISHED_DB"])


def test_refresh_publishes_every_mart(simulated):
    assert all(p.success for p in simulated["pulls"]), [p.describe() for p in simulated["pulls"] if not p.success]
    assert simulated["refresh"].success, simulated["refresh"].describe()
    assert not simulated["refresh"].check_failures
    with duckdb.connect(str(published_path()), read_only=True) as conn:
        tables = {r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert {"dim_content", "fct_content_daily", "rpt_platform_comparison_weekly", "_publish_info"} <= tables
        surfaces = {r[0] for r in conn.execute("SELECT DISTINCT surface FROM rpt_platform_comparison_weekly").fetchall()}
        assert surfaces == {"tiktok", "instagram_reels", "facebook_reels", "youtube_shorts"}


def test_daily_views_match_ground_truth_for_every_complete_day(simulated, world):
    truth = {(str(r["content_id"]), r["metric_date"]): r["views"] for r in world.truth_daily()}
    with duckdb.connect(str(published_path()), read_only=True) as conn:
        rows = conn.execute(
            "SELECT surface, content_id, metric_date, views FROM fct_content_daily WHERE is_complete"
        ).fetchall()
    assert rows, "no complete daily rows were published"
    per_surface: dict[str, int] = {}
    mismatches = []
    for surface, content_id, metric_date, views in rows:
        per_surface[surface] = per_surface.get(surface, 0) + 1
        expected = truth.get((content_id, metric_date))
        if expected != views:
            mismatches.append((surface, content_id, str(metric_date), views, expected))
    assert not mismatches, f"{len(mismatches)} of {len(rows)} complete days differ, e.g. {mismatches[:5]}"
    # every surface contributes many complete days, not just a handful
    assert set(per_surface) == {"tiktok", "instagram_reels", "facebook_reels", "youtube_shorts"}
    assert min(per_surface.values()) >= 20, per_surface


def test_restatements_are_kept_and_flagged(simulated, world):
    restated = {(str(r["content_id"]), r["metric_date"]) for r in world.truth_daily()
                if r["views"] is not None and r["views"] < 0}
    with duckdb.connect(str(published_path()), read_only=True) as conn:
        flagged = {(c, d) for c, d in conn.execute(
            "SELECT content_id, metric_date FROM fct_content_daily WHERE is_restated_down AND is_complete").fetchall()}
    in_window = {k for k in restated if k[1] in set(simulated["days"][1:])}
    assert in_window <= flagged
    assert flagged <= restated


RAW_TABLES = ["tiktok_videos", "tiktok_account_days", "instagram_reels", "facebook_reels",
              "youtube_videos", "youtube_video_days", "accounts"]


def raw_dump(db: str) -> dict[str, list]:
    with duckdb.connect(db, read_only=True) as conn:
        return {t: conn.execute(f"SELECT * FROM raw.{t} ORDER BY ALL").fetchall() for t in RAW_TABLES}


def test_cli_pull_of_the_same_day_twice_leaves_identical_raw_tables(simulated, env):
    from dagster_project.cli import main

    last = simulated["days"][-1]
    env["server"].set_as_of(last)
    before = raw_dump(os.environ["SHORTFORM_DB"])
    assert all(before[t] for t in RAW_TABLES)
    for family in ("tiktok", "meta", "youtube"):
        assert main(["pull", "--platform", family, "--date", last.isoformat()]) == 0
        assert main(["pull", "--platform", family, "--date", last.isoformat()]) == 0
    assert raw_dump(os.environ["SHORTFORM_DB"]) == before


def test_second_identical_run_leaves_published_file_unchanged(simulated, env, world):
    from dagster_project.orchestrate import pull_day, refresh

    before = file_digest(published_path())
    last = simulated["days"][-1]
    env["server"].set_as_of(last)
    assert all(s.success for s in pull_day(last, None, simulated["instance"]))
    summary = refresh(simulated["instance"])
    assert summary.success, summary.describe()
    assert file_digest(published_path()) == before


def test_corrupted_mart_blocks_publish_and_keeps_previous_file(simulated, env):
    """A unit bug upstream (watch time x1000) passes dbt's tests but fails the GX suite: no publish."""
    from dagster_project.orchestrate import refresh

    before = file_digest(published_path())
    corrupted_db = env["tmp"] / "corrupted.duckdb"
    shutil.copyfile(os.environ["SHORTFORM_DB"], corrupted_db)
    with duckdb.connect(str(corrupted_db)) as conn:
        conn.execute(
            "UPDATE raw.tiktok_videos SET payload = json_merge_patch(payload, json_object('total_time_watched', "
            "CAST(json_extract_string(payload, '$.total_time_watched') AS DOUBLE) * 1000))"
        )
    os.environ["SHORTFORM_DB"] = str(corrupted_db)
    try:
        summary = refresh(simulated["instance"])
    finally:
        os.environ["SHORTFORM_DB"] = str(env["tmp"] / "warehouse.duckdb")
    assert not summary.success or summary.check_failures
    assert any("gx_comparison_suite" in c for c in summary.check_failures), summary.describe()
    assert "published/marts" not in summary.materialized, summary.describe()
    assert "marts/rpt_platform_comparison_weekly" in summary.materialized  # the mart was rebuilt, then held back
    assert file_digest(published_path()) == before


def test_expired_token_fails_that_platform_only_with_a_clear_redacted_error(simulated, env):
    from dagster_project.orchestrate import pull_day

    last = simulated["days"][-1]
    server = env["server"]
    server.set_as_of(last)
    server.inject_fault("meta", "expired_token", count=1000)
    try:
        summaries = pull_day(last, None, simulated["instance"])
    finally:
        server.clear_faults()
    (summary,) = summaries
    assert not summary.success
    text = summary.describe()
    assert "instagram account" in text and "facebook account" in text, text
    assert not any("tiktok" in f or "youtube" in f for f in summary.failures), text  # others landed
    assert "raw/tiktok/videos" in summary.materialized and "raw/youtube/videos" in summary.materialized
    assert SENTINEL not in text


def test_sentinel_token_never_reaches_the_dagster_event_log(simulated):
    instance = simulated["instance"]
    runs = instance.get_runs()
    assert runs
    for run in runs:
        for record in instance.all_logs(run.run_id):
            assert SENTINEL not in str(record), (run.job_name, record.dagster_event_type)


def test_sentinel_token_never_lands_in_files(simulated, env):
    for path in [*env["tmp"].rglob("*"), *(settings.DBT_PROJECT_DIR / "target").rglob("*.json"),
                 *(settings.DBT_PROJECT_DIR / "logs").rglob("*")]:
        if path.is_file():
            assert SENTINEL.encode() not in path.read_bytes(), path


def test_status_reports_pulls_freshness_and_the_last_publish_with_its_checks(simulated, capsys):
    from dagster_project.cli import main

    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "tiktok_videos" in out and "youtube_video_days" in out and "ok (" in out
    line = next(x for x in out.splitlines() if "checks at that publish" in x)
    passed, total = (int(n) for n in line.split(":")[1].split("passed")[0].split(" of "))
    assert total > 50 and passed == total, line


def test_paid_spend_converges_to_what_the_platform_serves_after_restatements(simulated, world):
    """Every ad day re-read inside the lookback ends at the value the sandbox serves on the last pull."""
    from decimal import Decimal

    last = simulated["days"][-1]
    first = simulated["days"][0]
    truth: dict[tuple, Decimal] = {}
    for r in world.truth_ad_daily(as_of=last):
        if first <= r["metric_date"] <= last:
            key = (r["platform"], r["ad_id"], r["metric_date"])
            truth[key] = truth.get(key, Decimal(0)) + Decimal(str(r["spend"]))
    with duckdb.connect(str(published_path()), read_only=True) as conn:
        rows = conn.execute(
            "SELECT platform, ad_id, metric_date, sum(spend_local) FROM fct_ad_daily "
            "WHERE metric_date BETWEEN ? AND ? GROUP BY ALL", [first, last]).fetchall()
    got = {(p, a, d): Decimal(str(s)) for p, a, d, s in rows}
    # days older than the lookback at the first pull were never re-read: compare the re-read window
    tiktok_window = {k for k in truth if k[0] == "tiktok_ads" and (last - k[2]).days <= 7}
    meta_window = {k for k in truth if k[0] == "meta_ads" and (last - k[2]).days <= 28}
    assert tiktok_window and meta_window
    wrong = [(k, got.get(k), truth[k]) for k in tiktok_window | meta_window if got.get(k) != truth[k]]
    assert not wrong, f"{len(wrong)} ad days differ from the platform's last answer, e.g. {wrong[:3]}"
    # and the reporting-currency column exists for every row, with its rate
    with duckdb.connect(str(published_path()), read_only=True) as conn:
        missing = conn.execute("SELECT count(*) FROM fct_ad_daily WHERE spend_reporting IS NULL OR fx_rate IS NULL").fetchone()[0]
    assert missing == 0
