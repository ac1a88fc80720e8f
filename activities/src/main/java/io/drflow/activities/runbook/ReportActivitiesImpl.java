package io.drflow.activities.runbook;

import io.drflow.activities.metrics.RunMetrics;
import io.drflow.activities.storage.BackupLayout;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunSummary;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.RunReportMarkdown;
import io.drflow.workflows.report.RunReportHtml;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores run reports as JSON (for tools), Markdown (for a terminal) and self-contained HTML (for
 * auditors) beside the backups, and feeds each final report to the metrics: this is the one place
 * every finished run passes through.
 */
public final class ReportActivitiesImpl implements ReportActivities {

  private static final Logger log = LoggerFactory.getLogger(ReportActivitiesImpl.class);

  private final ObjectStore store;
  private final BackupLayout layout;
  private final ServiceRegistry services;
  private final StoredReports stored;
  private final RunMetrics metrics;

  public ReportActivitiesImpl(
      ObjectStore store,
      BackupLayout layout,
      ServiceRegistry services,
      StoredReports stored,
      RunMetrics metrics) {
    this.store = store;
    this.layout = layout;
    this.services = services;
    this.stored = stored;
    this.metrics = metrics;
  }

  @Override
  public List<RunSummary> listRuns(String service, String runbook, int limit) {
    return ActivityErrors.translate(
        () -> {
          services.service(service);
          String type = Runbook.byId(runbook).workflowType();
          return stored.newest(service, s -> type.equals(s.runbook()), limit);
        });
  }

  @Override
  public String store(RunReport report) {
    String key =
        ActivityErrors.translate(
            () -> {
              String json = layout.reportJsonKey(report.service(), report.workflowId());
              RunReport stored = report.withReportKey(json);
              store.putText(
                  layout.reportMarkdownKey(report.service(), report.workflowId()),
                  RunReportMarkdown.render(stored),
                  "text/markdown; charset=utf-8");
              store.putText(
                  layout.reportHtmlKey(report.service(), report.workflowId()),
                  RunReportHtml.render(stored),
                  "text/html; charset=utf-8");
              // JSON last: it is what history and metrics read, so it appears with its companions.
              store.putJson(json, stored);
              return json;
            });
    try {
      metrics.recordRun(report.withReportKey(key));
    } catch (RuntimeException e) {
      // Metrics are a view of the stored evidence; failing the run over them would be backwards.
      log.warn("metrics not updated for {}: {}", report.workflowId(), e.toString());
    }
    return key;
  }
}
