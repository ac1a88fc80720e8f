package io.drflow.workflows.runbook;

import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.model.ServicePlan;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;

/** Resolves a run's plan; a refusal fails the workflow with the activity's own words. */
public final class Plans {

  private Plans() {}

  /**
   * Someone who typed an unknown service into the UI should read "unknown service 'x'" as the
   * run's failure, not "activity task failed" with the reason two causes down.
   */
  public static ServicePlan resolve(CatalogActivities catalog, String service, String runbook) {
    try {
      return catalog.plan(service, runbook);
    } catch (ActivityFailure e) {
      if (e.getCause() instanceof ApplicationFailure af && af.isNonRetryable()) {
        throw ApplicationFailure.newNonRetryableFailureWithCause(
            af.getOriginalMessage(), af.getType(), e);
      }
      throw e;
    }
  }
}
