package io.drflow.workflows.activities;

import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * The service's writers: the Kubernetes Deployments its config names. Each scale remembers the
 * previous replica count on the Deployment itself (annotations keyed by the run id), so a retry
 * after a crash never mistakes the 0 it set for the count to restore.
 */
@ActivityInterface
public interface DeploymentActivities {

  /** @param runId the recovery run, which owns the annotations it writes */
  record ScaleDownRequest(String service, String runId) {}

  /**
   * @param targets replica counts to restore; when empty, the counts this run recorded on the
   *     Deployments are used
   */
  record ScaleBackRequest(String service, String runId, List<Replicas> targets) {}

  /** @param actions what was changed; empty when every Deployment was already at its target */
  record ScaleResult(List<Replicas> replicas, List<String> actions) {}

  /** Current replica counts; fails non-retryably when a configured Deployment does not exist. */
  @ActivityMethod(name = "DescribeDeployments")
  List<Replicas> describe(String service);

  /** Scales every configured Deployment to 0 and returns the counts they had before. */
  @ActivityMethod(name = "ScaleDownDeployments")
  ScaleResult scaleDown(ScaleDownRequest request);

  /** Waits, heartbeating, until no pod of the Deployments remains (terminating ones included). */
  @ActivityMethod(name = "AwaitNoPods")
  int awaitNoPods(String service);

  /** Scales each Deployment back to its target and clears this run's annotations. Idempotent. */
  @ActivityMethod(name = "ScaleBackDeployments")
  ScaleResult scaleBack(ScaleBackRequest request);

  /** Waits, heartbeating, until every Deployment has as many available replicas as it wants. */
  @ActivityMethod(name = "AwaitDeploymentsAvailable")
  List<Replicas> awaitAvailable(String service);
}
