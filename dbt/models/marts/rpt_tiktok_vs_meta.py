"""rpt_tiktok_vs_meta: TikTok against Instagram Reels and Facebook Reels (YouTube Shorts alongside),
per brand and period, on same-age per-post metrics, with 95 % bootstrap intervals.

A dbt Python model (dbt-duckdb runs it in process with the project's numpy). The logic lives in
dagster_project/stats/tiktok_vs_meta.py and dagster_project/stats/bootstrap.py, where pytest checks
it on known answers; this file only reads the input, passes the settings and types the output.
Settings (config in _marts__benchmarks.yml): bootstrap_resamples, bootstrap_seed, bootstrap_min_n.

The bootstrap intervals are most of the model's time (~4,000 comparisons of 2,000 resamples at one
year of `agency`), and most of them are the same every day (settled months). On DuckDB the model
keeps the intervals it used in the table cache.rpt_tiktok_vs_meta__intervals, keyed by a digest of
the two samples, the settings, the method and numpy's version (IntervalMemo), and the next build
recomputes only the comparisons whose digest is new. A reused interval is the one the computation
gives, bit for bit (tests/unit/test_tiktok_vs_meta.py); dropping the table only costs time.
"""

import pandas as pd

from dagster_project.stats.bootstrap import IntervalMemo
from dagster_project.stats.tiktok_vs_meta import COLUMNS, compare

MEMO_SCHEMA = "cache"
MEMO_TABLE = "rpt_tiktok_vs_meta__intervals"

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


def _memo_relation(dbt) -> str:
    return f'"{dbt.this.database}"."{MEMO_SCHEMA}"."{MEMO_TABLE}"'


def _load_memo(dbt, session) -> IntervalMemo | None:
    if not hasattr(session, "execute"):  # Spark: no memo
        return None
    # schema cache: created by the project's on-run-start (two threads creating it at once conflict)
    relation = _memo_relation(dbt)
    session.execute(f"CREATE TABLE IF NOT EXISTS {relation} (digest VARCHAR, ci_low DOUBLE, ci_high DOUBLE)")
    return IntervalMemo({d: (lo, hi) for d, lo, hi in session.execute(
        f"SELECT digest, ci_low, ci_high FROM {relation}").fetchall()})


def _store_memo(dbt, session, memo: IntervalMemo) -> None:
    rows = pd.DataFrame([(d, lo, hi) for d, (lo, hi) in memo.used.items()], columns=["digest", "ci_low", "ci_high"])
    relation = _memo_relation(dbt)
    session.register("rpt_tiktok_vs_meta__memo_rows", rows)
    try:
        session.execute(f"DELETE FROM {relation}")
        session.execute(f"INSERT INTO {relation} SELECT digest, ci_low, ci_high FROM rpt_tiktok_vs_meta__memo_rows")
    finally:
        session.unregister("rpt_tiktok_vs_meta__memo_rows")


def model(dbt, session):
    dbt.config(materialized="table")
    posts = _to_pandas(dbt.ref("rpt_content_benchmarks"))
    memo = _load_memo(dbt, session)
    result = compare(
        posts,
        n_resamples=int(dbt.config.get("bootstrap_resamples") or 2000),
        seed=int(dbt.config.get("bootstrap_seed") or 20250421),
        min_n=int(dbt.config.get("bootstrap_min_n") or 5),
        memo=memo,
    )
    if memo is not None:
        _store_memo(dbt, session, memo)
    return _typed(session, result)
