package io.drflow.activities.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.DrflowActivities;
import io.drflow.activities.config.BackupTuning;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.EncryptionConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.config.WorkerConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.S3ProxyServer;
import io.drflow.activities.local.SampleData;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.storage.BackupKeys;
import io.drflow.activities.storage.BackupLayout;
import io.drflow.activities.storage.Manifest;
import io.drflow.activities.storage.ManifestStore;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.workflows.Workflows;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.backup.BackupWorkflow;
import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.drill.RestoreDrillWorkflow;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.runbook.Failures;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Encrypted backups through the real runbooks: PostgreSQL, S3Proxy and the real activities on
 * Temporal's in-memory server. Each {@link Stack} is one worker with its own keys, sharing the
 * bucket and the database server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EncryptedBackupEndToEndTest {

  private static final String KEY_ENV = "E2E_BACKUP_KEY";
  private static final String OLD_KEY_ENV = "E2E_OLD_BACKUP_KEY";
  private static final String KEY = newKey(1);
  private static final String OTHER_KEY = newKey(2);

  static LocalPostgresCluster pg;
  static PgConnections conns;
  static PostgresConfig production;
  static Path s3Dir;
  static S3ProxyServer s3;
  static ObjectStore store;
  static final List<Stack> stacks = new ArrayList<>();
  static Stack encrypting;
  static RunReport backup;

  private static String newKey(int seed) {
    byte[] k = new byte[32];
    new java.util.Random(seed).nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  private static String keyId(String base64) {
    return BackupKeys.of(Base64.getDecoder().decode(base64)).current().orElseThrow().id();
  }

  /** One worker: its config's encryption section, its key variables, its own Temporal. */
  static final class Stack implements AutoCloseable {
    final String name;
    final DrflowActivities activities;
    final TestWorkflowEnvironment env;
    final Path workDir;

    Stack(String name, EncryptionConfig encryption, Map<String, String> keys) throws Exception {
      this.name = name;
      workDir = Files.createTempDirectory("drflow-enc-work-");
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
                  true));
      DrflowConfig config =
          new DrflowConfig(
              null,
              storage().withEncryption(encryption),
              new WorkerConfig(workDir.toString(), 2, null, name, null, null),
              BackupTuning.defaults(),
              Map.of("shop", shop));
      Map<String, String> env0 = new java.util.HashMap<>(keys);
      env0.put("E2E_S3_ACCESS", "e2e-access");
      env0.put("E2E_S3_SECRET", "e2e-secret");
      activities = DrflowActivities.create(config, Secrets.withOverrides(env0), "drflow-" + name + "@host");
      env = TestWorkflowEnvironment.newInstance();
      Worker shared = env.newWorker("drflow-" + name);
      shared.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS);
      shared.registerActivitiesImplementations(activities.all().toArray());
      env.newWorker("drflow-" + name + "@host").registerActivitiesImplementations(activities.hostLocal().toArray());
      env.start();
      stacks.add(this);
    }

    <T> T stub(Class<T> type, String id) {
      return env.getWorkflowClient()
          .newWorkflowStub(
              type, WorkflowOptions.newBuilder().setTaskQueue("drflow-" + name).setWorkflowId(id).build());
    }

    RunReport drill(String id, String backupId, boolean keep) {
      return stub(RestoreDrillWorkflow.class, id).drill(new DrillInput("shop", backupId, keep));
    }

    @Override
    public void close() {
      env.close();
      activities.close();
    }
  }

  static StorageConfig storage() {
    return new StorageConfig(s3.endpoint(), null, "e2e", "drflow", true, "E2E_S3_ACCESS", "E2E_S3_SECRET", true);
  }

  @BeforeAll
  static void startEverything() throws Exception {
    pg = LocalPostgresCluster.start();
    conns = pg.connections();
    SampleData.create(conns, pg.serverConfig(), "shop");
    production = pg.postgresConfig("shop");
    s3Dir = Files.createTempDirectory("drflow-enc-s3-");
    s3 = S3ProxyServer.start(s3Dir, 0, "e2e-access", "e2e-secret");
    encrypting = new Stack("enc", EncryptionConfig.fromEnv(KEY_ENV), Map.of(KEY_ENV, KEY));
    store = ObjectStore.open(storage(), Secrets.withOverrides(Map.of("E2E_S3_ACCESS", "e2e-access", "E2E_S3_SECRET", "e2e-secret")), 4);
    backup = encrypting.stub(BackupWorkflow.class, "backup-enc-1").backup(new BackupInput("shop"));
    assertThat(backup.status()).isEqualTo("COMPLETED");
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (Stack s : stacks) {
      s.close();
    }
    if (store != null) {
      store.close();
    }
    if (s3 != null) {
      s3.close();
    }
    if (pg != null) {
      pg.close();
    }
    List<Path> dirs = new ArrayList<>(stacks.stream().map(s -> s.workDir).toList());
    dirs.add(s3Dir);
    for (Path dir : dirs) {
      if (dir != null && Files.exists(dir)) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  static Manifest manifest() {
    BackupLayout layout = BackupLayout.of(storage());
    String id = backup.backup().key().split("/")[3];
    return new ManifestStore(store, layout).find("shop", id).orElseThrow();
  }

  @Test
  @Order(1)
  void theBackupIsStoredEncryptedWithItsKeyIdInTheManifest() {
    Manifest m = manifest();
    assertThat(m.encryption()).isNotNull();
    assertThat(m.encryption().algorithm()).isEqualTo("AES-256-GCM");
    assertThat(m.encryption().keyId()).isEqualTo(keyId(KEY));
    assertThat(store.getBytes(m.dump().chunkIndexKey()).orElseThrow()).asString().contains("\"chunks\"");

    byte[] data = store.getBytes(m.dump().key()).orElseThrow();
    // No zstd frame, no pg_dump header, no catalog or row text anywhere in the stored bytes.
    assertThat(java.util.Arrays.copyOf(data, 4)).isNotEqualTo(new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD});
    String stored = new String(data, StandardCharsets.ISO_8859_1);
    assertThat(stored).doesNotContain("PGDMP", "sales", "customers", "CREATE TABLE");
    // Globals and roles hold role definitions (and password hashes): sealed too.
    for (String key : List.of(m.globalsKey(), m.rolesKey())) {
      assertThat(new String(store.getBytes(key).orElseThrow(), StandardCharsets.ISO_8859_1))
          .as(key)
          .doesNotContain(SampleData.READER_ROLE, "ROLE", "rolname");
    }
  }

  @Test
  @Order(2)
  void aDrillRestoresIdenticalData() throws Exception {
    RunReport drill = encrypting.drill("drill-enc-1", manifest().backupId(), true);
    assertThat(drill.status()).isEqualTo("PASSED");
    String scratch = drill.scratch().database();
    try {
      assertThat(tableChecksums(pg.postgresConfig(scratch))).isEqualTo(tableChecksums(production));
      // The roles object was decrypted and its role created (it exists anyway on this server,
      // so only the drill's success and the data tell).
      assertThat(drill.checks()).isNotEmpty().allSatisfy(c -> assertThat(c.passed()).as(c.name()).isTrue());
    } finally {
      pg.psql("postgres", "drop database if exists \"" + scratch + "\"");
    }
  }

  @Test
  @Order(3)
  void aWorkerWithAnotherKeyOrNoKeyIsRefusedBeforeAnyDatabaseIsCreated() throws Exception {
    List<String> before = databases();
    Stack wrong = new Stack("wrong", EncryptionConfig.fromEnv(KEY_ENV), Map.of(KEY_ENV, OTHER_KEY));
    Stack none = new Stack("none", null, Map.of());

    assertThatThrownBy(() -> wrong.drill("drill-wrong-key", null, false))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(
            e -> {
              RunReport r = ((ApplicationFailure) e.getCause()).getDetails().get(RunReport.class);
              assertThat(r.error())
                  .contains(Failures.ENCRYPTION_KEY)
                  .contains("is encrypted with key " + keyId(KEY) + ", this worker has " + keyId(OTHER_KEY));
            });
    assertThatThrownBy(() -> none.drill("drill-no-key", null, false))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(
            e -> {
              RunReport r = ((ApplicationFailure) e.getCause()).getDetails().get(RunReport.class);
              assertThat(r.error())
                  .contains(Failures.ENCRYPTION_KEY)
                  .contains("encrypted with key " + keyId(KEY))
                  .contains("no encryption key configured");
            });
    assertThat(databases()).isEqualTo(before);
  }

  @Test
  @Order(4) // last: its backup makes retention drop the first one (one per day is kept)
  void afterARotationTheOldKeyStillRestoresAndNewBackupsUseTheNewKey() throws Exception {
    Stack rotated =
        new Stack(
            "rotated",
            new EncryptionConfig(KEY_ENV, null, List.of(new EncryptionConfig.KeySource(OLD_KEY_ENV, null)), null),
            Map.of(KEY_ENV, OTHER_KEY, OLD_KEY_ENV, KEY));
    String oldId = manifest().backupId();
    RunReport drill = rotated.drill("drill-rotated", oldId, false);
    assertThat(drill.status()).isEqualTo("PASSED");

    RunReport fresh = rotated.stub(BackupWorkflow.class, "backup-rotated").backup(new BackupInput("shop"));
    assertThat(fresh.status()).isEqualTo("COMPLETED");
    String freshId = fresh.backup().key().split("/")[3];
    Manifest m = new ManifestStore(store, BackupLayout.of(storage())).find("shop", freshId).orElseThrow();
    assertThat(m.encryption().keyId()).isEqualTo(keyId(OTHER_KEY));
  }

  @Test
  @Order(5)
  void unencryptedBackupsStillRestoreUnlessEncryptionIsRequired() throws Exception {
    Stack plain = new Stack("plain", null, Map.of());
    RunReport b = plain.stub(BackupWorkflow.class, "backup-plain").backup(new BackupInput("shop"));
    assertThat(b.status()).isEqualTo("COMPLETED");
    String id = b.backup().key().split("/")[3];
    assertThat(new ManifestStore(store, BackupLayout.of(storage())).find("shop", id).orElseThrow().encryption())
        .isNull();

    assertThat(encrypting.drill("drill-plain-with-key", id, false).status()).isEqualTo("PASSED");

    List<String> before = databases();
    Stack strict =
        new Stack("strict", new EncryptionConfig(KEY_ENV, null, null, true), Map.of(KEY_ENV, KEY));
    assertThatThrownBy(() -> strict.drill("drill-plain-strict", id, false))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(
            e -> {
              RunReport r = ((ApplicationFailure) e.getCause()).getDetails().get(RunReport.class);
              assertThat(r.error())
                  .contains(Failures.ENCRYPTION_KEY)
                  .contains("backup " + id + " of shop is not encrypted")
                  .contains("requireEncrypted");
            });
    assertThat(databases()).isEqualTo(before);
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

  /** md5 over every table's rows in a canonical order, by table. */
  private static Map<String, String> tableChecksums(PostgresConfig db) throws SQLException {
    Map<String, String> out = new TreeMap<>();
    try (Connection c = conns.open(db)) {
      List<String> tables = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "select format('%I.%I', n.nspname, c.relname) from pg_class c"
                      + " join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'r'"
                      + " and n.nspname not in ('pg_catalog', 'information_schema')"
                      + " and n.nspname not like 'pg_toast%'")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      for (String t : tables) {
        try (Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "select count(*) || ':' || coalesce(md5(string_agg(x::text, '|' order by x::text)), '')"
                        + " from " + t + " x")) {
          rs.next();
          out.put(t, rs.getString(1));
        }
      }
    }
    return out;
  }
}
