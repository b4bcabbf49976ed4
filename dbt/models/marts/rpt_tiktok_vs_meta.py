"""rpt_tiktok_vs_meta: TikTok against Instagram Reels and Facebook Reels (YouTube Shorts alongside),
per brand and period, on same-age per-post metrics, with 95 % bootstrap intervals.

A dbt Python model (dbt-duckdb runs it in process with the project's numpy). The logic lives in
dagster_project/stats/tiktok_vs_meta.py and dagster_project/stats/bootstrap.py, where pytest checks
it on known answers; this file only reads the input, passes the settings and types the output.
Settings (config in _marts__benchmarks.yml): bootstrap_resamples, bootstrap_seed, bootstrap_min_n.
"""

from dagster_project.stats.tiktok_vs_meta import COLUMNS, compare

SPARK_TYPES = {"varchar": "string"}


def _to_pandas(relation):
    # DuckDB relation (dbt-duckdb) or Spark DataFrame
    return relation.df() if hasattr(relation, "df") else relation.toPandas()


def _typed(session, frame):
    if hasattr(session, "from_df"):  # DuckDB
        casts = [f'CAST("{name}" AS {kind}) AS "{name}"' for name, kind in COLUMNS]
        return session.from_df(frame).project(", ".join(casts))
    casts = [f"CAST(`{name}` AS {SPARK_TYPES.get(kind, kind)}) AS `{name}`" for name, kind in COLUMNS]
    return session.createDataFrame(frame).selectExpr(*casts)


def model(dbt, session):
    dbt.config(materialized="table")
    posts = _to_pandas(dbt.ref("rpt_content_benchmarks"))
    result = compare(
        posts,
        n_resamples=int(dbt.config.get("bootstrap_resamples") or 2000),
        seed=int(dbt.config.get("bootstrap_seed") or 20250421),
        min_n=int(dbt.config.get("bootstrap_min_n") or 5),
    )
    return _typed(session, result)
