package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.workflows.model.Approval;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.FailoverDetails;
import io.drflow.workflows.model.Objective;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.model.RecoveryDetails.RollbackStep;
import io.drflow.workflows.model.RtoStatus;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.report.RunReportHtml;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A failover's HTML report, with its failover section, as a browser draws it. */
class FailoverReportChromiumTest {

  private static final Instant T0 = Instant.parse("2026-11-22T03:15:00Z");

  private static RunReport failover(String status, boolean readinessPassed, boolean drill) {
    String[] names = {"Readiness", "Download", "Restore", "Validate", "ScaleUp", "HealthCheck", "Approval", "DnsSwitch",
        "ScaleDownPrimary", "Report"};
    double[] took = {2, 40, 300, 30, 50, 5, 120, 45, 3, 1};
    long[] budget = {72, 432, 1080, 288, 288, 180, 360, 180, 108, 72};
    List<Phase> phases = new ArrayList<>();
    double at = 0;
    for (int i = 0; i < names.length; i++) {
      Instant s = T0.plusMillis(Math.round(at * 1000));
      phases.add(new Phase(names[i], budget[i], s.toString(), s.plusMillis(Math.round(took[i] * 1000)).toString(),
          took[i], PhaseStatus.COMPLETED, took[i] > budget[i], false, null));
      at += took[i];
    }
    FailoverDetails d = new FailoverDetails(
        "failover", drill, "primary", "dr", T0.toString(), (drill ? "drill-" : "") + "api.shop.example.com.",
        "lb-east.shop.example.com", "ALIAS lb-west-5678.us-west-2.elb.amazonaws.com. (zone Z1H1FL5HABSF5)", "C0A1B2C3",
        List.of(new Check("Kubernetes in dr", true, "namespace shop answers; api=0, worker=0"),
            new Check("database server in dr", readinessPassed, readinessPassed ? "10.1.0.5:5432 answers"
                : "shop on 10.1.0.5:5432 holds 12 table(s) and was not created by this run")),
        List.of(new Approval("dns", "alice", "west is healthy", T0.plusSeconds(550).toString(), "update")),
        "shop on 10.1.0.5:5432", List.of(new Replicas("api", 0), new Replicas("worker", 0)),
        "api 3 → 0; worker 2 → 0", "HTTP 200 after 1 attempt(s)", null, null,
        drill ? List.of(new RollbackStep("switch DNS back", "DONE", "drill record deleted")) : List.of(), List.of());
    return new RunReport("failover-shop-20261122-031500", "run-1", "FailoverWorkflow", status, "shop",
        T0.toString(), T0.plusSeconds(600).toString(), null, phases,
        Objective.ofMillis(3600, 596_000), null, RtoStatus.ON_TRACK,
        List.of(new Check("row counts", true, "42 rows")), null,
        readinessPassed ? null : "ReadinessFailed: dr is not ready", null, null, d);
  }

  @Test
  void theFailoverSectionIsDrawn() throws Exception {
    HeadlessChromium.binary(); // skips (or fails in CI) before any work when Chromium is missing
    Path dir = ReportsEndToEndTest.ARTIFACTS;
    Files.createDirectories(dir);
    Path passed = dir.resolve("failover-drill.html");
    Path failed = dir.resolve("failover-readiness-failed.html");
    Files.writeString(passed, RunReportHtml.render(failover("COMPLETED", true, true)));
    Files.writeString(failed, RunReportHtml.render(failover("FAILED", false, false)));

    BufferedImage ok = HeadlessChromium.screenshot(passed, dir.resolve("failover-drill.png"), 2600);
    BufferedImage bad = HeadlessChromium.screenshot(failed, dir.resolve("failover-readiness-failed.png"), 2600);

    assertThat(HeadlessChromium.pixels(ok, 0xffffff)).as("white sections are drawn").isGreaterThan(100_000);
    assertThat(HeadlessChromium.pixels(ok, 0x1f8a4c)).as("green bars and pass badges").isGreaterThan(300);
    // The DRILL badges and the info tones of the drill page.
    assertThat(HeadlessChromium.pixels(ok, 0xe4ecf8)).as("DRILL badges").isGreaterThan(100);
    // A failed readiness check is a red-tinted row, and the error a red callout; none on the drill.
    assertThat(HeadlessChromium.pixels(bad, 0xfbe5e5)).isGreaterThan(5_000);
    assertThat(HeadlessChromium.pixels(ok, 0xfbe5e5)).isLessThan(500);
  }
}
