package io.drflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runbooks end to end: drctl (packaged) starts them on the real Temporal server, the packaged
 * worker process runs them against real PostgreSQL and S3, and the reports carry real figures.
 */
@ExtendWith(StackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunbooksIT {

  private static DrflowStack stack;

  @BeforeAll
  static void stack(DrflowStack s) {
    stack = s;
  }

  @Test
  @Order(1)
  void backupThenDrillPassWithMeasuredObjectives() throws Exception {
    Drctl.Result backup = stack.drctl("backup", DrflowStack.SERVICE, "--json");
    assertThat(backup.exitCode()).as(backup.toString()).isZero();
    JsonNode b = backup.json();
    assertThat(b.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(b.get("backup").get("storedBytes").asLong()).isPositive();
    assertThat(b.get("backup").get("dumpBytes").asLong()).isGreaterThan(b.get("backup").get("storedBytes").asLong());
    assertThat(b.get("backup").get("sha256").asText()).hasSize(64);
    assertThat(b.get("phases")).allSatisfy(p -> assertThat(p.get("status").asText()).isEqualTo("COMPLETED"));

    Drctl.Result drill = stack.drctl("drill", DrflowStack.SERVICE, "--json");
    assertThat(drill.exitCode()).as(drill.toString()).isZero();
    JsonNode d = drill.json();
    assertThat(d.get("status").asText()).isEqualTo("PASSED");
    assertThat(d.get("backup").get("key").asText()).isEqualTo(b.get("backup").get("key").asText());
    assertThat(d.get("backup").get("sha256").asText()).isEqualTo(b.get("backup").get("sha256").asText());
    assertThat(d.get("rto").get("targetSeconds").asLong()).isEqualTo(900);
    assertThat(d.get("rto").get("met").asBoolean()).isTrue();
    assertThat(d.get("rpo").get("targetSeconds").asLong()).isEqualTo(86400);
    assertThat(d.get("rpo").get("met").asBoolean()).isTrue();
    assertThat(d.get("phases")).extracting(p -> p.get("name").asText())
        .containsExactly("Locate", "Download", "Restore", "Validate", "Cleanup", "Report");
    assertThat(d.get("phases")).allSatisfy(p -> assertThat(p.get("status").asText()).isEqualTo("COMPLETED"));
    assertThat(d.get("checks")).allSatisfy(c -> assertThat(c.get("passed").asBoolean()).as(c.toString()).isTrue());
    JsonNode rowCounts = check(d, "row counts");
    // SampleData's deterministic shop: the restored copy matches the snapshot's exact counts.
    assertThat(rowCounts.get("detail").asText()).matches("\\d+ tables, [0-9,]+ rows match the backup's inventory");
    assertThat(check(d, "assertion: customers exist").get("passed").asBoolean()).isTrue();
    assertThat(check(d, "assertion: every order has items").get("passed").asBoolean()).isTrue();
    assertThat(d.get("scratch").get("dropped").asBoolean()).isTrue();
    assertThat(d.get("reportKey").asText()).startsWith("drflow/shop/");

    // What the Temporal UI shows for the run: the static summary drctl set, and the phase table
    // the workflow keeps as its current details.
    String workflowId = d.get("workflowId").asText();
    assertThat(staticSummary(workflowId)).isEqualTo("Restore drill of shop · RTO 15m 00s");
    String details = currentDetails(workflowId);
    assertThat(details)
        .contains("**RestoreDrillWorkflow** for `shop`")
        .contains("| Validate | COMPLETED |")
        .contains("| Report | COMPLETED |");
  }

  @Test
  @Order(2)
  void uiStyleInputsFailFastWithReadableFailures() {
    assertThat(failure("RestoreDrillWorkflow", Map.of()))
        .satisfies(f -> assertThat(f.getType()).isEqualTo("InvalidInput"))
        .satisfies(f -> assertThat(f.getOriginalMessage()).isEqualTo("input needs a service name, e.g. {\"service\":\"shop\"}"));
    assertThat(failure("RestoreDrillWorkflow", Map.of("service", "nope")))
        .satisfies(f -> assertThat(f.getType()).isEqualTo("UnknownService"))
        .satisfies(f -> assertThat(f.getOriginalMessage()).isEqualTo("unknown service 'nope'; configured: shop"));
    assertThat(failure("BackupWorkflow", "shop"))
        .satisfies(f -> assertThat(f.getType()).isEqualTo("InvalidInput"))
        .satisfies(f -> assertThat(f.getOriginalMessage()).startsWith("input must be a JSON object such as {\"service\":\"shop\"}"));
  }

  private static ApplicationFailure failure(String type, Object input) {
    WorkflowStub stub =
        stack.client()
            .newUntypedWorkflowStub(
                type,
                WorkflowOptions.newBuilder()
                    .setTaskQueue("drflow")
                    .setWorkflowId("e2e-invalid-" + System.nanoTime())
                    .build());
    stub.start(input);
    try {
      // The limit only stops a stuck run from hanging the build; a healthy one ends in moments.
      stub.getResult(2, TimeUnit.MINUTES, Object.class);
    } catch (WorkflowFailedException e) {
      assertThat(e.getCause()).isInstanceOf(ApplicationFailure.class);
      return (ApplicationFailure) e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(type + " with " + input + " did not fail: the run is stuck", e);
    }
    throw new AssertionError(type + " with " + input + " succeeded");
  }

  private static JsonNode check(JsonNode report, String name) {
    for (JsonNode c : report.get("checks")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no check '" + name + "' in " + report.get("checks"));
  }

  static String staticSummary(String workflowId) {
    return staticSummaryOf(stack, workflowId);
  }

  static String staticSummaryOf(DrflowStack stack, String workflowId) {
    WorkflowServiceStubs stubs = stack.client().getWorkflowServiceStubs();
    var described =
        stubs.blockingStub()
            .describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace("default")
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                    .build());
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
        described.getExecutionConfig().getUserMetadata().getSummary(), String.class, String.class);
  }

  /** What the UI reads for "Current Details": the SDK's built-in metadata query. */
  static String currentDetails(String workflowId) {
    return currentDetailsOf(stack, workflowId);
  }

  static String currentDetailsOf(DrflowStack stack, String workflowId) {
    WorkflowMetadata md =
        stack.client().newUntypedWorkflowStub(workflowId).query("__temporal_workflow_metadata", WorkflowMetadata.class);
    return md.getCurrentDetails();
  }
}
