package io.drflow.workflows.report;

import io.drflow.workflows.model.Approval;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.FailoverDetails;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.model.RecoveryDetails.RollbackStep;
import io.drflow.workflows.model.Objective;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.RtoStatus;
import io.drflow.workflows.model.RunReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reports shaped like real ones, for the renderers' tests. */
final class ReportFixtures {

  static final Instant T0 = Instant.parse("2026-11-01T02:00:00Z");

  private ReportFixtures() {}

  /** name, budget s, took s (negative: never started), status. */
  static List<Phase> phases(Object... spec) {
    List<Phase> out = new ArrayList<>();
    double at = 0;
    for (int i = 0; i < spec.length; i += 4) {
      String name = (String) spec[i];
      long budget = ((Number) spec[i + 1]).longValue();
      double took = ((Number) spec[i + 2]).doubleValue();
      PhaseStatus status = (PhaseStatus) spec[i + 3];
      if (took < 0) {
        out.add(new Phase(name, budget, null, null, 0, status, false, false, status == PhaseStatus.SKIPPED ? "nothing was created" : null));
        continue;
      }
      Instant s = T0.plusMillis(Math.round(at * 1000));
      Instant e = s.plusMillis(Math.round(took * 1000));
      out.add(new Phase(name, budget, s.toString(), e.toString(), took, status, took > budget, false, null));
      at += took;
    }
    return out;
  }

  /** A month-end drill of a 60 GiB database with an RTO of one hour: Restore overran its budget. */
  static RunReport productionDrill() {
    List<Phase> phases =
        phases(
            "Locate", 72, 14.2, PhaseStatus.COMPLETED,
            "Download", 720, 512.8, PhaseStatus.COMPLETED,
            "Restore", 1620, 1804.5, PhaseStatus.COMPLETED,
            "Validate", 540, 381.0, PhaseStatus.COMPLETED,
            "Cleanup", 180, 22.4, PhaseStatus.COMPLETED,
            "Report", 72, 1.3, PhaseStatus.COMPLETED);
    long validated = Math.round(14.2 + 512.8 + 1804.5 + 381.0);
    return new RunReport(
        "drill-shop-20261101-020000", "5f0c6a1e-2b8e-4c55-9d1f-4a7b3c2d1e0f", "RestoreDrillWorkflow", "PASSED", "shop",
        T0.toString(), T0.plusSeconds(2737).toString(),
        new RunReport.BackupSummary("drflow/shop/backups/20261101T010000Z-1a2b3c4d/dump.zst", "2026-11-01T01:00:04.512Z",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 14L * 1024 * 1024 * 1024, 61L * 1024 * 1024 * 1024),
        phases,
        Objective.ofMillis(3600, validated * 1000),
        Objective.ofMillis(86400, 3596_000),
        RtoStatus.AT_RISK,
        List.of(
            new Check("row counts", true, "184 tables, 412,993,120 rows: every table matches the manifest"),
            new Check("large objects", true, "12 large objects"),
            new Check("foreign keys", true, "0 orphaned rows across 97 foreign keys"),
            new Check("indexes", true, "311 indexes valid"),
            new Check("constraints", true, "all 402 constraints validated"),
            new Check("assertion: customers exist", true, "true")),
        new RunReport.Scratch("10.0.4.12:5432", "drill_shop_20261101t020000z_5f0c6a1e", false, true),
        null,
        "drflow/shop/reports/drill-shop-20261101-020000.json");
  }

  /** A drill whose restore verified but whose checks found damage. */
  static RunReport failedDrill() {
    List<Phase> phases =
        phases(
            "Locate", 36, 0.3, PhaseStatus.COMPLETED,
            "Download", 360, 2.1, PhaseStatus.COMPLETED,
            "Restore", 810, 4.8, PhaseStatus.COMPLETED,
            "Validate", 270, 1.2, PhaseStatus.COMPLETED,
            "Cleanup", 90, 0.2, PhaseStatus.COMPLETED,
            "Report", 36, 0.1, PhaseStatus.COMPLETED);
    return new RunReport(
        "drill-billing-20261101-020000", "0b7e", "RestoreDrillWorkflow", "FAILED", "billing",
        T0.toString(), T0.plusSeconds(9).toString(),
        new RunReport.BackupSummary("drflow/billing/backups/20261101T010000Z-77aa88bb/dump.zst", "2026-11-01T01:00:00Z", "ab".repeat(32), 376_400, 2_227_568),
        phases,
        Objective.ofMillis(1800, 8_400),
        Objective.ofMillis(86400, 3_600_000),
        RtoStatus.ON_TRACK,
        List.of(
            new Check("row counts", false, "sales.orders: 11,998 rows, manifest says 12,000"),
            new Check("foreign keys", true, "0 orphaned rows"),
            new Check("assertion: <script>alert('x')</script> & \"quotes\"", false, "returned false")),
        new RunReport.Scratch("127.0.0.1:5433", "drill_billing_20261101t020000z_0b7e", false, true),
        "verification failed: row counts, assertion: <script>alert('x')</script>",
        null);
  }

  /** A drill that failed before it restored anything. */
  static RunReport earlyFailure() {
    List<Phase> phases =
        phases(
            "Locate", 36, 0.4, PhaseStatus.COMPLETED,
            "Download", 360, 1.9, PhaseStatus.FAILED,
            "Restore", 810, -1, PhaseStatus.PENDING,
            "Validate", 270, -1, PhaseStatus.PENDING,
            "Cleanup", 90, -1, PhaseStatus.SKIPPED,
            "Report", 36, 0.1, PhaseStatus.COMPLETED);
    return new RunReport(
        "drill-shop-20261102-020000", "77", "RestoreDrillWorkflow", "FAILED", "shop",
        T0.toString(), T0.plusSeconds(3).toString(),
        new RunReport.BackupSummary("drflow/shop/backups/x/dump.zst", "2026-11-01T01:00:00Z", "cd".repeat(32), 1000, 4000),
        phases, Objective.pending(1800), Objective.ofMillis(86400, 3_600_000), RtoStatus.ON_TRACK, List.of(),
        new RunReport.Scratch("127.0.0.1:5433", "drill_shop_x", false, false),
        "ChecksumMismatch: drflow/shop/backups/x/dump.zst: SHA-256 of chunk 1 mismatch", null);
  }

  /** A recovery report as the recovery runbook stores it (a section this module does not model). */
  static String recoveryJson() {
    return """
        {"workflowId":"recover-shop-20261103-101500","runId":"r1","runbook":"RecoveryWorkflow","status":"COMPLETED",
         "service":"shop","startedAt":"2026-11-03T10:15:00Z","endedAt":"2026-11-03T10:52:10Z",
         "backup":{"key":"drflow/shop/backups/20261103T010000Z-aa/dump.zst","createdAt":"2026-11-03T01:00:00Z","sha256":"ee","storedBytes":100,"dumpBytes":400},
         "phases":[
           {"name":"Assess","budgetSeconds":36,"startedAt":"2026-11-03T10:15:00Z","endedAt":"2026-11-03T10:15:20Z","seconds":20.0,"status":"COMPLETED","overBudget":false,"pipelined":false,"note":null},
           {"name":"Restore","budgetSeconds":1080,"startedAt":"2026-11-03T10:15:20Z","endedAt":"2026-11-03T10:40:00Z","seconds":1480.0,"status":"COMPLETED","overBudget":true,"pipelined":false,"note":"pg_restore -j8"},
           {"name":"Approval","budgetSeconds":360,"startedAt":"2026-11-03T10:40:00Z","endedAt":"2026-11-03T10:48:00Z","seconds":480.0,"status":"COMPLETED","overBudget":true,"pipelined":false,"note":"approved by alice"},
           {"name":"Swap","budgetSeconds":36,"startedAt":"2026-11-03T10:48:00Z","endedAt":"2026-11-03T10:48:05Z","seconds":5.0,"status":"COMPLETED","overBudget":false,"pipelined":false,"note":null}],
         "rto":{"targetSeconds":3600,"achievedSeconds":2405,"met":true},
         "rpo":{"targetSeconds":86400,"achievedSeconds":33300,"met":true},
         "rtoStatus":"AT_RISK","checks":[{"name":"row counts","passed":true,"detail":"ok"}],
         "scratch":null,"error":null,"reportKey":"drflow/shop/reports/recover-shop-20261103-101500.json",
         "recovery":{"incidentStart":"2026-11-03T10:12:00Z","newerField":{"x":1},
           "approvals":[{"step":"Swap","by":"alice <alice@example.com>","comment":"restored data checked with the on-call DBA","at":"2026-11-03T10:48:00Z","via":"update"}]},
         "somethingNewer":[1,2,3]}
        """;
  }

  /** A failover to the DR region that was approved, switched DNS and scaled the old region down. */
  static RunReport failover() {
    List<Phase> phases =
        phases(
            "Readiness", 72, 3.1, PhaseStatus.COMPLETED,
            "Download", 432, 380.0, PhaseStatus.COMPLETED,
            "Restore", 1080, 1210.4, PhaseStatus.COMPLETED,
            "Validate", 288, 95.0, PhaseStatus.COMPLETED,
            "ScaleUp", 288, 64.0, PhaseStatus.COMPLETED,
            "HealthCheck", 180, 4.0, PhaseStatus.COMPLETED,
            "Approval", 360, 300.0, PhaseStatus.COMPLETED,
            "DnsSwitch", 180, 41.0, PhaseStatus.COMPLETED,
            "ScaleDownPrimary", 108, 2.5, PhaseStatus.COMPLETED,
            "Rollback", 0, -1, PhaseStatus.SKIPPED,
            "Report", 72, 0.4, PhaseStatus.COMPLETED);
    FailoverDetails d = new FailoverDetails(
        "failover", false, "primary", "dr", T0.minusSeconds(240).toString(), "api.shop.example.com.",
        "lb-east.shop.example.com", "lb-west.shop.example.com", "C0A1B2C3D4E5F6",
        List.of(
            new Check("newest backup within the RPO", true, "20261101T010000Z-1a2b3c4d, 1h 00m old (RPO 24h)"),
            new Check("Kubernetes in dr", true, "namespace shop answers; api=0, worker=0"),
            new Check("database server in dr", true, "10.1.0.5:5432 answers; shop does not exist there yet"),
            new Check("hosted zone and record", true, "shop.example.com. holds api.shop.example.com. CNAME lb-east.shop.example.com")),
        List.of(new Approval("dns", "alice <alice@example.com>", "west is healthy", T0.plusSeconds(2140).toString(), "update")),
        "shop on 10.1.0.5:5432",
        List.of(new Replicas("api", 0), new Replicas("worker", 0)),
        "api 3 → 0; worker 2 → 0",
        "HTTP 200 from west.shop.example/health after 2 attempt(s)",
        null, null, List.of(), List.of());
    return new RunReport(
        "failover-shop-20261101-020000", "run-f1", "FailoverWorkflow", "COMPLETED", "shop",
        T0.toString(), T0.plusSeconds(2150).toString(),
        new RunReport.BackupSummary("drflow/shop/backups/20261101T010000Z-1a2b3c4d/dump.zst", "2026-11-01T01:00:04.512Z",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", 14L * 1024 * 1024 * 1024, 61L * 1024 * 1024 * 1024),
        phases,
        Objective.ofMillis(3600, 2387_000),
        Objective.ofMillis(86400, 3836_000),
        RtoStatus.AT_RISK,
        List.of(new Check("row counts", true, "184 tables, 412,993,120 rows"), new Check("health of dr", true, "HTTP 200")),
        null, null, "drflow/shop/reports/failover-shop-20261101-020000.json", null, d);
  }

  /** A failback drill whose health check failed: nothing was switched, the DR side was put back. */
  static RunReport failedFailbackDrill() {
    List<Phase> phases =
        phases(
            "Readiness", 72, 2.0, PhaseStatus.COMPLETED,
            "Download", 432, 3.0, PhaseStatus.COMPLETED,
            "Restore", 1080, 2.0, PhaseStatus.COMPLETED,
            "Validate", 288, 1.0, PhaseStatus.COMPLETED,
            "ScaleUp", 288, 2.0, PhaseStatus.COMPLETED,
            "HealthCheck", 180, 1.5, PhaseStatus.FAILED,
            "Rollback", 72, 1.2, PhaseStatus.COMPLETED);
    FailoverDetails d = new FailoverDetails(
        "failback", true, "dr", "primary", T0.toString(), "drill-api.shop.example.com.",
        null, "<lb-east> & co", null,
        List.of(
            new Check("Kubernetes in primary", true, "namespace shop answers"),
            new Check("database server in primary", false, "shop on 10.0.0.5:5432 holds 12 table(s) & was not created by this run")),
        List.of(),
        "shop_restore_x on 10.0.0.5:5432 (drill: dropped at the end)",
        List.of(new Replicas("api", 1)),
        null,
        "HealthCheckFailed: HTTP 503 from east.shop.example/health",
        null, null,
        List.of(new RollbackStep("scale primary back", "DONE", "api 3 → 1"),
            new RollbackStep("drop restored database", "FAILED", "connection refused")),
        List.of("could not drop shop_restore_x in primary (connection refused): drop it by hand"));
    return new RunReport(
        "failback-shop-drill", "run-b1", "FailoverWorkflow", "FAILED", "shop",
        T0.toString(), T0.plusSeconds(14).toString(), null, phases,
        Objective.pending(3600), null, RtoStatus.ON_TRACK, List.of(),
        null, "HealthCheckFailed: HTTP 503 <after 3 attempts>", null, null, d);
  }
}
