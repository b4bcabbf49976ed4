"""The weekly client report as a Dagster asset downstream of the publish step.

Register it in dagster_project/definitions.py (``assets=[..., weekly_client_report]``) and add
``dg.AssetSelection.groups("reports")`` to the refresh job's selection: every refresh that
publishes (the weekly schedule included) then writes, next to the published file's folder,
``reports/weekly_<week>.html`` (all brands) and one ``weekly_<week>_<brand>.html`` per brand, for
the newest complete ISO week. A report that cannot be made is logged, never fails the refresh.
"""

import dagster as dg

from dagster_project.analyst import queries
from dagster_project.analyst.report import ReportError, default_report_path, latest_complete_week, write_report
from dagster_project.defs.resources import PublishResource


@dg.asset(key=["reports", "weekly_client_report"], deps=[dg.AssetKey(["published", "marts"])],
          group_name="reports", kinds={"html"},
          description="Self-contained HTML weekly client reports (all brands, and one per brand) for the newest "
          "complete ISO week, written from the published file after each publish.")
def weekly_client_report(context: dg.AssetExecutionContext, publish: PublishResource) -> dg.MaterializeResult:
    published = publish.path()
    folder = published.parent.parent / "reports"
    written: list[str] = []
    try:
        week = latest_complete_week(published)
        for brand in [None, *queries.filter_options(published)["brands"]]:
            out = default_report_path(week, brand, folder)
            write_report(published, week, brand, out)
            written.append(str(out))
    except (ReportError, FileNotFoundError) as exc:
        context.log.warning(f"weekly report not written: {exc}")
        return dg.MaterializeResult(metadata={"skipped": str(exc)})
    context.log.info(f"weekly reports for {week}: {', '.join(written)}")
    return dg.MaterializeResult(metadata={"week": week, "files": dg.MetadataValue.json(written),
                                          "folder": dg.MetadataValue.path(str(folder))})
