"""The analyst layer on a real published file: the sandbox world pulled for a few days through the
Dagster definitions, built, checked and published, exactly like `shortform simulate`.

That run takes a couple of minutes, so the published file is cached in pytest's cache directory
under a key hashed from the pipeline's sources (connectors, dagster_project, dbt): a rerun with the
same sources reuses it; any change to them rebuilds it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SIM_DAYS = 8
SOURCE_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".json"}


def source_key() -> str:
    digest = hashlib.sha256(f"days={SIM_DAYS}".encode())
    for base in ("connectors", "dagster_project", "dbt"):
        for path in sorted((ROOT / base).rglob("*")):
            rel = path.relative_to(ROOT)
            if (path.is_file() and path.suffix in SOURCE_SUFFIXES
                    and not {"target", "logs", "__pycache__", "analyst", "dbt_packages"} & set(rel.parts)):
                digest.update(str(rel).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


def simulate(tmp: Path) -> Path:
    import dagster as dg

    from connectors.sandbox import SandboxServer, World, WorldSettings
    from dagster_project import settings
    from dagster_project.orchestrate import pull_day, refresh

    world = World(WorldSettings(n_brands=2))
    accounts = tmp / "accounts.yml"
    accounts.write_text(yaml.safe_dump(world.accounts_config()))
    saved = dict(os.environ)
    server = SandboxServer(world, host="127.0.0.1", port=0, tokens=None).start()
    try:
        for env_name, _default in settings.BASE_URL_ENV.values():
            os.environ[env_name] = server.url
        for var in settings.TOKEN_ENV.values():
            os.environ[var] = "analyst-test-token"
        os.environ["SHORTFORM_DB"] = str(tmp / "warehouse.duckdb")
        os.environ["SHORTFORM_PUBLISHED_DB"] = str(tmp / "published" / "marts.duckdb")
        os.environ["SHORTFORM_ACCOUNTS"] = str(accounts)
        os.environ.pop("DAGSTER_HOME", None)
        instance = dg.DagsterInstance.ephemeral()
        end = world.settings.end
        for n in range(SIM_DAYS - 1, -1, -1):
            day = end - timedelta(days=n)
            server.set_as_of(day)
            failed = [s.describe() for s in pull_day(day, None, instance) if not s.success]
            assert not failed, failed
        summary = refresh(instance)
        assert "published/marts" in summary.materialized, summary.describe()
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
    return tmp / "published" / "marts.duckdb"


@pytest.fixture(scope="module")
def real_db(pytestconfig, tmp_path_factory) -> Path:
    cache = getattr(pytestconfig, "cache", None)  # absent under -p no:cacheprovider
    cache_root = Path(cache.mkdir("analyst-real-published")) if cache else tmp_path_factory.mktemp("analyst-cache")
    key = source_key()
    cached = cache_root / key / "marts.duckdb"
    if not cached.exists():
        built = simulate(tmp_path_factory.mktemp("analyst-real"))
        for old in cache_root.iterdir():
            shutil.rmtree(old, ignore_errors=True)
        cached.parent.mkdir(parents=True)
        shutil.copyfile(built, cached)
    # tests get their own copy: the cache stays pristine whatever a test does
    mine = tmp_path_factory.mktemp("analyst-real-copy") / "marts.duckdb"
    shutil.copyfile(cached, mine)
    return mine


def sql(db: Path, query: str, params=()) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return conn.execute(query, list(params)).fetchall()


@pytest.mark.usefixtures("no_gc_during_script_runs")
def test_every_dashboard_page_renders_on_the_real_file(real_db, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from dagster_project.analyst.definitions import surface_label

    monkeypatch.setenv("SHORTFORM_PUBLISHED_DB", str(real_db))
    has_paid = bool(sql(real_db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'fct_ad_daily'")[0][0])
    for page in ("overview", "content", "budget", "status"):
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60)
        at.query_params["page"] = page
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        if page == "overview":
            lo, hi = at.sidebar.date_input[0].value
            expected = dict(sql(real_db, "SELECT surface, sum(views) FROM fct_content_daily WHERE metric_date "
                                         "BETWEEN ? AND ? GROUP BY 1", [lo, hi]))
            shown = {m.label.split(" · ")[1]: m.value for m in at.metric if m.label.startswith("Views · ")}
            assert shown == {surface_label(s): f"{int(v):,}" for s, v in expected.items()}
            assert any(m.label.startswith("CPM") for m in at.metric) == has_paid
        if page == "budget" and has_paid:
            assert at.select_slider, "no share-moved control on the real budget mart"


def test_report_figures_equal_the_mart(real_db, tmp_path):
    import json
    import re

    from dagster_project.analyst.report import latest_complete_week, write_report

    for brand in [r[0] for r in sql(real_db, "SELECT DISTINCT brand FROM rpt_platform_comparison_weekly ORDER BY 1")]:
        week = latest_complete_week(real_db, brand)
        out = tmp_path / f"{brand}.html"
        write_report(real_db, week, brand, out)
        payload = re.search(r"id='report-data'>(.*?)</script>", out.read_text(encoding="utf-8"), re.S).group(1)
        shown = {r["surface"]: r for r in json.loads(payload.replace("<\\/", "</"))["surfaces"]}
        mart = sql(real_db, "SELECT surface, views, posts_published, engagement_rate, avg_watch_seconds_per_view "
                            "FROM rpt_platform_comparison_weekly WHERE brand = ? AND iso_week = ?", [brand, week])
        assert set(shown) == {m[0] for m in mart}
        for surface, views, posts, rate, watch in mart:
            assert (shown[surface]["views"], shown[surface]["posts"]) == (views, posts)
            assert shown[surface]["engagement_rate"] == pytest.approx(rate)
            assert shown[surface]["watch_seconds_per_view"] == pytest.approx(watch)


def test_cookbook_queries_return_rows_on_the_real_file(real_db):
    from dagster_project.analyst.cookbook import recipes
    from dagster_project.analyst.db import Catalog, connect

    catalog = Catalog.load(real_db)
    ran = 0
    with connect(real_db) as conn:
        for recipe in recipes():
            if "paid" in recipe.tags and "fct_ad_daily" not in catalog.columns:
                continue
            assert conn.execute(recipe.sql).fetchall(), recipe.title
            ran += 1
    assert ran >= 6


def test_sql_shell_refuses_writes_on_the_real_file(real_db, capsys):
    from dagster_project.analyst.cli import main

    before = real_db.read_bytes()
    assert main(["sql", "DELETE FROM fct_content_daily", "--published", str(real_db)]) == 1
    assert main(["sql", "SELECT count(*) FROM fct_content_daily", "--published", str(real_db)]) == 0
    assert "read-only" in capsys.readouterr().err
    assert real_db.read_bytes() == before
