"""The hand-written SQL floor (bench/floor.sql) computes the same rows as the dbt marts it covers.

A two-brand world (organic and paid) is pulled day by day over HTTP with the real ingest assets,
with two missed days (a gap the lifetime platforms spread) and a high share of restated posts.
`dbt build` of the covered marts and the floor then run on the same raw tables; every covered
mart must equal its floor table row for row (floats to 9 decimals). Not timed: the bench is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from bench.floor import FLOOR_MARTS, dbt_select, run_floor
from connectors.sandbox import SandboxServer, World, WorldSettings
from tests.integration.sandbox_run import dbt_build, pull_days, sandbox_env

pytestmark = pytest.mark.slow

FIRST_PULL = date(2026, 10, 12)
LAST_PULL = date(2026, 10, 31)
MISSED = {date(2026, 10, 20), date(2026, 10, 21)}
PAID_ASSETS = ("raw_tiktok_advertisers", "raw_tiktok_ads", "raw_tiktok_ad_days", "raw_meta_ad_accounts",
               "raw_meta_ads", "raw_meta_ad_days")


def pull_paid_days(server: SandboxServer, days: Iterable[date]) -> None:
    """The paid raw assets of the daily pull, day by day (pull_days lands the organic ones)."""
    import dagster as dg

    from dagster_project.defs.ingest import ads
    from dagster_project.defs.resources import PlatformsResource, WarehouseResource

    warehouse = WarehouseResource(db_path=os.environ["SHORTFORM_DB"])
    platforms = PlatformsResource()
    instance = dg.DagsterInstance.ephemeral()
    for day in days:
        server.set_as_of(day)
        for name in PAID_ASSETS:
            context = dg.build_asset_context(partition_key=day.isoformat(), instance=instance)
            getattr(ads, name)(context, warehouse=warehouse, platforms=platforms)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("floor")
    world = World(WorldSettings(n_brands=2, history_start=date(2026, 9, 20), end=LAST_PULL, restatement_share=0.3))
    days = [FIRST_PULL + timedelta(days=i) for i in range((LAST_PULL - FIRST_PULL).days + 1)]
    days = [d for d in days if d not in MISSED]
    with sandbox_env(world, tmp) as server:
        pull_days(server, days)
        pull_paid_days(server, days)
    db = tmp / "warehouse.duckdb"
    result = dbt_build(db, tmp, select=dbt_select())
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    run_floor(db)
    return db


def _columns(conn: duckdb.DuckDBPyConnection, schema: str, table: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()
    return dict(rows)


@pytest.mark.parametrize("mart", FLOOR_MARTS)
def test_floor_table_equals_the_dbt_mart(warehouse, mart):
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        mart_cols = _columns(conn, "marts", mart)
        floor_cols = _columns(conn, "floor", mart)
        assert mart_cols, f"marts.{mart} was not built"
        assert list(floor_cols) == list(mart_cols), f"floor.{mart} columns differ from marts.{mart}"
        select = ", ".join(
            f'round("{name}", 9) AS "{name}"' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
            for name, kind in mart_cols.items())
        n_mart = conn.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0]
        n_floor = conn.execute(f"SELECT count(*) FROM floor.{mart}").fetchone()[0]
        only_dbt = conn.execute(
            f"SELECT * FROM (SELECT {select} FROM marts.{mart} EXCEPT ALL SELECT {select} FROM floor.{mart}) LIMIT 3"
        ).fetchall()
        only_floor = conn.execute(
            f"SELECT * FROM (SELECT {select} FROM floor.{mart} EXCEPT ALL SELECT {select} FROM marts.{mart}) LIMIT 3"
        ).fetchall()
    assert n_mart > 0, f"marts.{mart} is empty: the world does not exercise it"
    assert n_floor == n_mart, f"{mart}: {n_floor} floor rows vs {n_mart} dbt rows"
    assert not only_dbt and not only_floor, f"{mart}: dbt-only rows {only_dbt}, floor-only rows {only_floor}"
