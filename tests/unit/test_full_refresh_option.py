"""`shortform refresh --full-refresh` reaches the dbt step as Dagster run config (issue 7)."""

from __future__ import annotations

import dagster as dg

from dagster_project import cli, orchestrate

FULL = {"shortform_dbt_models": {"config": {"full_refresh": True}}}


def test_the_refresh_job_accepts_the_full_refresh_run_config():
    from dagster_project.definitions import defs

    job = defs.resolve_job_def("refresh")
    assert dg.validate_run_config(job, {"ops": FULL})["ops"]["shortform_dbt_models"]["config"] == {"full_refresh": True}
    # the default stays incremental
    assert dg.validate_run_config(job, {})["ops"]["shortform_dbt_models"]["config"] == {"full_refresh": False}


def test_cli_flag_and_orchestrate_pass_it_to_the_dbt_step(monkeypatch):
    calls = []
    monkeypatch.setattr(orchestrate, "run_job", lambda name, partition, instance, ops=None: calls.append((name, ops)))
    assert cli.build_parser().parse_args(["refresh", "--full-refresh"]).full_refresh is True
    assert cli.build_parser().parse_args(["refresh"]).full_refresh is False
    orchestrate.refresh(None, full_refresh=True)
    orchestrate.refresh(None)
    assert calls == [("refresh", FULL), ("refresh", None)]
