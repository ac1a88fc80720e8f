package io.drflow.workflows.catalog;

import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.model.RunSummary;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.runbook.ActivityStubs;
import io.drflow.workflows.runbook.Failures;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.util.List;

public class RunHistoryWorkflowImpl implements RunHistoryWorkflow {

  private final ReportActivities reports =
      ActivityStubs.stub(ReportActivities.class, ActivityStubs.quick(), "Read stored reports");

  @Override
  public List<RunSummary> history(Request request) {
    Failures.requireService(request == null ? null : request.service());
    String runbook = request.runbook() == null ? Runbook.DRILL.id() : request.runbook();
    try {
      Runbook.byId(runbook);
    } catch (IllegalArgumentException e) {
      throw Failures.invalidInput("unknown runbook '" + runbook + "'");
    }
    int limit = request.limit() == null ? DEFAULT_LIMIT : request.limit();
    if (limit < 1 || limit > MAX_LIMIT) {
      throw Failures.invalidInput("limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
    }
    try {
      return reports.listRuns(request.service(), runbook, limit);
    } catch (ActivityFailure e) {
      // "unknown service 'x'" should be the run's failure, not a cause two levels down.
      if (e.getCause() instanceof ApplicationFailure af && af.isNonRetryable()) {
        throw ApplicationFailure.newNonRetryableFailureWithCause(af.getOriginalMessage(), af.getType(), e);
      }
      throw e;
    }
  }
}
