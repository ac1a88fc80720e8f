package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.SampleData;
import io.drflow.activities.postgres.PgDatabases;
import io.drflow.activities.postgres.PgTestSupport;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.RunReport;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both runbooks end to end: the real workflows and activities, real PostgreSQL clusters (with
 * passwords), a real S3 server; Temporal in memory.
 */
class RunbooksEndToEndTest {

  static final String SOURCE_PASSWORD = "src-pw-" + UUID.randomUUID();
  static final String DRILL_PASSWORD = "drill-pw-" + UUID.randomUUID();
  static final String HOSTILE_DB = "shop \"prod\"; drop database x";

  static LocalPostgresCluster source;
  static LocalPostgresCluster drillTarget;
  static EmbeddedRunbookStack stack;

  @BeforeAll
  static void start() throws Exception {
    source = LocalPostgresCluster.builder().password(SOURCE_PASSWORD).start();
    drillTarget = LocalPostgresCluster.builder().password(DRILL_PASSWORD).start();
    SampleData.create(source.connections(), source.serverConfig(), "shop");
    SampleData.create(source.connections(), source.serverConfig(), HOSTILE_DB);
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    ServerConfig target = drillTarget.serverConfig();
    ServerConfig nowhere = new ServerConfig("127.0.0.1", closedPort, "postgres", null, null);
    stack =
        new EmbeddedRunbookStack(
            Map.of(
                "shop", service(source.postgresConfig("shop"), target),
                "hostile", service(source.postgresConfig(HOSTILE_DB), target),
                "nowhere", service(source.postgresConfig("shop"), nowhere)),
            Map.of(
                source.passwordEnv(), SOURCE_PASSWORD,
                drillTarget.passwordEnv(), DRILL_PASSWORD));
  }

  static ServiceConfig service(PostgresConfig pg, ServerConfig target) {
    return new ServiceConfig(
        pg,
        Duration.ofMinutes(30),
        Duration.ofHours(24),
        Map.of(),
        RetentionConfig.defaults(),
        new DrillConfig(
            target,
            List.of(new DrillConfig.Assertion("customers exist", "select count(*) > 0 from sales.customers")),
            false));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      noSecretInAnyHistory();
    } finally {
      if (stack != null) {
        stack.close();
      }
      if (drillTarget != null) {
        drillTarget.close();
      }
      if (source != null) {
        source.close();
      }
    }
  }

  /** Every history this class produced, as the server stores it, holds no configured secret. */
  static void noSecretInAnyHistory() {
    List<WorkflowExecutionHistory> histories = stack.histories();
    assertThat(histories).hasSizeGreaterThan(5);
    // Positive control: the scan reads real payloads (service names and database names are there).
    assertThat(histories.stream().map(HistoryText::of).reduce("", String::concat))
        .contains("{\"service\":\"shop\"}")
        .contains("drill_shop_");
    for (WorkflowExecutionHistory h : histories) {
      assertThat(HistoryText.of(h))
          .as("history of %s", h.getWorkflowExecution().getWorkflowId())
          .doesNotContain(SOURCE_PASSWORD)
          .doesNotContain(DRILL_PASSWORD)
          .doesNotContain(EmbeddedRunbookStack.S3_SECRET)
          .doesNotContain(EmbeddedRunbookStack.BACKUP_KEY);
    }
  }

  static RunReport run(String type, Object input) {
    return stack.start(type, input).getResult(RunReport.class);
  }

  static RunReport backup(String service) {
    RunReport r = run("BackupWorkflow", new BackupInput(service));
    assertThat(r.status()).isEqualTo("COMPLETED");
    return r;
  }

  @Test
  void backupThenDrillRestoresEverythingAndCleansUp() throws Exception {
    RunReport backup = backup("shop");
    assertThat(backup.phases()).allSatisfy(p -> assertThat(p.status()).isEqualTo(PhaseStatus.COMPLETED));
    String dir = backup.backup().key().replace("dump.zst", "");
    assertThat(stack.objectKeys(dir))
        .contains(dir + "manifest.json", dir + "dump.zst", dir + "chunks.json", dir + "roles.json", dir + "globals.sql")
        .doesNotContain(dir + "staging.json");

    RunReport drill = run("RestoreDrillWorkflow", DrillInput.of("shop"));

    assertThat(drill.status()).isEqualTo("PASSED");
    assertThat(drill.backup().key()).isEqualTo(backup.backup().key());
    assertThat(drill.backup().sha256()).isEqualTo(backup.backup().sha256());
    assertThat(drill.checks()).extracting(Check::name)
        .contains("row counts", "large objects", "foreign keys", "indexes", "constraints", "assertion: customers exist");
    assertThat(drill.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
    assertThat(drill.rto().met()).isTrue();
    assertThat(drill.rpo().achievedSeconds()).isNotNull();
    assertThat(drill.scratch().dropped()).isTrue();
    assertThat(new PgDatabases(drillTarget.connections()).exists(drillTarget.serverConfig(), drill.scratch().database()))
        .isFalse();
    assertThat(stack.objectKeys("drflow/shop/reports/")).contains(drill.reportKey(), drill.reportKey().replace(".json", ".md"));
    assertThat(stack.dir.resolve("work").resolve(drill.runId()))
        .as("downloaded dumps are removed after restore")
        .doesNotExist();
  }

  @Test
  void keptScratchDatabaseIsIdenticalToTheSource() throws Exception {
    backup("shop");
    RunReport drill = run("RestoreDrillWorkflow", new DrillInput("shop", null, true));
    assertThat(drill.status()).isEqualTo("PASSED");
    assertThat(drill.scratch().kept()).isTrue();
    String scratch = drill.scratch().database();
    try {
      assertThat(PgTestSupport.schemaDump(drillTarget, scratch))
          .isEqualTo(PgTestSupport.schemaDump(source, "shop"));
      assertThat(PgTestSupport.tableChecksums(drillTarget.connections(), drillTarget.postgresConfig(scratch)))
          .isEqualTo(PgTestSupport.tableChecksums(source.connections(), source.postgresConfig("shop")));
    } finally {
      new PgDatabases(drillTarget.connections()).drop(drillTarget.serverConfig(), scratch);
    }
  }

  @Test
  void databaseNameWithQuotesAndSemicolonIsBackedUpAndDrilledNotInterpreted() {
    backup("hostile");
    RunReport drill = run("RestoreDrillWorkflow", DrillInput.of("hostile"));
    assertThat(drill.status()).isEqualTo("PASSED");
    assertThat(new PgDatabases(source.connections()).exists(source.serverConfig(), HOSTILE_DB)).isTrue();
    assertThat(new PgDatabases(source.connections()).exists(source.serverConfig(), "x")).isFalse();
  }

  @Test
  void unknownServiceFailsBeforeAnySideEffect() {
    assertFails(() -> run("RestoreDrillWorkflow", DrillInput.of("nope")), "UnknownService", "unknown service 'nope'");
    assertThat(stack.objectKeys("drflow/nope/")).isEmpty();
  }

  @Test
  void unknownBackupKeyFailsWithoutCreatingAScratchDatabase() throws Exception {
    List<String> before = databases(drillTarget);
    assertFails(
        () -> run("RestoreDrillWorkflow", new DrillInput("shop", "20200101T000000Z-deadbeef", false)),
        "DrillFailed",
        "no backup '20200101T000000Z-deadbeef'");
    assertThat(databases(drillTarget)).isEqualTo(before);
  }

  @Test
  void unreachableDrillTargetFailsBeforeAnySideEffect() {
    assertFails(() -> run("RestoreDrillWorkflow", DrillInput.of("nowhere")), "ServerUnreachable", "drill target");
    assertThat(stack.objectKeys("drflow/nowhere/")).isEmpty();
  }

  @Test
  void corruptedBackupFailsTheDrillOnceWithAClearMessage() throws Exception {
    RunReport backup = backup("shop");
    String key = backup.backup().key();
    byte[] bytes = stack.store.getBytes(key).orElseThrow();
    bytes[bytes.length / 2] ^= 0x5a;
    stack.store.putBytes(key, bytes, "application/zstd");
    List<String> before = databases(drillTarget);

    WorkflowStub stub = stack.start("RestoreDrillWorkflow", new DrillInput("shop", key, false));
    assertFails(() -> stub.getResult(RunReport.class), "DrillFailed", "ChecksumMismatch");

    long downloadAttempts =
        stack.client().fetchHistory(stub.getExecution().getWorkflowId()).getEvents().stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
            .filter(e -> scheduledType(stub, e).equals("DownloadBackup"))
            .mapToInt(e -> e.getActivityTaskStartedEventAttributes().getAttempt())
            .max()
            .orElse(0);
    assertThat(downloadAttempts).as("a checksum mismatch is not retried").isEqualTo(1);
    assertThat(databases(drillTarget)).isEqualTo(before);
    assertThat(stack.dir.resolve("work").resolve(stub.getExecution().getRunId()))
        .as("a failed download leaves no files behind")
        .doesNotExist();
  }

  private static String scheduledType(WorkflowStub stub, HistoryEvent started) {
    long scheduledId = started.getActivityTaskStartedEventAttributes().getScheduledEventId();
    return stack.client().fetchHistory(stub.getExecution().getWorkflowId()).getEvents().stream()
        .filter(e -> e.getEventId() == scheduledId)
        .findFirst()
        .orElseThrow()
        .getActivityTaskScheduledEventAttributes()
        .getActivityType()
        .getName();
  }

  private static List<String> databases(LocalPostgresCluster cluster) throws Exception {
    return PgTestSupport.query(
        cluster.connections(), cluster.postgresConfig("postgres"), "select datname from pg_database order by 1");
  }

  private static void assertFails(Runnable run, String type, String message) {
    assertThatThrownBy(run::run)
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(
            e -> {
              ApplicationFailure af = (ApplicationFailure) e.getCause();
              assertThat(af.getType()).isEqualTo(type);
              assertThat(af.getOriginalMessage()).contains(message);
            });
  }
}
