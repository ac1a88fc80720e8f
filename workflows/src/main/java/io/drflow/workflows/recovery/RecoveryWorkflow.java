package io.drflow.workflows.recovery;

import io.drflow.workflows.model.Approval;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RunReport;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * The database-loss runbook: assess the damaged database, keep a safety copy, stop the writers,
 * restore a backup beside production and prove it, wait for a person's approval, swap it in,
 * start the writers, check the service's health, report. A failure or an abort rolls back what
 * was done (saga); the damaged database is never dropped.
 */
@WorkflowInterface
public interface RecoveryWorkflow {

  String TYPE = "RecoveryWorkflow";

  /** The step that needs a person's approval: replacing the production database. */
  String SWAP_STEP = "swap";

  List<String> APPROVAL_STEPS = List.of(SWAP_STEP);

  String APPROVE_UPDATE = "approve";
  String APPROVE_SIGNAL = "approveSignal";
  String ABORT_SIGNAL = "abort";

  /** Id of the lock a running recovery (or failover) of {@code service} holds. */
  static String lockId(String service) {
    return io.drflow.workflows.runbook.ServiceLock.id(service);
  }

  /**
   * Returns the report of a completed recovery; a failed or aborted one fails with the report as
   * details after rolling back.
   */
  @WorkflowMethod(name = TYPE)
  RunReport recover(RecoveryInput input);

  @QueryMethod(
      name = "progress",
      description = "Phase table: budgets, start/end, status, and the RTO remaining")
  Progress progress();

  @QueryMethod(name = "report", description = "The recovery report so far (final once the run ends)")
  RunReport report();

  @QueryMethod(
      name = "pendingApproval",
      description = "The step waiting for approval (\"swap\"), or null when none is")
  String pendingApproval();

  @UpdateMethod(
      name = APPROVE_UPDATE,
      description =
          "Approve a gated step: {\"step\":\"swap\",\"by\":\"alice\",\"comment\":\"...\"}. Rejected"
              + " for an unknown step, a step the run is not waiting for, or an empty approver.")
  Approval approve(ApprovalRequest request);

  @UpdateValidatorMethod(updateName = APPROVE_UPDATE)
  void validateApprove(ApprovalRequest request);

  @SignalMethod(
      name = APPROVE_SIGNAL,
      description =
          "Approve a gated step from the Temporal UI: {\"step\":\"swap\",\"by\":\"alice\","
              + "\"comment\":\"...\"}. Checked like the approve update; a rejected one is logged"
              + " and listed in the report's warnings.")
  void approveSignal(ApprovalRequest request);

  @SignalMethod(
      name = ABORT_SIGNAL,
      description =
          "Abort and roll back: {\"reason\":\"...\",\"by\":\"alice\"}. Before the swap the restored"
              + " database is dropped and the writers restarted; after it the swap is reversed.")
  void abort(AbortRequest request);
}
