package io.drflow.activities.config;

import io.drflow.workflows.schedule.ServiceSchedules;
import java.time.Duration;
import java.util.Map;

/**
 * One protected service.
 *
 * @param budgets runbook ("backup", "drill", "recovery") to phase name to budget; unset phases get
 *     a share of the RTO
 * @param schedules when backups and drills run on their own; {@code drctl schedule sync} turns
 *     them into Temporal Schedules (the worker only validates them)
 * @param kubernetes the Deployments that write to the database (recoveries stop and restart them)
 * @param health the endpoint a recovery checks once the writers are back
 * @param notifications where run events go besides the log
 * @param recovery recovery settings (approval reminders)
 * @param regions region name to where the service runs there, for failover and failback
 * @param dns the record failover switches between the regions
 */
public record ServiceConfig(
    PostgresConfig postgres,
    Duration rto,
    Duration rpo,
    Map<String, Map<String, Duration>> budgets,
    RetentionConfig retention,
    DrillConfig drill,
    ServiceSchedules schedules,
    KubernetesConfig kubernetes,
    HealthConfig health,
    NotifyConfig notifications,
    RecoveryConfig recovery,
    Map<String, RegionConfig> regions,
    DnsConfig dns) {

  public ServiceConfig {
    regions = regions == null ? Map.of() : new java.util.LinkedHashMap<>(regions);
    budgets = budgets == null ? Map.of() : budgets;
    retention = retention == null ? RetentionConfig.defaults() : retention;
    schedules = schedules == null ? new ServiceSchedules(null, null) : schedules;
    recovery = recovery == null ? RecoveryConfig.defaults() : recovery;
  }

  /** A service with neither schedules nor recovery settings, that notifies only the log. */
  public ServiceConfig(
      PostgresConfig postgres,
      Duration rto,
      Duration rpo,
      Map<String, Map<String, Duration>> budgets,
      RetentionConfig retention,
      DrillConfig drill) {
    this(postgres, rto, rpo, budgets, retention, drill, null, null, null, null, null);
  }

  /** A service that cannot fail over (no regions, no DNS record). */
  public ServiceConfig(
      PostgresConfig postgres,
      Duration rto,
      Duration rpo,
      Map<String, Map<String, Duration>> budgets,
      RetentionConfig retention,
      DrillConfig drill,
      ServiceSchedules schedules,
      KubernetesConfig kubernetes,
      HealthConfig health,
      NotifyConfig notifications,
      RecoveryConfig recovery) {
    this(postgres, rto, rpo, budgets, retention, drill, schedules, kubernetes, health, notifications,
        recovery, null, null);
  }

  public ServiceConfig withNotifications(NotifyConfig replacement) {
    return new ServiceConfig(
        postgres, rto, rpo, budgets, retention, drill, schedules, kubernetes, health, replacement,
        recovery, regions, dns);
  }
}
