"""Raw landing is idempotent: the same pull twice leaves the same rows; newer payloads win."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from connectors.records import DailyRecord, LifetimeRecord
from dagster_project.defs.ingest.landing import (
    RAW_TABLES,
    Lander,
    ensure_raw_schema,
    land_accounts,
    land_daily,
    land_lifetime,
)
from dagster_project.settings import ConfigError, parse_accounts

D = date(2026, 11, 1)


@pytest.fixture()
def conn(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_schema(c)
    yield c
    c.close()


def dump(conn, table):
    return conn.execute(f"SELECT * FROM raw.{table} ORDER BY ALL").fetchall()


def videos(views):
    return [LifetimeRecord("tiktok", "biz1", f"v{i}", {"item_id": f"v{i}", "video_views": str(views + i)})
            for i in range(3)]


def test_same_snapshot_twice_leaves_identical_rows(conn):
    first = land_lifetime(conn, "tiktok_videos", videos(100), D, pulled_at=datetime(2026, 11, 2, 6))
    before = dump(conn, "tiktok_videos")
    second = land_lifetime(conn, "tiktok_videos", videos(100), D, pulled_at=datetime(2026, 11, 2, 7))
    assert dump(conn, "tiktok_videos") == before
    assert (first.written, second.written, second.total_rows) == (3, 0, 3)


def test_newer_pull_of_same_day_wins_and_other_days_are_kept(conn):
    land_lifetime(conn, "tiktok_videos", videos(100), D)
    land_lifetime(conn, "tiktok_videos", videos(100), date(2026, 11, 2))
    result = land_lifetime(conn, "tiktok_videos", videos(150), D)
    assert result.written == 3
    rows = conn.execute(
        "SELECT snapshot_date, json_extract_string(payload, '$.video_views') FROM raw.tiktok_videos "
        "WHERE item_id = 'v0' ORDER BY 1").fetchall()
    assert rows == [(D, "150"), (date(2026, 11, 2), "100")]


def test_daily_restatement_upserts_by_metric_date(conn):
    recs = [DailyRecord("youtube", "UC1", "vid", date(2026, 10, d), {"day": f"2026-10-{d:02d}", "views": d})
            for d in (1, 2, 3)]
    land_daily(conn, "youtube_video_days", recs)
    restated = [DailyRecord("youtube", "UC1", "vid", date(2026, 10, 3), {"day": "2026-10-03", "views": 99})]
    land_daily(conn, "youtube_video_days", restated)
    rows = conn.execute("SELECT metric_date, json_extract(payload, '$.views')::INT FROM raw.youtube_video_days "
                        "ORDER BY 1").fetchall()
    assert [r[1] for r in rows] == [1, 2, 99]


def test_a_restated_row_is_updated_where_it_is_stored_and_new_days_are_appended(conn):
    """A restated window (changed, unchanged and new days in one pull): changed rows keep their
    place (rowid) and take the new payload and pulled_at, unchanged rows keep their pulled_at, new
    days are appended, and each key is stored once."""
    def pull(views_by_day, at):
        return land_daily(conn, "meta_ad_days", [
            DailyRecord("meta", "act_1", "ad1|facebook|feed", date(2026, 10, d), {"spend": v})
            for d, v in views_by_day.items()], pulled_at=at)

    pull({1: 10, 2: 20, 3: 30}, datetime(2026, 10, 4))
    before = dict(conn.execute("SELECT metric_date, rowid FROM raw.meta_ad_days").fetchall())
    result = pull({2: 20, 3: 31, 4: 40}, datetime(2026, 10, 5))
    assert (result.received, result.written, result.total_rows) == (3, 2, 4)
    rows = conn.execute("SELECT metric_date, rowid, pulled_at, json_extract(payload, '$.spend')::INT "
                        "FROM raw.meta_ad_days ORDER BY metric_date").fetchall()
    assert rows == [
        (date(2026, 10, 1), before[date(2026, 10, 1)], datetime(2026, 10, 4), 10),
        (date(2026, 10, 2), before[date(2026, 10, 2)], datetime(2026, 10, 4), 20),
        (date(2026, 10, 3), before[date(2026, 10, 3)], datetime(2026, 10, 5), 31),
        (date(2026, 10, 4), 3, datetime(2026, 10, 5), 40),
    ]


def test_a_landers_merges_leave_the_checkpoint_to_the_close(tmp_path):
    """DuckDB checkpoints at a commit that leaves more than 16 MiB of WAL, rewriting what changed:
    one asset's merges (more than that here) keep their WAL until the connection closes, so the
    asset checkpoints once."""
    path = tmp_path / "w.duckdb"
    conn = duckdb.connect(str(path))
    ensure_raw_schema(conn)
    lander = Lander(conn, "meta_ad_days", flush_rows=10_000)
    pad = "x" * 400
    for account in range(6):
        lander.daily(f"act_{account}", [
            DailyRecord("meta", f"act_{account}", f"ad{i}|facebook|feed", date(2026, 10, 1 + i % 28),
                        {"spend": i, "note": pad}) for i in range(10_000)])
    assert lander.finish().written == 60_000
    wal = tmp_path / "w.duckdb.wal"
    assert wal.exists() and wal.stat().st_size > 16 * 2**20
    conn.close()
    assert not wal.exists() or wal.stat().st_size == 0
    with duckdb.connect(str(path), read_only=True) as again:
        assert again.execute("SELECT count(*) FROM raw.meta_ad_days").fetchall()[0][0] == 60_000


def test_empty_pull_lands_nothing_and_does_not_raise(conn):
    result = land_lifetime(conn, "instagram_reels", [], D)
    assert (result.received, result.written, result.total_rows) == (0, 0, 0)
    assert land_daily(conn, "tiktok_account_days", []).total_rows == 0


def test_duplicate_items_within_one_pull_are_collapsed(conn):
    recs = videos(100) + [LifetimeRecord("tiktok", "biz1", "v0", {"item_id": "v0", "video_views": "999"})]
    land_lifetime(conn, "tiktok_videos", recs, D)
    assert conn.execute("SELECT count(*) FROM raw.tiktok_videos").fetchone()[0] == 3


def test_failed_landing_rolls_back_the_whole_pull(conn):
    land_lifetime(conn, "tiktok_videos", videos(100), D)
    before = dump(conn, "tiktok_videos")
    bad = videos(200) + [LifetimeRecord("tiktok", "biz1", None, {"item_id": None})]  # NOT NULL key violated
    with pytest.raises(duckdb.Error):
        land_lifetime(conn, "tiktok_videos", bad, D)
    assert dump(conn, "tiktok_videos") == before


def test_every_raw_table_has_its_natural_key(conn):
    for table in RAW_TABLES.values():
        cols = [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema='raw' AND table_name=?",
            [table.name]).fetchall()]
        assert set(table.key) | {"pulled_at", "payload"} == set(cols)


def test_accounts_table_is_replaced_not_appended(conn):
    cfg = parse_accounts({"brands": {"acme": {"timezone": "Europe/Berlin", "tiktok": {"business_id": "b1"},
                                              "youtube": {"channel_id": "UC1"}}}}, "test")
    land_accounts(conn, cfg.accounts)
    land_accounts(conn, cfg.accounts)
    assert conn.execute("SELECT brand, platform, surface, account_id FROM raw.accounts ORDER BY ALL").fetchall() == [
        ("acme", "tiktok", "tiktok", "b1"), ("acme", "youtube", "youtube_shorts", "UC1")]


@pytest.mark.parametrize("doc, fragment", [
    ({}, "brands"),
    ({"brands": {"Bad Name": {}}}, "brand name"),
    ({"brands": {"acme": {"timezone": "Mars/Base"}}}, "unknown timezone"),
    ({"brands": {"acme": {"tiktok": {}}}}, "business_id"),
    ({"brands": {"acme": {"youtube": {"channel_id": "UC1", "token_env": "bad-name"}}}}, "token_env"),
    ({"brands": {"a": {"facebook": {"page_id": "1"}}, "b": {"facebook": {"page_id": "1"}}}}, "both"),
    ({"brands": {"acme": {"tiktok": {"business_id": "../../etc"}}}}, "invalid characters"),
])
def test_bad_accounts_file_names_brand_and_field(doc, fragment):
    with pytest.raises(ConfigError, match=fragment):
        parse_accounts(doc, "accounts.yml")


def test_lander_lands_many_accounts_in_few_transactions_and_upserts_like_land_lifetime(conn):
    lander = Lander(conn, "tiktok_videos", flush_rows=5)  # 3 rows per account: a merge every account or two
    for account in ("a", "b", "c"):
        lander.lifetime(account, [LifetimeRecord("tiktok", account, f"v{i}", {"v": i}) for i in range(3)], D)
    result = lander.finish()
    assert (result.received, result.written, result.total_rows) == (9, 9, 9)
    again = Lander(conn, "tiktok_videos")
    again.lifetime("a", [LifetimeRecord("tiktok", "a", "v0", {"v": 100})], D)  # one changed row
    again.lifetime("b", [LifetimeRecord("tiktok", "b", "v0", {"v": 0})], D)  # unchanged
    assert (again.finish().written, again.failed) == (1, {})
    assert conn.execute("SELECT payload::VARCHAR FROM raw.tiktok_videos WHERE business_id = 'a' AND item_id = 'v0'"
                        ).fetchone() == ('{"v":100}',)


def test_lander_fails_only_the_account_whose_rows_the_database_refuses(conn):
    lander = Lander(conn, "tiktok_videos")
    lander.lifetime("good", [LifetimeRecord("tiktok", "good", "v1", {"v": 1})], D)
    lander.lifetime("bad", [LifetimeRecord("tiktok", "bad", None, {"v": 2})], D)  # NOT NULL key violated
    lander.lifetime("late", [LifetimeRecord("tiktok", "late", "v3", {"v": 3})], D)
    result = lander.finish()
    assert list(lander.failed) == ["bad"] and "raw.tiktok_videos" in lander.failed["bad"]
    assert (result.written, result.total_rows) == (2, 2)
    assert [r[0] for r in conn.execute("SELECT business_id FROM raw.tiktok_videos ORDER BY 1").fetchall()] == [
        "good", "late"]


def test_landing_reads_only_the_slice_of_its_dates(conn):
    """A pull's change detection and replacement touch only its accounts and dates: rows of other
    days and other accounts with the same object ids stay as they were."""
    land_lifetime(conn, "tiktok_videos", videos(1), date(2026, 10, 1), pulled_at=datetime(2026, 10, 2))
    other = [LifetimeRecord("tiktok", "biz2", f"v{i}", {"item_id": f"v{i}", "video_views": "7"}) for i in range(3)]
    land_lifetime(conn, "tiktok_videos", other, D, pulled_at=datetime(2026, 11, 2))
    land_lifetime(conn, "tiktok_videos", videos(5), D, pulled_at=datetime(2026, 11, 2, 9))
    assert conn.execute("SELECT business_id, snapshot_date, count(*), max(pulled_at) FROM raw.tiktok_videos "
                        "GROUP BY ALL ORDER BY ALL").fetchall() == [
        ("biz1", date(2026, 10, 1), 3, datetime(2026, 10, 2)),
        ("biz1", D, 3, datetime(2026, 11, 2, 9)),
        ("biz2", D, 3, datetime(2026, 11, 2))]


@pytest.mark.parametrize("key", ["commenter_name", "viewer_id", "follower_count_by_user", "user_id", "username",
                                 "email", "e_mail", "contact_phone", "handle", "ip_address", "first_name",
                                 "full_name", "birthday", "subscriber_list", "top_commenters", "User_Handle"])
def test_every_denied_key_carries_a_hint_word(key):
    from dagster_project.defs.ingest.landing import _payload_json
    from dagster_project.privacy import DENIED_COLUMN, may_have_personal_key

    assert DENIED_COLUMN.search(key.lower())
    assert may_have_personal_key(_payload_json({"nested": [{key: 1}]}))


def test_payloads_without_a_hint_word_are_not_walked():
    from dagster_project.defs.ingest.landing import _payload_json
    from dagster_project.privacy import may_have_personal_key

    assert not may_have_personal_key(_payload_json({"id": "m2", "caption": "no such words", "like_count": 3}))
    assert may_have_personal_key(_payload_json({"caption": "Ask the USER"}))  # a value: walked, nothing dropped


def test_lander_drops_personal_keys_at_any_depth_and_keeps_clean_payloads_as_they_are(conn):
    lander = Lander(conn, "instagram_reels")
    lander.lifetime("ig1", [
        LifetimeRecord("instagram", "ig1", "m1", {"id": "m1", "caption": "mail us", "comments": [
            {"id": "c1", "username": "someone", "text": "nice"}], "owner": {"id": "ig1", "user_email": "a@b.c"}}),
        LifetimeRecord("instagram", "ig1", "m2", {"id": "m2", "caption": "no such words", "like_count": 3}),
    ], D)
    lander.finish()
    assert lander.dropped == {"username", "user_email"}
    assert dict(conn.execute("SELECT media_id, payload::VARCHAR FROM raw.instagram_reels").fetchall()) == {
        "m1": '{"caption":"mail us","comments":[{"id":"c1","text":"nice"}],"id":"m1","owner":{"id":"ig1"}}',
        "m2": '{"caption":"no such words","id":"m2","like_count":3}'}


def test_a_pull_without_a_hint_word_is_searched_once_and_never_walked(conn, monkeypatch):
    from dagster_project.defs.ingest import landing

    searched = []
    monkeypatch.setattr(landing, "may_have_personal_key", lambda text: searched.append(text) or False)
    monkeypatch.setattr(landing, "has_personal_key", lambda p: pytest.fail("a clean payload was walked"))
    lander = Lander(conn, "instagram_reels")
    lander.lifetime("ig1", [LifetimeRecord("instagram", "ig1", f"m{i}", {"id": f"m{i}", "like_count": i})
                            for i in range(3)], D)
    lander.finish()
    assert len(searched) == 1 and searched[0].count("like_count") == 3
    assert conn.execute("SELECT count(*) FROM raw.instagram_reels").fetchone() == (3,)


def test_a_raw_table_with_the_old_primary_key_is_rebuilt_without_it_and_keeps_its_rows(tmp_path):
    c = duckdb.connect(str(tmp_path / "old.duckdb"))
    c.execute("CREATE SCHEMA raw")
    c.execute("CREATE TABLE raw.tiktok_videos (business_id VARCHAR NOT NULL, item_id VARCHAR NOT NULL, "
              "snapshot_date DATE NOT NULL, pulled_at TIMESTAMP NOT NULL, payload JSON NOT NULL, "
              "PRIMARY KEY (business_id, item_id, snapshot_date))")
    c.execute("INSERT INTO raw.tiktok_videos VALUES ('biz1', 'v0', DATE '2026-11-02', TIMESTAMP '2026-11-03', '{}'), "
              "('biz1', 'v0', DATE '2026-11-01', TIMESTAMP '2026-11-02', '{\"a\":1}')")
    before = dump(c, "tiktok_videos")
    ensure_raw_schema(c)
    assert c.execute("SELECT count(*) FROM duckdb_constraints() WHERE schema_name = 'raw' "
                     "AND table_name = 'tiktok_videos' AND constraint_type = 'PRIMARY KEY'").fetchone() == (0,)
    assert dump(c, "tiktok_videos") == before
    land_lifetime(c, "tiktok_videos", videos(100), D)  # upserts as before
    land_lifetime(c, "tiktok_videos", videos(100), D)
    assert c.execute("SELECT count(*) FROM raw.tiktok_videos").fetchone() == (4,)
    c.close()


@pytest.mark.parametrize("payload", [
    {"b": 1, "a": [1.5, 0.1, 1e16, 1e-05, 3e-07, -0.0, 123456789.123]},
    {"n": None, "big": 10**30, "neg": -(2**63)},
    {"nan": float("nan"), "inf": float("inf")},
    {1: "int key", 2: {"é": "ü\u2028\x7f", "emoji": "😀"}},
    {"nested": [{"y": True, "x": False}, [], {}], "rate": 0.00012, "tiny": 2.5e-300},
    {"spend": "10.0000", "cpm": 10.00001, "ctr": [0.00001], "neg": -0.00002, "date-e-": "1e-3"},
    ["a", 1, None],
])
def test_payload_json_is_the_standard_librarys_text(payload):
    """orjson writes the landed text only where it is the standard library's, byte for byte."""
    import json

    from dagster_project.defs.ingest.landing import _payload_json

    assert _payload_json(payload) == json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("payload", [
    {"a": 1e16, "b": -2.5e20, "c": 1.5e300, "d": 0.0001, "e": 0.00012, "f": 5e-3},
    {"é": "ü\u2028\x7f😀\"\\", "b": [1.5, -0.0, 2**63, 2**64 - 1, -(2**63)], "spend": "10.0000", "date-e-": "x"},
    {"z": {"y": [{"x": True}, [], {}]}, "a": 123456789.123, "big": 1.7976931348623157e308},
    {"ctr": "0.000000", "cpm": "0.00001", "note": "x 0.00001", "spend": "10.0000"},  # strings, not numbers
])
def test_payload_json_takes_orjsons_path_where_it_is_the_same_text(payload, monkeypatch):
    import json

    from dagster_project.defs.ingest import landing

    expected = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert landing._ORJSON_SAME  # the pinned orjson writes the probe like the standard library
    monkeypatch.setattr(landing, "_stdlib_json", lambda p: pytest.fail("fell back to the standard library"))
    assert landing._payload_json(payload) == expected
