package io.drflow.activities.config;

import java.time.Duration;

/**
 * Recovery settings of a service.
 *
 * @param approvalReminder how often a recovery waiting for approval reminds (default PT15M); it
 *     never proceeds without one
 */
public record RecoveryConfig(Duration approvalReminder) {

  public RecoveryConfig {
    approvalReminder = approvalReminder == null ? Duration.ofMinutes(15) : approvalReminder;
  }

  public static RecoveryConfig defaults() {
    return new RecoveryConfig(null);
  }
}
