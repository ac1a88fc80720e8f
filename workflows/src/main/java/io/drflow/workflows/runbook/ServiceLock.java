package io.drflow.workflows.runbook;

import io.drflow.workflows.activities.LockActivities;
import io.drflow.workflows.activities.LockActivities.LockHolder;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * One runbook that changes a service at a time (a recovery, a failover or a failback): the holder
 * runs {@link ServiceLockWorkflow} as a child with the fixed id {@code service-lock-<service>},
 * which Temporal will not start twice. Taken before the run's first activity, so a refused run has
 * changed nothing.
 */
public final class ServiceLock {

  /**
   * Version 1: the lock is {@code service-lock-<service>}, shared by every runbook. Recoveries
   * started before it replay with {@code recovery-lock-<service>}; failovers started before it
   * replay without a lock.
   */
  public static final String CHANGE_ID = "service-lock";

  private static final Logger log = Workflow.getLogger(ServiceLock.class);

  private final String id;
  private final ServiceLockWorkflow child;
  private final Promise<Void> held;

  private ServiceLock(String id, ServiceLockWorkflow child, Promise<Void> held) {
    this.id = id;
    this.child = child;
    this.held = held;
  }

  /** The lock every runbook takes for {@code service}. */
  public static String id(String service) {
    return "service-lock-" + service;
  }

  /** The lock recoveries took before failovers shared it; runs that started then may hold it. */
  public static String legacyRecoveryId(String service) {
    return "recovery-lock-" + service;
  }

  /** True for runs started since the lock was shared; call once, before the run's first activity. */
  public static boolean shared() {
    return Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, 1) != Workflow.DEFAULT_VERSION;
  }

  /**
   * @param what the holder's runbook as people say it: "recovery", "failover", "failback"
   * @param failureType the type of the non-retryable failure that refuses the run
   * @throws ApplicationFailure {@code failureType} when another run holds the lock, naming it
   */
  public static ServiceLock acquire(String service, String what, String failureType) {
    return acquire(id(service), service, what, failureType, true);
  }

  /** Recoveries started before the lock was shared take the old id and do not look up its holder. */
  public static ServiceLock acquireLegacyRecovery(String service, String failureType) {
    return acquire(legacyRecoveryId(service), service, "recovery", failureType, false);
  }

  private static ServiceLock acquire(
      String lockId, String service, String what, String failureType, boolean nameHolder) {
    String holder = Workflow.getInfo().getWorkflowId();
    ServiceLockWorkflow child =
        Workflow.newChildWorkflowStub(
            ServiceLockWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(lockId)
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setStaticSummary("Held by " + what + " " + holder)
                .build());
    Promise<Void> held = Async.procedure(child::hold, holder);
    try {
      Workflow.getWorkflowExecution(child).get();
    } catch (RuntimeException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          refusal(lockId, service, what, nameHolder ? holderOf(lockId) : null)
              + " [" + Failures.describe(e) + "]",
          failureType);
    }
    return new ServiceLock(lockId, child, held);
  }

  private static String refusal(String lockId, String service, String what, LockHolder h) {
    if (h == null || h.workflowId() == null) {
      return "another run of " + service + " holds its lock " + lockId + " (a recovery, failover or"
          + " failback): follow it with drctl watch, or abort it, before starting this " + what;
    }
    return "another " + h.runbook() + " of " + service + " is running: " + h.workflowId()
        + " (it holds " + lockId + "); follow it with drctl watch " + h.workflowId()
        + ", or abort it with drctl abort " + h.workflowId() + " --reason TEXT, before starting"
        + " this " + what;
  }

  /** Best effort: the refusal is as clear as it can be without it. */
  private static LockHolder holderOf(String lockId) {
    LockActivities locks =
        ActivityStubs.stub(
            LockActivities.class,
            ActivityOptions.newBuilder()
                // A worker without this activity (an older one) must not keep the refusal waiting.
                .setScheduleToCloseTimeout(Duration.ofMinutes(1))
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(ActivityStubs.retries(2))
                .build(),
            "Who holds " + lockId);
    try {
      return locks.holder(lockId);
    } catch (RuntimeException e) {
      log.warn("could not tell who holds {}: {}", lockId, Failures.describe(e));
      return null;
    }
  }

  /**
   * Releases the lock and waits until it is gone, so a new run may start at once (the parent
   * close policy alone would end it only some time after the holder).
   */
  public void release() {
    try {
      child.release();
      held.get();
    } catch (RuntimeException e) {
      log.warn("could not release {}: {}", id, Failures.describe(e));
    }
  }
}
