"""Fairness gates (issue 4, item 8): each check passes on consistent marts, fails on a crafted
violation with a message naming the mart, brand and period, and a failure blocks publish.

The small warehouse here is built by hand (posts, daily rows and weekly flags written out below);
rpt_tiktok_vs_meta comes from the model's own logic, so the coverage check's independent
recomputation is tested against what the model really writes."""

import json
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest

from dagster_project.defs.quality import fairness
from dagster_project.defs.quality.fairness import (
    BASIS_CHECK,
    COVERAGE_CHECK,
    REACH_CHECK,
    basis_results,
    coverage_results,
    manifest_reach_findings,
    reach_aggregations,
    reach_column_findings,
    read_view_events,
)
from dagster_project.stats.tiktok_vs_meta import compare

REPO = Path(__file__).resolve().parents[2]
EVENTS = {"tiktok.video_views": "start_incl_replays", "instagram.plays": "start_excl_replays",
          "instagram.views": "start_incl_replays", "facebook.fb_reels_total_plays": "start_incl_replays",
          "youtube.views": "start_incl_replays", "youtube.engagedViews": "engaged_view",
          "youtube.views_legacy": "engaged_view"}
BASIS = {"tiktok": "tiktok.video_views", "instagram_reels": "instagram.views",
         "facebook_reels": "facebook.fb_reels_total_plays", "youtube_shorts": "youtube.views"}
WEEK = date(2026, 11, 2)  # a Monday


def _daily() -> pd.DataFrame:
    rows = []
    for brand in ("acme", "globex"):
        for surface, basis in BASIS.items():
            days = 14 if not (brand == "globex" and surface == "youtube_shorts") else 11  # YouTube lags 3 days
            for d in range(days):
                day = WEEK + timedelta(days=d)
                rows.append({"brand": brand, "surface": surface, "metric_date": day, "reporting_date": day,
                             "content_key": f"{surface}:{brand}:1", "views": 100 + d, "views_basis": basis})
    return pd.DataFrame(rows)


def _weekly(daily: pd.DataFrame) -> pd.DataFrame:
    """The weekly rows, with coverage_matches_brand written out by hand: every surface covers both
    weeks fully except globex's YouTube in the second week (4 of 7 days)."""
    rows = []
    for brand in ("acme", "globex"):
        for surface, basis in BASIS.items():
            for week in (WEEK, WEEK + timedelta(days=7)):
                lagging = brand == "globex" and surface == "youtube_shorts" and week != WEEK
                rows.append({"brand": brand, "surface": surface, "week_start": week, "views_basis": basis,
                             "views": 1000, "coverage_matches_brand": not lagging})
    return pd.DataFrame(rows)


def _benchmarks() -> pd.DataFrame:
    rng = np.random.default_rng(12)
    rows = []
    for brand, scale in (("acme", 1.0), ("globex", 3.0)):
        for surface, start, n in (("tiktok", date(2026, 9, 1), 50), ("instagram_reels", date(2026, 9, 15), 40),
                                  ("facebook_reels", date(2026, 9, 20), 12), ("youtube_shorts", date(2026, 10, 1), 4)):
            for i in range(n):
                day = start + timedelta(days=i)
                rows.append({"content_key": f"{surface}:{brand}:{i}", "brand": brand, "surface": surface,
                             "published_date": day, "published_date_reporting": day,
                             "views_basis": BASIS[surface], "view_event": EVENTS[BASIS[surface]],
                             "views_d7": float(rng.lognormal(7, 1) * scale),
                             "engagement_rate_d7": float(rng.beta(2, 30))})
    return pd.DataFrame(rows)


def _crosspost() -> pd.DataFrame:
    rows = []
    for g, members in (("acme-1", ("tiktok", "instagram_reels")), ("acme-2", ("tiktok", "youtube_shorts"))):
        for surface in members:
            rows.append({"brand": "acme", "crosspost_group_id": g, "surface": surface, "views_basis": BASIS[surface],
                         "views_bases_differ": False})
    return pd.DataFrame(rows)


def build(path: Path, edits: list[str] | None = None) -> Path:
    path.unlink(missing_ok=True)
    daily = _daily()
    bench = _benchmarks()
    frames = {"fct_content_daily": daily, "rpt_platform_comparison_weekly": _weekly(daily),
              "rpt_content_benchmarks": bench, "rpt_tiktok_vs_meta": compare(bench, n_resamples=200),
              "rpt_crosspost_comparison": _crosspost()}
    conn = duckdb.connect(str(path))
    try:
        conn.execute("CREATE SCHEMA marts")
        for name, df in frames.items():
            conn.register("_f", df)
            casts = ", ".join(f'CAST("{c}" AS DATE) AS "{c}"' if ("date" in c or c.endswith(("_start", "_end")))
                              and c not in ("date_basis",) else f'"{c}"' for c in df.columns)
            conn.execute(f"CREATE TABLE marts.{name} AS SELECT {casts} FROM _f")
            conn.unregister("_f")
        for sql in edits or []:
            conn.execute(sql)
    finally:
        conn.close()
    return path


TABLES_BASIS = ["rpt_platform_comparison_weekly", "rpt_tiktok_vs_meta", "rpt_crosspost_comparison",
                "rpt_content_benchmarks"]
TABLES_COVERAGE = ["rpt_platform_comparison_weekly", "rpt_tiktok_vs_meta"]


def _results(path: Path) -> dict[tuple[str, str], dg.AssetCheckResult]:
    conn = duckdb.connect(str(path), read_only=True)
    try:
        out = basis_results(conn, TABLES_BASIS, EVENTS) + coverage_results(conn, TABLES_COVERAGE)
    finally:
        conn.close()
    return {(r.asset_key.path[-1], r.check_name): r for r in out}


def _failed(results) -> dict[tuple[str, str], str]:
    return {k: r.description for k, r in results.items() if not r.passed}


def test_consistent_marts_pass_every_fairness_check(tmp_path):
    results = _results(build(tmp_path / "w.duckdb"))
    assert len(results) == len(TABLES_BASIS) + len(TABLES_COVERAGE)
    assert _failed(results) == {}
    assert all(r.severity == dg.AssetCheckSeverity.ERROR for r in results.values())


def test_mixed_or_unflagged_bases_fail(tmp_path):
    results = _results(build(tmp_path / "w.duckdb", [
        # one Instagram day of the first week counted as plays: that weekly row mixes two kinds of view
        "UPDATE marts.fct_content_daily SET views_basis = 'instagram.plays' WHERE brand = 'acme' "
        "AND surface = 'instagram_reels' AND metric_date = DATE '2026-11-03'",
        # a comparison of starts with starts claims the bases differ
        "UPDATE marts.rpt_tiktok_vs_meta SET views_bases_differ = true WHERE brand = 'globex' AND period = 'all' "
        "AND other_surface = 'instagram_reels' AND metric = 'views_d7'",
        # a cross-post group of TikTok and YouTube, with YouTube on the engaged-view basis, not flagged
        "UPDATE marts.rpt_crosspost_comparison SET views_basis = 'youtube.engagedViews' "
        "WHERE crosspost_group_id = 'acme-2' AND surface = 'youtube_shorts'",
        # a joined basis in one column
        "UPDATE marts.rpt_content_benchmarks SET views_basis = 'instagram.plays+instagram.views' "
        "WHERE content_key = 'instagram_reels:acme:0'",
    ]))
    failed = _failed(results)
    assert set(failed) == {(t, BASIS_CHECK) for t in TABLES_BASIS}
    assert "acme x instagram_reels week 2026-11-02: daily views of several bases (instagram.plays, instagram.views)" \
        in failed[("rpt_platform_comparison_weekly", BASIS_CHECK)]
    assert "globex all tiktok vs instagram_reels views_d7: views_bases_differ is True" \
        in failed[("rpt_tiktok_vs_meta", BASIS_CHECK)]
    assert "group acme-2: views_bases_differ should be True" in failed[("rpt_crosspost_comparison", BASIS_CHECK)]
    unknown = _results(build(tmp_path / "w2.duckdb", [
        "UPDATE marts.rpt_crosspost_comparison SET views_basis = NULL WHERE crosspost_group_id = 'acme-1' "
        "AND surface = 'tiktok'"]))
    assert "group acme-1: views_bases_differ should be None" in _failed(unknown)[("rpt_crosspost_comparison",
                                                                                  BASIS_CHECK)]
    flagged_unknown = _results(build(tmp_path / "w3.duckdb", [
        "UPDATE marts.rpt_crosspost_comparison SET views_basis = NULL WHERE crosspost_group_id = 'acme-1' "
        "AND surface = 'tiktok'",
        "UPDATE marts.rpt_crosspost_comparison SET views_bases_differ = NULL WHERE crosspost_group_id = 'acme-1'"]))
    assert _failed(flagged_unknown) == {}
    assert "views_basis = 'instagram.plays+instagram.views' on 1 row(s)" in failed[("rpt_content_benchmarks",
                                                                                     BASIS_CHECK)]


def test_a_week_of_two_bases_passes_when_the_weekly_row_does_not_add_them_up(tmp_path):
    results = _results(build(tmp_path / "w.duckdb", [
        "UPDATE marts.fct_content_daily SET views_basis = 'instagram.plays' WHERE brand = 'acme' "
        "AND surface = 'instagram_reels' AND metric_date = DATE '2026-11-03'",
        "UPDATE marts.rpt_platform_comparison_weekly SET views = NULL, views_basis = NULL WHERE brand = 'acme' "
        "AND surface = 'instagram_reels' AND week_start = DATE '2026-11-02'",
    ]))
    assert _failed(results) == {}


def test_a_coverage_flag_that_disagrees_with_the_days_fails(tmp_path):
    results = _results(build(tmp_path / "w.duckdb", [
        # Facebook silently loses two days of acme's first week but the weekly row still says it matches
        "DELETE FROM marts.fct_content_daily WHERE brand = 'acme' AND surface = 'facebook_reels' "
        "AND metric_date IN (DATE '2026-11-04', DATE '2026-11-05')",
    ]))
    failed = _failed(results)
    assert set(failed) == {("rpt_platform_comparison_weekly", COVERAGE_CHECK)}
    assert "acme x facebook_reels week 2026-11-02: coverage_matches_brand is True, recomputed False (5 covered " \
        "days; the brand's best-covered surface has 7)" in failed[("rpt_platform_comparison_weekly", COVERAGE_CHECK)]

    flipped = _results(build(tmp_path / "w2.duckdb", [
        "UPDATE marts.rpt_platform_comparison_weekly SET coverage_matches_brand = true WHERE brand = 'globex' "
        "AND surface = 'youtube_shorts'"]))
    assert "globex x youtube_shorts week 2026-11-09: coverage_matches_brand is True, recomputed False (4 covered " \
        "days; the brand's best-covered surface has 7)" in _failed(flipped)[("rpt_platform_comparison_weekly",
                                                                            COVERAGE_CHECK)]


def test_a_period_compared_over_different_dates_fails(tmp_path):
    results = _results(build(tmp_path / "w.duckdb", [
        # the TikTok side reaches back before Instagram's first post: not the same dates
        "UPDATE marts.rpt_tiktok_vs_meta SET window_start = DATE '2026-09-01', "
        "tiktok_first_published_date = DATE '2026-09-01' WHERE brand = 'acme' AND period = '2026-09' "
        "AND other_surface = 'instagram_reels'",
    ]))
    failed = _failed(results)
    assert set(failed) == {("rpt_tiktok_vs_meta", COVERAGE_CHECK)}
    assert "acme 2026-09 tiktok vs instagram_reels views_d7: window 2026-09-01..2026-09-30, recomputed " \
        "2026-09-15..2026-09-30" in failed[("rpt_tiktok_vs_meta", COVERAGE_CHECK)]


def test_coverage_columns_missing_fail(tmp_path):
    results = _results(build(tmp_path / "w.duckdb", [
        "ALTER TABLE marts.rpt_platform_comparison_weekly DROP COLUMN coverage_matches_brand",
        "ALTER TABLE marts.rpt_tiktok_vs_meta DROP COLUMN other_first_published_date"]))
    failed = _failed(results)
    assert "column coverage_matches_brand is missing" in failed[("rpt_platform_comparison_weekly", COVERAGE_CHECK)]
    assert "other_first_published_date" in failed[("rpt_tiktok_vs_meta", COVERAGE_CHECK)]


# --- reach ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [
    "select brand, sum(reach) from x group by brand",
    "select SUM( cast(d.reach_cumulative as bigint) ) as r from d",
    "select avg(coalesce(reach, 0)) over (partition by brand) from d",
    "select sum(case when is_final then daily.reach end) from daily",
    "select sum(distinct reach) from d",
])
def test_reach_aggregations_are_found(code):
    assert reach_aggregations(code) != []


@pytest.mark.parametrize("code", [
    "select max(reach_cumulative) as reach_cumulative from d",
    "select sum(views) as views -- never sum(reach)\nfrom d",
    "/* sum(reach) is wrong */ select reach from d",
    "select 'sum(reach)' as note, sum(views) from d",
    "select reach, sum(views) over (partition by reach_bucket_label) from d",
])
def test_reach_kept_as_a_level_is_not_a_finding(code):
    # the last case: reach_bucket_label appears outside the aggregate's argument
    assert reach_aggregations(code) == []


def test_python_model_reach_sum_is_found():
    assert reach_aggregations('df["reach"].sum()\n', "python")
    assert reach_aggregations("total = frame.reach_cumulative.mean()", "python")
    assert not reach_aggregations("# df['reach'].sum() would be wrong\nx = df['views'].sum()", "python")


def test_reach_like_columns_other_than_the_levels_fail():
    findings = reach_column_findings("rpt_x", ["brand", "reach", "reach_cumulative", "weekly_reach", "reach_sum"])
    assert [f.detail.split()[1] for f in findings] == ["weekly_reach", "reach_sum"]


def test_reach_upstream_of_a_mart_is_attributed_to_the_mart():
    manifest = {"nodes": {
        "model.shortform.int_x": {"resource_type": "model", "name": "int_x", "fqn": ["shortform", "intermediate", "int_x"],
                                  "compiled_code": "select brand, sum(reach) as r from y group by brand",
                                  "depends_on": {"nodes": []}},
        "model.shortform.rpt_y": {"resource_type": "model", "name": "rpt_y", "fqn": ["shortform", "marts", "rpt_y"],
                                  "compiled_code": "select * from int_x", "depends_on": {"nodes": ["model.shortform.int_x"]}},
        "model.shortform.rpt_z": {"resource_type": "model", "name": "rpt_z", "fqn": ["shortform", "marts", "rpt_z"],
                                  "compiled_code": "select 1", "depends_on": {"nodes": []}},
    }}
    findings, source = manifest_reach_findings(manifest)
    assert source == "compiled_code"
    assert [f.describe() for f in findings["rpt_y"]] == ["rpt_y: reach aggregated upstream in int_x: sum(reach)"]
    assert findings["rpt_z"] == []


@pytest.fixture(scope="module")
def planted_manifest(tmp_path_factory) -> dict:
    """The real dbt project plus one planted mart that sums reach, compiled (`dbt compile`, ~20 s)."""
    root = tmp_path_factory.mktemp("planted")
    project = root / "dbt"
    shutil.copytree(REPO / "dbt", project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    (project / "models" / "marts" / "rpt_planted_reach.sql").write_text(
        "select brand, surface, sum(fct.reach) as reach_total\n"
        "from {{ ref('fct_ad_daily') }} as fct\ngroup by brand, surface\n", encoding="utf-8")
    env = {"SHORTFORM_DB": str(root / "empty.duckdb"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run([str(Path(sys.executable).with_name("dbt")), "compile", "--profiles-dir", ".",
                           "--select", "marts", "--quiet"], cwd=project, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((project / "target" / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_a_planted_reach_sum_fails_and_the_real_marts_pass(planted_manifest):
    findings, source = manifest_reach_findings(planted_manifest)
    assert source == "compiled_code"
    assert [f.describe() for f in findings.pop("rpt_planted_reach")] == [
        "rpt_planted_reach: reach aggregated: sum(fct.reach)"]
    assert {"fct_content_daily", "rpt_platform_comparison_weekly", "rpt_tiktok_vs_meta",
            "rpt_content_benchmarks"} <= set(findings)
    assert {m: f for m, f in findings.items() if f} == {}
    conn = duckdb.connect()
    try:
        conn.execute("CREATE SCHEMA marts")
        conn.execute("CREATE TABLE marts.rpt_planted_reach (brand VARCHAR, surface VARCHAR, reach_total BIGINT)")
        conn.execute("CREATE TABLE marts.fct_ad_daily (brand VARCHAR, reach BIGINT)")
        results = {r.asset_key.path[-1]: r for r in fairness.reach_results(
            conn, ["rpt_planted_reach", "fct_ad_daily"], planted_manifest)}
    finally:
        conn.close()
    planted = results["rpt_planted_reach"]
    assert not planted.passed and planted.severity == dg.AssetCheckSeverity.ERROR
    assert "sum(fct.reach)" in planted.description and "column reach_total" in planted.description
    assert results["fct_ad_daily"].passed


# --- the seed, the dbt reconciliation test, and the gate in a Dagster run ------------------------


def test_view_events_come_from_the_metric_definitions_seed():
    events = read_view_events()
    assert events["tiktok.video_views"] == events["instagram.views"] == "start_incl_replays"
    assert events["instagram.plays"] == "start_excl_replays"
    assert events["youtube.engagedViews"] == "engaged_view"


def test_daily_reconciliation_dbt_test_is_a_blocking_check_on_fct_content_daily():
    from dagster_project.defs.transform.dbt import dbt_project, shortform_dbt_models

    specs = {(s.asset_key.to_user_string(), s.name): s for s in shortform_dbt_models.check_specs}
    spec = specs[("marts/fct_content_daily", "assert_daily_values_reconcile_with_lifetime_totals")]
    assert spec.blocking  # a failure keeps published/marts from running
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    node = next(n for n in manifest["nodes"].values()
                if n["resource_type"] == "test" and n["name"] == "assert_daily_values_reconcile_with_lifetime_totals")
    assert node["config"]["severity"].lower() == "error"
    assert "model.shortform.fct_content_daily" in node["depends_on"]["nodes"]


@pytest.mark.slow
def test_a_failing_fairness_check_blocks_publish_and_keeps_the_previous_file(tmp_path):
    from dagster_project.defs.publish import mart_model_keys, published_marts
    from dagster_project.defs.quality.fairness import marts_fair_comparisons
    from dagster_project.defs.resources import PublishResource, WarehouseResource

    @dg.multi_asset(specs=[dg.AssetSpec(k, skippable=True) for k in mart_model_keys()], can_subset=True)
    def stand_in_marts(context: dg.AssetExecutionContext):
        for key in sorted(context.selected_asset_keys, key=lambda k: k.to_user_string()):
            yield dg.MaterializeResult(asset_key=key)

    published = tmp_path / "published" / "marts.duckdb"

    def run(warehouse: Path):
        defs = dg.Definitions(assets=[stand_in_marts, published_marts], asset_checks=[marts_fair_comparisons],
                              resources={"warehouse": WarehouseResource(db_path=str(warehouse)),
                                         "publish": PublishResource(published_path=str(published))})
        result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
        evaluations = {(e.asset_key.path[-1], e.check_name): e for e in
                       (ev.event_specific_data for ev in result.all_events
                        if ev.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION)}
        done = dg.AssetKey(["published", "marts"]) in {
            ev.asset_key for ev in result.all_events if ev.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION}
        return evaluations, done

    evaluations, done = run(build(tmp_path / "good.duckdb"))
    assert {k for k, e in evaluations.items() if not e.passed} == set()
    assert ("rpt_tiktok_vs_meta", COVERAGE_CHECK) in evaluations and ("dim_content", REACH_CHECK) in evaluations
    assert done and published.exists()
    good = published.read_bytes()

    evaluations, done = run(build(tmp_path / "bad.duckdb", [
        "UPDATE marts.rpt_platform_comparison_weekly SET coverage_matches_brand = NOT coverage_matches_brand "
        "WHERE brand = 'acme' AND surface = 'tiktok'"]))
    assert {k for k, e in evaluations.items() if not e.passed} == {("rpt_platform_comparison_weekly", COVERAGE_CHECK)}
    assert not done and published.read_bytes() == good


def test_every_basis_column_is_checked_and_paid_bases_need_one_key():
    conn = duckdb.connect()
    try:
        conn.execute("CREATE SCHEMA marts")
        conn.execute("CREATE TABLE marts.rpt_x AS SELECT * FROM (VALUES "
                     "('tiktok.video_views', 'instagram.plays,instagram.views', 'ads.video_play_actions'), "
                     "('tiktok.video_views', 'instagram.views', 'ads.a+ads.b')) "
                     "t(views_basis, views_basis_d28, paid_views_basis)")
        [result] = basis_results(conn, ["rpt_x"], EVENTS)
    finally:
        conn.close()
    assert not result.passed
    findings = result.metadata["findings"].value
    assert findings == ["rpt_x: views_basis_d28 = 'instagram.plays,instagram.views' on 1 row(s) is not one views "
                        "definition key (mixed or unknown basis)",
                        "rpt_x: paid_views_basis = 'ads.a+ads.b' on 1 row(s) is not one views definition key "
                        "(mixed or unknown basis)"]
