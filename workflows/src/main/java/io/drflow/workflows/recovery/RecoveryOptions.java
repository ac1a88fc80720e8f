package io.drflow.workflows.recovery;

import io.drflow.workflows.runbook.ActivityStubs;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import java.time.Duration;

/** Activity options of runbooks that change production (recovery, failover). */
public final class RecoveryOptions {

  private RecoveryOptions() {}

  /** Activities that change something: a cancelled run waits until they have stopped. */
  public static ActivityOptions sideEffect(ActivityOptions base) {
    return ActivityOptions.newBuilder(base)
        .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
        .build();
  }

  /** Heartbeating waits on something outside (pods, a rollout, a health endpoint). */
  public static ActivityOptions waiting(Duration max) {
    return ActivityOptions.newBuilder(sideEffect(ActivityStubs.longRunning()))
        .setStartToCloseTimeout(max)
        .build();
  }

  /** Rollback steps retry longer: giving up leaves production for a person to repair. */
  public static ActivityOptions compensation() {
    return ActivityOptions.newBuilder(ActivityStubs.quick())
        .setStartToCloseTimeout(Duration.ofMinutes(5))
        .setRetryOptions(ActivityStubs.retries(10))
        .build();
  }
}
