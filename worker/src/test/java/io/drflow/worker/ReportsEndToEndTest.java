package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.SampleData;
import io.drflow.activities.postgres.PgTestSupport;
import io.drflow.activities.storage.StorageJson;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.catalog.RunHistoryWorkflow;
import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunSummary;
import io.drflow.workflows.report.RunHistoryHtml;
import io.drflow.workflows.report.RunReportHtml;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reports of real runs (real PostgreSQL and S3, in-memory Temporal): what is stored beside the
 * backups, what history reads back, and that the HTML pages render in headless Chromium. The
 * pages and their screenshots are left in test-artifacts/reports for people to look at.
 */
class ReportsEndToEndTest {

  static final Path ARTIFACTS =
      Path.of(System.getProperty("drflow.test.artifacts", "../test-artifacts")).resolve("reports");

  static LocalPostgresCluster source;
  static LocalPostgresCluster drillTarget;
  static EmbeddedRunbookStack stack;

  @BeforeAll
  static void start() throws Exception {
    source = LocalPostgresCluster.builder().start();
    drillTarget = LocalPostgresCluster.builder().start();
    SampleData.create(source.connections(), source.serverConfig(), "shop");
    DrillConfig.Assertion ok = new DrillConfig.Assertion("customers exist", "select count(*) > 0 from sales.customers");
    stack =
        new EmbeddedRunbookStack(
            Map.of(
                "shop", service(ok),
                "trend", service(ok),
                "strict", service(new DrillConfig.Assertion("no customer from <script>", "select false"))),
            Map.of());
    Files.createDirectories(ARTIFACTS);
  }

  static ServiceConfig service(DrillConfig.Assertion assertion) {
    return new ServiceConfig(
        source.postgresConfig("shop"),
        Duration.ofMinutes(30),
        Duration.ofHours(24),
        Map.of(),
        RetentionConfig.defaults(),
        new DrillConfig(drillTarget.serverConfig(), List.of(assertion), false));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {stack, drillTarget, source}) {
      if (c != null) {
        c.close();
      }
    }
  }

  static RunReport run(String type, Object input) {
    WorkflowStub stub = stack.start(type, input);
    try {
      return stub.getResult(RunReport.class);
    } catch (WorkflowFailedException e) {
      return ((ApplicationFailure) e.getCause()).getDetails().get(RunReport.class);
    }
  }

  static String stored(String key) {
    return new String(stack.store.getBytes(key).orElseThrow(() -> new AssertionError("missing " + key)), StandardCharsets.UTF_8);
  }

  static List<RunSummary> history(String service, String runbook, int limit) {
    return stack.client()
        .newWorkflowStub(
            RunHistoryWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(stack.config.temporal().taskQueue())
                .setWorkflowId("history-" + UUID.randomUUID())
                .build())
        .history(new RunHistoryWorkflow.Request(service, runbook, limit));
  }

  static void grow(int customers) throws Exception {
    PgTestSupport.execute(
        source.connections(),
        source.postgresConfig("shop"),
        "insert into sales.customers (email, name, country, created_at) select 'g" + UUID.randomUUID()
            + "-' || g || '@example.com', 'Grown ' || g, 'FR', now() from generate_series(1, " + customers + ") g");
  }

  @Test
  void everyRunStoresJsonMarkdownAndTheHtmlRenderedFromIt() throws Exception {
    RunReport backup = run("BackupWorkflow", new BackupInput("shop"));
    RunReport drill = run("RestoreDrillWorkflow", DrillInput.of("shop"));
    assertThat(drill.status()).isEqualTo("PASSED");

    String backupJson = "drflow/shop/reports/" + backup.workflowId() + ".json";
    for (String json : List.of(backupJson, drill.reportKey())) {
      RunReport stored = StorageJson.MAPPER.readValue(stored(json), RunReport.class);
      assertThat(stored.reportKey()).isEqualTo(json);
      assertThat(stored(json.replace(".json", ".md"))).contains(stored.workflowId());
      assertThat(stored(json.replace(".json", ".html"))).isEqualTo(RunReportHtml.render(stored));
    }
    assertThat(StorageJson.MAPPER.readValue(stored(backupJson), RunReport.class).status()).isEqualTo("COMPLETED");
  }

  @Test
  void historyListsTheDrillsNewestFirstWithTheFiguresOfTheirReports() throws Exception {
    RunReport[] drills = new RunReport[3];
    for (int i = 0; i < 3; i++) {
      run("BackupWorkflow", new BackupInput("trend"));
      drills[i] = run("RestoreDrillWorkflow", DrillInput.of("trend"));
      grow(4000);
    }

    List<RunSummary> h = history("trend", "drill", 10);

    assertThat(h).extracting(RunSummary::workflowId)
        .containsExactly(drills[2].workflowId(), drills[1].workflowId(), drills[0].workflowId());
    for (int i = 0; i < 3; i++) {
      RunSummary s = h.get(2 - i);
      assertThat(s.rto()).isEqualTo(drills[i].rto());
      assertThat(s.rpo()).isEqualTo(drills[i].rpo());
      assertThat(s.backupDumpBytes()).isEqualTo(drills[i].backup().dumpBytes());
      assertThat(s.checks()).isEqualTo(drills[i].checks().size());
    }
    assertThat(h.get(0).backupDumpBytes()).as("the data grew between drills").isGreaterThan(h.get(2).backupDumpBytes());
    assertThat(history("trend", "drill", 2)).hasSize(2);
    assertThat(history("trend", "backup", 10)).hasSize(3).allSatisfy(s -> assertThat(s.runbook()).isEqualTo("BackupWorkflow"));
    assertThatThrownBy(() -> history("nope", "drill", 5))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> assertThat(((ApplicationFailure) e.getCause()).getType()).isEqualTo("UnknownService"));

    Files.writeString(ARTIFACTS.resolve("history-real.html"), RunHistoryHtml.render("trend", h));
  }

  @Test
  void reportsOfRealRunsRenderInHeadlessChromium() throws Exception {
    HeadlessChromium.binary(); // skips (or fails in CI) before any work when Chromium is missing
    RunReport backup = run("BackupWorkflow", new BackupInput("strict"));
    RunReport failed = run("RestoreDrillWorkflow", DrillInput.of("strict"));
    run("BackupWorkflow", new BackupInput("shop"));
    RunReport passed = run("RestoreDrillWorkflow", DrillInput.of("shop"));
    assertThat(List.of(failed.status(), passed.status())).containsExactly("FAILED", "PASSED");
    Map<String, String> pages =
        Map.of(
            "drill-passed", stored(passed.reportKey().replace(".json", ".html")),
            "drill-failed", stored(failed.reportKey().replace(".json", ".html")),
            "backup", stored("drflow/strict/reports/" + backup.workflowId() + ".html"),
            "history", RunHistoryHtml.render("shop", history("shop", "drill", 10)));
    for (var page : pages.entrySet()) {
      Path html = ARTIFACTS.resolve(page.getKey() + ".html");
      Files.writeString(html, page.getValue());
      BufferedImage shot = HeadlessChromium.screenshot(html, ARTIFACTS.resolve(page.getKey() + ".png"), 1800);
      assertThat(HeadlessChromium.pixels(shot, 0xffffff)).as("%s: white cards are drawn", page.getKey()).isGreaterThan(100_000);
      assertThat(HeadlessChromium.pixels(shot, 0x1f8a4c)).as("%s: green bars and badges", page.getKey()).isGreaterThan(300);
    }
    // The failed drill's error callout and failed-check rows are tinted red; the passed one has none.
    BufferedImage failedShot = javax.imageio.ImageIO.read(ARTIFACTS.resolve("drill-failed.png").toFile());
    BufferedImage passedShot = javax.imageio.ImageIO.read(ARTIFACTS.resolve("drill-passed.png").toFile());
    assertThat(HeadlessChromium.pixels(failedShot, 0xfbe5e5)).isGreaterThan(5_000);
    assertThat(HeadlessChromium.pixels(passedShot, 0xfbe5e5)).isLessThan(500);
    // The RTO line of the timeline (dashed red) is drawn on the passed drill's page.
    assertThat(HeadlessChromium.pixels(passedShot, 0xc62f2f)).isGreaterThan(60);
  }
}
