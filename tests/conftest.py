"""Shared test settings: no telemetry, no real APIs, tokens are sentinels."""

from __future__ import annotations

import gc
import os
import tempfile

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("TQDM_DISABLE", "1")
# Configured paths must live under the project or an allowed directory (settings.checked_path);
# the tests keep their warehouses in pytest's temp dirs.
os.environ.setdefault("SHORTFORM_ALLOWED_DIRS", os.path.realpath(tempfile.gettempdir()))


def pytest_configure(config):
    """Under pytest-xdist (`make test` runs two workers), parse the dbt manifest once in the
    controller before the workers start: each worker imports the dbt assets, and two first imports
    at once would both write dbt/target/manifest.json while the other reads it. The environment is
    restored afterwards, so the workers start with the same variables as a serial run."""
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist"):
        return
    if getattr(config.option, "numprocesses", None) in (None, 0):
        return
    saved = dict(os.environ)
    try:
        from dagster_project.defs.transform.dbt import build_dbt_project

        build_dbt_project()
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture
def no_gc_during_script_runs():
    """Streamlit's AppTest compiles the dashboard script with ast.parse in its script thread.
    CPython 3.11.7 (this machine's) raises "SystemError: AST constructor recursion depth mismatch"
    when a finalizer runs during that parse (gh-106905, fixed in 3.11.8), and a garbage collection
    can run one: a Dagster instance left by an earlier test in the same worker closes its SQLite
    connections in finalizers. Collect first, and keep the collector off while the test runs."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
