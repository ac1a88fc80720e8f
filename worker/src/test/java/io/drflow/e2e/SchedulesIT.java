package io.drflow.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.drflow.activities.config.ConfigLoader;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.ScheduleSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code drctl schedule ...} against the real server's Schedules: sync is idempotent, follows
 * config changes (keeping a pause), deletes what left the config, never touches foreign
 * schedules, and a triggered schedule runs a real backup and a real drill to completion.
 *
 * <p>Cron times are chosen far from now (January 1st) so no schedule fires on its own mid-test.
 */
@ExtendWith(StackExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulesIT {

  private static final String LEDGER =
      """
      ledger:
        postgres: {host: 127.0.0.1, port: 1, database: ledger}
        rto: PT1H
        rpo: PT24H
        schedules:
          backup: {cron: "@every 6h"}
      """;

  private static DrflowStack stack;
  private static Path configA;
  private static Path configB;
  private static final Map<String, Instant> createdAt = new HashMap<>();

  @BeforeAll
  static void configs(DrflowStack s) throws Exception {
    stack = s;
    configA =
        write(
            "schedules-a.yaml",
            """
            schedules:
              backup: {cron: "0 3 1 1 *", jitter: PT1M}
              drill: {cron: "0 4 1 1 *", timeZone: Europe/Berlin, overlap: skip}
            """,
            LEDGER);
    // The backup's cron changes; the drill's does not; ledger and its schedule are gone.
    configB =
        write(
            "schedules-b.yaml",
            """
            schedules:
              backup: {cron: "0 5 1 1 *", jitter: PT1M}
              drill: {cron: "0 4 1 1 *", timeZone: Europe/Berlin, overlap: skip}
            """,
            "");
  }

  private static Path write(String name, String shopSchedules, String moreServices) throws Exception {
    Path f = stack.dir().resolve(name);
    Files.writeString(f, stack.workerYaml(shopSchedules, moreServices));
    // One drflow.yaml serves the worker and drctl: the worker's strict loader accepts it too.
    ConfigLoader.load(f);
    return f;
  }

  @AfterAll
  static void removeSchedules() {
    if (stack == null) {
      return;
    }
    for (String id : List.of("drflow-shop-backup", "drflow-shop-drill", "drflow-ledger-backup", "nightly-report", "drflow-handmade")) {
      try {
        stack.schedules().getHandle(id).delete();
      } catch (RuntimeException e) {
        // already gone
      }
    }
  }

  @Test
  @Order(1)
  void syncCreatesThenChangesNothingTheSecondTime() throws Exception {
    JsonNode first = sync(configA);
    assertThat(first.get("created").asInt()).isEqualTo(3);
    assertThat(ids(first, "CREATED"))
        .containsExactly("drflow-ledger-backup", "drflow-shop-backup", "drflow-shop-drill");
    for (String id : ids(first, "CREATED")) {
      ScheduleDescription d = stack.schedules().getHandle(id).describe();
      createdAt.put(id, d.getInfo().getCreatedAt());
      assertThat(d.getInfo().getLastUpdatedAt()).as(id + " never updated").isNull();
    }
    ScheduleDescription drill = stack.schedules().getHandle("drflow-shop-drill").describe();
    ScheduleActionStartWorkflow action = (ScheduleActionStartWorkflow) drill.getSchedule().getAction();
    assertThat(action.getWorkflowType()).isEqualTo("RestoreDrillWorkflow");
    assertThat(action.getOptions().getTaskQueue()).isEqualTo("drflow");
    assertThat(action.getOptions().getStaticSummary()).isEqualTo("Scheduled restore drill of shop · RTO 15m 00s");
    assertThat(drill.getSchedule().getSpec().getTimeZoneName()).isEqualTo("Europe/Berlin");
    assertThat(drill.getSchedule().getPolicy().isPauseOnFailure()).isTrue();
    assertThat(stack.schedules().getHandle("drflow-shop-backup").describe().getSchedule().getPolicy().isPauseOnFailure())
        .isFalse();
    assertThat(drill.getInfo().getNextActionTimes()).first()
        .satisfies(t -> assertThat(t.toString()).matches("\\d{4}-01-01T0[23]:00:00Z"));

    JsonNode second = sync(configA);
    assertThat(second.get("unchanged").asInt()).isEqualTo(3);
    assertThat(second.get("created").asInt() + second.get("updated").asInt() + second.get("deleted").asInt()
            + second.get("conflicts").asInt())
        .isZero();
    for (String id : createdAt.keySet()) {
      ScheduleDescription d = stack.schedules().getHandle(id).describe();
      assertThat(d.getInfo().getLastUpdatedAt()).as(id + " untouched by the second sync").isNull();
      assertThat(d.getInfo().getCreatedAt()).isEqualTo(createdAt.get(id));
    }
  }

  @Test
  @Order(2)
  void configChangesUpdateKeepPausesDeleteRemovedAndLeaveForeignSchedulesAlone() throws Exception {
    createForeign("nightly-report");
    createForeign("drflow-handmade");
    // Deletion candidates come from the (eventually consistent) schedule listing.
    DrflowStack.await(
        "the listing to show every schedule",
        Duration.ofSeconds(60),
        () -> listed().containsAll(Set.of("drflow-ledger-backup", "nightly-report", "drflow-handmade")));

    Drctl.Result pause = stack.drctl(configA, "schedule", "pause", "drflow-shop-drill", "--reason", "under investigation");
    assertThat(pause.exitCode()).as(pause.toString()).isZero();

    Drctl.Result dry = stack.drctl(configB, "schedule", "sync", "--dry-run", "--json");
    assertThat(dry.exitCode()).as(dry.toString()).isZero();
    assertThat(dry.json().get("updated").asInt()).isEqualTo(1);
    assertThat(stack.schedules().getHandle("drflow-ledger-backup").describe()).as("dry run deletes nothing").isNotNull();

    JsonNode result = sync(configB);
    assertThat(ids(result, "UPDATED")).containsExactly("drflow-shop-backup");
    assertThat(reason(result, "drflow-shop-backup")).isEqualTo("drflow.yaml changed (cron)");
    assertThat(ids(result, "UNCHANGED")).containsExactly("drflow-shop-drill");
    assertThat(ids(result, "DELETED")).containsExactly("drflow-ledger-backup");
    assertThat(result.get("conflicts").asInt()).isZero();

    assertThat(describeOrNull("drflow-ledger-backup")).as("removed from config, so deleted").isNull();
    ScheduleDescription backup = stack.schedules().getHandle("drflow-shop-backup").describe();
    assertThat(backup.getInfo().getLastUpdatedAt()).isNotNull();
    assertThat(backup.getInfo().getNextActionTimes()).first()
        // 05:00 plus up to a minute of jitter
        .satisfies(t -> assertThat(t.toString()).matches("\\d{4}-01-01T05:0[01]:\\d{2}(\\.\\d+)?Z"));
    ScheduleDescription drill = stack.schedules().getHandle("drflow-shop-drill").describe();
    assertThat(drill.getSchedule().getState().isPaused()).as("sync keeps a pause").isTrue();
    assertThat(drill.getSchedule().getState().getNote()).isEqualTo("under investigation");
    for (String foreign : List.of("nightly-report", "drflow-handmade")) {
      ScheduleDescription d = stack.schedules().getHandle(foreign).describe();
      assertThat(d.getInfo().getLastUpdatedAt()).as(foreign + " untouched").isNull();
    }

    Drctl.Result refused = stack.drctl(configB, "schedule", "delete", "nightly-report");
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.stderr()).contains("nightly-report was not created by drflow");
    assertThat(describeOrNull("nightly-report")).isNotNull();

    Drctl.Result list = stack.drctl(configB, "schedule", "list", "--json");
    assertThat(list.exitCode()).as(list.toString()).isZero();
    List<String> listedIds = new ArrayList<>();
    list.json().forEach(r -> listedIds.add(r.get("id").asText()));
    assertThat(listedIds).containsExactly("drflow-shop-backup", "drflow-shop-drill");

    Drctl.Result unpause = stack.drctl(configB, "schedule", "unpause", "drflow-shop-drill");
    assertThat(unpause.exitCode()).as(unpause.toString()).isZero();
    assertThat(stack.schedules().getHandle("drflow-shop-drill").describe().getSchedule().getState().isPaused()).isFalse();
  }

  @Test
  @Order(3)
  void triggeredSchedulesRunARealBackupAndDrillToCompletion() throws Exception {
    Drctl.Result backup = stack.drctl(configB, "schedule", "trigger", "drflow-shop-backup", "--wait", "--json");
    assertThat(backup.exitCode()).as(backup.toString()).isZero();
    assertThat(backup.json().get("status").asText()).isEqualTo("COMPLETED");
    assertThat(backup.json().get("workflowId").asText()).startsWith("backup-shop-");

    Drctl.Result drill = stack.drctl(configB, "schedule", "trigger", "drflow-shop-drill", "--wait", "--json");
    assertThat(drill.exitCode()).as(drill.toString()).isZero();
    JsonNode report = drill.json();
    assertThat(report.get("status").asText()).isEqualTo("PASSED");
    assertThat(report.get("backup").get("key").asText()).isEqualTo(backup.json().get("backup").get("key").asText());
    assertThat(report.get("rto").get("met").asBoolean()).isTrue();
    String workflowId = report.get("workflowId").asText();
    assertThat(workflowId).startsWith("drill-shop-");
    assertThat(RunbooksIT.staticSummaryOf(stack, workflowId)).isEqualTo("Scheduled restore drill of shop · RTO 15m 00s");

    ScheduleDescription d = stack.schedules().getHandle("drflow-shop-drill").describe();
    assertThat(d.getInfo().getNumActions()).isEqualTo(1);
    assertThat(d.getInfo().getRecentActions()).hasSize(1);

    Drctl.Result deleted = stack.drctl(configB, "schedule", "delete", "drflow-shop-backup");
    assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
    assertThat(describeOrNull("drflow-shop-backup")).isNull();
  }

  private static JsonNode sync(Path config) throws Exception {
    Drctl.Result r = stack.drctl(config, "schedule", "sync", "--json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.json();
  }

  private static List<String> ids(JsonNode result, String action) {
    List<String> out = new ArrayList<>();
    result.get("changes").forEach(c -> {
      if (c.get("action").asText().equals(action)) {
        out.add(c.get("scheduleId").asText());
      }
    });
    return out;
  }

  private static String reason(JsonNode result, String id) {
    for (JsonNode c : result.get("changes")) {
      if (c.get("scheduleId").asText().equals(id)) {
        return c.get("reason").asText();
      }
    }
    throw new AssertionError(id + " not in " + result);
  }

  private static void createForeign(String id) {
    stack.schedules()
        .createSchedule(
            id,
            Schedule.newBuilder()
                .setAction(
                    ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType("SomeoneElsesWorkflow")
                        .setOptions(WorkflowOptions.newBuilder().setWorkflowId(id + "-run").setTaskQueue("elsewhere").build())
                        .build())
                .setSpec(ScheduleSpec.newBuilder().setCronExpressions(List.of("0 2 1 1 *")).build())
                .build(),
            ScheduleOptions.newBuilder().build());
  }

  private static Set<String> listed() {
    return stack.schedules().listSchedules(100).map(s -> s.getScheduleId()).collect(Collectors.toSet());
  }

  private static ScheduleDescription describeOrNull(String id) {
    try {
      return stack.schedules().getHandle(id).describe();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
