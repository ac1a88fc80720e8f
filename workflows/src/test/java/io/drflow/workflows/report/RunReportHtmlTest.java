package io.drflow.workflows.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.workflows.model.RunReport;
import java.io.StringReader;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.xml.sax.InputSource;

class RunReportHtmlTest {

  /** Nothing may be fetched when the page opens: no scripts, no remote or local files. */
  static void assertSelfContained(String html) {
    assertThat(html)
        .startsWith("<!doctype html>")
        .doesNotContainIgnoringCase("<script")
        .doesNotContainIgnoringCase("http://")
        .doesNotContainIgnoringCase("https://")
        .doesNotContainIgnoringCase("src=")
        .doesNotContainIgnoringCase("href=")
        .doesNotContainIgnoringCase("url(")
        .doesNotContainIgnoringCase("@import");
  }

  /** Every chart parses as XML: a stray '<' or '&' from a check name would break the drawing. */
  static List<String> assertChartsWellFormed(String html) throws Exception {
    Matcher m = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(html);
    List<String> charts = new java.util.ArrayList<>();
    while (m.find()) {
      charts.add(m.group());
      DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(m.group())));
    }
    return charts;
  }

  @Test
  void productionDrillShowsVerdictObjectivesTimelineChecksAndBackup() throws Exception {
    RunReport r = ReportFixtures.productionDrill();
    String html = RunReportHtml.render(r);

    assertSelfContained(html);
    assertThat(html)
        .contains("<title>Restore drill of shop: PASSED</title>")
        .contains("badge pass\">PASSED")
        .contains("RTO 1h 00m")
        .contains("RTO achieved 45m 13s")
        .contains("target 1h 00m · met")
        .contains("6 / 6 passed")
        .contains("412,993,120 rows")
        .contains("drflow/shop/backups/20261101T010000Z-1a2b3c4d/dump.zst")
        .contains("2026-11-01 01:00:04 UTC")
        .contains("61.0 GiB")
        .contains("drill_shop_20261101t020000z_5f0c6a1e")
        .contains("dropped")
        .contains("111%") // Restore took 1804.5 s of a 1620 s budget
        .doesNotContain("zoomed"); // the run used most of the RTO: one chart says it all
    for (String phase : List.of("Locate", "Download", "Restore", "Validate", "Cleanup", "Report")) {
      assertThat(html).contains(">" + phase + "<");
    }
    assertThat(assertChartsWellFormed(html)).hasSize(1);
  }

  @Test
  void aFastRunGetsASecondTimelineZoomedToItself() throws Exception {
    String html = RunReportHtml.render(ReportFixtures.failedDrill());
    assertThat(html).contains("zoomed to its 8.7 s");
    assertThat(assertChartsWellFormed(html)).hasSize(2);
  }

  @Test
  void everythingFromTheReportIsEscaped() throws Exception {
    String html = RunReportHtml.render(ReportFixtures.failedDrill());

    assertSelfContained(html);
    assertThat(html)
        .contains("assertion: &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quotes&quot;")
        .contains("badge fail\">FAILED")
        .contains("1 / 3 passed".replace("1 /", "1 /"))
        .contains("class=\"callout\"")
        .contains("tr class=\"bad\"");
    assertChartsWellFormed(html);
  }

  @Test
  void aRunThatStoppedEarlyShowsWhatNeverRanAndTheRtoNotReached() throws Exception {
    String html = RunReportHtml.render(ReportFixtures.earlyFailure());

    assertThat(html)
        .contains("not reached")
        .contains("ChecksumMismatch")
        .contains("pending")
        .contains("skipped")
        .contains("<strong>not dropped</strong>");
    assertChartsWellFormed(html);
  }

  @Test
  void approvalsAndUnknownSectionsOfNewerReportsAreTolerated() throws Exception {
    String html = RunReportHtml.render(new ObjectMapper().readTree(ReportFixtures.recoveryJson()));

    assertSelfContained(html);
    assertThat(html)
        .contains("<title>Recovery of shop: COMPLETED</title>")
        .contains("<h2>Approvals</h2>")
        .contains("alice &lt;alice@example.com&gt;")
        .contains("restored data checked with the on-call DBA")
        .contains("2026-11-03 10:48:00 UTC");
    // The RTO clock of a recovery starts at the incident: its first phase starts 3 minutes in.
    assertThat(html).contains("+3m 00s");
    assertChartsWellFormed(html);
  }

  @Test
  void aReportWithAlmostNothingStillRenders() throws Exception {
    String html = RunReportHtml.render(new ObjectMapper().readTree("{\"service\":\"x\",\"status\":\"RUNNING\"}"));
    assertThat(html).contains("Run of <code>x</code>").contains("still running").endsWith("</html>\n");
  }

  @Test
  void backupReportsRenderWithoutObjectives() throws Exception {
    RunReport r = ReportFixtures.productionDrill();
    RunReport backup =
        new RunReport(r.workflowId(), r.runId(), "BackupWorkflow", "COMPLETED", "shop", r.startedAt(), r.endedAt(),
            r.backup(), r.phases().subList(0, 3), null, null, null, List.of(), null, null, null);
    String html = RunReportHtml.render(backup);
    assertThat(html).contains("Backup of <code>shop</code>").contains("Backup taken").doesNotContain("RTO achieved");
    assertChartsWellFormed(html);
  }

  @Test
  void failoverShowsRegionsTheDnsChangeScalingReadinessAndApprovals() throws Exception {
    String html = RunReportHtml.render(ReportFixtures.failover());

    assertSelfContained(html);
    assertThat(html)
        .contains("<title>Failover of shop: COMPLETED</title>")
        .contains("<h2>Failover</h2>")
        .doesNotContain("DRILL")
        .contains("<dt>From region</dt><dd>primary</dd>")
        .contains("<dt>To region</dt><dd>dr</dd>")
        .contains("<code>api.shop.example.com.</code>")
        .contains("<dt>Value before</dt><dd><code>lb-east.shop.example.com</code>")
        .contains("<dt>Value set</dt><dd><code>lb-west.shop.example.com</code>")
        .contains("<dt>Route53 change</dt><dd><code>C0A1B2C3D4E5F6</code>")
        .contains("<dt>DR Deployments before the scale-up</dt><dd><code>api</code> 0, <code>worker</code> 0</dd>")
        .contains("<dt>Old region scale-down</dt><dd>api 3 → 0; worker 2 → 0</dd>")
        .contains("<dt>Health check</dt><dd>HTTP 200 from west.shop.example/health after 2 attempt(s)</dd>")
        .contains("<h2>Readiness</h2>")
        .contains("hosted zone and record")
        .contains("<h2>Approvals</h2>")
        .contains("alice &lt;alice@example.com&gt;")
        .contains("west is healthy")
        .contains("incident to DNS pointing at the new region")
        .doesNotContain("<h2>Rollback</h2>");
    // The RTO clock starts at the incident, 4 minutes before the run.
    assertThat(html).contains("+4m 00s");
    assertThat(html.indexOf("<h2>Readiness</h2>")).isLessThan(html.indexOf("<h2>Approvals</h2>"));
    assertChartsWellFormed(html);
  }

  @Test
  void aFailbackDrillSaysItWasADrillAndShowsItsFailedReadinessAndPutBack() throws Exception {
    String html = RunReportHtml.render(ReportFixtures.failedFailbackDrill());

    assertSelfContained(html);
    assertThat(html)
        .contains("<title>Failback drill of shop: FAILED</title>")
        .contains("<span class=\"badge info\">DRILL</span>")
        .contains("production record was never touched")
        .contains("<code>drill-api.shop.example.com.</code>")
        .contains("none (the record did not exist)")
        .contains("<code>&lt;lb-east&gt; &amp; co</code>")
        .contains("none (no change was needed or made)")
        .contains("<tr class=\"bad\"><td>database server in primary</td><td><span class=\"badge fail\">FAIL</span>")
        .contains("12 table(s) &amp; was not created by this run")
        .contains("<h2>Put back</h2>")
        .contains("<span class=\"badge pass\">DONE</span>")
        .contains("<tr class=\"bad\"><td>drop restored database</td>")
        .contains("<h2>Warnings</h2>")
        .contains("HTTP 503 &lt;after 3 attempts&gt;")
        .doesNotContain("<h2>Approvals</h2>");
    assertChartsWellFormed(html);
  }

  @Test
  void aStoredFailoverReportRendersFromItsJson() throws Exception {
    ObjectMapper json = new ObjectMapper();
    RunReport r = ReportFixtures.failover();
    assertThat(RunReportHtml.render(json.readTree(json.writeValueAsString(r)))).isEqualTo(RunReportHtml.render(r));
  }
}
