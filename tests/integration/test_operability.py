"""A failed run tells the user which platform, account, day and step failed, and what to do."""

import json
import socket

import dagster as dg
import pytest
import yaml

from dagster_project import settings

SENTINEL = "EAAB-TEST-SENTINEL-op-4411"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def failing_env(tmp_path, monkeypatch):
    accounts = tmp_path / "accounts.yml"
    accounts.write_text(yaml.safe_dump({"brands": {"acme": {"tiktok": {"business_id": "-000acme"}}}}))
    url = f"http://127.0.0.1:{closed_port()}"
    for env_name, _default in settings.BASE_URL_ENV.values():
        monkeypatch.setenv(env_name, url)
    monkeypatch.setenv("TIKTOK_ACCESS_TOKEN", SENTINEL)
    monkeypatch.setenv("SHORTFORM_ACCOUNTS", str(accounts))
    monkeypatch.setenv("SHORTFORM_DB", str(tmp_path / "w.duckdb"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return tmp_path


def test_failed_pull_names_platform_account_day_and_remedy_and_sensor_records_it(failing_env):
    from dagster_project.definitions import defs
    from dagster_project.defs.sensors import record_run_failures

    instance = dg.DagsterInstance.ephemeral()
    job = defs.resolve_job_def("pull_tiktok")
    result = job.execute_in_process(
        instance=instance, partition_key="2026-11-20", raise_on_error=False,
        run_config={"resources": {"platforms": {"config": {"connect_timeout_seconds": 0.5,
                                                             "read_timeout_seconds": 0.5,
                                                             "max_attempts": 1}}}},
        tags={"dagster/max_retries": "0"},
    )
    assert not result.success
    failed_run = instance.get_run_by_id(result.run_id)
    context = dg.build_run_status_sensor_context(
        sensor_name="record_run_failures", dagster_instance=instance, dagster_run=failed_run,
        dagster_event=result.get_run_failure_event(),
    ).for_run_failure()
    record_run_failures(context)
    lines = [json.loads(x)["failure"] for x in (failing_env / "run_failures.jsonl").read_text().splitlines()]
    assert lines, "the sensor wrote nothing"
    text = "\n".join(lines)
    assert "partition=2026-11-20" in text
    assert "tiktok account -000acme" in text
    assert "rerun" in text  # what to do
    assert SENTINEL not in text
    for record in instance.all_logs(result.run_id):
        assert SENTINEL not in str(record)


def test_redact_secrets_removes_token_values_and_query_tokens(monkeypatch):
    monkeypatch.setenv("META_ACCESS_TOKEN", SENTINEL)
    text = settings.redact_secrets(f"GET /v25.0/me?access_token=abc123&x=1 failed with {SENTINEL}")
    assert SENTINEL not in text and "abc123" not in text
