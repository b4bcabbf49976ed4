"""Overview: the four surfaces side by side for the chosen brands and days, and weekly trends."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from common import basis_caption, column_config, fmt_int, fmt_num, fmt_pct

from dagster_project.analyst import definitions as defs
from dagster_project.analyst import queries
from dagster_project.analyst.db import Catalog

TITLE = "Overview"


def _surface_scale(surfaces: list[str]) -> alt.Scale:
    return alt.Scale(domain=[defs.surface_label(s) for s in surfaces],
                     range=[defs.SURFACE_COLORS.get(s, "#888888") for s in surfaces])


def trend_chart(df: pd.DataFrame, field: str, title: str, fmt: str) -> alt.Chart:
    data = df.assign(surface_label=df["surface"].map(defs.surface_label))
    surfaces = sorted(df["surface"].unique())
    return (
        alt.Chart(data, title=alt.TitleParams(title, anchor="start", offset=8))
        .mark_line(point=True)
        .encode(
            x=alt.X("iso_week:O", title="ISO week", sort="ascending", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{field}:Q", title=title, axis=alt.Axis(format=fmt)),
            color=alt.Color("surface_label:N", title="Surface", scale=_surface_scale(surfaces)),
            tooltip=["iso_week", "surface_label", alt.Tooltip(f"{field}:Q", format=fmt), "views_basis"],
        )
        .properties(height=260)
    )


def render(filters: queries.Filters, catalog: Catalog, path: str) -> None:
    st.title("Short-form performance overview")
    st.caption(f"Days {filters.start} .. {filters.end} (each platform's own day basis); brands: "
               f"{', '.join(filters.brands) or 'all'}; surfaces: "
               f"{', '.join(defs.surface_label(s) for s in filters.surfaces) or 'all'}.")

    summary = queries.surface_summary(filters, path)
    if summary.empty:
        st.warning("No organic rows for these filters.")
        return
    st.subheader("Organic, per surface")
    cols = st.columns(len(summary))
    for col, row in zip(cols, summary.itertuples(index=False), strict=True):
        label = defs.surface_label(row.surface)
        with col:
            st.markdown(f"**{label}**")
            st.metric(f"Views · {label}", fmt_int(row.views),
                      help=f"{defs.METRICS['views']} Here: {defs.basis_text(row.views_basis)}")
            st.metric(f"Engagement rate · {label}", fmt_pct(row.engagement_rate), help=defs.METRICS["engagement_rate"])
            st.metric(f"Watch s per view · {label}", fmt_num(row.watch_seconds_per_view),
                      help=defs.METRICS["watch_seconds_per_view"])
            st.metric(f"Posts · {label}", fmt_int(row.posts), help=defs.METRICS["posts"])
    basis_caption(summary)

    st.subheader("Per brand and surface")
    by_brand = queries.surface_summary(filters, path, by_brand=True)
    st.dataframe(by_brand, hide_index=True, key="overview_by_brand",
                 column_config=column_config("rpt_platform_comparison_weekly", list(by_brand.columns),
                                             extra={"watch_seconds_per_view": defs.METRICS["watch_seconds_per_view"],
                                                    "posts": defs.METRICS["posts"],
                                                    "days": "Distinct days with daily rows in the range."}))

    st.subheader("Paid")
    paid = queries.paid_summary(filters, catalog, path)
    if paid is None:
        st.info("Paid media marts (fct_ad_daily, rpt_cost_efficiency_weekly) are not in the published file yet: "
                "spend, CPM and cost per view appear here once they are published. YouTube has no cost data "
                "(Google Ads is not connected).")
    elif paid.empty:
        st.info("No paid rows for these filters.")
    else:
        used = paid.attrs.pop("columns")
        currency = ", ".join(sorted({str(c) for c in paid["currency"].dropna()})) or "reporting currency"
        pcols = st.columns(len(paid))
        for col, row in zip(pcols, paid.to_dict("records"), strict=True):
            label = defs.surface_label(row["surface"])
            with col:
                st.markdown(f"**{label}**")
                st.metric(f"Spend ({currency}) · {label}", fmt_num(row["spend"], 2),
                          help=f"{defs.METRICS['spend']} Column: fct_ad_daily.{used.spend}.")
                st.metric(f"CPM ({currency}) · {label}", fmt_num(row["cpm"], 2), help=defs.METRICS["cpm"])
                for count_col, def_col in used.views:
                    key = "cost_per_" + count_col.removesuffix("s")
                    definition = row.get(def_col) if def_col else count_col
                    st.metric(f"Cost per {count_col.replace('_', ' ').removesuffix('s')} · {label}",
                              fmt_num(row[key], 4),
                              help=f"{defs.METRICS['cost_per_view']} View definition: {definition}.")
        st.dataframe(paid, hide_index=True, key="overview_paid",
                     column_config=column_config("fct_ad_daily", list(paid.columns)))
        st.caption("Paid days are the ad account's local days (fct_ad_daily.metric_date); spend in the reporting "
                   "currency at dated rates; rates recomputed from sums. YouTube has no cost data (Google Ads is "
                   "not connected).")

    st.subheader("Weekly trend")
    trend = queries.weekly_trend(filters, path)
    if trend.empty:
        st.info("No weeks in this range.")
    else:
        left, right = st.columns(2)
        left.altair_chart(trend_chart(trend, "views", "Views (platform definitions)", ",.0f"), width="stretch")
        right.altair_chart(trend_chart(trend, "engagement_rate", "Engagement rate", ".2%"), width="stretch")
        left.altair_chart(trend_chart(trend, "watch_seconds_per_view", "Watch seconds per view", ".1f"),
                          width="stretch")
        right.altair_chart(trend_chart(trend, "posts", "Posts published", ",.0f"), width="stretch")
        st.caption("Weeks are ISO weeks (Monday start) from rpt_platform_comparison_weekly, summed over the selected "
                   "brands; rates recomputed from the weekly sums. A week with fewer than 7 days covered is partial "
                   "(see min_days_covered).")
        cpm = queries.weekly_cpm(filters, catalog, path)
        if cpm is not None and not cpm.empty:
            st.altair_chart(trend_chart(cpm, "cpm", "Paid CPM (spend / impressions x 1000)", ",.2f"),
                            width="stretch")
            st.caption(f"From {cpm.attrs.get('source', 'the paid marts')}; recomputed from the weekly sums of the "
                       "selected brands, never averaged.")
        with st.expander("Weekly figures"):
            st.dataframe(trend, hide_index=True, key="overview_trend")
