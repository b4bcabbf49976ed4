"""Named sandbox worlds: presets, generated brands, and the demo world unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from connectors.sandbox import World, WorldSettings
from connectors.sandbox.world import BRAND_SLUGS, BRAND_TIMEZONES
from connectors.sandbox.worlds import NAMED_WORLDS, world_settings
from dagster_project.cli import build_parser


def test_demo_is_the_default_world() -> None:
    assert world_settings("demo") == WorldSettings()
    assert NAMED_WORLDS["demo"] == WorldSettings()


def test_named_worlds_have_the_documented_sizes() -> None:
    agency, large, tiny = world_settings("agency"), world_settings("large"), world_settings("tiny")
    assert (agency.n_brands, agency.posts_per_week, agency.end) == (50, 5.0, date(2026, 11, 28))
    assert (agency.end - agency.history_start).days + 1 == 365
    assert large.n_brands == 200 and (large.end - large.history_start).days + 1 == 730
    assert 0 < large.weekly_rate("tiktok") < agency.weekly_rate("tiktok")
    assert tiny.n_brands == 2 and 14 <= (tiny.end - tiny.history_start).days + 1 <= 28


def test_overrides_and_unknown_names() -> None:
    assert world_settings("agency", n_brands=3).n_brands == 3
    assert world_settings("agency", n_brands=3).posts_per_week == 5.0
    with pytest.raises(ValueError, match="unknown world 'huge'.*demo, agency, large, tiny"):
        world_settings("huge")


def test_brands_beyond_the_slugs_are_generated_and_zones_cycled() -> None:
    n = len(BRAND_SLUGS) + 4
    world = World(world_settings("tiny", n_brands=n, history_start=date(2026, 11, 27)))
    slugs = [b.slug for b in world.brands]
    assert slugs[: len(BRAND_SLUGS)] == list(BRAND_SLUGS)
    assert slugs[len(BRAND_SLUGS):] == ["acme2", "bloom2", "cobalt2", "dune2"]
    assert len(set(slugs)) == n
    assert [b.timezone for b in world.brands] == [BRAND_TIMEZONES[i % len(BRAND_TIMEZONES)] for i in range(n)]
    ids = [b.account_id(p) for b in world.brands for p in ("tiktok", "instagram", "facebook", "youtube")]
    assert len(set(ids)) == len(ids)


def test_first_brands_are_the_same_in_every_world() -> None:
    small = World(world_settings("tiny"))
    bigger = World(world_settings("tiny", n_brands=5))
    for a, b in zip(small.brands, bigger.brands, strict=False):
        assert a == b
    small_posts = {c.content_id for c in small.all_contents()}
    assert small_posts <= {c.content_id for c in bigger.all_contents() if c.brand in {"acme", "bloom"}}


def test_cli_takes_a_world() -> None:
    parser = build_parser()
    assert parser.parse_args(["simulate", "--world", "tiny"]).world == "tiny"
    assert parser.parse_args(["sandbox", "serve"]).world == "demo"
    args = parser.parse_args(["sandbox", "bulk", "--world", "tiny", "--db", "x.duckdb", "--first", "2026-11-20"])
    assert (args.world, args.first, args.last) == ("tiny", date(2026, 11, 20), None)
