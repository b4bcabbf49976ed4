"""Run-failure sensor: one redacted line per failed step, kept next to the warehouse."""

import json
from datetime import UTC, datetime

import dagster as dg

from dagster_project import settings


def failure_lines(run: dg.DagsterRun, step_failures) -> list[str]:
    partition = run.tags.get("dagster/partition", "-")
    lines = []
    for event in step_failures:
        data = event.step_failure_data
        message = ""
        if data is not None:
            if data.user_failure_data and data.user_failure_data.description:
                message = data.user_failure_data.description
            elif data.error is not None:
                message = data.error.message.strip().splitlines()[0]
        lines.append(f"{run.job_name} partition={partition} step={event.step_key}: {message}")
    return [settings.redact_secrets(line) for line in lines] or [
        settings.redact_secrets(f"{run.job_name} partition={partition}: run failed before any step ran")
    ]


@dg.run_failure_sensor(name="record_run_failures", default_status=dg.DefaultSensorStatus.RUNNING,
                       description="Appends one redacted line per failed step to run_failures.jsonl "
                       "beside the warehouse file (shortform status shows the latest).")
def record_run_failures(context: dg.RunFailureSensorContext) -> None:
    lines = failure_lines(context.dagster_run, context.get_step_failure_events())
    path = settings.run_failures_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with path.open("a", encoding="utf-8") as fh:
        for line in lines:
            fh.write(json.dumps({"at": now, "run_id": context.dagster_run.run_id, "failure": line}) + "\n")
            context.log.info(line)
