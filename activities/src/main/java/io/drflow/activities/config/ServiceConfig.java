package io.drflow.activities.config;

import java.time.Duration;
import java.util.Map;

/**
 * One protected service.
 *
 * @param budgets runbook ("backup", "drill") to phase name to budget; unset phases get a share of
 *     the RTO (see {@link PhaseBudgets})
 */
public record ServiceConfig(
    PostgresConfig postgres,
    Duration rto,
    Duration rpo,
    Map<String, Map<String, Duration>> budgets,
    RetentionConfig retention,
    DrillConfig drill) {

  public ServiceConfig {
    budgets = budgets == null ? Map.of() : budgets;
    retention = retention == null ? RetentionConfig.defaults() : retention;
  }
}
