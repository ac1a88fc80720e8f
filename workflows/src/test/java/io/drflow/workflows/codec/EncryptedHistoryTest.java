package io.drflow.workflows.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.google.protobuf.Message;
import io.drflow.workflows.activities.BackupActivities;
import io.drflow.workflows.activities.BackupActivities.DumpRequest;
import io.drflow.workflows.activities.BackupActivities.DumpResult;
import io.drflow.workflows.activities.BackupActivities.Published;
import io.drflow.workflows.activities.BackupActivities.RetentionResult;
import io.drflow.workflows.activities.BackupActivities.StageTiming;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.NotifyActivities;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.backup.BackupWorkflow;
import io.drflow.workflows.backup.BackupWorkflowImpl;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.drflow.workflows.runbook.RunbookDataConverter;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A whole backup run with the worker's converter and a key: what Temporal stores must be
 * ciphertext, and a separately built client with the same key (drctl) must read it all back.
 */
class EncryptedHistoryTest {

  /** In the input, the plan, activity results and the final report: plaintext anywhere would show it. */
  private static final String CANARY = "canary-svc-7f3a";

  private static final String QUEUE = "encrypted-history";

  private final PayloadKeys keys = PayloadKeys.of("test-key", AesGcmPayloadCodecTest.key());
  private final List<TestWorkflowEnvironment> envs = new ArrayList<>();

  @AfterEach
  void close() {
    envs.forEach(TestWorkflowEnvironment::close);
  }

  @Test
  void historyHoldsOnlyCiphertextAndAClientWithTheKeyReadsTheResult() {
    TestWorkflowEnvironment env = start(keys);
    WorkflowExecutionHistory history = runBackup(env, "encrypted-backup");

    assertThat(payloads(history)).hasSizeGreaterThan(5).allSatisfy(p -> assertThat(AesGcmPayloadCodec.isEncrypted(p)).isTrue());
    // The SDK writes version markers (Workflow.getVersion) with its own converter: change ids and
    // version numbers, never runbook data.
    assertThat(versionMarkerPayloads(history))
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.getData().toStringUtf8()).matches("\"[a-z-]+\"|-?\\d+"));
    String stored = storedText(history);
    assertThat(stored).doesNotContain(CANARY).doesNotContain("json/plain").doesNotContain("\"service\"");

    // drctl's side: its own client and converter instance, the same key.
    WorkflowClient drctl = client(env, RunbookDataConverter.create(keys));
    RunReport result = drctl.newUntypedWorkflowStub("encrypted-backup").getResult(RunReport.class);
    assertThat(result.service()).isEqualTo(CANARY);
    assertThat(result.status()).isEqualTo("COMPLETED");
    assertThat(drctl.newWorkflowStub(BackupWorkflow.class, "encrypted-backup").report().service()).isEqualTo(CANARY);
    // What drctl decodes is what the scan of decoded payloads sees.
    assertThat(decodedText(history, new AesGcmPayloadCodec(keys))).contains(CANARY);
  }

  @Test
  void aClientWithoutTheKeyCannotReadTheResult() {
    TestWorkflowEnvironment env = start(keys);
    runBackup(env, "encrypted-backup-2");

    WorkflowStub plain = client(env, RunbookDataConverter.create()).newUntypedWorkflowStub("encrypted-backup-2");
    assertThatThrownBy(() -> plain.getResult(RunReport.class)).hasStackTraceContaining("binary/encrypted");

    PayloadKeys otherKey = PayloadKeys.of("other-key", AesGcmPayloadCodecTest.key());
    WorkflowStub wrong = client(env, RunbookDataConverter.create(otherKey)).newUntypedWorkflowStub("encrypted-backup-2");
    assertThatThrownBy(() -> wrong.getResult(RunReport.class)).hasStackTraceContaining("key id 'test-key'");
  }

  @Test
  void withoutAKeyTheSameScanFindsThePlaintext() {
    // The control for the first test: the canary does reach history when nothing encrypts it.
    TestWorkflowEnvironment env = start(null);
    WorkflowExecutionHistory history = runBackup(env, "plain-backup");

    assertThat(payloads(history)).noneSatisfy(p -> assertThat(AesGcmPayloadCodec.isEncrypted(p)).isTrue());
    assertThat(storedText(history)).contains(CANARY);
  }

  private TestWorkflowEnvironment start(PayloadKeys keys) {
    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setWorkflowClientOptions(
                    WorkflowClientOptions.newBuilder().setDataConverter(RunbookDataConverter.create(keys)).build())
                .build());
    envs.add(env);
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(BackupWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities());
    env.start();
    return env;
  }

  private static WorkflowExecutionHistory runBackup(TestWorkflowEnvironment env, String workflowId) {
    BackupWorkflow wf =
        env.getWorkflowClient()
            .newWorkflowStub(
                BackupWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(workflowId).build());
    assertThat(wf.backup(new BackupInput(CANARY)).status()).isEqualTo("COMPLETED");
    return env.getWorkflowClient().fetchHistory(workflowId);
  }

  private static WorkflowClient client(TestWorkflowEnvironment env, io.temporal.common.converter.DataConverter dc) {
    return WorkflowClient.newInstance(
        env.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder().setNamespace(env.getNamespace()).setDataConverter(dc).build());
  }

  private static Object[] activities() {
    CatalogActivities catalog = mock(CatalogActivities.class, withSettings().withoutAnnotations());
    BackupActivities backups = mock(BackupActivities.class, withSettings().withoutAnnotations());
    ReportActivities reports = mock(ReportActivities.class, withSettings().withoutAnnotations());
    NotifyActivities notify = mock(NotifyActivities.class, withSettings().withoutAnnotations());
    when(catalog.plan(CANARY, "backup"))
        .thenReturn(
            new ServicePlan(
                CANARY, "backup", CANARY, "127.0.0.1:5432", "127.0.0.1:5433", 3600, 86400,
                Runbook.BACKUP.defaultBudgets(3600), 1, "s3://drflow-backups/" + CANARY));
    when(backups.dumpAndUpload(any())).thenAnswer(inv -> dump(inv.getArgument(0)));
    when(backups.publishManifest(any())).thenReturn(new Published("m/" + CANARY, "d/" + CANARY, "s", 1));
    when(backups.applyRetention(eq(CANARY), anyString())).thenReturn(new RetentionResult(1, List.of(), List.of()));
    when(reports.store(any())).thenReturn("drflow/" + CANARY + "/reports/r.json");
    when(notify.notify(any())).thenReturn(new NotifyActivities.Delivery(false, "no webhook configured"));
    return new Object[] {catalog, backups, reports, notify};
  }

  private static DumpResult dump(DumpRequest req) {
    long t0 = 1_700_000_000_000L;
    String dir = "drflow/" + CANARY + "/backups/" + req.backupId() + "/";
    return new DumpResult(
        CANARY, req.backupId(), dir + "dump.zst", dir + "staging.json", dir + "roles.json", dir + "globals.sql",
        Instant.ofEpochMilli(t0).toString(), t0, "15.18", 3, 42, 4000, 1000, "ab".repeat(32),
        List.of(new StageTiming("Dump", t0, t0 + 100)));
  }

  /** The history as the server stores it: its JSON plus every payload's bytes as text, undecoded. */
  static String storedText(WorkflowExecutionHistory history) {
    StringBuilder text = new StringBuilder(history.toJson(false));
    payloads(history).forEach(p -> text.append('\n').append(p.getData().toString(StandardCharsets.UTF_8)));
    return text.toString();
  }

  private static String decodedText(WorkflowExecutionHistory history, AesGcmPayloadCodec codec) {
    StringBuilder text = new StringBuilder();
    codec.decode(payloads(history)).forEach(p -> text.append(p.getData().toString(StandardCharsets.UTF_8)));
    return text.toString();
  }

  /** Every payload anywhere in the history's events (inputs, results, failure details, ...) but version markers. */
  static List<Payload> payloads(WorkflowExecutionHistory history) {
    List<Payload> out = new ArrayList<>();
    for (HistoryEvent e : history.getEvents()) {
      if (!isVersionMarker(e)) {
        collect(e, out);
      }
    }
    return out;
  }

  private static List<Payload> versionMarkerPayloads(WorkflowExecutionHistory history) {
    List<Payload> out = new ArrayList<>();
    history.getEvents().stream().filter(EncryptedHistoryTest::isVersionMarker).forEach(e -> collect(e, out));
    return out;
  }

  private static boolean isVersionMarker(HistoryEvent e) {
    return e.hasMarkerRecordedEventAttributes() && e.getMarkerRecordedEventAttributes().getMarkerName().equals("Version");
  }

  private static void collect(Message m, List<Payload> out) {
    if (m instanceof Payload p) {
      out.add(p);
      return;
    }
    for (Map.Entry<com.google.protobuf.Descriptors.FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
      if (f.getKey().getJavaType() != com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.getKey().isRepeated()) {
        for (Object o : (List<?>) f.getValue()) {
          collect((Message) o, out);
        }
      } else {
        collect((Message) f.getValue(), out);
      }
    }
  }
}
