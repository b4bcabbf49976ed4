"""Fair comparisons (issue 4, item 8): blocking checks that the comparison marts compare like with like.

``views_basis_single_or_flagged`` (every mart with a views basis column)
    Every ``*views_basis`` value is exactly one definition key of ``dbt/seeds/metric_definitions.csv``
    whose metric is a views metric: a row never mixes two bases in one column (a joined or
    unknown value fails). Where a mart sets ``views_bases_differ``, the flag is recomputed from the
    seed's ``view_event`` of the compared bases and must agree: ``rpt_tiktok_vs_meta`` compares
    ``tiktok_views_basis`` with ``other_views_basis`` in the row; ``rpt_crosspost_comparison``
    compares the member rows of one ``crosspost_group_id``. ``rpt_platform_comparison_weekly`` is
    recomputed from ``fct_content_daily``: when the daily rows of one brand x surface x week carry
    two bases, the weekly row must leave views and views_basis null (else it adds plays to views).

``date_coverage_matches`` (rpt_platform_comparison_weekly, rpt_tiktok_vs_meta)
    Weekly: ``coverage_matches_brand`` must equal an independent recomputation from
    ``fct_content_daily``: the surface covers as many days of the week (distinct reporting days
    with rows) as the brand's best-covered surface that week. TikTok vs Meta: each row's compared
    window (``window_start`` .. ``window_end``) must be the intersection of the period with both
    sides' coverage (first and last publish date of a post with a complete day-7 value on that
    surface for the brand, recomputed from ``rpt_content_benchmarks``), and each side's posts must
    lie inside it.

``no_reach_summed`` (every mart)
    Reach counts unique people: it is never additive across days or posts. The compiled SQL of the
    mart and of every model upstream of it (from the newest dbt manifest that has compiled code,
    else the raw code) must not aggregate a reach column with sum/avg (SQL) or ``.sum()``/``.mean()``
    (Python models), and the mart may not have a reach-like column other than the allowed
    non-additive levels (``ALLOWED_REACH_COLUMNS``).

The fourth fairness gate, daily deltas reconcile with the latest lifetime total, is the dbt test
``assert_daily_values_reconcile_with_lifetime_totals`` (severity error, so dagster-dbt makes it a
blocking check on ``marts/fct_content_daily``; tests/quality/test_fairness_checks.py asserts it).
"""

import csv
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project import settings
from dagster_project.defs.resources import WarehouseResource, open_duckdb

BASIS_CHECK = "views_basis_single_or_flagged"
COVERAGE_CHECK = "date_coverage_matches"
REACH_CHECK = "no_reach_summed"

WEEKLY = "rpt_platform_comparison_weekly"
TIKTOK_VS_META = "rpt_tiktok_vs_meta"
CROSSPOST = "rpt_crosspost_comparison"
BENCHMARKS = "rpt_content_benchmarks"
COVERAGE_MARTS = (WEEKLY, TIKTOK_VS_META)

METRIC_DEFINITIONS_CSV = settings.DBT_PROJECT_DIR / "seeds" / "metric_definitions.csv"
# Levels of reach that are published as they come (never summed): an ad's reach on one day and
# placement, and a post's lifetime reach as of a day.
ALLOWED_REACH_COLUMNS = frozenset({"reach", "reach_cumulative"})
REACH_NAME = re.compile(r"reach", re.IGNORECASE)
SQL_AGGREGATE = re.compile(r"\b(sum|avg|mean|average|sum0)\s*\(", re.IGNORECASE)
REACH_IDENTIFIER = re.compile(r"\b\w*reach\w*\b", re.IGNORECASE)
PANDAS_REACH_AGG = re.compile(
    r"""\[\s*['"]\w*reach\w*['"]\s*\]\s*\.\s*(sum|mean|cumsum)\s*\(|\.\s*\w*reach\w*\s*\.\s*(sum|mean|cumsum)\s*\(""",
    re.IGNORECASE)
BASIS_COLUMN = re.compile(r"(^|_)views_basis($|_)")
SINGLE_KEY = re.compile(r"[a-z0-9_]+(\.[A-Za-z0-9_]+)+")
SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/|\{#.*?#\}", re.DOTALL)
SQL_STRING = re.compile(r"'(?:[^']|'')*'")
PY_COMMENT = re.compile(r"#[^\n]*")


@dataclass(frozen=True)
class Finding:
    table: str
    detail: str

    def describe(self) -> str:
        return f"{self.table}: {self.detail}"


def _result(table: str, check: str, findings: list[Finding], meta: dict | None = None) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(["marts", table]), check_name=check, passed=not findings,
        severity=dg.AssetCheckSeverity.ERROR,
        description=None if not findings else "; ".join(f.describe() for f in findings[:10]),
        metadata={**(meta or {}), "findings": dg.MetadataValue.json([f.describe() for f in findings[:200]]),
                  "finding_count": len(findings)},
    )


def _absent(table: str, check: str) -> dg.AssetCheckResult:
    """A mart that is not in the warehouse has nothing to compare (its dbt build failed, which fails
    the run already, or it is not built in this deployment)."""
    return dg.AssetCheckResult(asset_key=dg.AssetKey(["marts", table]), check_name=check, passed=True,
                               description=f"marts.{table} is not in the warehouse: nothing to check",
                               metadata={"mart_present": False})


# --- metric definitions -------------------------------------------------------------------------


def read_view_events(path: Path = METRIC_DEFINITIONS_CSV) -> dict[str, str]:
    """{definition_key: view_event} of the views definitions in the metric-definitions seed."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: metric definitions seed not found; the views bases cannot be checked")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = {r["definition_key"].strip(): (r.get("view_event") or "").strip() for r in rows
           if (r.get("view_event") or "").strip()}
    if not out:
        raise ValueError(f"{path}: no definition has a view_event; expected one per views metric")
    return out


# --- helpers on the warehouse -------------------------------------------------------------------


def mart_columns(conn: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t, c in conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'marts' "
            "AND table_catalog = current_database() ORDER BY table_name, ordinal_position").fetchall():
        out.setdefault(t, []).append(c)
    return out


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- (a) one views basis per compared column, or a flagged mismatch ------------------------------


def basis_findings(conn: duckdb.DuckDBPyConnection, table: str, columns: list[str],
                   events: dict[str, str]) -> list[Finding]:
    findings = []
    rel = f"marts.{_q(table)}"
    for col in [c for c in columns if BASIS_COLUMN.search(c)]:
        for value, n in conn.execute(
                f"SELECT {_q(col)}, count(*) FROM {rel} WHERE {_q(col)} IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall():
            # paid views bases (e.g. ads.video_play_actions) are defined with the ads marts, not in the
            # organic seed: for them only the shape of one key is required
            known = value in events or (col.startswith("paid_") and SINGLE_KEY.fullmatch(value))
            if not known:
                findings.append(Finding(table, f"{col} = '{value}' on {n} row(s) is not one views definition key "
                                        "(mixed or unknown basis)"))
    if table == TIKTOK_VS_META and {"tiktok_views_basis", "other_views_basis", "views_bases_differ"} <= set(columns):
        findings += _pairwise_flag_findings(conn, table, events)
    if table == CROSSPOST and {"crosspost_group_id", "views_basis", "views_bases_differ"} <= set(columns):
        findings += _group_flag_findings(conn, table, events)
    if table == WEEKLY and "views_basis" in columns:
        findings += _weekly_mixed_findings(conn)
    return findings


def _pairwise_flag_findings(conn, table: str, events: dict[str, str]) -> list[Finding]:
    out = []
    rows = conn.execute(
        f"SELECT brand, period, other_surface, metric, tiktok_views_basis, other_views_basis, views_bases_differ, "
        f"n_tiktok, n_other FROM marts.{_q(table)}").fetchall()
    for brand, period, other, metric, b1, b2, flag, n1, n2 in rows:
        where = f"{brand} {period} tiktok vs {other} {metric}"
        if (n1 and b1 is None) or (n2 and b2 is None):
            out.append(Finding(table, f"{where}: posts compared without a views basis"))
            continue
        if b1 is None or b2 is None:
            continue
        expected = events.get(b1) != events.get(b2)
        if flag is None or bool(flag) != expected:
            out.append(Finding(table, f"{where}: views_bases_differ is {flag} but {b1} ({events.get(b1)}) vs "
                               f"{b2} ({events.get(b2)}) says {expected}"))
    return out


def _group_flag_findings(conn, table: str, events: dict[str, str]) -> list[Finding]:
    groups: dict[str, list[tuple[str | None, bool | None]]] = {}
    for gid, basis, flag in conn.execute(
            f"SELECT crosspost_group_id, views_basis, views_bases_differ FROM marts.{_q(table)}").fetchall():
        groups.setdefault(gid, []).append((basis, flag))
    out = []
    for gid, members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        kinds = {events.get(b) for b, _ in members}
        # a member without a known basis makes the answer unknown: the flag must then be null
        expected = None if None in kinds else len(kinds) > 1
        wrong = [f for _, f in members if (None if f is None else bool(f)) != expected]
        if wrong:
            out.append(Finding(table, f"group {gid}: views_bases_differ should be {expected} "
                               f"(view events {sorted(k or '?' for k in kinds)}) on {len(wrong)} member row(s)"))
    return out


def _weekly_mixed_findings(conn) -> list[Finding]:
    tables = mart_columns(conn)
    daily = tables.get("fct_content_daily", [])
    if "views_basis" not in daily:
        return []
    day = "reporting_date" if "reporting_date" in daily else "metric_date"
    # a week whose days carry two bases is fine when the weekly row leaves views (and its basis)
    # null; it fails when the row shows a views total, i.e. plays and views were added up
    rows = conn.execute(
        f"WITH mixed AS (SELECT brand, surface, date_trunc('week', {day})::DATE AS week_start, "
        f"string_agg(DISTINCT views_basis, ', ' ORDER BY views_basis) AS bases FROM marts.fct_content_daily "
        f"WHERE views_basis IS NOT NULL AND views IS NOT NULL GROUP BY ALL HAVING count(DISTINCT views_basis) > 1) "
        f"SELECT m.brand, m.surface, m.week_start, m.bases FROM mixed m JOIN marts.{WEEKLY} w "
        f"ON w.brand = m.brand AND w.surface = m.surface AND w.week_start = m.week_start "
        f"WHERE w.views IS NOT NULL OR w.views_basis IS NOT NULL ORDER BY 1, 2, 3").fetchall()
    return [Finding(WEEKLY, f"{b} x {s} week {w}: daily views of several bases ({bases}) summed into one row")
            for b, s, w, bases in rows]


def basis_results(conn: duckdb.DuckDBPyConnection, tables: list[str],
                  events: dict[str, str] | None = None) -> list[dg.AssetCheckResult]:
    events = read_view_events() if events is None else events
    cols = mart_columns(conn)
    return [_result(t, BASIS_CHECK, basis_findings(conn, t, cols.get(t, []), events)) if t in cols
            else _absent(t, BASIS_CHECK) for t in tables]


# --- (b) same date coverage per platform in each compared period ---------------------------------


def weekly_coverage_findings(conn: duckdb.DuckDBPyConnection) -> list[Finding]:
    cols = mart_columns(conn)
    if "coverage_matches_brand" not in cols.get(WEEKLY, []):
        return [Finding(WEEKLY, "column coverage_matches_brand is missing: the weekly comparison does not say "
                        "whether each surface covers the same days as the brand's other surfaces")]
    daily = cols.get("fct_content_daily", [])
    day = "reporting_date" if "reporting_date" in daily else "metric_date"
    covered: dict[tuple[str, date], dict[str, set[date]]] = {}
    for brand, surface, d in conn.execute(
            f"SELECT DISTINCT brand, surface, {day} FROM marts.fct_content_daily WHERE {day} IS NOT NULL").fetchall():
        week = d - timedelta(days=d.weekday())
        covered.setdefault((brand, week), {}).setdefault(surface, set()).add(d)
    out = []
    for brand, surface, week, flag in conn.execute(
            f"SELECT brand, surface, week_start, coverage_matches_brand FROM marts.{WEEKLY} ORDER BY 1, 3, 2"
    ).fetchall():
        per_surface = covered.get((brand, week), {})
        best = max((len(days) for days in per_surface.values()), default=0)
        mine = per_surface.get(surface, set())
        expected = len(mine) == best
        if flag is None or bool(flag) != expected:
            out.append(Finding(WEEKLY, f"{brand} x {surface} week {week}: coverage_matches_brand is {flag}, "
                               f"recomputed {expected} ({len(mine)} covered days; the brand's best-covered "
                               f"surface has {best})"))
    return out


def tiktok_vs_meta_coverage_findings(conn: duckdb.DuckDBPyConnection) -> list[Finding]:
    cols = mart_columns(conn)
    needed = {"window_start", "window_end", "period_start", "period_end", "tiktok_first_published_date",
              "tiktok_last_published_date", "other_first_published_date", "other_last_published_date"}
    missing = needed - set(cols.get(TIKTOK_VS_META, []))
    if missing:
        return [Finding(TIKTOK_VS_META, f"per-side date coverage columns missing: {sorted(missing)}")]
    bench = cols.get(BENCHMARKS, [])
    day = "published_date_reporting" if "published_date_reporting" in bench else "published_date"
    ranges = {(b, s): (lo, hi) for b, s, lo, hi in conn.execute(
        f"SELECT brand, surface, min({day}), max({day}) FROM marts.{BENCHMARKS} WHERE views_d7 IS NOT NULL "
        "GROUP BY ALL").fetchall()} if bench else {}
    out = []
    for row in conn.execute(
            f"SELECT brand, period, other_surface, metric, period_start, period_end, window_start, window_end, "
            f"tiktok_first_published_date, tiktok_last_published_date, other_first_published_date, "
            f"other_last_published_date FROM marts.{TIKTOK_VS_META}").fetchall():
        brand, period, other, metric, p0, p1, w0, w1, t0, t1, o0, o1 = row
        where = f"{brand} {period} tiktok vs {other} {metric}"
        a, b = ranges.get((brand, "tiktok")), ranges.get((brand, other))
        if a and b:
            lo = max(x for x in (a[0], b[0], p0) if x is not None)
            hi = min(x for x in (a[1], b[1], p1) if x is not None)
            expected = (lo, hi) if lo <= hi else (None, None)
        else:
            expected = (None, None)
        if (w0, w1) != expected:
            out.append(Finding(TIKTOK_VS_META, f"{where}: window {w0}..{w1}, recomputed {expected[0]}..{expected[1]} "
                               "(intersection of the period with both sides' coverage)"))
            continue
        for side, first, last in (("tiktok", t0, t1), (other, o0, o1)):
            if first is not None and (w0 is None or first < w0 or last > w1):
                out.append(Finding(TIKTOK_VS_META, f"{where}: {side} posts {first}..{last} outside the window "
                                   f"{w0}..{w1}"))
    return out


def coverage_results(conn: duckdb.DuckDBPyConnection, tables: list[str]) -> list[dg.AssetCheckResult]:
    cols = mart_columns(conn)
    out = []
    for t in tables:
        if t not in cols:
            out.append(_absent(t, COVERAGE_CHECK))
            continue
        if t == WEEKLY:
            findings = weekly_coverage_findings(conn)
        else:
            findings = tiktok_vs_meta_coverage_findings(conn)
        out.append(_result(t, COVERAGE_CHECK, findings))
    return out


# --- (d) no reach summed anywhere -----------------------------------------------------------------


def _balanced_argument(text: str, open_paren: int) -> str:
    depth, i = 0, open_paren
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return text[open_paren + 1:i]
        i += 1
    return text[open_paren + 1:]


def reach_aggregations(code: str, language: str = "sql") -> list[str]:
    """The aggregate expressions over a reach column in one model's code (comments and strings ignored)."""
    if language == "python":
        stripped = PY_COMMENT.sub("", code)
        return [m.group(0) for m in PANDAS_REACH_AGG.finditer(stripped)] + reach_aggregations(stripped, "sql")
    stripped = SQL_STRING.sub("''", SQL_COMMENT.sub(" ", code))
    found = []
    for m in SQL_AGGREGATE.finditer(stripped):
        arg = _balanced_argument(stripped, m.end() - 1)
        if REACH_IDENTIFIER.search(arg):
            found.append(" ".join(f"{m.group(1)}({arg})".split()))
    return found


def newest_compiled_manifest(target: Path) -> Path | None:
    """The newest manifest.json under the dbt target dir (dagster-dbt writes one per invocation) with
    compiled code for the marts, or None."""
    candidates = [p for p in [target / "manifest.json", *target.glob("*/manifest.json")] if p.exists()]
    for path in sorted(candidates, key=lambda p: p.stat().st_mtime, reverse=True):
        try:
            nodes = json.loads(path.read_text(encoding="utf-8"))["nodes"].values()
        except (OSError, ValueError, KeyError):
            continue
        if any(n.get("compiled_code") for n in nodes if n.get("resource_type") == "model"
               and n.get("fqn", [])[1:2] == ["marts"]):
            return path
    return None


def manifest_reach_findings(manifest: dict) -> tuple[dict[str, list[Finding]], str]:
    """{mart: findings} for every mart, naming the model (the mart or one upstream) that aggregates reach."""
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n.get("resource_type") == "model"}
    per_model: dict[str, list[str]] = {}
    compiled = 0
    for uid, n in nodes.items():
        code = n.get("compiled_code")
        compiled += bool(code)
        hits = reach_aggregations(code or n.get("raw_code") or "", n.get("language") or "sql")
        if hits:
            per_model[uid] = hits

    def upstream(uid: str, seen: set[str]) -> Iterable[str]:
        for parent in nodes.get(uid, {}).get("depends_on", {}).get("nodes", []):
            if parent in nodes and parent not in seen:
                seen.add(parent)
                yield parent
                yield from upstream(parent, seen)

    out: dict[str, list[Finding]] = {}
    for uid, n in nodes.items():
        if n.get("fqn", [])[1:2] != ["marts"]:
            continue
        mart = n["name"]
        out[mart] = []
        for model in [uid, *upstream(uid, set())]:
            for hit in per_model.get(model, []):
                where = "" if model == uid else f" upstream in {nodes[model]['name']}"
                out[mart].append(Finding(mart, f"reach aggregated{where}: {hit[:160]}"))
    source = "compiled_code" if compiled else "raw_code"
    return out, source


def reach_column_findings(table: str, columns: Iterable[str]) -> list[Finding]:
    return [Finding(table, f"column {c} looks like a summed or averaged reach (allowed: "
                    f"{sorted(ALLOWED_REACH_COLUMNS)}, levels that are never summed)")
            for c in columns if REACH_NAME.search(c) and c.lower() not in ALLOWED_REACH_COLUMNS]


def reach_results(conn: duckdb.DuckDBPyConnection, tables: list[str], manifest: dict,
                  manifest_path: str = "") -> list[dg.AssetCheckResult]:
    code_findings, source = manifest_reach_findings(manifest)
    cols = mart_columns(conn)
    return [_result(t, REACH_CHECK, code_findings.get(t, []) + reach_column_findings(t, cols.get(t, [])),
                    {"code_inspected": source, "manifest": manifest_path}) for t in tables]


def _load_manifest() -> tuple[dict, str]:
    from dagster_project.defs.transform.dbt import DBT_TARGET_DIR, dbt_project

    path = newest_compiled_manifest(dbt_project.project_dir / DBT_TARGET_DIR) or dbt_project.manifest_path
    return json.loads(path.read_text(encoding="utf-8")), str(path)


# --- Dagster checks -------------------------------------------------------------------------------


def _mart_names() -> list[str]:
    from dagster_project.defs.publish import mart_model_keys

    return [k.path[-1] for k in mart_model_keys()]


def _basis_marts() -> list[str]:
    from dagster_project.defs.quality.pii import declared_columns

    declared = declared_columns()
    return sorted(t for t in _mart_names()
                  if any(BASIS_COLUMN.search(c) for c in declared.get(t, ())))


def _specs() -> list[dg.AssetCheckSpec]:
    marts = _mart_names()
    specs = [dg.AssetCheckSpec(BASIS_CHECK, asset=dg.AssetKey(["marts", t]), blocking=True,
                               description="Fairness: every views basis column holds one known definition key; "
                               "views_bases_differ agrees with the bases' view events. Blocks publish.")
             for t in _basis_marts()]
    specs += [dg.AssetCheckSpec(COVERAGE_CHECK, asset=dg.AssetKey(["marts", t]), blocking=True,
                                description="Fairness: compared surfaces cover the same dates in each period "
                                "(recomputed independently). Blocks publish.")
              for t in COVERAGE_MARTS if t in marts]
    specs += [dg.AssetCheckSpec(REACH_CHECK, asset=dg.AssetKey(["marts", t]), blocking=True,
                                description="Fairness: no sum/avg over reach in the mart's compiled SQL or "
                                "upstream, no summed-reach column. Blocks publish.")
              for t in marts]
    return specs


@dg.multi_asset_check(name="marts_fair_comparisons", specs=_specs(), can_subset=True)
def marts_fair_comparisons(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
    selected = context.selected_asset_check_keys
    wanted = {name: sorted(k.asset_key.path[-1] for k in selected if k.name == name)
              for name in (BASIS_CHECK, COVERAGE_CHECK, REACH_CHECK)}
    conn = open_duckdb(warehouse.path(), read_only=True)
    try:
        if wanted[BASIS_CHECK]:
            yield from basis_results(conn, wanted[BASIS_CHECK])
        if wanted[COVERAGE_CHECK]:
            yield from coverage_results(conn, wanted[COVERAGE_CHECK])
        if wanted[REACH_CHECK]:
            manifest, path = _load_manifest()
            yield from reach_results(conn, wanted[REACH_CHECK], manifest, path)
    finally:
        conn.close()
