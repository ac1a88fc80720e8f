package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.DrflowActivities;
import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.MetricsConfig;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.SampleData;
import io.drflow.activities.postgres.PgTestSupport;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.model.RunReport;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker's Prometheus endpoint after real backups and drills (real PostgreSQL and S3,
 * in-memory Temporal), scraped over HTTP; then a second worker started on the same bucket, as after
 * a restart, must report the same backup and drill facts before it has run anything itself.
 */
class MetricsEndToEndTest {

  static LocalPostgresCluster source;
  static LocalPostgresCluster drillTarget;
  static WorkerMetrics metrics;
  static EmbeddedRunbookStack stack;

  @BeforeAll
  static void start() throws Exception {
    source = LocalPostgresCluster.builder().start();
    drillTarget = LocalPostgresCluster.builder().start();
    SampleData.create(source.connections(), source.serverConfig(), "shop");
    metrics = WorkerMetrics.start(new MetricsConfig(true, "127.0.0.1", 0));
    stack =
        new EmbeddedRunbookStack(
            Map.of(
                "shop", service(new DrillConfig.Assertion("customers exist", "select count(*) > 0 from sales.customers")),
                "strict", service(new DrillConfig.Assertion("never true", "select false"))),
            Map.of(),
            metrics);
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
    for (AutoCloseable c : new AutoCloseable[] {stack, metrics, drillTarget, source}) {
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

  static double epochSeconds(String iso) {
    return Instant.parse(iso).toEpochMilli() / 1000.0;
  }

  static final List<String> FACTS =
      List.of(
          "drflow_backup_last_success_timestamp_seconds",
          "drflow_backup_last_dump_bytes",
          "drflow_backup_last_stored_bytes",
          "drflow_backup_previous_dump_bytes",
          "drflow_backup_last_duration_seconds",
          "drflow_drill_last_timestamp_seconds",
          "drflow_drill_last_passed",
          "drflow_drill_checks_failed",
          "drflow_drill_rto_achieved_seconds",
          "drflow_drill_rpo_achieved_seconds",
          "drflow_rto_target_seconds",
          "drflow_rpo_target_seconds");

  @Test
  void scrapedMetricsDescribeTheRunsAndARestartedWorkerReportsTheSame() throws Exception {
    // Counters are shared with the other tests of this class: compare against a scrape before.
    Scrape before = Scrape.fetch(metrics.url());
    RunReport first = run("BackupWorkflow", new BackupInput("shop"));
    PgTestSupport.execute(
        source.connections(),
        source.postgresConfig("shop"),
        "insert into sales.customers (email, name, country, created_at)"
            + " select 'grown' || g || '@example.com', 'Grown ' || g, 'DE', now() from generate_series(1, 5000) g");
    RunReport second = run("BackupWorkflow", new BackupInput("shop"));
    RunReport passed = run("RestoreDrillWorkflow", DrillInput.of("shop"));
    run("BackupWorkflow", new BackupInput("strict"));
    RunReport failed = run("RestoreDrillWorkflow", DrillInput.of("strict"));
    assertThat(List.of(first.status(), second.status(), passed.status(), failed.status()))
        .containsExactly("COMPLETED", "COMPLETED", "PASSED", "FAILED");
    assertThat(second.backup().dumpBytes()).isNotEqualTo(first.backup().dumpBytes());

    Scrape s = Scrape.fetch(metrics.url());

    assertThat(s.require("drflow_backup_last_success_timestamp_seconds", "service", "shop"))
        .isEqualTo(epochSeconds(second.backup().createdAt()));
    assertThat(s.require("drflow_backup_last_dump_bytes", "service", "shop")).isEqualTo((double) second.backup().dumpBytes());
    assertThat(s.require("drflow_backup_last_stored_bytes", "service", "shop")).isEqualTo((double) second.backup().storedBytes());
    assertThat(s.require("drflow_backup_previous_dump_bytes", "service", "shop")).isEqualTo((double) first.backup().dumpBytes());
    assertThat(s.require("drflow_backup_last_duration_seconds", "service", "shop"))
        .isEqualTo((Instant.parse(second.endedAt()).toEpochMilli() - Instant.parse(second.startedAt()).toEpochMilli()) / 1000.0);
    assertThat(s.require("drflow_drill_last_passed", "service", "shop")).isEqualTo(1.0);
    assertThat(s.require("drflow_drill_rto_achieved_seconds", "service", "shop")).isEqualTo((double) passed.rto().achievedSeconds());
    assertThat(s.require("drflow_drill_rpo_achieved_seconds", "service", "shop")).isEqualTo((double) passed.rpo().achievedSeconds());
    assertThat(s.require("drflow_drill_last_timestamp_seconds", "service", "shop")).isEqualTo(epochSeconds(passed.endedAt()));
    assertThat(s.require("drflow_drill_last_passed", "service", "strict")).isEqualTo(0.0);
    assertThat(s.require("drflow_drill_checks_failed", "service", "strict")).isEqualTo(1.0);
    assertThat(s.require("drflow_drill_verification_failures_total", "service", "strict", "check", "assertion: never true")
            - before.value("drflow_drill_verification_failures_total", "service", "strict", "check", "assertion: never true").orElse(0))
        .isEqualTo(1.0);
    assertThat(s.require("drflow_rto_target_seconds", "service", "shop")).isEqualTo(1800.0);
    assertThat(s.require("drflow_rpo_target_seconds", "service", "shop")).isEqualTo(86400.0);
    assertThat(s.require("drflow_runs_total", "service", "shop", "runbook", "backup", "status", "COMPLETED")
            - before.value("drflow_runs_total", "service", "shop", "runbook", "backup", "status", "COMPLETED").orElse(0))
        .isEqualTo(2.0);
    assertThat(s.require("drflow_runs_total", "service", "strict", "runbook", "drill", "status", "FAILED")
            - before.value("drflow_runs_total", "service", "strict", "runbook", "drill", "status", "FAILED").orElse(0))
        .isEqualTo(1.0);
    assertThat(s.require("drflow_phase_duration_seconds_count", "service", "shop", "runbook", "drill", "phase", "Restore")
            - before.value("drflow_phase_duration_seconds_count", "service", "shop", "runbook", "drill", "phase", "Restore").orElse(0))
        .isEqualTo(1.0);
    double restoreSeconds = passed.phases().stream().filter(p -> p.name().equals("Restore")).findFirst().orElseThrow().seconds();
    assertThat(s.require("drflow_phase_last_duration_seconds", "service", "shop", "runbook", "drill", "phase", "Restore")).isEqualTo(restoreSeconds);
    assertThat(s.require("drflow_phase_budget_seconds", "service", "shop", "runbook", "drill", "phase", "Restore")).isEqualTo(810.0);
    assertThat(s.hasMetricStartingWith("jvm_memory_used_bytes")).isTrue();
    assertThat(metricsTheAlertRulesUse())
        .as("every drflow metric deploy/prometheus/alerts.yml uses is exported")
        .isNotEmpty()
        .allSatisfy(name -> assertThat(s.hasMetricStartingWith(name)).as(name).isTrue());

    // A worker started afterwards on the same bucket: nothing ran on it, yet it tells the same story.
    try (WorkerMetrics restarted = WorkerMetrics.start(new MetricsConfig(true, "127.0.0.1", 0));
        DrflowActivities fresh = DrflowActivities.create(stack.config, stack.secrets, "drflow-e2e@other", restarted.runs())) {
      assertThat(fresh.refreshMetricsNow()).as("services that could not be read").isZero();
      Scrape r = Scrape.fetch(restarted.url());
      for (String service : List.of("shop", "strict")) {
        for (String fact : FACTS) {
          assertThat(r.value(fact, "service", service)).as("%s of %s after a restart", fact, service).isEqualTo(s.value(fact, "service", service));
        }
      }
      assertThat(r.value("drflow_backup_previous_dump_bytes", "service", "shop")).isPresent();
      assertThat(r.find("drflow_runs_total")).as("counters start again at a restart").isEmpty();
    }
  }

  static Set<String> metricsTheAlertRulesUse() throws IOException {
    Path rules = Path.of(System.getProperty("drflow.alert.rules", "../deploy/prometheus/alerts.yml"));
    Matcher m = Pattern.compile("drflow_[a-z_]+").matcher(Files.readString(rules));
    Set<String> names = new TreeSet<>();
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  @Test
  void temporalSdkMetricsAreServedToo() throws Exception {
    run("BackupWorkflow", new BackupInput("shop"));
    // The SDK hands its buffered metrics to Micrometer every few seconds: wait for the first batch.
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    Scrape s = Scrape.fetch(metrics.url());
    while (!s.hasMetricStartingWith("temporal_workflow_completed") && System.nanoTime() < deadline) {
      Thread.sleep(500);
      s = Scrape.fetch(metrics.url());
    }
    assertThat(s.hasMetricStartingWith("temporal_workflow_completed")).as("temporal_workflow_completed served").isTrue();
    assertThat(s.hasMetricStartingWith("temporal_activity_execution_latency_seconds")).as("activity latency served").isTrue();
    assertThat(s.hasMetricStartingWith("temporal_worker_task_slots_available")).as("worker slots served").isTrue();
  }

  @Test
  void theEndpointServesOnlyMetrics() throws Exception {
    String base = metrics.url().replace("/metrics", "");
    try (HttpClient http = HttpClient.newHttpClient()) {
      assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/other")).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
          .isEqualTo(404);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(metrics.url())).POST(HttpRequest.BodyPublishers.noBody()).build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode())
          .isEqualTo(405);
    }
  }

  @Test
  void aPortInUseStopsTheWorkerWithTheKeyToChange() {
    int port = URI.create(metrics.url()).getPort();
    assertThatThrownBy(() -> WorkerMetrics.start(new MetricsConfig(true, "127.0.0.1", port)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("metrics.port")
        .hasMessageContaining(":" + port);
  }
}
