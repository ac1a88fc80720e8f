package io.drflow.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** The service's own verdict on a recovery: its health endpoint. */
@ActivityInterface
public interface HealthActivities {

  record HealthResult(String url, int status, int attempts, long elapsedMillis) {}

  /**
   * Polls the configured URL until it answers 2xx. Non-retryable {@code HealthCheckFailed} when
   * the configured deadline passes first; a retry keeps the original deadline.
   */
  @ActivityMethod(name = "CheckHealth")
  HealthResult check(String service);
}
