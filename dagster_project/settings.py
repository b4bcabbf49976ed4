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
# The refresh's `dbt build` leaves out dbt's unit tests: they run the models' SQL on fixed fixture
# rows, so they check the code, which does not change between refreshes, not the day's data. dbt
# recommends them for development and CI; `make test` runs them (tests/dbt build the project
# whole). ~30 unit tests, 7-8 s of every refresh at one agency year.
DBT_REFRESH_EXCLUDE = ("--exclude-resource-type", "unit_test")

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


# --------------------------------------------------------------------------- configuration paths
#
# The files named by configuration (accounts file, warehouse, published marts) must live under the
# project, or under a directory the operator allows explicitly with SHORTFORM_ALLOWED_DIRS (absolute
# directories separated by os.pathsep; the test suite allows the system temp dir this way). A path
# is refused, with an error naming the setting, when it contains '..', has the wrong suffix, or
# resolves (symlinks followed) outside every allowed base. Relative paths are project-relative.

ALLOWED_DIRS_ENV = "SHORTFORM_ALLOWED_DIRS"
DB_SUFFIXES = (".duckdb",)
ACCOUNTS_SUFFIXES = (".yml", ".yaml")


def allowed_bases() -> list[Path]:
    """The project root, then every directory of SHORTFORM_ALLOWED_DIRS (resolved)."""
    bases = [PROJECT_ROOT.resolve()]
    for part in (os.environ.get(ALLOWED_DIRS_ENV) or "").split(os.pathsep):
        part = part.strip()
        if not part:
            continue
        base = Path(part).expanduser()
        if not base.is_absolute() or ".." in base.parts:
            raise ConfigError(f"{ALLOWED_DIRS_ENV}: {part!r} must be an absolute directory without '..'")
        resolved = base.resolve()
        if resolved == Path(resolved.anchor):
            raise ConfigError(f"{ALLOWED_DIRS_ENV}: the file-system root cannot be an allowed directory")
        bases.append(resolved)
    return bases


def checked_path(setting: str, value: str | os.PathLike[str], suffixes: tuple[str, ...]) -> Path:
    """`value` of configuration `setting` as an absolute path inside an allowed base, or ConfigError."""
    text = os.fspath(value)
    if not text.strip() or "\x00" in text:
        raise ConfigError(f"{setting}: {text!r} is not a usable path")
    raw = Path(text).expanduser()
    if ".." in raw.parts:
        raise ConfigError(f"{setting}={text!r}: '..' is not allowed in a configured path")
    if raw.suffix.lower() not in suffixes:
        raise ConfigError(f"{setting}={text!r}: expected a {' or '.join(suffixes)} file")
    resolved = (raw if raw.is_absolute() else PROJECT_ROOT / raw).resolve()  # follows symlinks
    bases = allowed_bases()
    if not any(resolved.is_relative_to(base) for base in bases):
        raise ConfigError(
            f"{setting}={text!r} resolves to {resolved}, outside the project ({bases[0]})"
            + (f" and {ALLOWED_DIRS_ENV}" if len(bases) > 1 else "")
            + f"; move the file under the project or add its directory to {ALLOWED_DIRS_ENV}")
    if resolved.suffix.lower() not in suffixes:
        raise ConfigError(f"{setting}={text!r} is a link to {resolved.name}, not a {' or '.join(suffixes)} file")
    return resolved


def warehouse_db_path() -> Path:
    return checked_path("SHORTFORM_DB", os.environ.get("SHORTFORM_DB") or DEFAULT_DB, DB_SUFFIXES)


def published_db_path() -> Path:
    return checked_path("SHORTFORM_PUBLISHED_DB", os.environ.get("SHORTFORM_PUBLISHED_DB") or DEFAULT_PUBLISHED_DB,
                        DB_SUFFIXES)


RATE_LIMITS_ENV = "SHORTFORM_RATE_LIMITS"


def rate_limits() -> dict[str, tuple[int, float] | None]:
    """Client-side pacing per API family from SHORTFORM_RATE_LIMITS, e.g. "tiktok=600/60,meta=200/3600,
    youtube=off": N requests per sliding window of S seconds, or "off". Families not named keep the
    connectors' defaults (connectors.http.DEFAULT_PACING)."""
    raw = os.environ.get(RATE_LIMITS_ENV, "").strip()
    out: dict[str, tuple[int, float] | None] = {}
    for item in filter(None, (part.strip() for part in raw.split(","))):
        family, sep, spec = item.partition("=")
        family, spec = family.strip(), spec.strip().lower()
        if not sep or family not in PLATFORM_FAMILIES:
            raise ConfigError(f"{RATE_LIMITS_ENV}: {item!r}: expected <{'|'.join(PLATFORM_FAMILIES)}>=<N>/<seconds> or =off")
        if spec == "off":
            out[family] = None
            continue
        match = re.fullmatch(r"(\d+)\s*/\s*(\d+(?:\.\d+)?)", spec)
        if not match or int(match.group(1)) < 1 or float(match.group(2)) <= 0:
            raise ConfigError(f"{RATE_LIMITS_ENV}: {family} limit {spec!r} is not <N>/<seconds> with N >= 1, seconds > 0")
        out[family] = (int(match.group(1)), float(match.group(2)))
    return out


META_INSIGHTS_ENV = "SHORTFORM_META_INSIGHTS"
YOUTUBE_REPORTS_ENV = "SHORTFORM_YOUTUBE_REPORTS"
META_INSIGHTS_MODES = ("batch", "per_object")
YOUTUBE_REPORTS_MODES = ("by_day", "per_video")


def _mode(env: str, modes: tuple[str, ...]) -> str:
    raw = (os.environ.get(env) or modes[0]).strip().lower()
    if raw not in modes:
        raise ConfigError(f"{env}={raw!r}: expected one of {', '.join(modes)}")
    return raw


INGEST_WORKERS_ENV = "SHORTFORM_INGEST_WORKERS"
DEFAULT_INGEST_WORKERS = 4


def ingest_workers() -> int:
    """SHORTFORM_INGEST_WORKERS: how many accounts of one asset are pulled at once (default 4; 1 =
    one after another). Requests still go through each API family's shared pacer, and the rows
    are landed in account order by one writer."""
    raw = (os.environ.get(INGEST_WORKERS_ENV) or str(DEFAULT_INGEST_WORKERS)).strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 32:
        raise ConfigError(f"{INGEST_WORKERS_ENV}={raw!r}: expected a whole number from 1 to 32")
    return int(raw)


DUCKDB_MEMORY_LIMIT_ENV = "SHORTFORM_DUCKDB_MEMORY_LIMIT"
_MEMORY_LIMIT = re.compile(r"(\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)|([1-9]\d?|100)%)", re.IGNORECASE)


def duckdb_memory_limit() -> str | None:
    """SHORTFORM_DUCKDB_MEMORY_LIMIT: DuckDB's memory_limit for every warehouse connection of the
    pipeline and for dbt (e.g. `2GB`, `50%`). Unset: DuckDB's own default, 80 % of the machine's
    RAM, which DuckDB fills with cached blocks when it can (a one-year `agency` refresh reached
    5.6-9.3 GB resident). Beyond the limit DuckDB evicts cached blocks and spills to its temp
    directory instead of growing."""
    raw = (os.environ.get(DUCKDB_MEMORY_LIMIT_ENV) or "").strip()
    if not raw:
        return None
    if not _MEMORY_LIMIT.fullmatch(raw):
        raise ConfigError(f"{DUCKDB_MEMORY_LIMIT_ENV}={raw!r}: expected a size such as 512MB or 2GB, or a share of RAM such as 50%")
    return raw


def meta_insights_mode() -> str:
    """SHORTFORM_META_INSIGHTS: `batch` (default; Graph batch requests and field expansion, many
    objects' insights per HTTP call) or `per_object` (one insights call per Reel)."""
    return _mode(META_INSIGHTS_ENV, META_INSIGHTS_MODES)


def youtube_reports_mode() -> str:
    """SHORTFORM_YOUTUBE_REPORTS: `by_day` (default; one Analytics report per day for up to 200
    videos) or `per_video` (one report per video over the window)."""
    return _mode(YOUTUBE_REPORTS_ENV, YOUTUBE_REPORTS_MODES)


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
    setting = "accounts file" if path else "SHORTFORM_ACCOUNTS"
    file = checked_path(setting, chosen, ACCOUNTS_SUFFIXES)
    if file.exists():
        try:
            # the C loader when PyYAML has it (same safe subset, ~10x faster on a 200-account file)
            data = yaml.load(file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            raise ConfigError(f"{file}: not valid YAML ({exc.__class__.__name__})") from None
        return parse_accounts(data, str(file))
    if path or os.environ.get("SHORTFORM_ACCOUNTS"):
        raise ConfigError(f"accounts file {file} does not exist")
    from connectors.sandbox import World, WorldSettings

    return parse_accounts(World(WorldSettings()).accounts_config(), "sandbox world (no accounts.yml)")
