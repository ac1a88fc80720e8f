package io.drflow.activities.runbook;

import io.drflow.activities.storage.BackupLayout;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunReportMarkdown;

/** Stores run reports as JSON (for tools) and Markdown (for people) beside the backups. */
public final class ReportActivitiesImpl implements ReportActivities {

  private final ObjectStore store;
  private final BackupLayout layout;

  public ReportActivitiesImpl(ObjectStore store, BackupLayout layout) {
    this.store = store;
    this.layout = layout;
  }

  @Override
  public String store(RunReport report) {
    return ActivityErrors.translate(
        () -> {
          String json = layout.reportJsonKey(report.service(), report.workflowId());
          RunReport stored = report.withReportKey(json);
          store.putText(
              layout.reportMarkdownKey(report.service(), report.workflowId()),
              RunReportMarkdown.render(stored),
              "text/markdown; charset=utf-8");
          store.putJson(json, stored);
          return json;
        });
  }
}
