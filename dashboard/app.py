"""Shortform warehouse dashboard (Streamlit): `make dashboard`, or
`streamlit run dashboard/app.py --server.address 127.0.0.1`.

Reads only the published marts file ($SHORTFORM_PUBLISHED_DB, default data/published/marts.duckdb)
through read-only cursors with external access disabled (dagster_project.analyst.db), so it never
blocks a refresh and never sees unchecked data. Pages: Overview, Content & cross-posts, Budget reallocation,
Data status; pick one in the sidebar or with ?page=overview|content|budget|status.

Exposure (RELIABILITY.md E7): `make dashboard` binds 127.0.0.1 and shows no exception details in
the browser. When SHORTFORM_DASHBOARD_TOKEN is set, nothing is queried or shown until the visitor
gives that token (sidebar field, or ?token=... once; it is then kept in the session only).
Streamlit serves its page shell to anyone who can reach the port, so this gate keeps the data
behind the token, not the HTTP route; put a reverse proxy in front for a real 401.
"""

from __future__ import annotations

import hmac
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for entry in (HERE, HERE.parent):
    if str(entry) not in sys.path:
        sys.path.insert(0, str(entry))

import streamlit as st  # noqa: E402
from common import load_catalog, sidebar_filters  # noqa: E402
from panels import budget, content, overview, status  # noqa: E402

from dagster_project.analyst import queries  # noqa: E402
from dagster_project.analyst.db import PublishedFileMissing, published_path  # noqa: E402

PAGES = {"overview": overview, "content": content, "budget": budget, "status": status}
TOKEN_ENV = "SHORTFORM_DASHBOARD_TOKEN"


def token_ok() -> bool:
    """True when no token is configured, or this session gave the right one."""
    expected = os.environ.get(TOKEN_ENV, "")
    if not expected:
        return True
    if st.session_state.get("_token_ok"):
        return True
    given = st.query_params.get("token") or st.sidebar.text_input("Access token", type="password", key="_token")
    if "token" in st.query_params:
        del st.query_params["token"]  # never keep it in the address bar
    if given and hmac.compare_digest(str(given).encode(), expected.encode()):
        st.session_state["_token_ok"] = True
        return True
    st.title("Shortform warehouse")
    st.error("This dashboard needs its access token: enter it in the sidebar." if not given
             else "Wrong access token.")
    return False


def main() -> None:
    st.set_page_config(page_title="Shortform warehouse", layout="wide", initial_sidebar_state="expanded")
    if not token_ok():
        return
    path = str(published_path())
    try:
        catalog = load_catalog(path)
    except PublishedFileMissing as exc:
        st.title("Shortform warehouse")
        st.error(f"{exc}")
        return
    options = queries.filter_options(path)

    keys = list(PAGES)
    wanted = st.query_params.get("page", "overview")
    page_key = st.sidebar.radio(
        "Page", keys, index=keys.index(wanted) if wanted in keys else 0,
        format_func=lambda k: PAGES[k].TITLE, key="page",
    )
    if st.query_params.get("page") != page_key:
        st.query_params["page"] = page_key
    filters = sidebar_filters(options)
    st.sidebar.caption(f"Published file: `{path}` (read-only)")
    PAGES[page_key].render(filters, catalog, path)


main()
