"""Configuration guards: lookback windows and accounts with paid blocks."""

import pytest

from dagster_project.defs.resources import PlatformsResource
from dagster_project.settings import ConfigError, parse_accounts


def test_default_lookbacks_cover_restatement_windows():
    PlatformsResource().validate_lookbacks()


@pytest.mark.parametrize("field, value, fragment", [
    ("meta_ads_lookback_days", 27, "Meta's 28-day restatement window"),
    ("tiktok_ads_lookback_days", 3, "tiktok_ads_lookback_days=3"),
    ("daily_lookback_days", 61, "60 days"),
])
def test_lookback_shorter_than_restatement_window_is_rejected(field, value, fragment):
    with pytest.raises(ConfigError, match=fragment):
        PlatformsResource(**{field: value}).validate_lookbacks()


def test_paid_blocks_become_their_own_accounts():
    cfg = parse_accounts({"brands": {"acme": {
        "tiktok": {"business_id": "-000abc", "advertiser_id": "7000000000000001"},
        "meta_ads": {"ad_account_id": "act_123", "token_env": "META_ADS_TOKEN_ACME"},
    }}}, "accounts.yml")
    by_platform = {a.platform: a for a in cfg.accounts}
    assert by_platform["tiktok"].account_id == "-000abc"
    assert by_platform["tiktok_ads"].account_id == "7000000000000001"
    assert by_platform["tiktok_ads"].family == "tiktok"
    assert by_platform["meta_ads"].token_env == "META_ADS_TOKEN_ACME"


def test_tiktok_block_with_only_an_advertiser_is_valid():
    cfg = parse_accounts({"brands": {"acme": {"tiktok": {"advertiser_id": "7000000000000001"}}}}, "x")
    assert [a.platform for a in cfg.accounts] == ["tiktok_ads"]


def test_missing_token_names_the_variable_not_a_value(monkeypatch):
    monkeypatch.delenv("YOUTUBE_TOKEN_ACME", raising=False)
    cfg = parse_accounts({"brands": {"acme": {"youtube": {"channel_id": "UC1", "token_env": "YOUTUBE_TOKEN_ACME"}}}}, "x")
    with pytest.raises(ConfigError, match="YOUTUBE_TOKEN_ACME is not set"):
        cfg.accounts[0].token()
