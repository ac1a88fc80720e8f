package io.drflow.workflows.runbook;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Held by a running recovery, failover or failback as a child workflow with the fixed id {@code
 * service-lock-<service>}: Temporal refuses a second one, so two runbooks never change one service
 * at once. The holder releases it before it ends; should the holder be terminated instead, Temporal
 * terminates the lock with it (parent close policy TERMINATE).
 */
@WorkflowInterface
public interface ServiceLockWorkflow {

  /**
   * The type name it was registered under when only recoveries took it: locks held by runs that
   * started before the rename keep running (and replaying) under it.
   */
  String TYPE = "RecoveryLock";

  @WorkflowMethod(name = TYPE)
  void hold(String holderWorkflowId);

  @SignalMethod(name = "release", description = "Sent by the holder as it ends")
  void release();
}
