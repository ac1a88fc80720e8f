package io.drflow.activities.config;

import io.drflow.workflows.schedule.ServiceSchedules;
import java.time.Duration;
import java.util.Map;

/**
 * One protected service.
 *
 * @param budgets runbook ("backup", "drill") to phase name to budget; unset phases get a share of
 *     the RTO (see {@link PhaseBudgets})
 * @param schedules when backups and drills run on their own; {@code drctl schedule sync} turns
 *     them into Temporal Schedules (the worker only validates them)
 * @param notifications where run events go besides the log
 */
public record ServiceConfig(
    PostgresConfig postgres,
    Duration rto,
    Duration rpo,
    Map<String, Map<String, Duration>> budgets,
    RetentionConfig retention,
    DrillConfig drill,
    ServiceSchedules schedules,
    NotifyConfig notifications) {

  public ServiceConfig {
    budgets = budgets == null ? Map.of() : budgets;
    retention = retention == null ? RetentionConfig.defaults() : retention;
    schedules = schedules == null ? new ServiceSchedules(null, null) : schedules;
  }

  /** A service without schedules that notifies nobody but the worker's log. */
  public ServiceConfig(
      PostgresConfig postgres,
      Duration rto,
      Duration rpo,
      Map<String, Map<String, Duration>> budgets,
      RetentionConfig retention,
      DrillConfig drill) {
    this(postgres, rto, rpo, budgets, retention, drill, null, null);
  }

  public ServiceConfig withNotifications(NotifyConfig replacement) {
    return new ServiceConfig(postgres, rto, rpo, budgets, retention, drill, schedules, replacement);
  }
}
