package io.drflow.workflows.activities;

import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunSummary;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Keeps run reports as evidence beside the backups, and reads them back. */
@ActivityInterface
public interface ReportActivities {

  /** Writes the report as JSON, Markdown and HTML; returns the JSON object's key. Idempotent. */
  @ActivityMethod(name = "StoreReport")
  String store(RunReport report);

  /**
   * The newest stored runs of a service, newest first, summarized.
   *
   * @param runbook a runbook id ({@code drill}, {@code backup}, ...)
   */
  @ActivityMethod(name = "ListRuns")
  List<RunSummary> listRuns(String service, String runbook, int limit);
}
