package io.drflow.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Tells people what a run is doing: the worker's log and the service's webhook, if any. */
@ActivityInterface
public interface NotifyActivities {

  /**
   * @param event a stable name for filters: started, approval-requested, approval-reminder,
   *     approved, swapped, completed, failed, aborted, rolled-back, rollback-failed
   * @param severity info, warning or critical
   */
  record Notification(
      String service,
      String event,
      String severity,
      String message,
      String workflowId,
      String runId) {}

  /** @param delivered whether a webhook accepted it (false when none is configured) */
  record Delivery(boolean delivered, String detail) {}

  /** Logs and posts the notification. Never fails: a broken webhook must not stop a runbook. */
  @ActivityMethod(name = "Notify")
  Delivery notify(Notification notification);
}
