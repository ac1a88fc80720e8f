package io.drflow.workflows.model;

import java.util.List;

/**
 * The evidence a run leaves: what was restored, how long each phase took against its budget, the
 * RTO and RPO achieved, and every check with its figure. Returned by the workflow, answered by the
 * {@code report} query, and stored as JSON and Markdown beside the backups.
 *
 * @param status PASSED, FAILED or CANCELLED for drills; COMPLETED or FAILED for backups;
 *     COMPLETED, FAILED, ABORTED, CANCELLED or ROLLBACK_FAILED for recoveries
 * @param recovery what a recovery did to production; null for other runbooks
 * @param failover what a failover or failback did; null for other runbooks
 */
public record RunReport(
    String workflowId,
    String runId,
    String runbook,
    String status,
    String service,
    String startedAt,
    String endedAt,
    BackupSummary backup,
    List<Phase> phases,
    Objective rto,
    Objective rpo,
    RtoStatus rtoStatus,
    List<Check> checks,
    Scratch scratch,
    String error,
    String reportKey,
    RecoveryDetails recovery,
    FailoverDetails failover) {

  /** A report without a failover section. */
  public RunReport(
      String workflowId,
      String runId,
      String runbook,
      String status,
      String service,
      String startedAt,
      String endedAt,
      BackupSummary backup,
      List<Phase> phases,
      Objective rto,
      Objective rpo,
      RtoStatus rtoStatus,
      List<Check> checks,
      Scratch scratch,
      String error,
      String reportKey,
      RecoveryDetails recovery) {
    this(workflowId, runId, runbook, status, service, startedAt, endedAt, backup, phases, rto, rpo,
        rtoStatus, checks, scratch, error, reportKey, recovery, null);
  }

  /** A report without a recovery section (backups, drills). */
  public RunReport(
      String workflowId,
      String runId,
      String runbook,
      String status,
      String service,
      String startedAt,
      String endedAt,
      BackupSummary backup,
      List<Phase> phases,
      Objective rto,
      Objective rpo,
      RtoStatus rtoStatus,
      List<Check> checks,
      Scratch scratch,
      String error,
      String reportKey) {
    this(workflowId, runId, runbook, status, service, startedAt, endedAt, backup, phases, rto, rpo,
        rtoStatus, checks, scratch, error, reportKey, null);
  }

  public record BackupSummary(
      String key, String createdAt, String sha256, long storedBytes, long dumpBytes) {}

  /**
   * @param kept the user asked to keep it ({@code --keep-scratch}); the report then names it
   * @param dropped cleanup dropped it
   */
  public record Scratch(String server, String database, boolean kept, boolean dropped) {}

  public boolean passed() {
    return "PASSED".equals(status) || "COMPLETED".equals(status);
  }

  public RunReport withReportKey(String key) {
    return new RunReport(
        workflowId, runId, runbook, status, service, startedAt, endedAt, backup, phases, rto, rpo,
        rtoStatus, checks, scratch, error, key, recovery, failover);
  }
}
