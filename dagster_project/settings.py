"""Paths, environment variable names and the accounts file: the one place configuration is read.

Nothing here runs at import time; every value is read when a function is called.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt"

DEFAULT_DB = "data/warehouse.duckdb"
DEFAULT_PUBLISHED_DB = "data/published/marts.duckdb"
DEFAULT_ACCOUNTS_FILE = "accounts.yml"

BASE_URL_ENV = {
    "tiktok": ("SHORTFORM_TIKTOK_BASE_URL", "https://business-api.tiktok.com"),
    "meta": ("SHORTFORM_META_BASE_URL", "https://graph.facebook.com"),
    "youtube_data": ("SHORTFORM_YOUTUBE_DATA_BASE_URL", "https://www.googleapis.com"),
    "youtube_analytics": (
        "SHORTFORM_YOUTUBE_ANALYTICS_BASE_URL",
        "https://youtubeanalytics.googleapis.com",
    ),
}
TOKEN_ENV = {
    "tiktok": "TIKTOK_ACCESS_TOKEN",
    "meta": "META_ACCESS_TOKEN",
    "youtube": "YOUTUBE_ACCESS_TOKEN",
}

# (block in accounts.yml, id field) -> api family (client and token), platform, surface
ACCOUNT_KINDS = (
    ("tiktok", "business_id", "tiktok", "tiktok", "tiktok"),
    ("tiktok", "advertiser_id", "tiktok", "tiktok_ads", "tiktok"),
    ("instagram", "ig_user_id", "meta", "instagram", "instagram_reels"),
    ("facebook", "page_id", "meta", "facebook", "facebook_reels"),
    ("meta_ads", "ad_account_id", "meta", "meta_ads", "meta_ads"),
    ("youtube", "channel_id", "youtube", "youtube", "youtube_shorts"),
)
ACCOUNT_BLOCKS = sorted({k[0] for k in ACCOUNT_KINDS})
PLATFORM_FAMILIES = ("tiktok", "meta", "youtube")

_BRAND_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")
_ENV_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")


class ConfigError(ValueError):
    """A configuration problem; the message names the file, brand and field."""


def resolve_path(value: str | os.PathLike[str]) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path).resolve()


def warehouse_db_path() -> Path:
    return resolve_path(os.environ.get("SHORTFORM_DB") or DEFAULT_DB)


def published_db_path() -> Path:
    return resolve_path(os.environ.get("SHORTFORM_PUBLISHED_DB") or DEFAULT_PUBLISHED_DB)


def run_failures_path() -> Path:
    return warehouse_db_path().parent / "run_failures.jsonl"


def redact_secrets(text: str) -> str:
    """Remove the value of every token variable in use (defaults and accounts' token_env)."""
    from connectors.http import Redactor

    names = set(TOKEN_ENV.values())
    try:
        names |= {a.token_env for a in load_accounts().accounts}
    except (ConfigError, OSError):
        pass
    return Redactor(os.environ.get(name) for name in names)(text)


def base_url(api: str) -> str:
    env_name, default = BASE_URL_ENV[api]
    return (os.environ.get(env_name) or default).rstrip("/")


@dataclass(frozen=True)
class Account:
    brand: str
    brand_timezone: str
    family: str  # tiktok | meta | youtube: which client and token
    platform: str  # tiktok | instagram | facebook | youtube
    surface: str
    account_id: str
    token_env: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def describe(self) -> str:
        return f"{self.platform} account {self.account_id} (brand {self.brand})"

    def token(self) -> str:
        value = os.environ.get(self.token_env, "")
        if not value:
            raise ConfigError(
                f"{self.describe()}: environment variable {self.token_env} is not set "
                f"(it must hold the access token)"
            )
        return value


@dataclass(frozen=True)
class AccountsConfig:
    source: str
    accounts: tuple[Account, ...]

    def for_family(self, family: str) -> list[Account]:
        return [a for a in self.accounts if a.family == family]

    def for_platform(self, platform: str) -> list[Account]:
        return [a for a in self.accounts if a.platform == platform]

    def brands(self) -> list[str]:
        return sorted({a.brand for a in self.accounts})


def parse_accounts(data: Any, source: str) -> AccountsConfig:
    """Validate an accounts document (the accounts.yml shape) into typed accounts."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(data, dict) or not isinstance(data.get("brands"), dict) or not data["brands"]:
        raise ConfigError(f"{source}: expected a top-level 'brands:' mapping with at least one brand")
    accounts: list[Account] = []
    seen: dict[tuple[str, str], str] = {}
    for brand, block in data["brands"].items():
        if not isinstance(brand, str) or not _BRAND_RE.match(brand):
            raise ConfigError(f"{source}: brand name {brand!r} must be lower-case letters, digits, '-' or '_'")
        if not isinstance(block, dict):
            raise ConfigError(f"{source}: brand {brand}: expected a mapping of platform blocks")
        tz = block.get("timezone", "UTC")
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"{source}: brand {brand}: unknown timezone {tz!r}") from None
        unknown = set(block) - set(ACCOUNT_BLOCKS) - {"timezone"}
        if unknown:
            raise ConfigError(f"{source}: brand {brand}: unknown keys {sorted(unknown)}")
        for key in ACCOUNT_BLOCKS:
            pblock = block.get(key)
            if pblock is None:
                continue
            id_fields = [k[1] for k in ACCOUNT_KINDS if k[0] == key]
            if not isinstance(pblock, dict) or not any(str(pblock.get(f) or "").strip() for f in id_fields):
                raise ConfigError(f"{source}: brand {brand}: {key} block needs a non-empty '{' or '.join(id_fields)}'")
        for key, id_field, family, platform, surface in ACCOUNT_KINDS:
            pblock = block.get(key)
            if not isinstance(pblock, dict) or not str(pblock.get(id_field) or "").strip():
                continue
            account_id = str(pblock[id_field]).strip()
            if not re.fullmatch(r"[A-Za-z0-9_\-]{1,128}", account_id):
                raise ConfigError(f"{source}: brand {brand}: {key}.{id_field} {account_id!r} has invalid characters")
            token_env = str(pblock.get("token_env") or TOKEN_ENV[family])
            if not _ENV_NAME_RE.match(token_env):
                raise ConfigError(f"{source}: brand {brand}: {key}.token_env {token_env!r} is not a valid variable name")
            if (platform, account_id) in seen:
                raise ConfigError(
                    f"{source}: {platform} account {account_id} is listed for both "
                    f"{seen[(platform, account_id)]} and {brand}"
                )
            seen[(platform, account_id)] = brand
            accounts.append(
                Account(brand, str(tz), family, platform, surface, account_id, token_env, dict(pblock))
            )
    return AccountsConfig(source=source, accounts=tuple(accounts))


def load_accounts(path: str | os.PathLike[str] | None = None) -> AccountsConfig:
    """Read the accounts file; with none given or present, the sandbox world's accounts."""
    chosen = path or os.environ.get("SHORTFORM_ACCOUNTS") or DEFAULT_ACCOUNTS_FILE
    file = resolve_path(chosen)
    if file.exists():
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{file}: not valid YAML ({exc.__class__.__name__})") from None
        return parse_accounts(data, str(file))
    if path or os.environ.get("SHORTFORM_ACCOUNTS"):
        raise ConfigError(f"accounts file {file} does not exist")
    from connectors.sandbox import World, WorldSettings

    return parse_accounts(World(WorldSettings()).accounts_config(), "sandbox world (no accounts.yml)")
