"""Shared test settings: no telemetry, no real APIs, tokens are sentinels."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
os.environ.setdefault("TQDM_DISABLE", "1")
# Configured paths must live under the project or an allowed directory (settings.checked_path);
# the tests keep their warehouses in pytest's temp dirs.
os.environ.setdefault("SHORTFORM_ALLOWED_DIRS", os.path.realpath(tempfile.gettempdir()))
