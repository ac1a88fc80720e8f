package io.drflow.workflows.failover;

import io.drflow.workflows.model.Approval;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.recovery.AbortRequest;
import io.drflow.workflows.recovery.ApprovalRequest;
import io.drflow.workflows.recovery.RecoveryWorkflow;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The region-loss runbook: check the DR region is ready, restore the newest backup into its
 * database server, scale its Deployments up, check its health, wait for a person's approval,
 * switch the DNS record to it, scale the old region down (best effort), report. Failback is the
 * same runbook towards the first configured region. A failure or an abort undoes what was done:
 * the DNS record is switched back, the DR Deployments scaled back.
 */
@WorkflowInterface
public interface FailoverWorkflow {

  String TYPE = "FailoverWorkflow";

  /** The step that needs a person's approval: pointing clients at the other region. */
  String DNS_STEP = "dns";

  /** Same names as the recovery runbook's, so drctl approve and abort work on both. */
  String APPROVE_UPDATE = RecoveryWorkflow.APPROVE_UPDATE;
  String APPROVE_SIGNAL = RecoveryWorkflow.APPROVE_SIGNAL;
  String ABORT_SIGNAL = RecoveryWorkflow.ABORT_SIGNAL;

  /** How restore activities name a region's PostgreSQL server. */
  static String server(String region) {
    return "region:" + region;
  }

  @WorkflowMethod(name = TYPE)
  RunReport failover(FailoverInput input);

  @QueryMethod(name = "progress", description = "Phase table: budgets, start/end, status, and the RTO remaining")
  Progress progress();

  @QueryMethod(name = "report", description = "The failover report so far (final once the run ends)")
  RunReport report();

  @QueryMethod(name = "pendingApproval", description = "The step waiting for approval (\"dns\"), or null")
  String pendingApproval();

  @UpdateMethod(
      name = APPROVE_UPDATE,
      description = "Approve the DNS switch: {\"step\":\"dns\",\"by\":\"alice\",\"comment\":\"...\"}")
  Approval approve(ApprovalRequest request);

  @UpdateValidatorMethod(updateName = APPROVE_UPDATE)
  void validateApprove(ApprovalRequest request);

  @SignalMethod(
      name = APPROVE_SIGNAL,
      description = "Approve the DNS switch from the Temporal UI: {\"step\":\"dns\",\"by\":\"alice\"}")
  void approveSignal(ApprovalRequest request);

  @SignalMethod(
      name = ABORT_SIGNAL,
      description =
          "Abort and roll back: {\"reason\":\"...\",\"by\":\"alice\"}. Before the DNS switch the DR"
              + " Deployments are scaled back; after it the record is switched back too.")
  void abort(AbortRequest request);
}
