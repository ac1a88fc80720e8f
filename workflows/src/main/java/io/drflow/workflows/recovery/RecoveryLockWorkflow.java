package io.drflow.workflows.recovery;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Held by a running recovery as a child workflow with the fixed id {@code recovery-lock-<service>}:
 * Temporal refuses a second one, so two responders cannot recover one service at once. It ends
 * when its parent does (parent close policy TERMINATE).
 */
@WorkflowInterface
public interface RecoveryLockWorkflow {

  String TYPE = "RecoveryLock";

  @WorkflowMethod(name = TYPE)
  void hold(String holderWorkflowId);
}
