package io.drflow.workflows.recovery;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Held by a running recovery as a child workflow with the fixed id {@code recovery-lock-<service>}:
 * Temporal refuses a second one, so two responders cannot recover one service at once. The holder
 * releases it before it ends; should the holder be terminated instead, Temporal terminates the
 * lock with it (parent close policy TERMINATE).
 */
@WorkflowInterface
public interface RecoveryLockWorkflow {

  String TYPE = "RecoveryLock";

  @WorkflowMethod(name = TYPE)
  void hold(String holderWorkflowId);

  @SignalMethod(name = "release", description = "Sent by the holder as it ends")
  void release();
}
