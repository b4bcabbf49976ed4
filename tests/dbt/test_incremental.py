"""Incremental dbt builds give the same marts as a full build (issue 7, deliverable 3).

A two-brand sandbox world is pulled day by day over HTTP (the real ingest assets). The warehouse is
built once after the first days, then again after each further day (incremental runs: new
snapshots, YouTube days re-pulled with restated values), and once more after a missed day is
pulled late (late-arriving rows for an old date). A copy of that warehouse is then rebuilt with
`--full-refresh`: every table of the staging, intermediate and marts schemas must be equal row for
row (order-independent; floats compared after rounding to 9 significant digits).
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest

from connectors.sandbox import World, WorldSettings
from tests.integration.sandbox_run import dbt_build, pull_days, sandbox_env

pytestmark = pytest.mark.slow  # seven real `dbt build` runs

FIRST_PULL = date(2026, 10, 12)
INITIAL_LAST = date(2026, 10, 24)
LAST_PULL = date(2026, 10, 28)
LATE = date(2026, 10, 19)  # missed by the daily runs, pulled after LAST_PULL
INCREMENTAL_MODELS = {"stg_tiktok__videos", "stg_instagram__reels", "stg_facebook__reels",
                      "stg_youtube__videos", "stg_youtube__video_days"}


def _run(db: Path, work: Path, *extra: str) -> dict[str, Any]:
    result = dbt_build(db, work, extra=extra)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return json.loads((work / "target" / "run_results.json").read_text())


def _raw_rows(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as conn:
        return sum(conn.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0]
                   for t in ("tiktok_videos", "instagram_reels", "facebook_reels", "youtube_videos",
                             "youtube_video_days"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("incremental")
    world = World(WorldSettings(n_brands=2, history_start=date(2026, 9, 20), end=LAST_PULL))
    db = tmp / "warehouse.duckdb"
    initial = [FIRST_PULL + timedelta(days=i) for i in range((INITIAL_LAST - FIRST_PULL).days + 1)]
    later = [INITIAL_LAST + timedelta(days=i) for i in range(1, (LAST_PULL - INITIAL_LAST).days + 1)]
    runs = []
    restated = 0
    with sandbox_env(world, tmp) as server:
        pull_days(server, [d for d in initial if d != LATE])
        runs.append(_run(db, tmp / "build0"))
        for i, day in enumerate(later, start=1):
            with duckdb.connect(str(db), read_only=True) as conn:
                before = conn.execute("SELECT max(pulled_at) FROM raw.youtube_video_days").fetchone()[0]
            pull_days(server, [day])
            with duckdb.connect(str(db), read_only=True) as conn:  # old days whose values changed
                restated += conn.execute(
                    "SELECT count(*) FROM raw.youtube_video_days WHERE pulled_at > ? AND metric_date < ? - 3",
                    [before, day]).fetchone()[0]
            runs.append(_run(db, tmp / f"build{i}"))
        late_before = _raw_rows(db)
        pull_days(server, [LATE])
        late_rows = _raw_rows(db) - late_before
        runs.append(_run(db, tmp / "build_late"))
    full = tmp / "full.duckdb"
    shutil.copyfile(db, full)
    runs.append(_run(full, tmp / "build_full", "--full-refresh"))
    return {"incremental": db, "full": full, "runs": runs, "restated": restated, "late_rows": late_rows}


def _tables(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as conn:
        return [f"{s}.{t}" for s, t in conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('staging', 'intermediate', 'marts') ORDER BY 1, 2").fetchall()]


def _norm(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.9g}")
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def _rows(db: Path, table: str) -> tuple[list[str], Counter]:
    with duckdb.connect(str(db), read_only=True) as conn:
        cur = conn.execute(f"SELECT * FROM {table}")
        names = sorted(d[0] for d in cur.description)
        order = [d[0] for d in cur.description]
        rows = Counter()
        for row in cur.fetchall():
            by_name = dict(zip(order, row, strict=True))
            rows[tuple(_norm(by_name[n]) for n in names)] += 1
    return names, rows


def test_the_scenario_has_restated_and_late_rows(built):
    assert built["restated"] > 0, "no old day was restated by the incremental pulls: the test proves less"
    assert built["late_rows"] > 0, "the late pull landed nothing"


def test_later_builds_are_incremental(built):
    first, *later = built["runs"]
    for run in later[:-1]:  # the last run is the --full-refresh one
        compiled = {r["unique_id"].split(".")[-1]: r for r in run["results"]}
        assert INCREMENTAL_MODELS <= set(compiled)
        for name in INCREMENTAL_MODELS:
            assert compiled[name]["status"] == "success", (name, compiled[name])
    # An incremental staging run touches the new day's rows, not the whole history.
    last_incremental = {r["unique_id"].split(".")[-1]: r for r in later[-2]["results"]}
    full = {r["unique_id"].split(".")[-1]: r for r in later[-1]["results"]}
    touched = last_incremental["stg_tiktok__videos"]["adapter_response"].get("rows_affected")
    total = full["stg_tiktok__videos"]["adapter_response"].get("rows_affected")
    if touched is not None and total is not None and total > 0:
        assert touched < total, (touched, total)


def test_every_table_equals_a_full_refresh_build(built):
    incremental, full = built["incremental"], built["full"]
    tables = _tables(full)
    assert tables == _tables(incremental)
    for table in ("marts.fct_content_daily", "marts.fct_content_age", "marts.dim_content"):
        assert _rows(full, table)[1], f"{table} is empty: the comparison would prove nothing"
    differences = []
    for table in tables:
        names_i, rows_i = _rows(incremental, table)
        names_f, rows_f = _rows(full, table)
        assert names_i == names_f, table
        if rows_i != rows_f:
            only_i = list((rows_i - rows_f).elements())[:2]
            only_f = list((rows_f - rows_i).elements())[:2]
            differences.append((table, sum(rows_i.values()), sum(rows_f.values()), only_i, only_f))
    assert not differences, differences
