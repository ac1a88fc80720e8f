package io.drflow.cli;

import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.schedule.RunbookSchedule;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One Temporal Schedule as {@code drflow.yaml} asks for it: id {@code drflow-<service>-<runbook>},
 * starting the runbook with {@code {"service":"<service>"}} on drflow's task queue.
 *
 * <p>The server rewrites cron strings into calendar specs, so what it describes cannot be compared
 * with the config directly. Instead each schedule's action carries, in its memo, the settings it
 * was made from and a fingerprint of everything drctl derived; sync compares fingerprints. The
 * memo travels into every run the schedule starts, so a run shows which settings started it.
 */
record DesiredSchedule(
    String service, Runbook runbook, RunbookSchedule config, String taskQueue, Optional<Duration> rto) {

  static final String ID_PREFIX = "drflow-";
  /** Schedule memo marking drflow's own schedules; other schedules are never touched. */
  static final String OWNER_MEMO = "drflow";
  /** Action (and run) memo with the settings the schedule was made from. */
  static final String SETTINGS_MEMO = "drflowSchedule";
  static final String CREATED_NOTE = "managed by drctl schedule sync from drflow.yaml";

  String id() {
    return id(service, runbook);
  }

  static String id(String service, Runbook runbook) {
    return ID_PREFIX + service + "-" + runbook.id();
  }

  /** Temporal appends the scheduled time: {@code drill-shop-2026-12-01T04:00:00Z}. */
  String workflowIdBase() {
    return runbook.id() + "-" + service;
  }

  String summary() {
    return RunSummary.scheduledSummary(runbook, service, rto);
  }

  Duration catchupWindowOrDefault() {
    return config.catchupWindow() == null ? ScheduleSync.SERVER_DEFAULT_CATCHUP : config.catchupWindow();
  }

  /** The settings as recorded in the action memo; readable in the UI and by {@code describe}. */
  Map<String, Object> settings() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("scheduleId", id());
    m.put("cron", config.cron().trim());
    m.put("timeZone", config.zone());
    m.put("jitter", config.jitterOrZero().toString());
    m.put("overlap", config.overlapName());
    m.put("catchupWindow", catchupWindowOrDefault().toString());
    m.put("pauseOnFailure", config.pauseOnFailure(runbook));
    m.put("fingerprint", fingerprint());
    return m;
  }

  /** Changes whenever anything drctl would send for this schedule changes. */
  String fingerprint() {
    String canonical =
        String.join(
            "\n",
            id(),
            runbook.workflowType(),
            workflowIdBase(),
            taskQueue,
            "service=" + service,
            config.cron().trim(),
            config.zone(),
            config.jitterOrZero().toString(),
            config.overlapPolicy().name(),
            catchupWindowOrDefault().toString(),
            String.valueOf(config.pauseOnFailure(runbook)),
            summary());
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The schedule to create, or to update with {@code state} kept (paused, note, ...). */
  Schedule toSchedule(ScheduleState state) {
    Map<String, Object> memo = Map.of(SETTINGS_MEMO, settings());
    ScheduleActionStartWorkflow action =
        ScheduleActionStartWorkflow.newBuilder()
            .setWorkflowType(runbook.workflowType())
            .setArguments(Map.of("service", service))
            .setOptions(
                WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowIdBase())
                    .setTaskQueue(taskQueue)
                    .setStaticSummary(summary())
                    .setStaticDetails(RunSummary.details(runbook, service, rto, "schedule " + id()))
                    .setMemo(memo)
                    .build())
            .build();
    ScheduleSpec.Builder spec =
        ScheduleSpec.newBuilder()
            .setCronExpressions(List.of(config.cron().trim()))
            .setTimeZoneName(config.zone());
    if (config.jitter() != null) {
      spec.setJitter(config.jitter());
    }
    SchedulePolicy.Builder policy =
        SchedulePolicy.newBuilder()
            .setOverlap(config.overlapPolicy())
            .setPauseOnFailure(config.pauseOnFailure(runbook));
    if (config.catchupWindow() != null) {
      policy.setCatchupWindow(config.catchupWindow());
    }
    return Schedule.newBuilder()
        .setAction(action)
        .setSpec(spec.build())
        .setPolicy(policy.build())
        .setState(state != null ? state : ScheduleState.newBuilder().setNote(CREATED_NOTE).build())
        .build();
  }

  /** Every schedule the config asks for, ordered by id. */
  static List<DesiredSchedule> from(CliConfig config) {
    return config.services().entrySet().stream()
        .flatMap(
            e ->
                e.getValue().schedules().byRunbook().entrySet().stream()
                    .map(
                        s ->
                            new DesiredSchedule(
                                e.getKey(), s.getKey(), s.getValue(), config.taskQueue(), e.getValue().rto())))
        .sorted(java.util.Comparator.comparing(DesiredSchedule::id))
        .toList();
  }
}
