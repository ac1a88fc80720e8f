package io.drflow.activities.config;

import java.time.Duration;

/**
 * The service's health endpoint, asked after a recovery has started the writers again.
 *
 * @param deadline how long the endpoint may take to answer 2xx before the recovery counts as
 *     failed and is rolled back (default PT5M)
 * @param interval pause between attempts (default PT5S)
 */
public record HealthConfig(String url, Duration deadline, Duration interval) {

  public HealthConfig {
    deadline = deadline == null ? Duration.ofMinutes(5) : deadline;
    interval = interval == null ? Duration.ofSeconds(5) : interval;
  }
}
