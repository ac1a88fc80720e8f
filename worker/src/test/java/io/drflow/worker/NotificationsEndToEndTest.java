package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.NotifyConfig;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.SampleData;
import io.drflow.activities.notify.WebhookReceiver;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.drill.DrillInput;
import io.drflow.workflows.model.RunReport;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowStub;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Run events of real backups and drills posted to a local HTTP receiver standing in for a
 * generic webhook and a Slack incoming webhook; and a service whose webhooks are broken, whose
 * runs must not notice.
 */
class NotificationsEndToEndTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String HOOK = "/hooks/generic-s3cr3t";
  static final String SLACK = "/services/T0/B0/slack-s3cr3t";
  static final String DOWN = "/hooks/down";

  static LocalPostgresCluster source;
  static LocalPostgresCluster drillTarget;
  static WebhookReceiver receiver;
  static EmbeddedRunbookStack stack;

  @BeforeAll
  static void start() throws Exception {
    source = LocalPostgresCluster.builder().start();
    drillTarget = LocalPostgresCluster.builder().start();
    SampleData.create(source.connections(), source.serverConfig(), "shop");
    receiver = new WebhookReceiver();
    receiver.answer(DOWN, 500, "internal error", 1000);
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    stack =
        new EmbeddedRunbookStack(
            Map.of(
                "notified", service(new NotifyConfig("E2E_HOOK_URL", "E2E_SLACK_URL", null)),
                "broken", service(new NotifyConfig("E2E_DOWN_URL", "E2E_CLOSED_URL", null))),
            Map.of(
                "E2E_HOOK_URL", receiver.url(HOOK),
                "E2E_SLACK_URL", receiver.url(SLACK),
                "E2E_DOWN_URL", receiver.url(DOWN),
                "E2E_CLOSED_URL", "http://127.0.0.1:" + closed + "/nobody"));
  }

  static ServiceConfig service(NotifyConfig notify) {
    return new ServiceConfig(
        source.postgresConfig("shop"),
        Duration.ofMinutes(30),
        Duration.ofHours(24),
        Map.of(),
        RetentionConfig.defaults(),
        new DrillConfig(drillTarget.serverConfig(), List.of(new DrillConfig.Assertion("customers exist", "select count(*) > 0 from sales.customers")), false),
        null,
        null,
        null,
        notify,
        null);
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {stack, receiver, drillTarget, source}) {
      if (c != null) {
        c.close();
      }
    }
  }

  static List<JsonNode> received(String path, String workflowId) throws Exception {
    List<JsonNode> out = new java.util.ArrayList<>();
    for (WebhookReceiver.Request r : receiver.requests(path)) {
      JsonNode j = JSON.readTree(r.body());
      String id = path.equals(SLACK) ? j.toString() : j.get("workflowId").asText();
      if (id.contains(workflowId)) {
        out.add(j);
      }
    }
    return out;
  }

  @Test
  void backupAndDrillAnnounceTheirStartAndOutcomeToBothWebhooks() throws Exception {
    RunReport backup = stack.start("BackupWorkflow", new BackupInput("notified")).getResult(RunReport.class);
    RunReport drill = stack.start("RestoreDrillWorkflow", DrillInput.of("notified")).getResult(RunReport.class);
    assertThat(drill.status()).isEqualTo("PASSED");

    List<JsonNode> backupEvents = received(HOOK, backup.workflowId());
    assertThat(backupEvents).extracting(j -> j.get("event").asText()).containsExactlyInAnyOrder("started", "completed");
    JsonNode backupDone = backupEvents.stream().filter(j -> j.get("event").asText().equals("completed")).findFirst().orElseThrow();
    assertThat(backupDone.get("runbook").asText()).isEqualTo("BackupWorkflow");
    assertThat(backupDone.get("reportKey").asText()).isEqualTo("drflow/notified/reports/" + backup.workflowId() + ".json");
    assertThat(backupDone.get("message").asText()).startsWith("Backup of notified completed: ");

    List<JsonNode> drillEvents = received(HOOK, drill.workflowId());
    assertThat(drillEvents).extracting(j -> j.get("event").asText()).containsExactlyInAnyOrder("started", "completed");
    JsonNode done = drillEvents.stream().filter(j -> j.get("event").asText().equals("completed")).findFirst().orElseThrow();
    assertThat(done.get("service").asText()).isEqualTo("notified");
    assertThat(done.get("severity").asText()).isEqualTo("info");
    assertThat(done.get("status").asText()).isEqualTo("PASSED");
    assertThat(done.get("runId").asText()).isEqualTo(drill.runId());
    assertThat(done.get("reportKey").asText()).isEqualTo(drill.reportKey());
    assertThat(done.get("message").asText())
        .startsWith("Restore drill of notified passed: RTO ")
        .contains("of 30m 00s (met)")
        .contains("6/6 checks passed");

    List<JsonNode> slack = received(SLACK, drill.workflowId());
    assertThat(slack).hasSize(2);
    assertThat(slack).allSatisfy(j -> assertThat(j.get("text").asText()).startsWith("drflow: Restore drill of notified"));
    assertThat(slack).anySatisfy(j -> assertThat(j.get("attachments").get(0).get("color").asText()).isEqualTo("#1f8a4c"));
  }

  @Test
  void brokenWebhooksAreRetriedThenGivenUpWhileTheRunsPass() throws Exception {
    int before = receiver.requests(DOWN).size();
    stack.start("BackupWorkflow", new BackupInput("broken")).getResult(RunReport.class);
    WorkflowStub drill = stack.start("RestoreDrillWorkflow", DrillInput.of("broken"));

    RunReport report = drill.getResult(RunReport.class);

    assertThat(report.status()).isEqualTo("PASSED");
    // Two events per run, three attempts each (HTTP 500 every time).
    assertThat(receiver.requests(DOWN).size() - before).isEqualTo(4 * 3);
    List<HistoryEvent> events = stack.client().fetchHistory(drill.getExecution().getWorkflowId()).getEvents();
    assertThat(events.stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED))
        .as("a broken webhook is not an activity failure")
        .isEmpty();
  }
}
