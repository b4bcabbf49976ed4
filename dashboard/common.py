"""Shared pieces of the dashboard: the sidebar filters, number formats, definition captions.

Every query goes through dagster_project.analyst (read-only cursors on the process's open
instance of the published file, re-attached when a refresh publishes a new one).
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from dagster_project.analyst import definitions as defs
from dagster_project.analyst import queries
from dagster_project.analyst.db import Catalog


def fmt_int(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "n/a"
    return f"{int(value):,}"


def fmt_pct(value: Any, digits: int = 2) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{float(value) * 100:.{digits}f}%"


def fmt_num(value: Any, digits: int = 1, prefix: str = "") -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{prefix}{float(value):,.{digits}f}"


def sidebar_filters(options: dict[str, Any]) -> queries.Filters:
    """Brand, surface and date-range filters (defaults: everything, the last 28 days)."""
    sb = st.sidebar
    sb.header("Filters")
    brands = sb.multiselect("Brand", options["brands"], default=[], key="f_brands",
                            placeholder="all brands", help="Empty = every brand.")
    surfaces = sb.multiselect("Surface", options["surfaces"], default=[], key="f_surfaces",
                              format_func=defs.surface_label, placeholder="all surfaces",
                              help="Empty = every surface.")
    lo: date | None = options["min_date"]
    hi: date | None = options["max_date"]
    start, end = lo, hi
    if lo and hi:
        default_start = max(lo, hi - timedelta(days=27))
        picked = sb.date_input("Days", value=(default_start, hi), min_value=lo, max_value=hi, key="f_days",
                               help="Inclusive, on each platform's own day basis: UTC for TikTok, Instagram "
                                    "and Facebook, Pacific time for YouTube Shorts.")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            start, end = picked
        elif isinstance(picked, tuple | list) and len(picked) == 1:
            start = end = picked[0]
        elif isinstance(picked, date):
            start = end = picked
    return queries.Filters.of(brands, surfaces, start, end)


def basis_caption(df: pd.DataFrame, surface_col: str = "surface", basis_col: str = "views_basis") -> None:
    """One line per surface saying what a view is there."""
    if df is None or df.empty or basis_col not in df or surface_col not in df:
        return
    lines = []
    for surface, basis in df[[surface_col, basis_col]].drop_duplicates().itertuples(index=False):
        lines.append(f"- **{defs.surface_label(surface)}** ({defs.DAY_BASIS.get(surface, 'platform days')}): "
                     f"`{basis}`: {defs.basis_text(basis)}")
    st.markdown("**What a view is on each surface**\n\n" + "\n".join(lines))


def column_config(table: str, columns: list[str], extra: dict[str, str] | None = None) -> dict[str, Any]:
    """Column headers with their dbt description as help text."""
    out: dict[str, Any] = {}
    extra = extra or {}
    for col in columns:
        text = extra.get(col) or defs.describe(table, col) or defs.METRICS.get(col, "") or None
        if col.endswith("_rate") or col.endswith("_share"):
            out[col] = st.column_config.NumberColumn(col, help=text, format="percent")
        elif col.endswith("_per_view") or col.startswith("cost_per") or col.startswith("cpm") or col in ("spend", "cpm"):
            out[col] = st.column_config.NumberColumn(col, help=text, format="%.4f" if "cost_per" in col else "%.2f")
        elif text:
            out[col] = st.column_config.Column(col, help=text)
    return out


def definitions_expander(table: str, columns: list[str] | None = None) -> None:
    descs = defs.column_descriptions().get(table, {})
    if not descs:
        return
    with st.expander(f"Definitions: {table}"):
        if "__model__" in descs:
            st.markdown(descs["__model__"])
        for col, text in descs.items():
            if col != "__model__" and (columns is None or col in columns):
                st.markdown(f"- `{col}`: {text}")


def load_catalog(path: str) -> Catalog:
    return Catalog.load(path)
