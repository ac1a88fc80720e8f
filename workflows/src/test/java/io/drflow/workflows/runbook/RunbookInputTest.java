package io.drflow.workflows.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.reset;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.workflows.activities.BackupActivities;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.backup.BackupWorkflowImpl;
import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.drill.RestoreDrillWorkflowImpl;
import com.google.protobuf.ByteString;
import io.drflow.workflows.catalog.ListBackupsWorkflowImpl;
import io.temporal.api.common.v1.Payload;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.common.converter.RawValue;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What people type into the Temporal UI's Start Workflow form. Whatever it is, the run must end
 * at once with a readable InvalidInput or UnknownService failure and touch nothing; a run stuck
 * retrying its first workflow task would be the failure here (the run timeout below catches it).
 */
class RunbookInputTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  // One in-memory server for the class: these runs end within their first workflow task.
  private static TestWorkflowEnvironment env;
  private static Worker worker;
  private static final CatalogActivities catalog = mock(CatalogActivities.class, withSettings().withoutAnnotations());
  private static final RestoreActivities restore = mock(RestoreActivities.class, withSettings().withoutAnnotations());
  private static final BackupActivities backup = mock(BackupActivities.class, withSettings().withoutAnnotations());
  private static final ReportActivities reports = mock(ReportActivities.class, withSettings().withoutAnnotations());

  @BeforeAll
  static void startServer() {
    // The worker's own data converter, as DrflowWorker configures it.
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setWorkflowClientOptions(
                    WorkflowClientOptions.newBuilder().setDataConverter(RunbookDataConverter.create()).build())
                .build());
    worker = env.newWorker("runbook-input");
    worker.registerWorkflowImplementationTypes(
        RestoreDrillWorkflowImpl.class, BackupWorkflowImpl.class, ListBackupsWorkflowImpl.class);
    worker.registerActivitiesImplementations(catalog, restore, backup, reports);
    env.start();
  }

  @AfterAll
  static void stopServer() {
    env.close();
  }

  @BeforeEach
  void freshMocks() {
    reset(catalog, restore, backup, reports);
    when(catalog.plan(anyString(), anyString()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "unknown service 'nope'; configured: shop", "UnknownService"));
  }

  private ApplicationFailure failureOf(String type, String json) throws Exception {
    return failureOfInput(type, json == null ? null : JSON.readValue(json, Object.class));
  }

  /** The payload exactly as given, as a client that does not check its JSON would send it. */
  private ApplicationFailure failureOfRaw(String type, String text) throws Exception {
    return failureOfInput(
        type,
        new RawValue(
            Payload.newBuilder()
                .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
                .setData(ByteString.copyFromUtf8(text))
                .build()));
  }

  private ApplicationFailure failureOfInput(String type, Object input) throws Exception {
    WorkflowStub stub =
        env.getWorkflowClient().newUntypedWorkflowStub(
            type,
            WorkflowOptions.newBuilder()
                .setTaskQueue(worker.getTaskQueue())
                // A stuck run times out instead of failing with the expected type.
                .setWorkflowRunTimeout(Duration.ofMinutes(10))
                .build());
    stub.start(input);
    Throwable thrown = null;
    try {
      stub.getResult(Object.class);
    } catch (WorkflowFailedException e) {
      thrown = e.getCause();
    }
    assertThat(thrown).isInstanceOf(ApplicationFailure.class);
    return (ApplicationFailure) thrown;
  }

  @ParameterizedTest
  @ValueSource(strings = {"RestoreDrillWorkflow", "BackupWorkflow"})
  void emptyObjectAsksForTheServiceName(String type) throws Exception {
    ApplicationFailure f = failureOf(type, "{}");
    assertThat(f.getType()).isEqualTo(Failures.INVALID_INPUT);
    assertThat(f.getOriginalMessage()).isEqualTo("input needs a service name, e.g. {\"service\":\"shop\"}");
    assertThat(f.isNonRetryable()).isTrue();
    verifyNoInteractions(catalog, restore, backup, reports);
  }

  @ParameterizedTest
  @ValueSource(strings = {"RestoreDrillWorkflow", "BackupWorkflow"})
  void bareStringFailsInsteadOfStickingTheRun(String type) throws Exception {
    ApplicationFailure f = failureOf(type, "\"shop\"");
    assertThat(f.getType()).isEqualTo(Failures.INVALID_INPUT);
    assertThat(f.getOriginalMessage())
        .isEqualTo("input must be a JSON object such as {\"service\":\"shop\"}, got a string (\"shop\")");
    verifyNoInteractions(catalog, restore, backup, reports);
  }

  @Test
  void wrongTypesAndUnknownKeysAreAllNamed() throws Exception {
    ApplicationFailure f =
        failureOf("RestoreDrillWorkflow", "{\"servce\":\"shop\",\"keepScratch\":\"yes\"}");
    assertThat(f.getType()).isEqualTo(Failures.INVALID_INPUT);
    assertThat(f.getOriginalMessage())
        .contains("unknown input key 'servce' (known: service, backup, keepScratch)")
        .contains("input key 'keepScratch' must be true or false, got a string (\"yes\")");
    verifyNoInteractions(catalog, restore, backup, reports);
  }

  @Test
  void numberAsServiceIsRefused() throws Exception {
    ApplicationFailure f = failureOf("BackupWorkflow", "{\"service\":42}");
    assertThat(f.getOriginalMessage()).isEqualTo("input key 'service' must be a string, got a number (42)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"RestoreDrillWorkflow", "BackupWorkflow"})
  void unknownServiceIsTheRunsOwnFailureNotAnActivityFailure(String type)
      throws Exception {
    ApplicationFailure f = failureOf(type, "{\"service\":\"nope\"}");
    assertThat(f.getType()).isEqualTo("UnknownService");
    assertThat(f.getOriginalMessage()).isEqualTo("unknown service 'nope'; configured: shop");
    assertThat(f.isNonRetryable()).isTrue();
    verifyNoInteractions(restore, backup, reports);
  }

  @ParameterizedTest
  @ValueSource(strings = {"RestoreDrillWorkflow", "BackupWorkflow", "ListBackupsWorkflow"})
  void aPayloadThatIsNotJsonFailsTheRunInsteadOfStickingIt(String type) throws Exception {
    ApplicationFailure f = failureOfRaw(type, "{\"service\": shop}");
    assertThat(f.getType()).isEqualTo(Failures.INVALID_INPUT);
    assertThat(f.getOriginalMessage())
        .startsWith("input is not valid JSON (Unrecognized token 'shop'")
        .contains("at line 1, column");
    verifyNoInteractions(catalog, restore, backup, reports);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x; drop database prod", "\"shop\"", "shöp", "Shop", "../shop"})
  void aNameNoConfigCanHoldIsRefusedAsSuch(String name) throws Exception {
    ApplicationFailure f = failureOf("RestoreDrillWorkflow", JSON.writeValueAsString(Map.of("service", name)));
    assertThat(f.getType()).isEqualTo(Failures.INVALID_INPUT);
    assertThat(f.getOriginalMessage()).isEqualTo("'" + name + "' is not a service name: 1-40 characters of a-z, 0-9, '-' and '_'");
    verifyNoInteractions(catalog, restore, backup, reports);
  }

  @Test
  void aHugeNameIsNotEchoedBackWhole() throws Exception {
    ApplicationFailure f = failureOf("BackupWorkflow", JSON.writeValueAsString(Map.of("service", "a".repeat(10_000))));
    assertThat(f.getOriginalMessage()).contains("…(10000 characters)' is not a service name").hasSizeLessThan(200);
  }

  @Test
  void listBackupsInputsFailReadably() throws Exception {
    assertThat(failureOf("ListBackupsWorkflow", "\"shop\"").getOriginalMessage())
        .isEqualTo("input must be a JSON object such as {\"service\":\"shop\",\"limit\":20}, got a string (\"shop\")");
    assertThat(failureOf("ListBackupsWorkflow", "{\"service\":\"shop\",\"limit\":\"ten\"}").getOriginalMessage())
        .isEqualTo("input key 'limit' must be a whole number, got a string (\"ten\")");
    assertThat(failureOf("ListBackupsWorkflow", "{\"service\":\"shop\",\"limt\":5}").getOriginalMessage())
        .isEqualTo("unknown input key 'limt' (known: service, limit)");
    assertThat(failureOf("ListBackupsWorkflow", "{\"service\":\"shop\",\"limit\":0}").getOriginalMessage())
        .isEqualTo("limit must be between 1 and 1000, got 0");
    verifyNoInteractions(catalog);
  }

  @Test
  void wellFormedInputsRoundTripWithoutTheProblemField() throws Exception {
    String drill = JSON.writeValueAsString(new DrillInput("shop", "k", true));
    assertThat(JSON.readValue(drill, Map.class))
        .isEqualTo(Map.of("service", "shop", "backup", "k", "keepScratch", true));
    assertThat(JSON.readValue(drill, DrillInput.class)).isEqualTo(new DrillInput("shop", "k", true));
    String backupJson = JSON.writeValueAsString(new BackupInput("shop"));
    assertThat(backupJson).isEqualTo("{\"service\":\"shop\"}");
    assertThat(JSON.readValue(backupJson, BackupInput.class)).isEqualTo(new BackupInput("shop"));
    assertThat(JSON.readValue("{\"service\":\"shop\"}", DrillInput.class).problem()).isNull();
  }

  @Test
  void wrongInputsThrowNothingWhenRead() throws Exception {
    assertThat(JSON.readValue("[1,2]", DrillInput.class).problem())
        .isEqualTo("input must be a JSON object such as {\"service\":\"shop\"}, got an array ([1,2])");
    assertThatThrownBy(() -> JSON.readValue("{", DrillInput.class)).isNotNull();
  }
}
