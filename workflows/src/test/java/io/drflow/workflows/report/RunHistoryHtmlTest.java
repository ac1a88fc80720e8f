package io.drflow.workflows.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.workflows.model.Objective;
import io.drflow.workflows.model.RunSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunHistoryHtmlTest {

  static final long GIB = 1024L * 1024 * 1024;

  /** Monthly drills of a growing database, newest first, as history returns them. */
  static List<RunSummary> monthlyDrills() {
    long[] rto = {1900, 2050, 2240, 2480, -1, 2890};
    long[] data = {40 * GIB, 43 * GIB, 47 * GIB, 52 * GIB, 55 * GIB, 58 * GIB};
    List<RunSummary> oldestFirst = new ArrayList<>();
    for (int i = 0; i < rto.length; i++) {
      Instant start = Instant.parse("2026-06-01T02:00:00Z").plusSeconds(i * 30L * 86400);
      boolean failed = rto[i] < 0;
      oldestFirst.add(
          new RunSummary(
              "drill-shop-" + i, "run" + i, "RestoreDrillWorkflow", failed ? "FAILED" : "PASSED", "shop",
              start.toString(), start.plusSeconds(failed ? 300 : rto[i] + 120).toString(),
              "drflow/shop/backups/" + i + "/dump.zst", start.minusSeconds(3600).toString(), data[i] / 4, data[i],
              failed ? Objective.pending(3600) : new Objective(3600, rto[i], true),
              new Objective(86400, 3600L + i, true),
              6, failed ? 1 : 0, Map.of(), null));
    }
    return new ArrayList<>(oldestFirst).reversed();
  }

  @Test
  void trendComparesTheOldestAndNewestMeasuredDrills() {
    DrillTrend t = DrillTrend.of(monthlyDrills());

    assertThat(t.drills()).isEqualTo(6);
    assertThat(t.passed()).isEqualTo(5);
    assertThat(t.measured()).hasSize(5);
    assertThat(t.sparkline()).isEqualTo("▁▂▃▅█");
    assertThat(t.rtoSentence())
        .isEqualTo("RTO 31m 40s → 48m 10s (+52% over 5 drills); target 1h 00m, slowest drill used 80% of it.");
    // 40 GiB in 1900 s is 21.6 MiB/s; 58 GiB in 2890 s is 20.6 MiB/s: slower mostly because of the data.
    assertThat(t.dataSentence())
        .isEqualTo("Data 40.0 GiB → 58.0 GiB (+45%); restored at 21.6 MiB/s → 20.6 MiB/s (-5%).");
  }

  @Test
  void noMeasuredDrillIsSaidPlainly() {
    assertThat(DrillTrend.of(List.of()).rtoSentence()).startsWith("No drill reached a verified restore yet");
    assertThat(DrillTrend.of(List.of()).sparkline()).isEmpty();
  }

  @Test
  void historyPageHasTheChartsTheTrendAndEveryDrill() throws Exception {
    String html = RunHistoryHtml.render("shop", monthlyDrills());

    RunReportHtmlTest.assertSelfContained(html);
    assertThat(RunReportHtmlTest.assertChartsWellFormed(html)).hasSize(3);
    assertThat(html)
        .contains("Drill history of <code>shop</code>")
        .contains("6 drills, 2026-06-01 02:00:00 UTC to 2026-10-29 02:00:00 UTC · 5 passed")
        .contains("RTO 31m 40s → 48m 10s (+52% over 5 drills)")
        .contains("RTO 1h 00m") // the target line fits: drawn
        .contains("RPO 24h 00m — far above every drill, not drawn to scale")
        .contains("+17%") // 2890 vs 2480: the failed drill in between has no RTO
        .contains("06-01 02:00");
    for (int i = 0; i < 6; i++) {
      assertThat(html).contains("drill-shop-" + i);
    }
  }

  @Test
  void emptyHistoryRenders() {
    assertThat(RunHistoryHtml.render("shop", List.of())).contains("No stored drill reports.").endsWith("</html>\n");
  }
}
