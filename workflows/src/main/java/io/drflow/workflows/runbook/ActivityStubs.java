package io.drflow.workflows.runbook;

import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/**
 * Activity options shared by the runbooks. Long activities heartbeat every few seconds, so a
 * crashed worker is noticed within the heartbeat timeout instead of the start-to-close timeout.
 */
public final class ActivityStubs {

  private ActivityStubs() {}

  public static RetryOptions retries(int maxAttempts) {
    return RetryOptions.newBuilder()
        .setInitialInterval(Duration.ofSeconds(1))
        .setBackoffCoefficient(2)
        .setMaximumInterval(Duration.ofMinutes(1))
        .setMaximumAttempts(maxAttempts)
        .setDoNotRetry(Failures.NON_RETRYABLE)
        .build();
  }

  /** Quick calls: config look-ups, object listings, small writes. */
  public static ActivityOptions quick() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(2))
        .setRetryOptions(retries(5))
        .build();
  }

  /** Streams and restores that may run for hours; they heartbeat. */
  public static ActivityOptions longRunning() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofHours(12))
        .setHeartbeatTimeout(Duration.ofSeconds(60))
        .setRetryOptions(retries(5))
        .build();
  }

  /** Long work pinned to one host's queue; gives up quickly if that host is gone. */
  public static ActivityOptions onHost(String taskQueue) {
    return ActivityOptions.newBuilder(longRunning())
        .setTaskQueue(taskQueue)
        .setScheduleToStartTimeout(Duration.ofMinutes(5))
        .build();
  }

  /**
   * Notifications: short, retried a little, and abandoned rather than cancelled when the run is
   * aborted or cancelled. A cancel request sent for a delivery whose completion is already on its
   * way makes the server reject the whole workflow task (the activity is no longer open); the real
   * server retries the task, Temporal's test server leaves the run stuck. A post needs no cancelling.
   *
   * @param abandon false for runs started before (see {@link #abandonNotifications()})
   */
  public static ActivityOptions notifications(Duration startToClose, boolean abandon) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(startToClose)
        .setRetryOptions(retries(2))
        .setCancellationType(
            abandon ? ActivityCancellationType.ABANDON : ActivityCancellationType.TRY_CANCEL)
        .build();
  }

  /** Version 1: notifications are abandoned, not cancelled; older runs replay their cancel requests. */
  public static final String ABANDON_NOTIFICATIONS = "abandon-notifications";

  /** Call at the run's first notification, so runs started before replay as they ran. */
  public static boolean abandonNotifications() {
    return Workflow.getVersion(ABANDON_NOTIFICATIONS, Workflow.DEFAULT_VERSION, 1)
        != Workflow.DEFAULT_VERSION;
  }

  public static <T> T stub(Class<T> type, ActivityOptions options, String summary) {
    return Workflow.newActivityStub(
        type, ActivityOptions.newBuilder(options).setSummary(summary).build());
  }
}
