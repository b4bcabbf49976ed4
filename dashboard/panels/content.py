"""Content: top posts in the range, and the cross-posted / benchmark marts where they exist."""

from __future__ import annotations

import streamlit as st
from common import basis_caption, column_config, definitions_expander

from dagster_project.analyst import queries
from dagster_project.analyst.db import Catalog

TITLE = "Content & cross-posts"


def render(filters: queries.Filters, catalog: Catalog, path: str) -> None:
    st.title("Content")
    st.caption(f"Days {filters.start} .. {filters.end}. Views are each platform's own definition (views_basis): "
               "compare posts within a surface, or across surfaces with that in mind.")

    st.subheader("Top posts by views in the range")
    limit = st.slider("How many posts", min_value=5, max_value=100, value=20, step=5, key="content_limit")
    top = queries.top_content(filters, path, limit=limit)
    if top.empty:
        st.info("No posts with known daily views for these filters.")
    else:
        st.dataframe(
            top, hide_index=True, key="content_top",
            column_config={
                **column_config("dim_content", list(top.columns), extra={
                    "views": "Sum of daily views in the range (platform definition, see views_basis).",
                    "engagement_rate": "Engagements / views over the range, recomputed from sums.",
                    "watch_seconds_per_view": "Watch seconds / views over the range, recomputed from sums.",
                }),
                "permalink": st.column_config.LinkColumn("permalink"),
            },
        )
        basis_caption(top)

    st.subheader("Cross-posted creatives")
    cross = queries.table_rows(queries.CROSSPOST, filters, catalog, path)
    if cross is None:
        st.info("The cross-post comparison mart (rpt_crosspost_comparison) is not in the published file yet.")
    elif cross.empty:
        st.info("No cross-posted creatives for these filters.")
    else:
        st.dataframe(cross, hide_index=True, key="content_crosspost",
                     column_config=column_config(queries.CROSSPOST, list(cross.columns)))
        definitions_expander(queries.CROSSPOST)

    st.subheader("Boosted posts: organic and paid views")
    boosted = queries.table_rows(queries.BOOSTED, filters, catalog, path)
    if boosted is None:
        st.info("The boosted-content mart (rpt_boosted_content_weekly) is not in the published file yet.")
    elif boosted.empty:
        st.info("No boosted posts for these filters.")
    else:
        st.caption("Per boosted post and ISO week. Where a platform's organic total already includes paid views "
                   "(TikTok), organic_includes_paid_views says so: do not add the two.")
        st.dataframe(boosted, hide_index=True, key="content_boosted",
                     column_config=column_config(queries.BOOSTED, list(boosted.columns)))
        definitions_expander(queries.BOOSTED)

    st.subheader("Content benchmarks")
    bench = queries.table_rows(queries.BENCHMARKS, filters, catalog, path)
    if bench is None:
        st.info("The benchmark mart (rpt_content_benchmarks) is not in the published file yet.")
    elif bench.empty:
        st.info("No benchmark rows for these filters.")
    else:
        st.dataframe(bench, hide_index=True, key="content_benchmarks",
                     column_config=column_config(queries.BENCHMARKS, list(bench.columns)))
        definitions_expander(queries.BENCHMARKS)
