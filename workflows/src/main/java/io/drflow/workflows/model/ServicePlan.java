package io.drflow.workflows.model;

import java.util.Map;

/**
 * What a runbook needs to know about a configured service, resolved by the worker from its config.
 * It deliberately holds no credentials: workflow history is readable by anyone with UI access.
 *
 * @param budgets phase name to budget in seconds, for the runbook the plan was made for
 * @param sourceServer {@code host:port} of the production database server
 * @param drillServer {@code host:port} of the server drills restore into
 */
public record ServicePlan(
    String service,
    String runbook,
    String database,
    String sourceServer,
    String drillServer,
    long rtoSeconds,
    long rpoSeconds,
    Map<String, Long> budgets,
    int assertionCount,
    String storage) {

  public long budget(String phase) {
    Long b = budgets.get(phase);
    return b == null ? 0 : b;
  }
}
