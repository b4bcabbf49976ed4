"""E3: no personal data of end users in anything that gets published (ARCHITECTURE rule 5).

Two blocking checks on every mart (everything in the warehouse's ``marts`` schema is published):

``no_pii_in_text``
    Every text (VARCHAR) column except identifiers (names ending in ``_id`` / ``_key``, which
    hold platform ids such as 19-digit TikTok item ids) is scanned for e-mail addresses and phone
    numbers (captions, ad names, notes, ...). The scan runs in DuckDB over the distinct values of
    each column. The metadata names the table, column, kind and number of distinct offending values,
    never the values themselves (they would leak into Dagster's event log).

``columns_allow_listed``
    The mart's columns must be the columns its dbt YAML declares (the contract: an allow-list),
    and none may look like end-user data (``commenter_*``, ``viewer_*``, ``user_id``, ``*_email``,
    ``*_phone``, ...), even if someone declared it.

Phone pattern, chosen so that ids, dates, ISO weeks and counts do not match: either an
international number (``+`` then 8+ digits in groups separated by spaces, dots, dashes or
brackets) or a North American-style ``(555) 123-4567`` / ``555-123-4567`` / ``555.123.4567``:
digit groups must be separated, so a bare run of digits (an id) never matches.
"""


import re
from collections.abc import Iterable
from dataclasses import dataclass

import dagster as dg
import duckdb
import pandas as pd

from dagster_project.defs.resources import WarehouseResource, open_duckdb
from dagster_project.privacy import DENIED_COLUMN  # one pattern for the marts' check and ingestion's minimization

PII_CHECK = "no_pii_in_text"
COLUMNS_CHECK = "columns_allow_listed"

# RE2 syntax (DuckDB regexp_matches); the same strings work with Python's re.
EMAIL_RE = r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
PHONE_RE = (
    r"(^|[^0-9A-Za-z])("
    r"\+[0-9]{1,3}([ .\-]?\(?[0-9]{1,4}\)?){2,5}[ .\-]?[0-9]{2,4}"  # +49 30 1234 5678, +1 (555) 123-4567
    r"|\(?[0-9]{3}\)?[ .\-][0-9]{3}[ .\-][0-9]{4}"                  # (555) 123-4567, 555-123-4567
    r")($|[^0-9])"
)
PATTERNS = {"email": EMAIL_RE, "phone": PHONE_RE}
IDENTIFIER_COLUMN = re.compile(r"(^|_)(id|key)$")


@dataclass(frozen=True)
class Finding:
    table: str
    column: str
    kind: str  # email | phone | denied_column | undeclared_column
    count: int = 0

    def describe(self) -> str:
        if self.kind == "email":
            return f"{self.table}.{self.column}: {self.count} distinct value(s) with an e-mail address"
        if self.kind == "phone":
            return f"{self.table}.{self.column}: {self.count} distinct value(s) with a phone number"
        if self.kind == "denied_column":
            return f"{self.table}.{self.column}: column name looks like end-user data"
        return f"{self.table}.{self.column}: column not declared in the mart's dbt YAML (allow-list)"


def text_columns(columns: dict[str, str]) -> list[str]:
    """The VARCHAR columns worth scanning ({name: duckdb type})."""
    return [c for c, t in columns.items()
            if str(t).upper().startswith(("VARCHAR", "TEXT", "STRING")) and not IDENTIFIER_COLUMN.search(c)]


def scan_text(conn: duckdb.DuckDBPyConnection, relation: str, table: str, columns: Iterable[str]) -> list[Finding]:
    """Distinct values of each column of relation that contain an e-mail address or a phone number."""
    findings = []
    for column in columns:
        q = '"' + column.replace('"', '""') + '"'
        counts = conn.execute(
            f"SELECT count(*) FILTER (WHERE regexp_matches(v, ?)), count(*) FILTER (WHERE regexp_matches(v, ?)) "
            f"FROM (SELECT DISTINCT CAST({q} AS VARCHAR) AS v FROM {relation} WHERE {q} IS NOT NULL)",
            [EMAIL_RE, PHONE_RE]).fetchone()
        for kind, n in zip(PATTERNS, counts, strict=True):
            if n:
                findings.append(Finding(table, column, kind, int(n)))
    return findings


def column_findings(table: str, columns: Iterable[str], allowed: set[str] | None) -> list[Finding]:
    out = []
    for c in columns:
        if DENIED_COLUMN.search(c.lower()):
            out.append(Finding(table, c, "denied_column"))
        elif allowed is not None and c not in allowed:
            out.append(Finding(table, c, "undeclared_column"))
    return out


def frame_findings(df: pd.DataFrame, table: str = "frame", allowed: set[str] | None = None) -> tuple[list[Finding], list[Finding]]:
    """(text findings, column findings) of a DataFrame, through the same DuckDB scan as the marts."""
    conn = duckdb.connect()
    try:
        conn.register("_frame", df)
        types = {r[0]: r[1] for r in conn.execute("DESCRIBE _frame").fetchall()}
        return scan_text(conn, "_frame", table, text_columns(types)), column_findings(table, list(df.columns), allowed)
    finally:
        conn.close()


def declared_columns() -> dict[str, set[str]]:
    """{mart: columns its dbt YAML declares} from the dbt manifest."""
    import json

    from dagster_project.defs.transform.dbt import dbt_project

    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    return {n["name"]: set(n.get("columns") or {}) for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["fqn"][1:2] == ["marts"]}


def _result(table: str, check: str, findings: list[Finding], meta: dict) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["marts", table]), check_name=check, passed=not findings,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if not findings else "; ".join(f.describe() for f in findings[:10]),
        metadata={**meta, "findings": dg.MetadataValue.json([f.describe() for f in findings])},
    )


def pii_results(conn: duckdb.DuckDBPyConnection, tables: list[str], declared: dict[str, set[str]],
                checks: Iterable[str] = (PII_CHECK, COLUMNS_CHECK)) -> list[dg.AssetCheckResult]:
    checks = set(checks)
    types: dict[str, dict[str, str]] = {}
    for t, c, ty in conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_catalog = current_database() ORDER BY ordinal_position").fetchall():
        types.setdefault(t, {})[c] = ty
    out = []
    for table in tables:
        cols = types.get(table, {})
        if PII_CHECK in checks:
            scanned = text_columns(cols)
            findings = scan_text(conn, f'marts."{table}"', table, scanned) if cols else []
            out.append(_result(table, PII_CHECK, findings, {"scanned_columns": dg.MetadataValue.json(scanned)}))
        if COLUMNS_CHECK in checks:
            allowed = declared.get(table) or None
            out.append(_result(table, COLUMNS_CHECK, column_findings(table, list(cols), allowed),
                               {"columns": len(cols), "allow_list": "dbt YAML" if allowed else "none declared"}))
    return out


def _specs() -> list[dg.AssetCheckSpec]:
    from dagster_project.defs.publish import mart_model_keys

    specs = []
    for key in mart_model_keys():
        specs.append(dg.AssetCheckSpec(PII_CHECK, asset=key, blocking=True,
                                       description="E3: no e-mail address or phone number in any text column. "
                                       "Blocks publish."))
        specs.append(dg.AssetCheckSpec(COLUMNS_CHECK, asset=key, blocking=True,
                                       description="E3: only the columns the dbt YAML declares, none named like "
                                       "end-user data (commenter_*, viewer_*, user_id, email, phone). Blocks publish."))
    return specs


@dg.multi_asset_check(name="marts_no_personal_data", specs=_specs(), can_subset=True)
def marts_no_personal_data(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    selected = context.selected_asset_check_keys
    tables = sorted({k.asset_key.path[-1] for k in selected})
    conn = open_duckdb(warehouse.path(), read_only=True)
    try:
        results = pii_results(conn, tables, declared_columns())
    finally:
        conn.close()
    wanted = {(k.asset_key, k.name) for k in selected}
    for r in results:
        if (r.asset_key, r.check_name) in wanted:
            yield r
