"""Budget reallocation: the mart's scenarios (share of TikTok spend moved to Reels), one share at a time."""

from __future__ import annotations

import altair as alt
import streamlit as st
from common import column_config, definitions_expander

from dagster_project.analyst import definitions as defs
from dagster_project.analyst import queries
from dagster_project.analyst.db import Catalog

TITLE = "Budget reallocation"
KEY_COLUMNS = [
    "brand", "scenario", "source_surface", "target_surface", "shifted_spend_reporting", "reporting_currency",
    "projected_impressions_change", "projected_views_change", "projected_engagements_change",
    "source_view_definition", "target_view_definition", "is_projectable", "method", "window_start", "window_end",
]
CHANGES = [("projected_impressions_change", "Impressions"), ("projected_views_change", "Views (quality views)"),
           ("projected_engagements_change", "Engagements")]


def _share_label(value: object) -> str:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{v * 100:.0f}%" if v <= 1 else f"{v:.0f}%"


def render(filters: queries.Filters, catalog: Catalog, path: str) -> None:
    st.title("Budget reallocation scenarios")
    result = queries.budget_scenarios(filters.brands, catalog, path)
    if result is None:
        st.info("The budget-reallocation mart (rpt_budget_reallocation) is not in the published file yet. Once the "
                "paid marts are published, this page shows, per brand, what moving 25 %, 50 % or 100 % of TikTok "
                "spend to Instagram Reels or Facebook Reels projects at each platform's trailing efficiency.")
        return
    df, share_col = result
    if df.empty:
        st.info("No scenarios for these brands.")
        return
    model = defs.column_descriptions().get(queries.BUDGET, {}).get("__model__")
    st.caption(model or "Projections are the mart's own, linear at each platform's trailing efficiency.")
    st.caption("The brand filter applies; the date range does not (scenarios use the mart's trailing window).")
    shown = df
    if share_col and share_col in df:
        shares = sorted(df[share_col].dropna().unique().tolist(), key=float)
        if shares:
            chosen = st.select_slider("Share of TikTok spend moved", options=shares, value=shares[-1],
                                      format_func=_share_label, key="budget_share",
                                      help=defs.describe(queries.BUDGET, share_col) or None)
            shown = df[df[share_col] == chosen]
    target = next((c for c in ("target_surface", "to_surface", "destination_surface") if c in shown), None)
    changes = [(c, label) for c, label in CHANGES if c in shown]
    if target and changes and not shown.empty:
        long = shown.melt(id_vars=[c for c in ("brand", target) if c in shown], value_vars=[c for c, _ in changes],
                          var_name="metric", value_name="change")
        long["metric"] = long["metric"].map(dict(changes))
        long["target"] = long[target].map(defs.surface_label)
        chart = (
            alt.Chart(long)
            .mark_bar()
            .encode(x=alt.X("change:Q", title="projected change"), y=alt.Y("target:N", title=None),
                    color=alt.Color("brand:N"), yOffset="brand:N",
                    tooltip=["brand", "target", "metric", alt.Tooltip("change:Q", format=",.0f")])
            .properties(height=120)
            .facet(row=alt.Row("metric:N", title=None))
            .resolve_scale(x="independent")
            .properties(title="Projected change vs today, per target surface (TikTok side loses, target gains)")
        )
        st.altair_chart(chart)
        for row in shown.to_dict("records"):
            if row.get("is_projectable") is False:
                st.warning(f"{row.get('brand')}: {row.get('scenario')} is not projectable (the target had no spend "
                           "in the window).")
    key_cols = [c for c in KEY_COLUMNS if c in shown] or list(shown.columns)
    if share_col and share_col in shown and share_col not in key_cols:
        key_cols.insert(2, share_col)
    st.dataframe(shown[key_cols], hide_index=True, key="budget_table",
                 column_config=column_config(queries.BUDGET, key_cols))
    with st.expander("Every column of the scenarios (inputs, efficiencies, projections)"):
        st.dataframe(shown, hide_index=True, key="budget_all")
    definitions_expander(queries.BUDGET)
