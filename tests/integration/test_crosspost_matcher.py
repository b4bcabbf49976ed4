"""Cross-posted creatives on the default sandbox world: the matcher against the world's truth.

Daily pulls of the world's last days (the lifetime list endpoints return every post ever
published) and a dbt build make the warehouse. The expected pairs come from the sandbox World (posts that
share a `creative_id`), which the warehouse never sees: the matcher works from captions,
durations and publish times only. A second part runs dbt on a copy of the project with a filled
overrides seed and checks that pins and splits win (and that a cross-brand pin fails the build).
"""

from __future__ import annotations

import csv
import itertools
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from connectors.sandbox import World, WorldSettings
from tests.integration.sandbox_run import dbt_build, pull_days, sandbox_env

pytestmark = pytest.mark.slow  # six daily pulls, one dbt build of the mart's lineage, two small builds

REPO = Path(__file__).resolve().parents[2]
DBT_DIR = REPO / "dbt"
DBT_BIN = Path(sys.executable).with_name("dbt")
MIN_PRECISION = 0.95
MIN_RECALL = 0.95
PULL_DAYS = 6


@pytest.fixture(scope="module")
def world() -> World:
    return World(WorldSettings())


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory, world: World) -> Path:
    """Daily pulls of the world's last PULL_DAYS days, then `dbt build` of the comparison mart and
    everything it needs. The last pull sees every post (lifetime list endpoints); a pull 7 days
    after a post's publish day gives it exact day-7 values (posts 7 to PULL_DAYS + 6 days old)."""
    tmp = tmp_path_factory.mktemp("crosspost")
    end = world.settings.end
    with sandbox_env(world, tmp) as server:
        pull_days(server, [end - timedelta(days=n) for n in range(PULL_DAYS - 1, -1, -1)])
    db = tmp / "warehouse.duckdb"
    result = dbt_build(db, tmp, select="+rpt_crosspost_comparison")
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    return db


def read_groups(db_path: Path) -> dict[str, tuple[str, str]]:
    """content_key -> (crosspost_group_id, match_method) from int_crosspost_groups."""
    with duckdb.connect(str(db_path), read_only=True) as conn:
        rows = conn.execute(
            "SELECT content_key, crosspost_group_id, match_method FROM intermediate.int_crosspost_groups"
        ).fetchall()
    return {key: (group, method) for key, group, method in rows}


def pairs_of(groups: dict[str, list[str]]) -> set[frozenset[str]]:
    return {frozenset(p) for members in groups.values() for p in itertools.combinations(sorted(members), 2)}


def test_matcher_precision_and_recall_against_ground_truth(warehouse: Path, world: World) -> None:
    shorts = world.contents(as_of=world.settings.end, shorts_only=True)
    by_creative: dict[str, list[str]] = {}
    for post in shorts:
        by_creative.setdefault(post["creative_id"], []).append(f"{post['platform']}:{post['content_id']}")
    true_pairs = pairs_of(by_creative)
    assert len(true_pairs) >= 100, "the default world should hold many cross-posted creatives"

    groups = read_groups(warehouse)
    # every short post of the world was matched or left single: none is missing
    assert {f"{p['platform']}:{p['content_id']}" for p in shorts} <= set(groups)
    by_group: dict[str, list[str]] = {}
    for key, (group, _method) in groups.items():
        by_group.setdefault(group, []).append(key)
    predicted_pairs = pairs_of(by_group)

    correct = len(predicted_pairs & true_pairs)
    precision = correct / len(predicted_pairs) if predicted_pairs else 0.0
    recall = correct / len(true_pairs)
    print(
        f"\ncross-post matcher on the default sandbox world: {len(true_pairs)} true pairs, "
        f"{len(predicted_pairs)} predicted, precision {precision:.4f}, recall {recall:.4f}"
    )
    wrong = sorted(tuple(sorted(p)) for p in predicted_pairs - true_pairs)[:5]
    missed = sorted(tuple(sorted(p)) for p in true_pairs - predicted_pairs)[:5]
    assert precision >= MIN_PRECISION, f"precision {precision:.4f}; wrongly paired e.g. {wrong}"
    assert recall >= MIN_RECALL, f"recall {recall:.4f}; missed e.g. {missed}"


def test_comparison_mart_holds_the_multi_platform_groups(warehouse: Path) -> None:
    groups = read_groups(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "SELECT crosspost_group_id, content_key, platform, n_platforms FROM marts.rpt_crosspost_comparison"
        ).fetchall()
    assert rows, "rpt_crosspost_comparison is empty"
    members: dict[str, set[str]] = {}
    for group, key, _platform, _n in rows:
        members.setdefault(group, set()).add(key)
    expected: dict[str, set[str]] = {}
    for key, (group, _method) in groups.items():
        expected.setdefault(group, set()).add(key)
    expected = {g: m for g, m in expected.items() if len({k.split(":")[0] for k in m}) >= 2}
    assert members == expected
    assert all(n == len(members[group]) for group, _key, _platform, n in rows)


def test_comparison_winners_match_ground_truth(warehouse: Path, world: World) -> None:
    """Among the members the mart judged (complete day-7 values), the views and engagement-rate
    winners are the ones the world's true day-7 totals say; judged views equal the truth."""
    day7: dict[str, dict[str, int]] = {}
    first_day: dict[str, object] = {}
    truth_rows = sorted(world.truth_daily(), key=lambda r: (r["platform"], r["content_id"], r["metric_date"]))
    for row in truth_rows:
        key = f"{row['platform']}:{row['content_id']}"
        first = first_day.setdefault(key, row["metric_date"])
        if (row["metric_date"] - first).days > 7:  # type: ignore[operator]
            continue
        acc = day7.setdefault(key, {"views": 0, "engagements": 0})
        acc["views"] += row["views"]
        acc["engagements"] += row["likes"] + row["comments"] + row["shares"] + (row["saves"] or 0)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        rows = conn.execute(
            "SELECT crosspost_group_id, content_key, views_d7, is_views_winner, is_engagement_winner "
            "FROM marts.rpt_crosspost_comparison WHERE is_views_winner IS NOT NULL"
        ).fetchall()
    judged: dict[str, list[tuple[str, int, bool, bool]]] = {}
    for group, key, views, views_winner, engagement_winner in rows:
        judged.setdefault(group, []).append((key, views, views_winner, engagement_winner))
    assert len(judged) >= 3, f"too few judged groups to test the winners: {len(judged)}"
    for group, members in judged.items():
        assert len(members) >= 2, (group, members)
        for key, views, _vw, _ew in members:
            assert views == day7[key]["views"], (group, key, views, day7[key])
        true_views_winner = max(members, key=lambda m: day7[m[0]]["views"])[0]
        true_engagement_winner = max(members, key=lambda m: day7[m[0]]["engagements"] / day7[m[0]]["views"])[0]
        assert {m[0] for m in members if m[2]} == {true_views_winner}, (group, members)
        assert {m[0] for m in members if m[3]} == {true_engagement_winner}, (group, members)


# ------------------------------------------------------------------------------- overrides


def run_dbt_on_copy(project: Path, db_path: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHORTFORM_DB": str(db_path), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    return subprocess.run(
        [str(DBT_BIN), *args, "--project-dir", str(project), "--profiles-dir", str(project)],
        env=env, cwd=project, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def write_overrides(project: Path, rows: list[dict[str, str]]) -> None:
    with (project / "seeds" / "crosspost_overrides.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["content_key", "action", "group_label", "note"])
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory, warehouse: Path) -> tuple[Path, Path]:
    """A copy of the dbt project (seeds editable) and of the built warehouse."""
    tmp = tmp_path_factory.mktemp("crosspost_overrides")
    project = tmp / "dbt"
    shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    db_copy = tmp / "warehouse.duckdb"
    shutil.copyfile(warehouse, db_copy)
    return project, db_copy


def test_override_seed_pins_and_splits_win(project_copy: tuple[Path, Path], warehouse: Path) -> None:
    project, db_copy = project_copy
    before = read_groups(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        posts = {key: (brand, platform, published_at) for key, brand, platform, published_at in conn.execute(
            "SELECT content_key, brand, platform, published_at FROM marts.dim_content").fetchall()}  # fmt: skip
    by_group: dict[str, list[str]] = {}
    for key, (group, _method) in before.items():
        by_group.setdefault(group, []).append(key)
    # an automatic group of three or more: split off its latest member
    big = sorted(g for g, m in by_group.items() if len(m) >= 3)[0]
    split_key = max(by_group[big], key=lambda k: (posts[k][2], k))
    brand = posts[split_key][0]
    # two single posts of that brand on different platforms, which the matcher left apart: pin them
    singles = sorted(k for k, (g, m) in before.items() if m == "single" and posts[k][0] == brand)
    pin_a = singles[0]
    pin_b = next(k for k in singles if posts[k][1] != posts[pin_a][1])

    write_overrides(project, [
        {"content_key": split_key, "action": "split", "group_label": "", "note": "test: different cut"},
        {"content_key": pin_a, "action": "pin", "group_label": "test-pin", "note": "test"},
        {"content_key": pin_b, "action": "pin", "group_label": "test-pin", "note": ""},
    ])  # fmt: skip
    result = run_dbt_on_copy(project, db_copy, ["build", "--select", "crosspost_overrides", "int_crosspost_groups"])
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    after = read_groups(db_copy)

    assert after[split_key] == (split_key, "override")
    rest = sorted(set(by_group[big]) - {split_key})
    assert {after[k] for k in rest} == {(big, "auto")}
    pinned_group = min((pin_a, pin_b), key=lambda k: (posts[k][2], k))
    assert after[pin_a] == after[pin_b] == (pinned_group, "override")
    untouched = set(before) - {split_key, pin_a, pin_b, *rest}
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}


def test_override_pin_across_brands_fails_the_build(project_copy: tuple[Path, Path], warehouse: Path) -> None:
    project, db_copy = project_copy
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        first_two_brands = conn.execute(
            "SELECT min(content_key) FROM marts.dim_content WHERE brand IS NOT NULL "
            "GROUP BY brand ORDER BY brand LIMIT 2"
        ).fetchall()
    write_overrides(project, [
        {"content_key": key, "action": "pin", "group_label": "two-brands", "note": ""} for (key,) in first_two_brands
    ])  # fmt: skip
    result = run_dbt_on_copy(project, db_copy, ["build", "--select", "crosspost_overrides", "int_crosspost_groups"])
    assert result.returncode != 0
    assert "FAIL 1 assert_crosspost_groups_one_brand_one_post_per_platform" in result.stdout, result.stdout[-4000:]
