package io.drflow.workflows.activities;

import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.ServicePlan;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Resolves a service name against the worker's configuration. */
@ActivityInterface
public interface CatalogActivities {

  /**
   * Plans a run of {@code runbook} ("backup", "drill", ...) for {@code service}: RTO, RPO, phase
   * budgets and servers, with no secrets. Fails non-retryably ({@code UnknownService}, {@code
   * InvalidConfig}, {@code MissingCredentials}) before any side effect when the run could not work.
   */
  @ActivityMethod(name = "PlanService")
  ServicePlan plan(String service, String runbook);

  /** The newest backups of a service whose manifests verify, newest first. */
  @ActivityMethod(name = "ListBackups")
  List<BackupRef> listBackups(String service, int limit);
}
