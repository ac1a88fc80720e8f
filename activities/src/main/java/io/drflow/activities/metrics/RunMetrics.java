package io.drflow.activities.metrics;

import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunSummary;
import io.drflow.workflows.model.Runbook;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * drflow's own metrics, per service. Facts arrive two ways: from each final run report as it is
 * stored (immediately, on the worker that stored it), and from the bucket (manifests and stored
 * reports) when the worker starts and every few minutes after, so that a restarted worker, or one
 * that did not run the last backup, still tells the truth. Newer facts always win over older ones,
 * whichever way they arrive.
 */
public final class RunMetrics {

  /** A published backup, as its manifest describes it. */
  public record BackupFacts(long createdAtMillis, long dumpBytes, long storedBytes) {}

  private static final int REMEMBERED_RUNS = 2000;

  private final MeterRegistry registry;
  private final GaugeBoard gauges;
  private final Map<String, BackupFacts> lastBackup = new HashMap<>();
  private final Map<String, Long> lastDrillEnd = new HashMap<>();
  private final Map<String, Long> lastBackupRunEnd = new HashMap<>();
  /** Runs already counted: the report store may be retried, counters must not count twice. */
  private final Set<String> counted =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > REMEMBERED_RUNS;
            }
          });

  public RunMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.gauges = new GaugeBoard(registry);
  }

  /** Records nothing anywhere: for workers with metrics disabled, and for tests. */
  public static RunMetrics disabled() {
    CompositeMeterRegistry none = new CompositeMeterRegistry();
    none.config().meterFilter(MeterFilter.deny());
    return new RunMetrics(none);
  }

  public MeterRegistry registry() {
    return registry;
  }

  private static Tags service(String service) {
    return Tags.of("service", service);
  }

  /** The service's targets, from the config; alert rules compare against these. */
  public synchronized void objectives(String service, long rtoSeconds, long rpoSeconds) {
    gauges.set("drflow.rto.target", "The service's recovery-time objective", "seconds", service(service), rtoSeconds);
    gauges.set("drflow.rpo.target", "The service's recovery-point objective", "seconds", service(service), rpoSeconds);
  }

  /** A final run report, as it is stored. */
  public synchronized void recordRun(RunReport report) {
    if (report == null || report.service() == null || report.status() == null) {
      return;
    }
    RunSummary summary = RunSummary.of(report);
    String runbook = runbookId(report.runbook());
    if (counted.add(report.workflowId() + "/" + report.runId())) {
      count(report, runbook);
    }
    for (Phase p : report.phases() == null ? List.<Phase>of() : report.phases()) {
      if (p.startedAt() != null && p.status() != null && p.status().finished()) {
        Tags tags = Tags.of("service", report.service(), "runbook", runbook, "phase", p.name());
        gauges.set("drflow.phase.last.duration", "Seconds the phase took in the service's last run of the runbook", "seconds", tags, p.seconds());
        if (p.budgetSeconds() > 0) {
          gauges.set("drflow.phase.budget", "The phase's budget in the service's last run of the runbook", "seconds", tags, p.budgetSeconds());
        }
      }
    }
    if (report.backup() != null && summary.backupRun()) {
      Instant at = RunSummary.instant(report.backup().createdAt());
      if (at != null) {
        backup(report.service(), new BackupFacts(at.toEpochMilli(), report.backup().dumpBytes(), report.backup().storedBytes()), null);
      }
    }
    run(summary);
  }

  private void count(RunReport report, String runbook) {
    Counter.builder("drflow.runs")
        .description("Finished runbook runs by final status")
        .tags("service", report.service(), "runbook", runbook, "status", report.status())
        .register(registry)
        .increment();
    for (Phase p : report.phases() == null ? List.<Phase>of() : report.phases()) {
      if (p.startedAt() != null && p.status() != null && p.status().finished()) {
        Timer.builder("drflow.phase.duration")
            .description("Time each runbook phase took")
            .tags("service", report.service(), "runbook", runbook, "phase", p.name())
            .register(registry)
            .record(Duration.ofMillis(Math.round(p.seconds() * 1000)));
      }
    }
    if (Runbook.DRILL.workflowType().equals(report.runbook())) {
      for (Check c : report.checks() == null ? List.<Check>of() : report.checks()) {
        if (!c.passed()) {
          Counter.builder("drflow.drill.verification.failures")
              .description("Drill verification checks that failed")
              .tags("service", report.service(), "check", c.name())
              .register(registry)
              .increment();
        }
      }
    }
  }

  /** A stored run, from a report (live or read back from the bucket). */
  public synchronized void run(RunSummary s) {
    if (s == null || s.service() == null) {
      return;
    }
    Instant ended = RunSummary.instant(s.endedAt());
    if (ended == null) {
      return;
    }
    if (s.drillRun() && s.concluded()) {
      drill(s, ended.toEpochMilli());
    } else if (s.backupRun() && s.passed()) {
      Long prev = lastBackupRunEnd.get(s.service());
      Double seconds = s.durationSeconds();
      if (seconds != null && (prev == null || ended.toEpochMilli() >= prev)) {
        lastBackupRunEnd.put(s.service(), ended.toEpochMilli());
        gauges.set("drflow.backup.last.duration", "Seconds the last successful backup run took", "seconds", service(s.service()), seconds);
      }
    }
  }

  private void drill(RunSummary s, long endedMillis) {
    Long prev = lastDrillEnd.get(s.service());
    if (prev != null && endedMillis < prev) {
      return;
    }
    lastDrillEnd.put(s.service(), endedMillis);
    Tags t = service(s.service());
    gauges.set("drflow.drill.last.timestamp", "When the last concluded drill ended", "seconds", t, endedMillis / 1000.0);
    gauges.set("drflow.drill.last.passed", "1 if the last concluded drill passed, 0 if it failed", null, t, s.passed() ? 1 : 0);
    gauges.set("drflow.drill.checks.failed", "Verification checks that failed in the last concluded drill", null, t, s.failedChecks());
    // The last drill's own figures or none: an older drill's RTO would pass for this one's.
    if (s.rto() != null && s.rto().achievedSeconds() != null) {
      gauges.set("drflow.drill.rto.achieved", "RTO the last concluded drill achieved (start to verified restore)", "seconds", t, s.rto().achievedSeconds());
    } else {
      gauges.remove("drflow.drill.rto.achieved", t);
    }
    if (s.rpo() != null && s.rpo().achievedSeconds() != null) {
      gauges.set("drflow.drill.rpo.achieved", "RPO the last concluded drill achieved (start minus the backup's snapshot)", "seconds", t, s.rpo().achievedSeconds());
    } else {
      gauges.remove("drflow.drill.rpo.achieved", t);
    }
  }

  /**
   * The service's newest published backups, newest first, as the bucket lists them.
   */
  public synchronized void backups(String service, List<BackupFacts> newestFirst) {
    if (newestFirst.isEmpty()) {
      return;
    }
    backup(service, newestFirst.get(0), newestFirst.size() > 1 ? newestFirst.get(1) : null);
  }

  /**
   * @param previous the backup before it when known (from the bucket); null to take the one
   *     these metrics showed until now
   */
  private void backup(String service, BackupFacts newest, BackupFacts previous) {
    BackupFacts current = lastBackup.get(service);
    if (current != null && newest.createdAtMillis() < current.createdAtMillis()) {
      return;
    }
    BackupFacts before =
        previous != null
            ? previous
            : current != null && newest.createdAtMillis() > current.createdAtMillis() ? current : null;
    lastBackup.put(service, newest);
    Tags t = service(service);
    gauges.set("drflow.backup.last.success.timestamp", "Snapshot time of the newest published backup (what a restore returns to)", "seconds", t, newest.createdAtMillis() / 1000.0);
    gauges.set("drflow.backup.last.dump", "Size of the newest backup's pg_dump stream", "bytes", t, newest.dumpBytes());
    gauges.set("drflow.backup.last.stored", "Bytes the newest backup occupies in the bucket (compressed)", "bytes", t, newest.storedBytes());
    if (before != null) {
      gauges.set("drflow.backup.previous.dump", "Size of the pg_dump stream of the backup before the newest", "bytes", t, before.dumpBytes());
    }
  }

  static String runbookId(String workflowType) {
    for (Runbook r : Runbook.values()) {
      if (r.workflowType().equals(workflowType)) {
        return r.id();
      }
    }
    return workflowType == null ? "unknown" : workflowType;
  }
}
