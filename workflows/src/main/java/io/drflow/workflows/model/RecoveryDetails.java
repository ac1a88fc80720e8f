package io.drflow.workflows.model;

import java.util.List;

/**
 * What a recovery did to production, for the responder now and the post-mortem later.
 *
 * @param incidentStart when the RTO clock started (the responder's {@code --incident-start}, else
 *     the run's start)
 * @param restoredDatabase where the backup was restored before the swap
 * @param preRecoveryDatabase the name the damaged database is kept under after the swap; the
 *     runbook never drops it
 * @param backupSelection how the backup was chosen, in words
 * @param safetyCopy the key of the backup taken of the damaged database first, if any
 * @param deployments replica counts before the writers were stopped
 * @param rollback compensation steps run after a failure or an abort, in order
 * @param warnings things that did not stop the run but that a responder must know
 */
public record RecoveryDetails(
    String incidentStart,
    String server,
    String productionDatabase,
    String restoredDatabase,
    String preRecoveryDatabase,
    String assessment,
    String backupSelection,
    String safetyCopy,
    List<Approval> approvals,
    List<Replicas> deployments,
    String healthCheck,
    String abortedBy,
    String abortReason,
    List<RollbackStep> rollback,
    List<String> warnings) {

  /** A Deployment and its replica count before the run stopped it. */
  public record Replicas(String name, int replicas) {}

  /**
   * @param status DONE, SKIPPED (nothing to undo) or FAILED
   */
  public record RollbackStep(String step, String status, String detail) {}
}
