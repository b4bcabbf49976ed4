"""The blocking GX checks on the Spark-built marts, run by the parity test under .venv-spark:

1. the marts as dbt built them on Spark (schema marts), read through Spark into pandas and
   validated with the suites of dagster_project/defs/quality (spark_marts.check_marts);
2. corrupted copies written through Spark into schema audit_corrupt (YouTube Shorts dropped from
   the weekly comparison; one unflagged daily row with negative views), checked the same way.

Prints one JSON object {"clean": {check: summary}, "corrupt": {check: summary}}. The embedded
Derby metastore admits one JVM at a time: run it after dbt has finished.

    SHORTFORM_SPARK_DIR=<dir> .venv-spark/bin/python -m tests.spark.spark_gx --brands acme
"""

import argparse
import json
import sys

from dagster_project.defs.quality import spark_marts

CORRUPT_SCHEMA = "audit_corrupt"
DROPPED_SURFACE = "youtube_shorts"


def corrupt(spark) -> dict[str, object]:
    """Write the corrupted copies; what was changed."""
    from pyspark.sql import functions as F

    spark.sql(f"create database if not exists {CORRUPT_SCHEMA}")
    weekly = spark.table("marts.rpt_platform_comparison_weekly").filter(F.col("surface") != DROPPED_SURFACE)
    weekly.write.mode("overwrite").format("parquet").saveAsTable(f"{CORRUPT_SCHEMA}.rpt_platform_comparison_weekly")
    daily = spark.table("marts.fct_content_daily")
    victim = (daily.filter(F.col("views").isNotNull() & (F.col("views") > 0) & ~F.col("is_restated_down"))
              .orderBy("content_key", "metric_date").limit(1))
    key = victim.select("content_key", "metric_date").first()
    bad = victim.withColumn("views", -F.col("views")).withColumn("content_key", F.concat(F.col("content_key"), F.lit("#bad")))
    daily.unionByName(bad).write.mode("overwrite").format("parquet").saveAsTable(f"{CORRUPT_SCHEMA}.fct_content_daily")
    return {"dropped_surface": DROPPED_SURFACE, "negative_views_copy_of": [key[0], str(key[1])]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--brands", required=True)
    args = parser.parse_args(argv)
    brands = [b for b in args.brands.split(",") if b]
    spark = spark_marts.session()
    try:
        clean = spark_marts.summary(spark_marts.check_marts(spark, brands))
        changed = corrupt(spark)
        bad = spark_marts.summary(spark_marts.check_marts(spark, brands, schema=CORRUPT_SCHEMA))
    finally:
        spark.stop()
    print(json.dumps({"clean": clean, "corrupt": bad, "corruption": changed}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
