package io.drflow.workflows.runbook;

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

  public static <T> T stub(Class<T> type, ActivityOptions options, String summary) {
    return Workflow.newActivityStub(
        type, ActivityOptions.newBuilder(options).setSummary(summary).build());
  }
}
