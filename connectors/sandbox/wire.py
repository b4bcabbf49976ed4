"""Wire-format helpers shared by the sandbox's organic and paid routes."""

from __future__ import annotations

import ast
import base64
import json
from typing import Any


def parse_list(raw: str) -> list[Any]:
    """A JSON array, or a Python-repr list (what Jinja `| string` renders)."""
    try:
        value = json.loads(raw)
    except ValueError:
        try:
            value = ast.literal_eval(raw)
        except (ValueError, SyntaxError) as exc:
            raise ValueError("not a JSON array") from exc
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        raise ValueError("not a JSON array")
    return value


def b64(text: str) -> str:
    """An opaque, URL-safe cursor or page token."""
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def unb64(token: str) -> str:
    return base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()).decode()
