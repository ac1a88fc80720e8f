package io.drflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.workflows.catalog.RunHistoryWorkflow;
import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.drill.RestoreDrillWorkflow;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Objective;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RtoStatus;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunSummary;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * drctl against a real (in-memory, port-bound) Temporal server, with a stand-in drill workflow
 * whose report drctl must print in the documented JSON shape and turn into its exit code.
 */
class DrctlTest {

  static final AtomicInteger DRILLS_STARTED = new AtomicInteger();

  static TestServer.PortBoundTestServer server;
  static WorkflowServiceStubs stubs;
  static WorkerFactory factory;
  static int port;

  /** Passes for every service except "broken", whose drill fails verification. */
  public static class StandInDrill implements RestoreDrillWorkflow {
    private RunReport report;

    @Override
    public RunReport drill(DrillInput input) {
      DRILLS_STARTED.incrementAndGet();
      boolean broken = input.service().equals("broken");
      report = report(input.service(), broken ? "FAILED" : "PASSED", input.keep());
      if (broken) {
        throw ApplicationFailure.newNonRetryableFailure("drill failed: verification", "DrillFailed", report);
      }
      return report;
    }

    @Override
    public Progress progress() {
      return new Progress("RestoreDrillWorkflow", "shop", "2026-11-22T00:00:00Z", 3600, 10, 3590, RtoStatus.ON_TRACK, report == null ? List.of() : report.phases());
    }

    @Override
    public RunReport report() {
      return report;
    }

    static RunReport report(String service, String status, boolean kept) {
      return new RunReport(
          Workflow.getInfo().getWorkflowId(),
          Workflow.getInfo().getRunId(),
          "RestoreDrillWorkflow",
          status,
          service,
          "2026-11-22T00:00:00Z",
          "2026-11-22T00:01:00Z",
          new RunReport.BackupSummary("drflow/shop/backups/x/dump.zst", "2026-11-21T00:00:00Z", "ab".repeat(32), 10, 40),
          List.of(new Phase("Restore", 1620, "2026-11-22T00:00:01Z", "2026-11-22T00:00:31Z", 30.0, PhaseStatus.COMPLETED, false, false, null)),
          Objective.ofMillis(3600, 60_000),
          Objective.ofMillis(86400, 3600_000),
          RtoStatus.ON_TRACK,
          List.of(new Check("row counts", !status.equals("FAILED"), "3 tables")),
          new RunReport.Scratch("127.0.0.1:5433", "drill_shop_x", kept, !kept),
          null,
          null);
    }
  }

  /** Three drills of "shop" (one failed before restoring), none of "empty", and no service "nope". */
  public static class StandInHistory implements RunHistoryWorkflow {
    @Override
    public List<RunSummary> history(Request request) {
      if (request.service().equals("nope")) {
        throw ApplicationFailure.newNonRetryableFailure("unknown service 'nope'; configured: shop", "UnknownService");
      }
      if (request.service().equals("empty")) {
        return List.of();
      }
      return List.of(
          summary("drill-shop-3", "PASSED", "2026-11-03T02:00:00Z", 75L, 3_000_000),
          summary("drill-shop-2", "FAILED", "2026-11-02T02:00:00Z", null, 2_600_000),
          summary("drill-shop-1", "PASSED", "2026-11-01T02:00:00Z", 60L, 2_400_000));
    }

    static RunSummary summary(String id, String status, String started, Long rto, long bytes) {
      return new RunSummary(id, "r-" + id, "RestoreDrillWorkflow", status, "shop", started, started, "k", started, bytes / 4, bytes,
          rto == null ? Objective.pending(1800) : new Objective(1800, rto, true), new Objective(86400, 7200L, true),
          6, status.equals("FAILED") ? 1 : 0, java.util.Map.of(), null);
    }
  }

  @BeforeAll
  static void startServer() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server = TestServer.createPortBoundServer(port, true);
    stubs = WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    WorkflowClient client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().build());
    factory = WorkerFactory.newInstance(client);
    factory.newWorker("drflow-cli-test").registerWorkflowImplementationTypes(StandInDrill.class, StandInHistory.class);
    factory.start();
  }

  @AfterAll
  static void stopServer() {
    factory.shutdownNow();
    stubs.shutdownNow();
    server.close();
  }

  @TempDir Path tmp;
  Path config;

  @BeforeEach
  void writeConfig() throws Exception {
    config = tmp.resolve("drflow.yaml");
    Files.writeString(
        config,
        "temporal: {target: \"127.0.0.1:" + port + "\", taskQueue: drflow-cli-test}\n"
            + "services:\n  shop: {rto: PT1H}\n");
  }

  record Run(int exit, String out, String err) {}

  Run drctl(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = config.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    int exit = Drctl.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void drillJsonHasTheDocumentedShapeAndExitsZeroWhenPassed() throws Exception {
    Run r = drctl("drill", "shop", "--json");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("workflowId").asText()).startsWith("drill-shop-");
    assertThat(j.get("status").asText()).isEqualTo("PASSED");
    assertThat(j.get("service").asText()).isEqualTo("shop");
    assertThat(j.get("backup").get("key").asText()).endsWith("dump.zst");
    assertThat(j.get("backup").has("createdAt")).isTrue();
    assertThat(j.get("backup").get("sha256").asText()).hasSize(64);
    JsonNode phase = j.get("phases").get(0);
    for (String f : List.of("name", "budgetSeconds", "startedAt", "endedAt", "seconds", "status")) {
      assertThat(phase.has(f)).as(f).isTrue();
    }
    assertThat(j.get("rto").get("targetSeconds").asLong()).isEqualTo(3600);
    assertThat(j.get("rto").get("achievedSeconds").asLong()).isEqualTo(60);
    assertThat(j.get("rto").get("met").asBoolean()).isTrue();
    assertThat(j.get("rpo").get("achievedSeconds").asLong()).isEqualTo(3600);
    JsonNode check = j.get("checks").get(0);
    assertThat(check.get("name").asText()).isEqualTo("row counts");
    assertThat(check.get("passed").asBoolean()).isTrue();
    assertThat(check.has("detail")).isTrue();
    assertThat(j.get("scratch").get("server").asText()).isEqualTo("127.0.0.1:5433");
    assertThat(j.get("scratch").get("database").asText()).isEqualTo("drill_shop_x");
    assertThat(j.get("scratch").get("kept").asBoolean()).isFalse();
  }

  @Test
  void failedDrillPrintsItsReportAndExitsNonZero() throws Exception {
    Run r = drctl("drill", "broken", "--json");
    assertThat(r.exit()).isEqualTo(1);
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("status").asText()).isEqualTo("FAILED");
    assertThat(j.get("checks").get(0).get("passed").asBoolean()).isFalse();
  }

  @Test
  void keepScratchReachesTheWorkflowAndTheReportNamesTheDatabase() throws Exception {
    Run r = drctl("drill", "shop", "--keep-scratch", "--json");
    JsonNode j = new ObjectMapper().readTree(r.out());
    assertThat(j.get("scratch").get("kept").asBoolean()).isTrue();
  }

  @Test
  void reportOfAFinishedRunMatchesWhatTheRunReturned() throws Exception {
    Run drill = drctl("drill", "shop", "--json");
    String id = new ObjectMapper().readTree(drill.out()).get("workflowId").asText();
    Run report = drctl("report", id, "--json");
    assertThat(report.exit()).isZero();
    assertThat(new ObjectMapper().readTree(report.out())).isEqualTo(new ObjectMapper().readTree(drill.out()));
    Run md = drctl("report", id);
    assertThat(md.out()).contains("# RestoreDrillWorkflow of `shop`: PASSED").contains("| row counts | pass |");
  }

  @Test
  void reportHtmlWritesTheSelfContainedPageAndStillPrintsTheReport() throws Exception {
    Run drill = drctl("drill", "broken", "--json");
    String id = new ObjectMapper().readTree(drill.out()).get("workflowId").asText();
    Path page = tmp.resolve("drill.html");

    Run r = drctl("report", id, "--html", page.toString());

    assertThat(r.exit()).as("the exit code still says the drill failed").isEqualTo(1);
    assertThat(r.out()).contains("# RestoreDrillWorkflow of `broken`: FAILED");
    assertThat(r.err()).contains("wrote " + page);
    assertThat(Files.readString(page))
        .startsWith("<!doctype html>")
        .contains("Restore drill of <code>broken</code>")
        .contains("<svg")
        .contains("row counts")
        .doesNotContain("<script");
    assertThat(drctl("report", id, "--html", tmp.resolve("no/such/dir/x.html").toString()).exit()).isEqualTo(2);
  }

  @Test
  void historyPrintsEachDrillWithItsRtoChangeAndTheTrend() throws Exception {
    Run r = drctl("history", "shop", "--limit", "3");

    assertThat(r.exit()).as(r.err()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines[0]).startsWith("STARTED (UTC)").contains("RTO").contains("Δ RTO").contains("RPO").contains("DATA");
    assertThat(lines[1]).startsWith("2026-11-03 02:00:00").contains("PASSED").contains("1m 15s").contains("+25%").contains("2h 00m").contains("drill-shop-3");
    assertThat(lines[2]).contains("FAILED").contains(" - ").contains("5/6");
    assertThat(lines[3]).contains("1m 00s").doesNotContain("%");
    assertThat(r.out())
        .contains("▁█  RTO 1m 00s → 1m 15s (+25% over 2 drills); target 30m 00s, slowest drill used 4% of it.")
        .contains("Data 2.3 MiB → 2.9 MiB (+25%)");

    JsonNode json = new ObjectMapper().readTree(drctl("history", "shop", "--json").out());
    assertThat(json).hasSize(3);
    assertThat(json.get(0).get("rto").get("achievedSeconds").asLong()).isEqualTo(75);

    Path page = tmp.resolve("history.html");
    assertThat(drctl("history", "shop", "--html", page.toString()).exit()).isZero();
    assertThat(Files.readString(page)).contains("Drill history of <code>shop</code>").contains("<svg").doesNotContain("<script");
  }

  @Test
  void historyOfAnUnknownOrEmptyServiceSaysSo() {
    assertThat(drctl("history", "empty").out()).contains("no stored drill reports of empty");
    Run r = drctl("history", "nope");
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("unknown service 'nope'");
    assertThat(drctl("history", "shop", "--limit", "0").exit()).isEqualTo(2);
  }

  @Test
  void waitPrintsPhaseBarsAndTheMarkdownReport() {
    Run r = drctl("drill", "shop", "--wait");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).contains("Restore").contains("COMPLETED").contains("RTO: target 1h 00m, achieved 1m 00s (met)");
  }

  @Test
  void malformedServiceNameIsRefusedBeforeStartingAnything() {
    int before = DRILLS_STARTED.get();
    for (String bad : List.of("x; drop database prod", "", "Shop", "ünï", "a".repeat(41))) {
      Run r = drctl("drill", bad, "--json");
      assertThat(r.exit()).as(bad).isEqualTo(2);
      assertThat(r.err()).as(bad).contains("is not a service name");
    }
    assertThat(DRILLS_STARTED.get()).isEqualTo(before);
  }

  @Test
  void aHugeNameIsNotEchoedBackWhole() {
    Run r = drctl("drill", "a".repeat(10_000));
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("is not a service name").contains("(10000 characters)").hasSizeLessThan(200);
  }

  @Test
  void backupsListRefusesALimitItWouldOnlyBeRefusedFor() {
    for (String bad : List.of("0", "-1", "1001")) {
      Run r = drctl("backups", "list", "shop", "--limit", bad);
      assertThat(r.exit()).as(bad).isEqualTo(2);
      assertThat(r.err()).as(bad).contains("--limit must be between 1 and 1000");
    }
  }

  @Test
  void unknownRunIdIsAClearError() {
    Run r = drctl("report", "drill-nope-1");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("no run with id drill-nope-1");
  }

  @Test
  void unreachableTemporalSaysSo() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Files.writeString(config, "temporal: {target: \"127.0.0.1:" + closed + "\"}\n");
    Run r = drctl("drill", "shop");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("cannot reach the Temporal server");
  }

  @Test
  void missingConfigFileIsAClearError() {
    StringWriter err = new StringWriter();
    int exit = Drctl.run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "--config", "/nonexistent/drflow.yaml", "drill", "shop");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("/nonexistent/drflow.yaml does not exist");
  }
}
