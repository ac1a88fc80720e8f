package io.drflow.activities.runbook;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;

/**
 * Heartbeats for long activities. The SDK throttles what reaches the server; calling often keeps
 * cancellation prompt, because a heartbeat is where a cancelled activity learns it.
 */
public final class Heartbeat {

  public static final Duration EVERY = Duration.ofSeconds(2);

  private Heartbeat() {}

  /** A tick for adapter callbacks: heartbeats {@code details}; throws once cancelled. */
  public static Runnable tick(Object details) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    return () -> ctx.heartbeat(details);
  }
}
