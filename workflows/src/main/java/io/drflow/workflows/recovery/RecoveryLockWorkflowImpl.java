package io.drflow.workflows.recovery;

import io.temporal.workflow.Workflow;

public class RecoveryLockWorkflowImpl implements RecoveryLockWorkflow {

  @Override
  public void hold(String holderWorkflowId) {
    // Never returns by itself: the lock is released when the holder closes and Temporal
    // terminates this child.
    Workflow.await(() -> false);
  }
}
