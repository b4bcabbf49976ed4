"""dbt models as Dagster assets: staging, intermediate and marts, keyed by layer."""


import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from dagster_project import settings
from dagster_project.defs.resources import WarehouseResource

DBT_TARGET_DIR = "target"
# The dbt next to this interpreter (the venv's), so nothing depends on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def _newest_mtime(root: Path) -> float:
    newest = 0.0
    for sub in ("models", "macros", "tests", "seeds", "dbt_project.yml", "profiles.yml"):
        path = root / sub
        files = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        for f in files:
            newest = max(newest, f.stat().st_mtime)
    return newest


def build_dbt_project() -> DbtProject:
    """The dbt project, with a manifest parsed now if it is missing or older than the sources."""
    project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR,
                         target_path=Path(DBT_TARGET_DIR))
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_mtime(project.project_dir):
        os.environ.setdefault("SHORTFORM_DB", str(settings.warehouse_db_path()))
        DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()
    return project


class LayeredTranslator(DagsterDbtTranslator):
    """Models are keyed [layer, model]; sources follow `meta.dagster.asset_key` to the raw assets."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            layer = dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else "models"
            return dg.AssetKey([layer, dbt_resource_props["name"]])
        if dbt_resource_props["resource_type"] == "seed":
            return dg.AssetKey(["seeds", dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model" and len(dbt_resource_props["fqn"]) > 2:
            return dbt_resource_props["fqn"][1]
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        return super().get_group_name(dbt_resource_props)


dbt_project = build_dbt_project()


class DbtBuildConfig(dg.Config):
    """Run config of the dbt step: {"ops": {"shortform_dbt_models": {"config": {"full_refresh": true}}}}."""

    full_refresh: bool = False  # rebuild the incremental models from all raw rows (`dbt build --full-refresh`)


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
            dagster_dbt_translator=LayeredTranslator(), pool="warehouse_writer")
def shortform_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource,
                         config: DbtBuildConfig):
    """`dbt source freshness` then `dbt build`: models plus their tests, in dependency order.
    The incremental models process only new and restated raw rows unless config.full_refresh."""
    os.environ["SHORTFORM_DB"] = str(warehouse.path())
    freshness = dbt.cli(["source", "freshness"], manifest=dbt_project.manifest_path, raise_on_error=False)
    freshness.wait()
    keep_partial_parse(freshness.target_path)
    if not freshness.is_successful():
        raise dg.Failure(description="dbt source freshness failed: a raw source is stale beyond its "
                         "error_after threshold (see the step log); nothing was built or published.",
                         allow_retries=False)
    args = ["build", "--full-refresh"] if config.full_refresh else ["build"]
    args += settings.DBT_REFRESH_EXCLUDE  # dbt unit tests run in `make test`, not every refresh
    build = dbt.cli(args, context=context)
    yield from build.stream()
    keep_partial_parse(build.target_path)
    prune_invocation_dirs(dbt_project.project_dir / DBT_TARGET_DIR)


PARTIAL_PARSE_FILE = "partial_parse.msgpack"


def keep_partial_parse(invocation_target: Path, project_target: Path | None = None) -> None:
    """dagster-dbt copies the project's partial_parse.msgpack into each invocation's target
    directory and never back. dbt rewrites it there after a full parse, which it does whenever
    the profile differs from the one the project file was parsed with (the warehouse path is part
    of it): every dbt call of every refresh then parsed the whole project again (~5 s each at one
    agency year). Copying the invocation's file back (atomically) lets the next call parse only
    what changed; dbt still checks every file's checksum and the profile before reusing it."""
    source = Path(invocation_target) / PARTIAL_PARSE_FILE
    target_dir = project_target or dbt_project.project_dir / DBT_TARGET_DIR
    if not source.is_file() or not target_dir.is_dir():
        return
    temporary = target_dir / f"{PARTIAL_PARSE_FILE}.{os.getpid()}.tmp"
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target_dir / PARTIAL_PARSE_FILE)
    except OSError:  # a cache: never fail a build for it
        temporary.unlink(missing_ok=True)


def prune_invocation_dirs(target: Path, keep: int = 10) -> None:
    """dagster-dbt writes one target sub-directory per dbt call: keep the newest few for debugging."""
    if not target.exists():
        return
    dirs = sorted((d for d in target.iterdir() if d.is_dir() and d.name not in {"compiled", "run", "docs"}),
                  key=lambda d: d.stat().st_mtime, reverse=True)
    for old in dirs[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, profiles_dir=str(settings.DBT_PROJECT_DIR),
                          dbt_executable=DBT_EXECUTABLE)
