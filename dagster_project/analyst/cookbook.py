"""The SQL blocks of docs/cookbook.md, so tests (and anyone) can run them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

COOKBOOK = Path(__file__).resolve().parents[2] / "docs" / "cookbook.md"
_HEADING = re.compile(r"^##\s+(.*)$")
_FENCE = re.compile(r"^```sql(?:\s+(?P<tags>[\w ]+))?\s*$")


@dataclass(frozen=True)
class Recipe:
    title: str
    sql: str
    tags: frozenset[str]


def recipes(path: str | Path = COOKBOOK) -> list[Recipe]:
    """Every ```sql block with the heading above it; a tag after ``sql`` (e.g. ``paid``) is kept."""
    out: list[Recipe] = []
    title = ""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        heading = _HEADING.match(lines[i])
        fence = _FENCE.match(lines[i])
        if heading:
            title = heading.group(1).strip()
        elif fence:
            body = []
            i += 1
            while i < len(lines) and lines[i].strip() != "```":
                body.append(lines[i])
                i += 1
            out.append(Recipe(title, "\n".join(body).strip(), frozenset((fence.group("tags") or "").split())))
        i += 1
    return out
