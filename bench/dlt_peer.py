"""The peer a user might pick instead: dlt's REST API source loading TikTok's business/video/list
(every business account of the world, every page, cursor paging) into a DuckDB file.

Bench-only dependency (`pip install -e '.[bench]'`). The same pages our connector fetches for
raw.tiktok_videos: same parameters (fields, max_count=20), same sandbox, same clock. dlt flattens
each video into columns and merges on (business_id, item_id), its idiomatic equivalent of our upsert.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any


def _paginator_class():
    from dlt.sources.helpers.rest_client.paginators import BasePaginator

    class TikTokCursorPaginator(BasePaginator):
        """TikTok's `data.cursor` + `data.has_more` envelope (no built-in dlt paginator reads has_more)."""

        def __init__(self) -> None:
            super().__init__()
            self._cursor: Any = None

        def update_state(self, response, data=None) -> None:
            body = response.json().get("data") or {}
            if body.get("has_more") and body.get("cursor") not in (None, ""):
                self._cursor = body["cursor"]
            else:
                self._has_next_page = False

        def update_request(self, request) -> None:
            if request.params is None:
                request.params = {}
            request.params["cursor"] = self._cursor

    return TikTokCursorPaginator


def _with_business_id(business_id: str):
    def add(item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "business_id": business_id}

    return add


def run_dlt(args: dict[str, Any]) -> dict[str, Any]:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    import dlt
    import duckdb
    from dlt.sources.rest_api import rest_api_source

    from connectors.tiktok import VIDEO_FIELDS, VIDEO_LIST_PATH, VIDEO_PAGE_SIZE
    from dagster_project import settings

    work = Path(args["work"])
    db = work / "dlt.duckdb"
    db.unlink(missing_ok=True)
    accounts = settings.load_accounts().for_platform("tiktok")
    paginator = _paginator_class()
    resources = []
    for account in accounts:
        resources.append({
            "name": f"tiktok_videos_{account.account_id}",
            "table_name": "tiktok_videos",
            "primary_key": ["business_id", "item_id"],
            "write_disposition": "merge",
            "endpoint": {
                "path": VIDEO_LIST_PATH.lstrip("/"),
                "params": {"business_id": account.account_id, "fields": json.dumps(list(VIDEO_FIELDS)),
                           "max_count": VIDEO_PAGE_SIZE},
                "data_selector": "data.videos",
                "paginator": paginator(),
            },
            "processing_steps": [{"map": _with_business_id(account.account_id)}],
        })
    token = os.environ[settings.TOKEN_ENV["tiktok"]]
    source = rest_api_source({
        "client": {
            "base_url": settings.base_url("tiktok") + "/",
            "auth": {"type": "api_key", "name": "Access-Token", "api_key": token, "location": "header"},
        },
        "resources": resources,
    })
    pipeline = dlt.pipeline(pipeline_name="bench_dlt_tiktok", destination=dlt.destinations.duckdb(str(db)),
                            dataset_name="raw_dlt", pipelines_dir=str(work / "dlt_pipelines"))
    t0 = time.perf_counter()
    pipeline.run(source)
    seconds = time.perf_counter() - t0
    with duckdb.connect(str(db), read_only=True) as conn:
        rows = conn.execute("SELECT count(*) FROM raw_dlt.tiktok_videos").fetchone()[0]
    import importlib.metadata

    return {"seconds": seconds, "records": int(rows), "dlt": importlib.metadata.version("dlt")}
