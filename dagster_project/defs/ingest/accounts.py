"""The accounts file as a table, so dbt knows which brand owns which account."""


import dagster as dg

from dagster_project.defs.ingest.landing import land_accounts
from dagster_project.defs.resources import PlatformsResource, WarehouseResource


@dg.asset(key=["raw", "config", "accounts"], group_name="raw_config", kinds={"python", "duckdb"},
          description="Brands and their platform accounts from the accounts file (raw.accounts).",
          pool="warehouse_writer")
def raw_accounts(warehouse: WarehouseResource, platforms: PlatformsResource) -> dg.MaterializeResult:
    config = platforms.accounts()
    with warehouse.connect() as conn:
        n = land_accounts(conn, config.accounts)
    return dg.MaterializeResult(metadata={"accounts": n, "brands": len(config.brands()), "source": config.source})
