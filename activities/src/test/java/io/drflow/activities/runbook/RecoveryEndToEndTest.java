package io.drflow.activities.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.drflow.activities.DrflowActivities;
import io.drflow.activities.config.BackupTuning;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.HealthConfig;
import io.drflow.activities.config.KubernetesConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.RecoveryConfig;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.config.WorkerConfig;
import io.drflow.activities.kubernetes.DeploymentScaler;
import io.drflow.activities.kubernetes.FakeCluster;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.S3ProxyServer;
import io.drflow.activities.local.SampleData;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.postgres.PgDatabases;
import io.drflow.activities.postgres.PgProcess;
import io.drflow.activities.postgres.PgTools;
import io.drflow.workflows.Workflows;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.backup.BackupWorkflow;
import io.drflow.workflows.model.Approval;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.recovery.ApprovalRequest;
import io.drflow.workflows.recovery.RecoveryInput;
import io.drflow.workflows.recovery.RecoveryWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole recovery against real servers: PostgreSQL, S3 (S3Proxy), a Kubernetes API (fabric8's
 * mock in CRUD mode with a fake Deployment controller) and an HTTP health endpoint, driven by the
 * real activities on Temporal's in-memory test server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RecoveryEndToEndTest {

  private static final String QUEUE = "drflow-e2e";
  private static final String HOST_QUEUE = "drflow-e2e@this-host";
  private static final List<String> WRITERS = List.of("shop-api", "shop-worker");

  static LocalPostgresCluster pg;
  static PgConnections conns;
  static PostgresConfig production;
  static Path s3Dir;
  static Path workDir;
  static S3ProxyServer s3;
  static FakeCluster k8s;
  static HttpServer health;
  static final AtomicInteger healthCalls = new AtomicInteger();
  static DrflowActivities activities;
  static TestWorkflowEnvironment env;
  static WorkflowClient client;
  static RunReport firstBackup;

  @BeforeAll
  static void startEverything() throws Exception {
    pg = LocalPostgresCluster.start();
    conns = pg.connections();
    SampleData.create(conns, pg.serverConfig(), "shop");
    production = pg.postgresConfig("shop");
    s3Dir = Files.createTempDirectory("drflow-e2e-s3-");
    workDir = Files.createTempDirectory("drflow-e2e-work-");
    s3 = S3ProxyServer.start(s3Dir, 0, "e2e-access", "e2e-secret");
    k8s = FakeCluster.start("shop");
    k8s.deployment("shop-api", 3);
    k8s.deployment("shop-worker", 1);
    k8s.settle();
    health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // Healthy means: the application finds its order items.
    health.createContext("/healthz", ex -> {
      healthCalls.incrementAndGet();
      int status;
      try (Connection c = conns.open(production);
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("select count(*) from sales.order_items")) {
        rs.next();
        status = rs.getLong(1) > 0 ? 200 : 503;
      } catch (RuntimeException | SQLException e) {
        status = 503;
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    health.start();

    ServiceConfig shop =
        new ServiceConfig(
            production,
            Duration.ofHours(1),
            Duration.ofHours(24),
            Map.of(),
            RetentionConfig.defaults(),
            new DrillConfig(
                null,
                List.of(new DrillConfig.Assertion("customers exist", "select count(*) > 0 from sales.customers")),
                false),
            null,
            new KubernetesConfig(null, null, k8s.apiUrl(), null, null, "shop", WRITERS),
            new HealthConfig(
                "http://127.0.0.1:" + health.getAddress().getPort() + "/healthz",
                Duration.ofSeconds(30),
                Duration.ofMillis(200)),
            null,
            RecoveryConfig.defaults());
    DrflowConfig config =
        new DrflowConfig(
            null,
            new StorageConfig(s3.endpoint(), null, "e2e", "drflow", true, "E2E_S3_ACCESS", "E2E_S3_SECRET", true),
            new WorkerConfig(workDir.toString(), 2, null, "this-host", null, null),
            BackupTuning.defaults(),
            Map.of("shop", shop));
    Secrets secrets = Secrets.withOverrides(Map.of("E2E_S3_ACCESS", "e2e-access", "E2E_S3_SECRET", "e2e-secret"));
    activities = DrflowActivities.create(config, secrets, HOST_QUEUE);

    env = TestWorkflowEnvironment.newInstance();
    Worker shared = env.newWorker(QUEUE);
    shared.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS);
    shared.registerActivitiesImplementations(activities.all().toArray());
    env.newWorker(HOST_QUEUE).registerActivitiesImplementations(activities.hostLocal().toArray());
    env.start();
    client = env.getWorkflowClient();

    firstBackup =
        client.newWorkflowStub(BackupWorkflow.class, options("backup-shop-1")).backup(new BackupInput("shop"));
    assertThat(firstBackup.status()).isEqualTo("COMPLETED");
  }

  @AfterAll
  static void stopEverything() throws Exception {
    if (env != null) {
      env.close();
    }
    if (activities != null) {
      activities.close();
    }
    if (health != null) {
      health.stop(0);
    }
    if (k8s != null) {
      k8s.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (pg != null) {
      pg.close();
    }
    for (Path dir : new Path[] {s3Dir, workDir}) {
      if (dir != null) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static WorkflowOptions options(String id) {
    return WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(id).build();
  }

  private static RecoveryWorkflow recovery(String id) {
    return client.newWorkflowStub(RecoveryWorkflow.class, options(id));
  }

  @Test
  @Order(1)
  void badInputIsRefusedWithAClearErrorAndNothingChanges() throws Exception {
    Map<String, String> before = tableChecksums(production);
    Instant longAgo = Instant.parse(firstBackup.backup().createdAt()).minus(Duration.ofDays(3))
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    assertThatThrownBy(
            () ->
                recovery("recover-shop-too-early")
                    .recover(new RecoveryInput("shop", null, longAgo.toString(), null, null, true, null, "e2e")))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          ApplicationFailure af = (ApplicationFailure) e.getCause();
          RunReport r = af.getDetails().get(RunReport.class);
          assertThat(r.error())
              .contains("BackupNotFound")
              .contains("no verified backup of shop was taken at or before " + longAgo + " (--at)")
              .contains("the oldest is " + backupId(firstBackup));
          assertThat(r.phases()).filteredOn(p -> p.name().equals("StopWriters"))
              .singleElement().satisfies(p -> assertThat(p.status()).isEqualTo(PhaseStatus.PENDING));
        });

    assertThatThrownBy(
            () ->
                recovery("recover-shop-both")
                    .recover(new RecoveryInput("shop", backupId(firstBackup), longAgo.toString(), null, null, true, null, "e2e")))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("--backup and --at exclude each other");

    assertThat(k8s.replicas("shop-api")).isEqualTo(3);
    assertThat(k8s.replicas("shop-worker")).isEqualTo(1);
    assertThat(k8s.annotations("shop-api")).doesNotContainKey(DeploymentScaler.RUN_ANNOTATION);
    assertThat(databases()).containsExactly("postgres", "shop");
    assertThat(tableChecksums(production)).isEqualTo(before);
  }

  @Test
  @Order(2)
  void recoversADamagedDatabaseKeepingTheDamagedCopy() throws Exception {
    Map<String, String> backedUp = tableChecksums(production);
    String schema = schema("shop");
    pg.psql("shop", """
        drop table sales.order_items cascade;
        update sales.customers set name = 'CORRUPTED' where id % 7 = 0;
        """);
    Map<String, String> damaged = tableChecksums(production);
    assertThat(damaged).isNotEqualTo(backedUp);

    RecoveryWorkflow wf = recovery("recover-shop-e2e");
    WorkflowClient.start(wf::recover, new RecoveryInput("shop", null, null, null, null, null, null, "e2e"));
    assertThatThrownBy(() -> wf.approve(new ApprovalRequest("swap", "alice", "too early")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("not waiting for approval of 'swap'");
    awaitApprovalGate(wf);

    // At the gate: writers stopped, production untouched, the restore beside it.
    assertThat(k8s.replicas("shop-api")).isZero();
    assertThat(k8s.pods("shop-api")).isZero();
    assertThat(tableChecksums(production)).isEqualTo(damaged);
    RunReport waiting = wf.report();
    assertThat(databases()).contains(waiting.recovery().restoredDatabase());
    assertThat(waiting.checks()).isNotEmpty().allSatisfy(c -> assertThat(c.passed()).as(c.name()).isTrue());

    Approval given = wf.approve(new ApprovalRequest("swap", "alice", "row counts match the manifest"));
    assertThat(given.via()).isEqualTo(Approval.VIA_UPDATE);
    RunReport report = WorkflowStub.fromTyped(wf).getResult(RunReport.class);

    assertThat(report.status()).as(report.error()).isEqualTo("COMPLETED");
    assertThat(tableChecksums(production)).isEqualTo(backedUp);
    assertThat(schema("shop")).isEqualTo(schema);
    String kept = report.recovery().preRecoveryDatabase();
    assertThat(databases()).contains(kept).doesNotContain(report.recovery().restoredDatabase());
    assertThat(tableChecksums(pg.postgresConfig(kept))).isEqualTo(damaged);
    assertThat(k8s.replicas("shop-api")).isEqualTo(3);
    assertThat(k8s.replicas("shop-worker")).isEqualTo(1);
    assertThat(k8s.annotations("shop-api")).doesNotContainKeys(
        DeploymentScaler.RUN_ANNOTATION, DeploymentScaler.REPLICAS_ANNOTATION);
    assertThat(report.recovery().deployments())
        .containsExactly(new Replicas("shop-api", 3), new Replicas("shop-worker", 1));
    assertThat(report.recovery().approvals()).extracting(Approval::by).containsExactly("alice");
    assertThat(report.recovery().safetyCopy()).contains("-safety-copy/");
    assertThat(report.backup().key()).isEqualTo(firstBackup.backup().key());
    assertThat(report.recovery().healthCheck()).startsWith("HTTP 200");
    assertThat(healthCalls.get()).isPositive();
    assertThat(report.reportKey()).endsWith("recover-shop-e2e.json");
  }

  private static void awaitApprovalGate(RecoveryWorkflow wf) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!"swap".equals(wf.pendingApproval())) {
      RunReport r = wf.report();
      assertThat(r.status()).as("recovery stopped early: " + r.error()).isEqualTo("RUNNING");
      assertThat(System.nanoTime()).as("approval gate reached in time").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static String backupId(RunReport backup) {
    String key = backup.backup().key();
    String[] parts = key.split("/");
    return parts[parts.length - 2];
  }

  private static List<String> databases() throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = conns.open(pg.serverConfig());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select datname from pg_database where not datistemplate order by 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  /** md5 over every table's rows in a canonical order, with the row count, by table. */
  static Map<String, String> tableChecksums(PostgresConfig db) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = conns.open(db)) {
      List<String[]> tables = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(
              "select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                  + " where c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema')"
                  + " and n.nspname not like 'pg_toast%'")) {
        while (rs.next()) {
          tables.add(new String[] {rs.getString(1), rs.getString(2)});
        }
      }
      for (String[] t : tables) {
        String q = quote(t[0]) + "." + quote(t[1]);
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery(
                "select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) || ' ' || count(*)"
                    + " from only " + q + " t")) {
          rs.next();
          out.put(t[0] + "." + t[1], rs.getString(1));
        }
      }
    }
    return out;
  }

  private static String quote(String ident) {
    return '"' + ident.replace("\"", "\"\"") + '"';
  }

  /** {@code pg_dump --schema-only} without its random \restrict keys. */
  private static String schema(String database) {
    PgTools tools = PgTools.forServer(null, pg.majorVersion() * 10000);
    try (PgProcess p = PgProcess.builder(tools.binary("pg_dump"))
        .args("--schema-only", "--no-password")
        .environment(conns.environment(pg.postgresConfig(database)))
        .stdout(PgProcess.Output.CAPTURE)
        .start()) {
      p.awaitSuccess();
      return p.capturedStdout().lines()
          .filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict"))
          .collect(Collectors.joining("\n"));
    }
  }

  @SuppressWarnings("unused")
  private static boolean exists(String db) {
    return new PgDatabases(conns).exists(pg.serverConfig(), db);
  }
}
