package io.drflow.activities.runbook;

import io.drflow.activities.config.HealthConfig;
import io.drflow.activities.http.HealthChecker;
import io.drflow.workflows.activities.HealthActivities;
import io.drflow.workflows.runbook.Failures;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;

/** The service's health endpoint, polled until it answers 2xx or its deadline passes. */
public final class HealthActivitiesImpl implements HealthActivities {

  private final ServiceRegistry services;
  private final HealthChecker checker;
  private final Clock clock;

  public HealthActivitiesImpl(ServiceRegistry services, Clock clock) {
    this.services = services;
    this.checker = new HealthChecker(clock);
    this.clock = clock;
  }

  @Override
  public HealthResult check(String service) {
    return ActivityErrors.translate(
        () -> {
          HealthConfig h = services.service(service).health();
          if (h == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                "services." + service + ".health is not configured", Failures.INVALID_CONFIG);
          }
          ActivityExecutionContext ctx = Activity.getExecutionContext();
          // The first attempt's start travels in the heartbeat, so a retry keeps its deadline.
          long started = ctx.getHeartbeatDetails(Long.class).orElse(clock.millis());
          try {
            HealthChecker.Healthy r =
                checker.await(
                    URI.create(h.url()),
                    Instant.ofEpochMilli(started),
                    h.deadline(),
                    h.interval(),
                    () -> ctx.heartbeat(started));
            return new HealthResult(h.url(), r.status(), r.attempts(), r.elapsed().toMillis());
          } catch (HealthChecker.UnhealthyException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.HEALTH_CHECK_FAILED);
          }
        });
  }
}
