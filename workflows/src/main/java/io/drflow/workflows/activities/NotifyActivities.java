package io.drflow.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Tells people what a run is doing: the worker's log and the service's webhooks, if any. */
@ActivityInterface
public interface NotifyActivities {

  /**
   * @param event a stable name for filters: started, at-risk, breached, completed, failed,
   *     cancelled; the recovery runbook adds approval-requested, approval-reminder, approved,
   *     swapped, aborted, rolled-back, rollback-failed
   * @param severity info, warning or critical
   * @param runbook the workflow type, when known
   * @param phase the phase the event is about, if any
   * @param status the run's status (PASSED, FAILED, ...) or its RTO status (AT_RISK, BREACHED)
   * @param reportKey where the run's report is stored, once it is
   */
  record Notification(
      String service,
      String event,
      String severity,
      String message,
      String workflowId,
      String runId,
      String runbook,
      String phase,
      String status,
      String reportKey) {

    /** An event with no run details beyond its words. */
    public Notification(
        String service, String event, String severity, String message, String workflowId, String runId) {
      this(service, event, severity, message, workflowId, runId, null, null, null, null);
    }
  }

  /** @param delivered whether a webhook accepted it (false when none is configured) */
  record Delivery(boolean delivered, String detail) {}

  /**
   * Logs and posts the notification. Never fails: a broken webhook must not stop a runbook. Posts
   * are retried a few times within the call, then given up with a log line.
   */
  @ActivityMethod(name = "Notify")
  Delivery notify(Notification notification);
}
