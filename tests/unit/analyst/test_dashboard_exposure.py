"""E7: local dashboard exposure.

Tested here: `make dashboard` binds 127.0.0.1 and hides exception details from the browser; with
SHORTFORM_DASHBOARD_TOKEN set, no page queries or shows data until the session gives the token.

Not tested, and why: an HTTP 401 for requests without the token (Streamlit always serves its page
shell and websocket; the gate is inside the script run, a 401 needs a reverse proxy in front), and
a query timeout / row cap on pathological queries: the dashboard runs no user-written SQL (fixed,
parameterised queries in dagster_project.analyst.queries over the small published marts, filters
bound as parameters), so there is no pathological query to cut off; free SQL goes through
`shortform sql`, which is read-only with external access disabled (D8).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("no_gc_during_script_runs")

ROOT = Path(__file__).resolve().parents[3]
APP = str(ROOT / "dashboard" / "app.py")
TOKEN = "dash-token-4711"


def app(db: Path, monkeypatch, token: str | None, given: str | None = None) -> AppTest:
    monkeypatch.setenv("SHORTFORM_PUBLISHED_DB", str(db))
    if token is None:
        monkeypatch.delenv("SHORTFORM_DASHBOARD_TOKEN", raising=False)
    else:
        monkeypatch.setenv("SHORTFORM_DASHBOARD_TOKEN", token)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["page"] = "overview"
    if given is not None:
        at.query_params["token"] = given
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_without_the_token_nothing_is_queried_or_shown(organic_db, monkeypatch):
    at = app(organic_db, monkeypatch, TOKEN)
    assert "needs its access token" in at.error[0].value
    assert not at.dataframe and not at.metric
    wrong = app(organic_db, monkeypatch, TOKEN, given="guess")
    assert "Wrong access token" in wrong.error[0].value and not wrong.dataframe


def test_the_right_token_opens_the_session(organic_db, monkeypatch):
    at = app(organic_db, monkeypatch, TOKEN, given=TOKEN)
    assert at.dataframe and not at.error
    assert "token" not in at.query_params  # dropped from the address bar
    at.run()  # a rerun of the same session stays open without the token in the URL
    assert at.dataframe and not at.error


def test_the_sidebar_field_accepts_the_token(organic_db, monkeypatch):
    at = app(organic_db, monkeypatch, TOKEN)
    at.sidebar.text_input(key="_token").input(TOKEN).run()
    assert at.dataframe and not at.error


def test_no_token_configured_keeps_the_open_local_dashboard(organic_db, monkeypatch):
    at = app(organic_db, monkeypatch, None)
    assert at.dataframe and not at.error


def test_make_dashboard_binds_loopback_and_hides_error_details():
    makefile = (ROOT / "Makefile").read_text()
    line = next(x for x in makefile.splitlines() if "streamlit run dashboard/app.py" in x)
    assert re.search(r"--server\.address 127\.0\.0\.1\b", line), line
    assert "--client.showErrorDetails none" in line, line
