package io.drflow.workflows.recovery;

import io.drflow.workflows.runbook.Failures;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * One recovery per service at a time: the holder runs {@link RecoveryLockWorkflow} as a child
 * with the fixed id {@code recovery-lock-<service>}, which Temporal will not start twice.
 */
final class ServiceLock {

  private static final Logger log = Workflow.getLogger(ServiceLock.class);

  private final String service;
  private final RecoveryLockWorkflow child;
  private final Promise<Void> held;

  private ServiceLock(String service, RecoveryLockWorkflow child, Promise<Void> held) {
    this.service = service;
    this.child = child;
    this.held = held;
  }

  /** @throws ApplicationFailure {@code RecoveryInProgress} when another run holds it */
  static ServiceLock acquire(String service, String holder) {
    RecoveryLockWorkflow child =
        Workflow.newChildWorkflowStub(
            RecoveryLockWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(RecoveryWorkflow.lockId(service))
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_TERMINATE)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setStaticSummary("Held by recovery " + holder)
                .build());
    Promise<Void> held = Async.procedure(child::hold, holder);
    try {
      Workflow.getWorkflowExecution(child).get();
    } catch (RuntimeException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          "another recovery of " + service + " is running (it holds "
              + RecoveryWorkflow.lockId(service) + "): follow it with drctl watch, or abort it"
              + " first [" + Failures.describe(e) + "]",
          Failures.RECOVERY_IN_PROGRESS);
    }
    return new ServiceLock(service, child, held);
  }

  /**
   * Releases the lock and waits until it is gone, so a new recovery may start at once (the
   * parent close policy alone would end it only some time after the holder).
   */
  void release() {
    try {
      child.release();
      held.get();
    } catch (RuntimeException e) {
      log.warn("could not release {}: {}", RecoveryWorkflow.lockId(service), Failures.describe(e));
    }
  }
}
