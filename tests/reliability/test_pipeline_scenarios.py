"""RELIABILITY.md A10, A12, A13 (+ its WARN schema-change checks), A14, B1, B3, B7/F2 against a real sandbox and the real Dagster jobs.

One small world (1 brand) is pulled for two days and refreshed once (module fixtures); every
scenario then works on its own warehouse file (a fresh one, or a copy of the published baseline),
so the scenarios do not depend on each other's order. Figures (not timed assertions) are printed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from dagster_project.defs.ingest.landing import RAW_TABLES

from .conftest import FAST_PLATFORMS, ROOT, SENTINEL, PipelineEnv, file_digest, make_env, run_job

pytestmark = pytest.mark.slow

ORGANIC = ["tiktok_videos", "tiktok_account_days", "instagram_reels", "facebook_reels", "youtube_videos",
           "youtube_video_days"]


def raw_content(db: Path, tables: list[str] | None = None) -> dict[str, list[tuple]]:
    """Every raw row as (key..., payload text), without pulled_at: what a converged pull must equal."""
    out: dict[str, list[tuple]] = {}
    if not db.exists():
        return {t: [] for t in tables or RAW_TABLES}
    with duckdb.connect(str(db), read_only=True) as conn:
        existing = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'raw'").fetchall()}
        for name in tables or list(RAW_TABLES):
            if name not in existing:
                out[name] = []
                continue
            t = RAW_TABLES[name]
            cols = ", ".join(t.key)
            out[name] = conn.execute(
                f"SELECT {cols}, CAST(payload AS VARCHAR) FROM {t.qualified} ORDER BY ALL").fetchall()
    return out


def key_is_unique(db: Path, name: str) -> bool:
    t = RAW_TABLES[name]
    with duckdb.connect(str(db), read_only=True) as conn:
        total, distinct = conn.execute(
            f"SELECT count(*), count(DISTINCT ({', '.join(t.key)})) FROM {t.qualified}").fetchone()
    return total == distinct


@dataclass
class Base:
    env: PipelineEnv
    days: list[date]
    instance: dg.DagsterInstance
    raw: dict[str, list[tuple]]  # after the clean pulls of `days`
    main_db: Path

    @property
    def day(self) -> date:
        return self.days[-1]

    def fresh_db(self, name: str) -> Path:
        path = self.env.tmp / f"{name}.duckdb"
        self.env.use_db(path)
        return path

    def ids(self) -> dict[str, str]:
        brand = next(iter(self.env.world.accounts_config()["brands"].values()))
        return {"tiktok": brand["tiktok"]["business_id"], "instagram": brand["instagram"]["ig_user_id"],
                "facebook": brand["facebook"]["page_id"], "youtube": brand["youtube"]["channel_id"]}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    env = make_env(tmp_path_factory.mktemp("reliability"), n_brands=1)
    end = env.world.settings.end
    days = [end - timedelta(days=2), end - timedelta(days=1)]  # the last day stays for B1
    instance = dg.DagsterInstance.ephemeral()
    for day in days:
        env.server.set_as_of(day)
        _, summary = run_job("daily_pull", day, instance)
        assert summary.success, summary.describe()
    b = Base(env, days, instance, raw_content(env.db), env.db)
    yield b
    env.close()


@pytest.fixture
def scenario(base: Base):
    """Each scenario starts at the base day, no faults, no limits, on the main warehouse path."""
    base.env.server.set_as_of(base.day)
    yield base
    base.env.server.clear_faults()
    for platform in ("tiktok", "meta", "youtube"):
        base.env.server.set_rate_limit(platform, None)
    base.env.use_db(base.main_db)


@pytest.fixture(scope="module")
def published(base: Base) -> dict:
    """One good refresh of the base warehouse: the previously published file every scenario keeps."""
    from dagster_project.orchestrate import refresh

    summary = refresh(base.instance)
    assert summary.success and "published/marts" in summary.materialized, summary.describe()
    pristine = base.env.tmp / "pristine.duckdb"
    shutil.copyfile(base.main_db, pristine)
    return {"digest": file_digest(base.env.published), "pristine": pristine}


def copy_of_pristine(base: Base, published: dict, name: str) -> Path:
    """The published baseline's warehouse, restored onto the main path (so every refresh of this
    module sees the same SHORTFORM_DB), with any leftover WAL of the previous scenario removed."""
    path = base.main_db
    Path(str(path) + ".wal").unlink(missing_ok=True)
    shutil.copyfile(published["pristine"], path)
    base.env.use_db(path)
    return path


def refresh_errors(instance: dg.DagsterInstance) -> str:
    """Full error text of every failed step of the newest run (the summary keeps first lines only)."""
    run = instance.get_runs(limit=1)[0]
    texts = []
    for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
        data = record.dagster_event.step_failure_data if record.dagster_event else None
        if data and data.error:
            texts.append(data.error.to_string())
    return "\n".join(texts)


def listing_requests(server, since: int, part: str) -> int:
    return sum(1 for _, path in server.request_log[since:] if part in path)


# ---------------------------------------------------------------------------------------- A10


def test_a10_sigkill_between_pages_lands_nothing_of_that_account_and_rerun_converges(scenario):
    base = scenario
    server = base.env.server
    assert len(base.raw["tiktok_videos"]) > 20 * len(base.days), "the TikTok video list must span 2+ pages"
    db = base.env.tmp / "a10.duckdb"
    # page 1 is served, page 2 hangs: the child is killed while it waits between page 1 and page 2
    server.inject_fault("tiktok", "slow", count=1, path_contains="business/video/list", skip=1, delay=20)
    before = len(server.request_log)
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys
            from datetime import date
            from dagster_project.orchestrate import run_job
            print(run_job("pull_tiktok", date.fromisoformat(sys.argv[1])).describe())
        """), base.day.isoformat()],
        cwd=ROOT, env={**os.environ, "SHORTFORM_DB": str(db)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    try:
        while listing_requests(server, before, "business/video/list") < 2:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never asked for page 2"
            time.sleep(0.05)
        time.sleep(0.2)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    out, err = child.communicate()
    assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert listing_requests(server, before, "business/video/list") == 2
    assert raw_content(db, ["tiktok_videos"])["tiktok_videos"] == []  # nothing of the account landed
    server.clear_faults()
    base.env.use_db(db)
    _, summary = run_job("pull_tiktok", base.day, platforms=FAST_PLATFORMS)
    assert summary.success, summary.describe()
    clean = [r for r in base.raw["tiktok_videos"] if r[2] == base.day]
    assert raw_content(db, ["tiktok_videos"])["tiktok_videos"] == clean
    days = raw_content(db, ["tiktok_account_days"])["tiktok_account_days"]
    assert days and set(days) <= set(base.raw["tiktok_account_days"])
    assert key_is_unique(db, "tiktok_videos")


# ---------------------------------------------------------------------------------------- A12


def test_a12_repeating_cursor_fails_clearly_naming_platform_and_account_in_few_requests(scenario):
    base = scenario
    server = base.env.server
    ids = base.ids()
    db = base.fresh_db("a12")
    loops = {"tiktok": "business/video/list", "meta": "/media", "youtube": "playlistItems"}
    for platform, part in loops.items():
        server.inject_fault(platform, "cursor_loop", count=100_000, path_contains=part)
    before = len(server.request_log)
    _, summary = run_job("daily_pull", base.day, platforms=FAST_PLATFORMS)
    assert not summary.success
    text = summary.describe()
    for platform in ("tiktok", "instagram", "youtube"):
        assert f"{platform} account {ids[platform]}" in text and "pagination loop" in text, text
    assert SENTINEL not in text
    counts = {p: listing_requests(server, before, part) for p, part in loops.items()}
    print(f"\nA12 listing requests before the loop was detected: {counts}")
    assert all(n <= 3 for n in counts.values()), counts  # the first repeat stops it; no Dagster retry
    landed = raw_content(db, ["tiktok_videos", "instagram_reels", "youtube_videos", "facebook_reels"])
    assert landed["tiktok_videos"] == landed["instagram_reels"] == landed["youtube_videos"] == []
    assert landed["facebook_reels"]  # an unaffected listing of the same platform family still landed


# ---------------------------------------------------------------------------------------- B3


def test_b3_transient_failure_inside_an_asset_is_retried_by_dagster_and_the_run_succeeds(scenario):
    base = scenario
    server = base.env.server
    db = base.fresh_db("b3")
    # FAST_PLATFORMS: 2 HTTP attempts; both fail, so the asset's first attempt raises a retryable error
    server.inject_fault("tiktok", "server_error", count=2, path_contains="business/video/list")
    before = len(server.request_log)
    result, summary = run_job("pull_tiktok", base.day, platforms=FAST_PLATFORMS)
    assert summary.success, summary.describe()
    retried = [e.step_key for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_UP_FOR_RETRY]
    assert retried == ["raw__tiktok__videos"], retried
    assert listing_requests(server, before, "business/video/list") >= 3
    clean = [r for r in base.raw["tiktok_videos"] if r[2] == base.day]
    assert raw_content(db, ["tiktok_videos"])["tiktok_videos"] == clean


# ------------------------------------------------------------------------------------- B7 / F2


def test_b7_f2_sliding_window_rate_limit_is_survived_with_backoff(scenario):
    base = scenario
    server = base.env.server
    db = base.fresh_db("b7")
    per_second = 15
    for platform in ("tiktok", "meta", "youtube"):
        server.set_rate_limit(platform, per_second, window_seconds=1.0)
    before = dict(server.rate_limited)
    start_log = len(server.request_log)
    t0 = time.monotonic()
    _, summary = run_job("daily_pull", base.day, platforms={"max_attempts": 8, "connect_timeout_seconds": 1,
                                                              "read_timeout_seconds": 2})
    elapsed = time.monotonic() - t0
    limited = {p: server.rate_limited[p] - before[p] for p in before}
    print(f"\nB7/F2 limit {per_second} req/s per platform: {len(server.request_log) - start_log} requests, "
          f"rate-limit answers {limited}, {elapsed:.1f} s")
    assert summary.success, summary.describe()
    for name in ORGANIC:
        got = raw_content(db, [name])[name]
        date_col = list(RAW_TABLES[name].key).index(RAW_TABLES[name].date_column)
        if RAW_TABLES[name].date_column == "snapshot_date":
            assert got == [r for r in base.raw[name] if r[date_col] == base.day], name
        else:
            assert set(got) <= set(base.raw[name]) and got, name


# ---------------------------------------------------------------------------------------- A13


def test_a13_new_field_lands_in_the_raw_payload_and_leaves_the_marts_unchanged(scenario, published):
    from dagster_project.orchestrate import refresh

    base = scenario
    server = base.env.server
    db = copy_of_pristine(base, published, "a13")
    for platform, part in (("tiktok", "business/video/list"), ("meta", "/media"), ("meta", "/video_reels"),
                           ("youtube", "/youtube/v3/videos")):
        server.inject_fault(platform, "schema_drift", count=100_000, path_contains=part)
    result, pull = run_job("daily_pull", base.day, base.instance, platforms=FAST_PLATFORMS)
    assert pull.success, pull.describe()  # the WARN checks below never fail the pull
    server.clear_faults()
    evaluations = {e.event_specific_data.asset_key.to_user_string(): e.event_specific_data
                   for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
                   and e.event_specific_data.check_name == "payload_keys_known"}
    drifted = {"raw/tiktok/videos", "raw/instagram/reels", "raw/facebook/reels", "raw/youtube/videos"}
    assert len(evaluations) == 12, sorted(evaluations)
    for key, ev in evaluations.items():
        assert ev.severity == dg.AssetCheckSeverity.WARN, key
        assert ev.passed == (key not in drifted), (key, ev.metadata)
        if key in drifted:
            assert list(ev.metadata["unexpected_keys"].value) == ["sandbox_drift_field"], key
            assert ev.description and "sandbox_drift_field" in ev.description
    with duckdb.connect(str(db), read_only=True) as conn:
        for table in ("tiktok_videos", "instagram_reels", "facebook_reels", "youtube_videos"):
            n = conn.execute(f"SELECT count(*) FROM raw.{table} WHERE snapshot_date = ? AND "
                             "json_extract_string(payload, '$.sandbox_drift_field') = 'unexpected'",
                             [base.day]).fetchone()[0]
            assert n > 0, table
    summary = refresh(base.instance)
    assert summary.success and not summary.check_failures, summary.describe()
    assert file_digest(base.env.published) == published["digest"]  # same marts: the live file is untouched


# ---------------------------------------------------------------------------------------- A14


def test_a14_count_as_float_string_fails_the_build_naming_the_field_and_keeps_the_published_file(
        scenario, published):
    from dagster_project.orchestrate import refresh

    base = scenario
    server = base.env.server
    copy_of_pristine(base, published, "a14_float")
    server.inject_fault("tiktok", "number_as_string", count=100_000, path_contains="business/video/list",
                        field="video_views", as_float=True)
    _, pull = run_job("pull_tiktok", base.day, base.instance, platforms=FAST_PLATFORMS)
    assert pull.success, pull.describe()  # raw keeps the payload as received
    server.clear_faults()
    summary = refresh(base.instance)
    text = summary.describe()
    assert not summary.success and "published/marts" not in summary.materialized, text
    errors = refresh_errors(base.instance)
    assert 'shortform: tiktok.video_views is not a valid value: "' in errors and '.5"' in errors, errors[-3000:]
    assert "stg_tiktok__videos" in errors
    assert file_digest(base.env.published) == published["digest"]


def test_a14_removed_and_renamed_metric_fail_loudly_and_keep_the_published_file(scenario, published):
    from dagster_project.orchestrate import refresh

    base = scenario
    server = base.env.server
    copy_of_pristine(base, published, "a14_removed")
    server.inject_fault("tiktok", "drop_field", count=100_000, path_contains="business/video/list",
                        field="video_views")
    server.inject_fault("meta", "rename_field", count=100_000, path_contains="/insights", field="views",
                        to="plays")
    _, pull = run_job("daily_pull", base.day, base.instance, platforms=FAST_PLATFORMS)
    assert pull.success, pull.describe()
    server.clear_faults()
    summary = refresh(base.instance)
    text = summary.describe()
    print("\nA14 removed/renamed refresh:\n" + text)
    assert file_digest(base.env.published) == published["digest"], (
        "published although TikTok video_views was removed and Instagram views renamed: " + text)
    assert not summary.success or summary.check_failures, text


# ---------------------------------------------------------------------------------------- B1


def test_b1_one_platform_down_others_land(scenario):
    """The first half of B1 (the pull); the publish half is the test below."""
    base = scenario
    ids = base.ids()
    db = base.fresh_db("b1")
    new_day = meta_down_pull(base, db, ids)
    assert new_day == base.env.world.settings.end


def meta_down_pull(base: Base, db: Path, ids: dict[str, str]) -> date:
    server = base.env.server
    new_day = base.env.world.settings.end
    server.set_as_of(new_day)
    server.inject_fault("meta", "server_error", count=1_000_000)
    t0 = time.monotonic()
    _, pull = run_job("daily_pull", new_day, base.instance, platforms=FAST_PLATFORMS)
    print(f"\nB1 pull with Meta down: {time.monotonic() - t0:.1f} s")
    server.clear_faults()
    assert not pull.success
    text = pull.describe()
    assert f"instagram account {ids['instagram']}" in text and f"facebook account {ids['facebook']}" in text
    assert not any(f.startswith(("raw__tiktok", "raw__youtube")) for f in pull.failures), text
    with duckdb.connect(str(db), read_only=True) as conn:
        def n(table: str, col: str) -> int:
            return conn.execute(f"SELECT count(*) FROM raw.{table} WHERE {col} = ?", [new_day]).fetchone()[0]
        assert n("tiktok_videos", "snapshot_date") > 0 and n("youtube_videos", "snapshot_date") > 0
        assert n("instagram_reels", "snapshot_date") == 0 and n("facebook_reels", "snapshot_date") == 0
    return new_day


def test_b1_one_platform_down_does_not_publish_silently_with_meta_missing(scenario, published):
    from dagster_project.orchestrate import refresh

    base = scenario
    db = copy_of_pristine(base, published, "b1")
    new_day = meta_down_pull(base, db, base.ids())
    summary = refresh(base.instance)
    print("B1 refresh after the Meta outage:\n" + summary.describe())
    assert file_digest(base.env.published) == published["digest"] and "published/marts" not in summary.materialized, (
        "the comparison marts were published with Meta missing for " + new_day.isoformat() + ": "
        + summary.describe())
