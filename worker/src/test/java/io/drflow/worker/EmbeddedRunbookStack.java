package io.drflow.worker;

import io.drflow.activities.DrflowActivities;
import io.drflow.activities.config.BackupTuning;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.EncryptionConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.config.TemporalConfig;
import io.drflow.activities.config.WorkerConfig;
import io.drflow.activities.local.S3ProxyServer;
import io.drflow.activities.storage.ObjectStore;
import io.temporal.api.common.v1.WorkflowExecution;
import io.drflow.workflows.codec.PayloadEncryption;
import io.drflow.workflows.codec.PayloadKeys;
import io.drflow.workflows.runbook.RunbookDataConverter;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * drflow's real activities against a real S3 server, on the in-memory Temporal server: every
 * workflow started through it is remembered so tests can scan the histories afterwards.
 */
final class EmbeddedRunbookStack implements AutoCloseable {

  static final String S3_KEY_ENV = "E2E_S3_ACCESS";
  static final String S3_SECRET_ENV = "E2E_S3_SECRET";
  static final String S3_SECRET = "s3-secret-" + UUID.randomUUID();
  static final String BACKUP_KEY_ENV = "E2E_BACKUP_KEY";
  /** Backups are encrypted, so every runbook test runs on encrypted backups. */
  static final String BACKUP_KEY = newBackupKey();

  final Path dir;
  final S3ProxyServer s3;
  final DrflowConfig config;
  final Secrets secrets;
  final TestWorkflowEnvironment env;
  final DrflowActivities activities;
  final ObjectStore store;
  final List<WorkflowExecution> started = new ArrayList<>();
  /** The worker's payload keys, or null when payloads are not encrypted. */
  final PayloadKeys payloadKeys;

  private static String newBackupKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  EmbeddedRunbookStack(Map<String, ServiceConfig> services, Map<String, String> extraSecrets)
      throws Exception {
    this(services, extraSecrets, WorkerMetrics.disabled());
  }

  /** With {@code metrics}: the SDK's and drflow's metrics go to its registry, as in the worker. */
  EmbeddedRunbookStack(
      Map<String, ServiceConfig> services, Map<String, String> extraSecrets, WorkerMetrics metrics)
      throws Exception {
    this(services, extraSecrets, metrics, null);
  }

  /**
   * With {@code payloadEncryption} (null: off): payloads are encrypted with the key it names, which
   * {@code extraSecrets} must hold, exactly as the worker loads it.
   */
  EmbeddedRunbookStack(
      Map<String, ServiceConfig> services,
      Map<String, String> extraSecrets,
      WorkerMetrics metrics,
      PayloadEncryption payloadEncryption)
      throws Exception {
    dir = Files.createTempDirectory("drflow-e2e");
    s3 = S3ProxyServer.start(dir.resolve("s3"), 0, "e2e", S3_SECRET);
    Map<String, String> env0 = new HashMap<>(extraSecrets);
    env0.put(S3_KEY_ENV, "e2e");
    env0.put(S3_SECRET_ENV, S3_SECRET);
    env0.put(BACKUP_KEY_ENV, BACKUP_KEY);
    secrets = Secrets.withOverrides(env0);
    config =
        new DrflowConfig(
            new TemporalConfig(null, null, "drflow-e2e", payloadEncryption),
            new StorageConfig(
                    s3.endpoint(), null, "e2e-backups", "drflow", true, S3_KEY_ENV, S3_SECRET_ENV, true)
                .withEncryption(EncryptionConfig.fromEnv(BACKUP_KEY_ENV)),
            new WorkerConfig(dir.resolve("work").toString(), 2, null, "e2e-host", null, 5),
            // Small chunks and parts so even the sample database spans several of each.
            new BackupTuning(1, 3, 2, 5, 3, 3),
            services);
    payloadKeys = DrflowWorker.payloadKeys(config.temporal(), secrets);
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setWorkflowClientOptions(
                    WorkflowClientOptions.newBuilder()
                        .setDataConverter(RunbookDataConverter.create(payloadKeys))
                        .build())
                .setUseTimeskipping(false)
                .setMetricsScope(metrics.temporalScope())
                .build());
    activities = DrflowActivities.create(config, secrets, "drflow-e2e@e2e-host", metrics.runs());
    DrflowWorker.register(env.getWorkerFactory(), config, activities, "drflow-e2e@e2e-host");
    env.start();
    store = ObjectStore.open(config.storage(), secrets, 4);
  }

  WorkflowClient client() {
    return env.getWorkflowClient();
  }

  /** Starts a workflow by type name with a JSON-friendly input, as the UI or drctl would. */
  WorkflowStub start(String type, Object input) {
    WorkflowStub stub =
        client()
            .newUntypedWorkflowStub(
                type,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(config.temporal().taskQueue())
                    .setWorkflowId(type + "-" + UUID.randomUUID())
                    .build());
    started.add(stub.start(input));
    return stub;
  }

  List<WorkflowExecutionHistory> histories() {
    return started.stream()
        .map(e -> client().fetchHistory(e.getWorkflowId(), e.getRunId()))
        .toList();
  }

  List<String> objectKeys(String prefix) {
    return store.listKeys(prefix);
  }

  @Override
  public void close() throws Exception {
    store.close();
    env.close();
    activities.close();
    s3.close();
  }
}
