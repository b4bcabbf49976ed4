"""Data status: what was published when, how fresh each surface is, and which days may still change."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from dagster_project.analyst import queries
from dagster_project.analyst.db import Catalog

TITLE = "Data status"


def render(filters: queries.Filters, catalog: Catalog, path: str) -> None:
    st.title("Data status")
    info = queries.publish_info(path)
    if info is None:
        st.warning("The published file has no _publish_info table: publish details unknown.")
    else:
        a, b, c = st.columns(3)
        a.metric("Last publish (UTC)", str(info.get("published_at", "n/a"))[:19],
                 help="When the checked marts were swapped into the published file.")
        b.metric("Content hash", str(info.get("content_hash", ""))[:12],
                 help="sha256 over the per-table hashes; unchanged content keeps the same file.")
        c.metric("Storage format", str(info.get("storage_compatibility_version", "n/a")),
                 help="DuckDB storage_compatibility_version of the file: the oldest reader that can open it.")
        st.caption(f"Run id: `{info.get('run_id', '')}` · file: `{path}`")
        st.success("Every blocking check (dbt tests and the Great Expectations suite) passed for this publish: the "
                   "pipeline only swaps in a new file when they all pass; otherwise the previous file stays.")
        extra = {k: v for k, v in info.items() if k not in {"published_at", "content_hash", "run_id",
                                                           "storage_compatibility_version", "table_hashes"}}
        for key, value in extra.items():
            st.markdown(f"**{key}**")
            st.json(json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value)
        hashes = info.get("table_hashes")
        if isinstance(hashes, dict):
            tables = pd.DataFrame(
                [{"table": t, "rows": int(str(h).split(":", 1)[0]), "hash": str(h).split(":", 1)[-1][:12]}
                 for t, h in sorted(hashes.items())]
            )
            st.subheader("Published tables")
            st.dataframe(tables, hide_index=True, key="status_tables")

    st.subheader("Freshness per surface")
    fresh = queries.freshness(catalog, path)
    st.dataframe(
        fresh, hide_index=True, key="status_freshness",
        column_config={
            "newest_day": st.column_config.DateColumn("newest_day", format="YYYY-MM-DD", help="max(metric_date): the newest day with rows "
                                                  "(UTC days; Pacific for YouTube; account-local for ads)."),
            "complete_share": st.column_config.NumberColumn("complete_share", format="percent", help="Share of daily rows observed exactly "
                                                      "(is_complete), not spread over missed days or unknown."),
            "final_share": st.column_config.NumberColumn("final_share", format="percent", help="Share of rows past the platform's "
                                                   "restatement window (is_final); empty until the marts carry it."),
        },
    )
    st.subheader("Days that are not final yet")
    pending = queries.not_final_days(catalog, path)
    criterion = pending["criterion"].iloc[0] if not pending.empty else (
        "NOT is_final" if catalog.has(queries.ORGANIC_DAILY, "is_final") else "NOT is_complete")
    st.caption(f"Criterion: `{criterion}` in fct_content_daily. Lifetime-total platforms can restate recent days; "
               "rows spread over missed snapshot days or without a previous snapshot are not exact.")
    if criterion == "NOT is_complete":
        st.info("The marts do not carry is_final yet (days past each platform's restatement window), so this lists "
                "the days whose rows are not exact; recent days of TikTok, Instagram and Facebook can still be "
                "restated, and paid days up to 28 days back (Meta).")
    if pending.empty:
        st.success("Every published day is final.")
    else:
        st.dataframe(pending.drop(columns=["criterion"]), hide_index=True, key="status_pending",
                     column_config={"metric_date": st.column_config.DateColumn("metric_date", format="YYYY-MM-DD")})
