package io.drflow.activities.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Objective;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunMetricsTest {

  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final RunMetrics metrics = new RunMetrics(registry);

  static final Instant T0 = Instant.parse("2026-11-01T03:00:00Z");

  static RunReport drill(String id, String status, Instant started, Long rtoAchieved, List<Check> checks) {
    Instant ended = started.plusSeconds(300);
    return new RunReport(
        id, "run-" + id, "RestoreDrillWorkflow", status, "shop", started.toString(), ended.toString(),
        new RunReport.BackupSummary("drflow/shop/backups/b1/dump.zst", started.minusSeconds(3600).toString(), "ab", 100, 400),
        List.of(
            new Phase("Restore", 900, started.toString(), started.plusSeconds(120).toString(), 120.0, PhaseStatus.COMPLETED, false, false, null),
            new Phase("Report", 60, null, null, 0, PhaseStatus.PENDING, false, false, null)),
        rtoAchieved == null ? Objective.pending(1800) : new Objective(1800, rtoAchieved, rtoAchieved <= 1800),
        new Objective(86400, 3600L, true),
        null, checks, null, null, null);
  }

  static RunReport backup(String id, Instant snapshot, long dumpBytes) {
    return new RunReport(
        id, "run-" + id, "BackupWorkflow", "COMPLETED", "shop", snapshot.toString(), snapshot.plusSeconds(42).toString(),
        new RunReport.BackupSummary("drflow/shop/backups/" + id + "/dump.zst", snapshot.toString(), "ab", dumpBytes / 4, dumpBytes),
        List.of(), null, null, null, List.of(), null, null, null);
  }

  Double gauge(String name, String service) {
    Gauge g = registry.find(name).tag("service", service).gauge();
    return g == null ? null : g.value();
  }

  @Test
  void aPassedDrillSetsResultRtoAndRpo() {
    metrics.recordRun(drill("d1", "PASSED", T0, 700L, List.of(new Check("row counts", true, "ok"))));

    assertThat(gauge("drflow.drill.last.passed", "shop")).isEqualTo(1.0);
    assertThat(gauge("drflow.drill.rto.achieved", "shop")).isEqualTo(700.0);
    assertThat(gauge("drflow.drill.rpo.achieved", "shop")).isEqualTo(3600.0);
    assertThat(gauge("drflow.drill.last.timestamp", "shop")).isEqualTo(T0.plusSeconds(300).getEpochSecond());
    assertThat(gauge("drflow.drill.checks.failed", "shop")).isEqualTo(0.0);
    assertThat(registry.find("drflow.phase.duration").tag("phase", "Restore").timer().count()).isEqualTo(1);
    assertThat(registry.find("drflow.phase.duration").tag("phase", "Report").timer())
        .as("a phase that never ran has no duration")
        .isNull();
  }

  @Test
  void aFailedDrillThatNeverRestoredWithdrawsTheOldRtoInsteadOfRepeatingIt() {
    metrics.recordRun(drill("d1", "PASSED", T0, 700L, List.of()));
    metrics.recordRun(drill("d2", "FAILED", T0.plusSeconds(86400), null, List.of(new Check("assertion: x", false, "false"))));

    assertThat(gauge("drflow.drill.last.passed", "shop")).isEqualTo(0.0);
    assertThat(gauge("drflow.drill.rto.achieved", "shop")).isNull();
    assertThat(gauge("drflow.drill.checks.failed", "shop")).isEqualTo(1.0);
    assertThat(registry.find("drflow.drill.verification.failures").tag("check", "assertion: x").counter().count())
        .isEqualTo(1.0);
  }

  @Test
  void aRetriedStoreIsCountedOnce() {
    RunReport r = drill("d1", "FAILED", T0, 700L, List.of(new Check("indexes", false, "1 invalid")));
    metrics.recordRun(r);
    metrics.recordRun(r);

    assertThat(registry.find("drflow.runs").tag("status", "FAILED").counter().count()).isEqualTo(1.0);
    assertThat(registry.find("drflow.drill.verification.failures").counter().count()).isEqualTo(1.0);
  }

  @Test
  void olderFactsNeverReplaceNewerOnes() {
    metrics.recordRun(drill("new", "FAILED", T0.plusSeconds(86400), 900L, List.of()));
    // A refresh that read the bucket before the newest report was written.
    metrics.run(RunSummary.of(drill("old", "PASSED", T0, 700L, List.of())));
    metrics.backups("shop", List.of(new RunMetrics.BackupFacts(T0.plusSeconds(7200).toEpochMilli(), 500, 100)));
    metrics.backups("shop", List.of(new RunMetrics.BackupFacts(T0.toEpochMilli(), 400, 90)));

    assertThat(gauge("drflow.drill.last.passed", "shop")).isEqualTo(0.0);
    assertThat(gauge("drflow.drill.rto.achieved", "shop")).isEqualTo(900.0);
    assertThat(gauge("drflow.backup.last.dump", "shop")).isEqualTo(500.0);
  }

  @Test
  void aNewBackupMovesTheLastSizeToPreviousOnce() {
    metrics.recordRun(backup("b1", T0, 1000));
    assertThat(gauge("drflow.backup.previous.dump", "shop")).isNull();
    metrics.recordRun(backup("b2", T0.plusSeconds(86400), 1600));
    metrics.recordRun(backup("b2", T0.plusSeconds(86400), 1600));

    assertThat(gauge("drflow.backup.last.dump", "shop")).isEqualTo(1600.0);
    assertThat(gauge("drflow.backup.previous.dump", "shop")).isEqualTo(1000.0);
    assertThat(gauge("drflow.backup.last.success.timestamp", "shop")).isEqualTo(T0.plusSeconds(86400).getEpochSecond());
    assertThat(gauge("drflow.backup.last.duration", "shop")).isEqualTo(42.0);
  }

  @Test
  void aFailedBackupLeavesTheLastSuccessAlone() {
    metrics.recordRun(backup("b1", T0, 1000));
    RunReport failed =
        new RunReport("b2", "r2", "BackupWorkflow", "FAILED", "shop", T0.plusSeconds(86400).toString(),
            T0.plusSeconds(86500).toString(), null, List.of(), null, null, null, List.of(), null, "pg_dump failed", null);
    metrics.recordRun(failed);

    assertThat(gauge("drflow.backup.last.success.timestamp", "shop")).isEqualTo(T0.getEpochSecond());
    assertThat(gauge("drflow.backup.last.duration", "shop")).isEqualTo(42.0);
    assertThat(registry.find("drflow.runs").tag("runbook", "backup").tag("status", "FAILED").counter().count()).isEqualTo(1.0);
  }

  @Test
  void disabledMetricsAcceptEverythingAndKeepNothing() {
    RunMetrics off = RunMetrics.disabled();
    off.recordRun(drill("d1", "PASSED", T0, 700L, List.of()));
    off.objectives("shop", 1, 1);
    assertThat(off.registry().getMeters()).isEmpty();
  }
}
