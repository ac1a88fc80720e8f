package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.SampleData;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.codec.AesGcmPayloadCodec;
import io.drflow.workflows.codec.PayloadEncryption;
import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.runbook.RunbookDataConverter;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.WorkflowExecutionHistory;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A backup and a drill with the real activities and temporal.payloadEncryption configured: the
 * server stores ciphertext only, and the history secret scan, decrypting first, still reads every
 * payload and finds no secret.
 */
class EncryptedPayloadsEndToEndTest {

  static final String KEY_ENV = "E2E_PAYLOAD_KEY";
  static final String SOURCE_PASSWORD = "src-pw-" + UUID.randomUUID();
  static final String DRILL_PASSWORD = "drill-pw-" + UUID.randomUUID();

  static LocalPostgresCluster source;
  static LocalPostgresCluster drillTarget;
  static EmbeddedRunbookStack stack;
  static String payloadKey;

  @BeforeAll
  static void start() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    payloadKey = Base64.getEncoder().encodeToString(key);
    source = LocalPostgresCluster.builder().password(SOURCE_PASSWORD).start();
    drillTarget = LocalPostgresCluster.builder().password(DRILL_PASSWORD).start();
    SampleData.create(source.connections(), source.serverConfig(), "shop");
    stack =
        new EmbeddedRunbookStack(
            Map.of("shop", RunbooksEndToEndTest.service(source.postgresConfig("shop"), drillTarget.serverConfig())),
            Map.of(source.passwordEnv(), SOURCE_PASSWORD, drillTarget.passwordEnv(), DRILL_PASSWORD, KEY_ENV, payloadKey),
            WorkerMetrics.disabled(),
            new PayloadEncryption("e2e-2025", KEY_ENV, null, null));
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (stack != null) {
        stack.close();
      }
    } finally {
      if (drillTarget != null) {
        drillTarget.close();
      }
      if (source != null) {
        source.close();
      }
    }
  }

  @Test
  void backupAndDrillHistoriesHoldCiphertextAndTheScanReadsThemDecrypted() {
    RunReport backup = stack.start("BackupWorkflow", new BackupInput("shop")).getResult(RunReport.class);
    RunReport drill = stack.start("RestoreDrillWorkflow", new DrillInput("shop", null, false)).getResult(RunReport.class);
    assertThat(backup.status()).isEqualTo("COMPLETED");
    assertThat(drill.status()).isEqualTo("PASSED");

    List<WorkflowExecutionHistory> histories = stack.histories();
    AesGcmPayloadCodec codec = new AesGcmPayloadCodec(stack.payloadKeys);
    String decrypted = histories.stream().map(h -> HistoryText.of(h, codec)).reduce("", String::concat);
    String stored = histories.stream().map(HistoryText::of).reduce("", String::concat);

    // Positive control: decrypted, the inputs and results are there.
    assertThat(decrypted).contains("{\"service\":\"shop\"}").contains(drill.scratch().database()).contains(backup.backup().key());
    // As stored: none of it, and every payload but the SDK's version markers is encrypted.
    assertThat(stored)
        .doesNotContain("{\"service\":\"shop\"}")
        .doesNotContain(drill.scratch().database())
        .doesNotContain(backup.backup().key());
    assertThat(histories.stream().flatMap(h -> h.getEvents().stream())
            .filter(e -> !isVersionMarker(e))
            .flatMap(e -> HistoryText.payloads(e).stream()))
        .isNotEmpty()
        .allSatisfy(p -> assertThat(AesGcmPayloadCodec.isEncrypted(p)).as(p.toString()).isTrue());
    // The secret scan of decrypted histories: nothing, the key included.
    for (String secret : List.of(SOURCE_PASSWORD, DRILL_PASSWORD, EmbeddedRunbookStack.S3_SECRET, payloadKey)) {
      assertThat(decrypted).doesNotContain(secret);
      assertThat(stored).doesNotContain(secret);
    }
  }

  @Test
  void aClientWithoutTheKeyCannotReadAResult() {
    var stub = stack.start("BackupWorkflow", new BackupInput("shop"));
    stub.getResult(RunReport.class);

    WorkflowClient plain =
        WorkflowClient.newInstance(
            stack.env.getWorkflowServiceStubs(),
            WorkflowClientOptions.newBuilder()
                .setNamespace(stack.env.getNamespace())
                .setDataConverter(RunbookDataConverter.create())
                .build());
    assertThatThrownBy(
            () -> plain.newUntypedWorkflowStub(stub.getExecution().getWorkflowId()).getResult(RunReport.class))
        .hasStackTraceContaining(AesGcmPayloadCodec.ENCODING);
  }

  /** The SDK writes Workflow.getVersion markers with its own converter: change ids, never runbook data. */
  private static boolean isVersionMarker(HistoryEvent e) {
    return e.hasMarkerRecordedEventAttributes() && e.getMarkerRecordedEventAttributes().getMarkerName().equals("Version");
  }
}
