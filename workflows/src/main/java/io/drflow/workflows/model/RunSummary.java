package io.drflow.workflows.model;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stored run in a few figures: what {@code drctl history} lists and charts, and what a worker's
 * metrics start from after a restart. Small on purpose: a history of hundreds of runs travels as
 * one activity result.
 *
 * @param runbook the workflow type ({@code RestoreDrillWorkflow}, {@code BackupWorkflow}, ...)
 * @param phaseSeconds seconds each phase that ran took, in runbook order
 */
public record RunSummary(
    String workflowId,
    String runId,
    String runbook,
    String status,
    String service,
    String startedAt,
    String endedAt,
    String backupKey,
    String backupCreatedAt,
    long backupStoredBytes,
    long backupDumpBytes,
    Objective rto,
    Objective rpo,
    int checks,
    int failedChecks,
    Map<String, Double> phaseSeconds,
    String reportKey) {

  public static RunSummary of(RunReport r) {
    Map<String, Double> phases = new LinkedHashMap<>();
    for (Phase p : r.phases() == null ? List.<Phase>of() : r.phases()) {
      if (p.startedAt() != null && p.status() != null && p.status().finished()) {
        phases.put(p.name(), p.seconds());
      }
    }
    List<Check> checks = r.checks() == null ? List.of() : r.checks();
    RunReport.BackupSummary b = r.backup();
    return new RunSummary(
        r.workflowId(),
        r.runId(),
        r.runbook(),
        r.status(),
        r.service(),
        r.startedAt(),
        r.endedAt(),
        b == null ? null : b.key(),
        b == null ? null : b.createdAt(),
        b == null ? 0 : b.storedBytes(),
        b == null ? 0 : b.dumpBytes(),
        r.rto(),
        r.rpo(),
        checks.size(),
        (int) checks.stream().filter(c -> !c.passed()).count(),
        phases,
        r.reportKey());
  }

  // Not named isDrill(): Jackson would add it to the JSON as a property.
  public boolean drillRun() {
    return Runbook.DRILL.workflowType().equals(runbook);
  }

  public boolean backupRun() {
    return Runbook.BACKUP.workflowType().equals(runbook);
  }

  /** A drill that ran to a verdict (a cancelled one has none). */
  public boolean concluded() {
    return "PASSED".equals(status) || "FAILED".equals(status) || "COMPLETED".equals(status);
  }

  public boolean passed() {
    return "PASSED".equals(status) || "COMPLETED".equals(status);
  }

  /** Seconds from start to end; null while running or when a time does not parse. */
  public Double durationSeconds() {
    Instant s = instant(startedAt);
    Instant e = instant(endedAt);
    return s == null || e == null ? null : Duration.between(s, e).toMillis() / 1000.0;
  }

  public static Instant instant(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return Instant.parse(iso);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
