"""A small simulated run for tests: daily pulls through the Dagster jobs against a sandbox world,
then one `dbt build` of the project into the same temp warehouse.

Used by the fair-comparison tests (same age, definition change) that compare the marts with the
sandbox World's ground truth. The warehouse is built once per test module.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from connectors.sandbox import SandboxServer, World
from dagster_project import settings

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt"
DBT_BIN = Path(sys.executable).with_name("dbt")
TOKENS = {"tiktok": "sandbox-tt-token", "meta": "sandbox-meta-token", "youtube": "sandbox-yt-token"}


@contextmanager
def sandbox_env(world: World, tmp: Path, tokens: dict[str, str] = TOKENS) -> Iterator[SandboxServer]:
    """A started sandbox and the environment a pipeline run reads; both undone on exit."""
    accounts = tmp / "accounts.yml"
    accounts.write_text(yaml.safe_dump(world.accounts_config()))
    server = SandboxServer(world, host="127.0.0.1", port=0, tokens=tokens).start()
    saved = dict(os.environ)
    try:
        for env_name, _default in settings.BASE_URL_ENV.values():
            os.environ[env_name] = server.url
        for family, var in settings.TOKEN_ENV.items():
            os.environ[var] = tokens[family]
        os.environ["SHORTFORM_DB"] = str(tmp / "warehouse.duckdb")
        os.environ["SHORTFORM_PUBLISHED_DB"] = str(tmp / "published" / "marts.duckdb")
        os.environ["SHORTFORM_ACCOUNTS"] = str(accounts)
        os.environ.pop("DAGSTER_HOME", None)
        yield server
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)


ORGANIC_ASSETS = ("raw_tiktok_videos", "raw_instagram_reels", "raw_facebook_reels", "raw_youtube_videos",
                  "raw_youtube_video_days")


def land_configured_accounts() -> None:
    """Land the accounts file into $SHORTFORM_DB (as the refresh job does)."""
    import duckdb

    from dagster_project.defs.ingest.landing import ensure_raw_schema, land_accounts

    with duckdb.connect(os.environ["SHORTFORM_DB"]) as conn:
        ensure_raw_schema(conn)
        land_accounts(conn, settings.load_accounts().accounts)


def run_assets(server: SandboxServer, days: Iterable[date], assets: Sequence[Any],
               platforms: Any = None) -> None:
    """For each day, with the sandbox clock set to it, invoke `assets` in order for that partition
    (the real asset code over HTTP, called directly: much faster than a Dagster job run per day)."""
    import dagster as dg

    from dagster_project.defs.resources import PlatformsResource, WarehouseResource

    warehouse = WarehouseResource(db_path=os.environ["SHORTFORM_DB"])
    platforms = platforms or PlatformsResource()
    instance = dg.DagsterInstance.ephemeral()
    for day in days:
        server.set_as_of(day)
        for asset in assets:
            context = dg.build_asset_context(partition_key=day.isoformat(), instance=instance)
            asset(context, warehouse=warehouse, platforms=platforms)


def pull_days(server: SandboxServer, days: Iterable[date]) -> None:
    """Land the accounts file, then run the organic raw assets of the daily pull day by day
    (run_assets). Paid and TikTok account-day tables stay empty (the models build without them)."""
    from dagster_project.defs.ingest import meta, tiktok, youtube

    land_configured_accounts()
    assets = [getattr(module, name) for name in ORGANIC_ASSETS for module in (tiktok, meta, youtube)
              if hasattr(module, name)]
    run_assets(server, days, assets)


def dbt_build(db_path: Path, work_dir: Path, select: str | None = None,
              extra: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """`dbt build` of the project into db_path (artifacts under work_dir); returns the process.
    extra: more dbt arguments, e.g. ("--full-refresh",)."""
    env = {**os.environ, "SHORTFORM_DB": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DO_NOT_TRACK": "1"}
    args = [str(DBT_BIN), "build", "--project-dir", str(DBT_DIR), "--profiles-dir", str(DBT_DIR),
            "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs")]
    if select:  # only tests whose every parent is selected
        args += ["--select", select, "--indirect-selection", "cautious"]
    args += list(extra)
    return subprocess.run(args, env=env, cwd=DBT_DIR, capture_output=True, text=True, timeout=600)
