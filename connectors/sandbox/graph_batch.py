"""Graph API batch requests and insights field expansion for the sandbox (issue 7, quota efficiency).

Batch requests (developers.facebook.com/docs/graph-api/batch-requests): `POST /` or `POST /v{N}.0/`
with the form field `batch`, a JSON list of at most 50 `{"method": "GET", "relative_url": ...}`
items (and the token as `access_token` or `Authorization: Bearer`). The answer is a JSON list, one
entry per item in order: `{"code": <HTTP status>, "headers": [{"name", "value"}], "body": "<JSON
text>"}` (`include_headers=false` drops `headers`). Every item is served exactly like the same GET
on its own: token check, rate limiter, armed faults and Graph errors apply per item. The batch is
one HTTP request in `server.request_log`; its items are appended to `server.batch_item_log`. An
item hit by a `connection_reset` fault is answered `null` (Graph's "not processed", e.g. timeout).

Field expansion: on the Instagram `media` edge `fields=...,insights.metric(a,b)` and on the Facebook
`video_reels` edge `fields=...,video_insights.metric(a,b)` add `"insights": {"data": [...]}` /
`"video_insights": {"data": [...]}` to every object, the same envelope the object's own insights
edge answers. As in Graph, one object whose insights fail (an invalid metric for its media product
type, "not enough viewers"...) fails the whole request with that object's error.

`SandboxServer(..., graph_batch=False)` turns both off: the server then only follows
API_CONTRACTS.md (a batch POST gets HTTP 405 / 404, an expansion field code 100).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from .faults import Reply, graph_error

if TYPE_CHECKING:
    from .server import SandboxServer, _Ctx
    from .world import Content

BATCH_MAX_ITEMS = 50
# faults that can hit a batch POST as a whole (the others only make sense for one item's answer)
BATCH_FAULT_KINDS = ("rate_limit", "quota_exceeded", "server_error", "expired_token", "retry_after",
                     "truncated", "slow", "connection_reset")
_BATCH_PATH = re.compile(r"^/(?:(v\d+\.0)/?)?$")
_VERSIONED = re.compile(r"^v\d+\.0/")
# `insights.metric(a,b)` with optional further modifiers such as `.period(lifetime)`
_EXPANSION = re.compile(r"^([A-Za-z_]+)((?:\.[A-Za-z_]+\([^()]*\))+)$")
_MODIFIER = re.compile(r"\.([A-Za-z_]+)\(([^()]*)\)")


def is_batch_path(method: str, path: str) -> bool:
    return method == "POST" and bool(_BATCH_PATH.match(path))


def _item_reply(reply: Reply | None, include_headers: bool) -> dict[str, Any] | None:
    if reply is None or reply.reset:
        return None
    text = reply.encode().decode("utf-8", "replace")
    if reply.truncate:
        text = text[: len(text) // 2]
    item: dict[str, Any] = {"code": reply.status}
    if include_headers:
        headers = [{"name": "Content-Type", "value": "text/javascript; charset=UTF-8"}]
        headers += [{"name": k, "value": v} for k, v in reply.headers.items()]
        item["headers"] = headers
    item["body"] = text
    return item


def handle_batch(server: SandboxServer, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Reply:
    """Serve one batch POST: parse the form, answer every item as its own GET would be."""
    form = dict(parse_qsl(query, keep_blank_values=True))
    try:
        form.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        return graph_error(100, "(#100) The request body is not valid form data")
    raw = form.get("batch")
    if not raw:
        return graph_error(100, "(#100) The parameter batch is required")
    try:
        items = json.loads(raw)
    except ValueError:
        return graph_error(100, "(#100) The parameter batch must be a JSON array")
    if not isinstance(items, list):
        return graph_error(100, "(#100) The parameter batch must be a JSON array")
    if len(items) > BATCH_MAX_ITEMS:
        return graph_error(100, f"(#100) Too many requests in batch message. Maximum batch size is {BATCH_MAX_ITEMS}")
    include_headers = str(form.get("include_headers", "true")).lower() != "false"
    version = (_BATCH_PATH.match(path) or _BATCH_PATH.match("/")).group(1)  # type: ignore[union-attr]
    outer_token = form.get("access_token")
    inner_headers = dict(headers.items())
    out: list[dict[str, Any] | None] = []
    last_usage: str | None = None
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("relative_url"), str):
            out.append(_item_reply(graph_error(100, "(#100) Each batch item needs a relative_url"), include_headers))
            continue
        method = str(item.get("method") or "GET").upper()
        rel = item["relative_url"].lstrip("/")
        if version and not _VERSIONED.match(rel):
            rel = f"{version}/{rel}"
        parts = urlsplit("/" + rel)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if outer_token and not any(k == "access_token" for k, _ in pairs):
            pairs.append(("access_token", outer_token))
        server.batch_item_log.append((method, parts.path))
        if method != "GET":
            reply = graph_error(100, f"(#100) The sandbox batch supports GET items only, not {method}")
        else:
            reply = server._serve(method, parts.path, pairs, inner_headers)
        last_usage = reply.headers.get("X-App-Usage", last_usage)
        out.append(_item_reply(reply, include_headers))
    reply_headers = {"X-App-Usage": last_usage} if last_usage else {}
    return Reply(200, out, reply_headers)


# ------------------------------------------------------------------------------ field expansion


def split_fields(raw: str | None) -> tuple[list[str], list[tuple[str, dict[str, str]]]]:
    """Top-level `fields` entries split into plain fields and `edge.metric(...)` expansions."""
    plain: list[str] = []
    expansions: list[tuple[str, dict[str, str]]] = []
    depth, cur = 0, ""
    for ch in (raw or "") + ",":
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        if ch == "," and depth == 0:
            name = cur.strip()
            cur = ""
            if not name:
                continue
            m = _EXPANSION.match(name)
            if m:
                expansions.append((m.group(1), dict(_MODIFIER.findall(m.group(2)))))
            else:
                plain.append(name)
            continue
        cur += ch
    return plain, expansions


InsightsFn = Callable[["_Ctx", "Content", date], dict[str, Any]]


def list_with_expansions(
    server: SandboxServer, ctx: _Ctx, edges: Mapping[str, InsightsFn], build: Callable[[_Ctx], dict[str, Any]]
) -> dict[str, Any]:
    """A listing answer with each requested `edge.metric(...)` expansion added to every object.

    Without expansions (or with `graph_batch=False`) this is exactly `build(ctx)`.
    """
    from .server import _BadRequest, _Ctx

    if not server.graph_batch:
        return build(ctx)
    plain, expansions = split_fields(ctx.q("fields"))
    if not expansions:
        return build(ctx)
    for name, _ in expansions:
        if name not in edges:
            raise _BadRequest(graph_error(100, f"(#100) Tried accessing nonexisting field ({name}) on this node type"))
    inner = _Ctx(ctx.as_of, ctx.base_url, ctx.path, ctx.pairs, ctx.headers, ctx.seq)
    inner.query = {**ctx.query, "fields": ",".join(plain) or "id"}
    body = build(inner)
    version = ctx.path.strip("/").split("/")[0]
    prefix = f"/{version}" if version.startswith("v") else ""
    for obj in body.get("data") or []:
        content = server.world.content(str(obj.get("id")))
        if content is None:
            continue
        for name, modifiers in expansions:
            edge_path = f"{prefix}/{content.content_id}/{name}"
            fault = server.faults.take("meta", edge_path, kinds=("no_insights",))
            if fault is not None:
                from .faults import fault_reply

                reply = fault_reply(fault, "meta", request_id="", meta_object=None)
                assert reply is not None
                raise _BadRequest(reply)
            sub = _Ctx(ctx.as_of, ctx.base_url, edge_path, list(modifiers.items()), ctx.headers, ctx.seq)
            obj[name] = edges[name](sub, content, ctx.as_of)
    return body
