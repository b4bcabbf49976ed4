"""The blocking GX checks on Spark-built marts (issue 8): each mart is read through Spark
(`spark.table(...)`, then `toPandas()`) and validated with the same suites as on DuckDB
(gx_suites), so a Spark deployment keeps the write-audit-publish guarantee: a mart that fails is
not published.

Needs pyspark (the Spark environment, `make test-spark`'s .venv-spark, or a Dagster deployment
whose dbt target is Spark); nothing here imports Dagster. `session()` opens a local session over
the same warehouse directory and Hive metastore as the `spark` output of dbt/profiles.yml
(SHORTFORM_SPARK_DIR); on a cluster, pass the cluster's SparkSession instead.

    python -m dagster_project.defs.quality.spark_marts --brands acme,globex [--schema marts]

prints one JSON line per check and exits 1 when a blocking check fails.
"""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from dagster_project.defs.quality.gx_suites import (
    DAILY_COUNT_COLUMNS,
    LIKES_CHECK,
    NEGATIVE_CHECK,
    SuiteOutcome,
    describe_outcome,
    validate_daily_frame,
    validate_frame,
)

COMPARISON_CHECK = "gx_comparison_suite"
BLOCKING = (COMPARISON_CHECK, NEGATIVE_CHECK)


def spark_dir() -> Path:
    """SHORTFORM_SPARK_DIR as the dbt profile resolves it (relative paths from dbt/)."""
    raw = os.environ.get("SHORTFORM_SPARK_DIR", "../data/spark")
    path = Path(raw)
    return path if path.is_absolute() else (Path(__file__).resolve().parents[3] / "dbt" / path).resolve()


def session(directory: Path | None = None):
    """A local SparkSession over the dbt profile's warehouse dir and Derby metastore.

    The embedded Derby metastore admits one JVM at a time: open this after dbt has finished."""
    from pyspark.sql import SparkSession

    directory = directory or spark_dir()
    return (SparkSession.builder.master("local[2]").appName("shortform-checks")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.warehouse.dir", str(directory / "warehouse"))
            .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                    f"jdbc:derby:;databaseName={directory / 'metastore_db'};create=true")
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={directory}")
            .enableHiveSupport().getOrCreate())


def read_mart(spark, table: str, schema: str = "marts") -> pd.DataFrame:
    """A mart read through Spark into pandas (what GX validates)."""
    return spark.table(f"{schema}.{table}").toPandas()


def read_daily_frame(spark, schema: str = "marts") -> pd.DataFrame:
    """fct_content_daily's flag and count columns, counts as doubles (as gx_checks reads them)."""
    present = set(spark.table(f"{schema}.fct_content_daily").columns)
    cols = [c for c in ["is_restated_down", *DAILY_COUNT_COLUMNS] if c in present]
    select = ", ".join(f"cast(`{c}` as double) as `{c}`" if c in DAILY_COUNT_COLUMNS else f"`{c}`" for c in cols)
    return spark.sql(f"select {select} from {schema}.fct_content_daily").toPandas()


def check_marts(spark, brands: list[str], schema: str = "marts") -> dict[str, SuiteOutcome]:
    """The GX checks of gx_checks on the Spark tables of `schema`: {check name: outcome}."""
    weekly = read_mart(spark, "rpt_platform_comparison_weekly", schema)
    negatives, likes = validate_daily_frame(read_daily_frame(spark, schema))
    return {COMPARISON_CHECK: validate_frame(weekly, brands), NEGATIVE_CHECK: negatives, LIKES_CHECK: likes}


def summary(outcomes: dict[str, SuiteOutcome]) -> dict[str, Any]:
    return {name: {"passed": o.success, "blocking": name in BLOCKING, "expectations": o.evaluated,
                   "description": describe_outcome(o), "engine_error": o.engine_error,
                   "failures": o.failures} for name, o in outcomes.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brands", required=True, help="comma-separated brands every mart must cover")
    parser.add_argument("--schema", default="marts")
    args = parser.parse_args(argv)
    spark = session()
    try:
        result = summary(check_marts(spark, [b for b in args.brands.split(",") if b], args.schema))
    finally:
        spark.stop()
    print(json.dumps(result, default=str))
    return 0 if all(r["passed"] for n, r in result.items() if n in BLOCKING) else 1


if __name__ == "__main__":
    sys.exit(main())
