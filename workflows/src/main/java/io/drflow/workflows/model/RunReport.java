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

  /**
   * The report as the Report phase stores it: that phase is still running while the report is
   * written, but whoever reads the stored copy knows the write succeeded, so the copy shows the
   * phase completed at {@code storedAt} instead of forever RUNNING.
   */
  public RunReport asStoredAt(String storedAt) {
    List<Phase> stored =
        phases.stream()
            .map(p -> "Report".equals(p.name()) && p.status() == PhaseStatus.RUNNING
                ? new Phase(p.name(), p.budgetSeconds(), p.startedAt(), storedAt,
                    p.startedAt() == null ? 0 : millisBetween(p.startedAt(), storedAt) / 1000.0,
                    PhaseStatus.COMPLETED, p.overBudget(), p.pipelined(), "this report")
                : p)
            .toList();
    return new RunReport(
        workflowId, runId, runbook, status, service, startedAt, endedAt, backup, stored, rto, rpo,
        rtoStatus, checks, scratch, error, reportKey, recovery, failover);
  }

  private static long millisBetween(String from, String to) {
    return java.time.Instant.parse(to).toEpochMilli() - java.time.Instant.parse(from).toEpochMilli();
  }

  public RunReport withReportKey(String key) {
    return new RunReport(
        workflowId, runId, runbook, status, service, startedAt, endedAt, backup, phases, rto, rpo,
        rtoStatus, checks, scratch, error, key, recovery, failover);
  }
}
