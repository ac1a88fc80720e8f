package io.drflow.cli;

import io.drflow.workflows.model.RunReport;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleInfo;
import io.temporal.client.schedules.ScheduleListActionStartWorkflow;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    description =
        "Temporal Schedules for backups and drills, from services.<name>.schedules in drflow.yaml.",
    subcommands = {
      ScheduleCommand.Sync.class,
      ScheduleCommand.ListSchedules.class,
      ScheduleCommand.Describe.class,
      ScheduleCommand.Trigger.class,
      ScheduleCommand.Pause.class,
      ScheduleCommand.Unpause.class,
      ScheduleCommand.Delete.class
    })
final class ScheduleCommand {

  @Command(
      name = "sync",
      mixinStandardHelpOptions = true,
      description =
          "Make the server's drflow schedules match drflow.yaml: create missing ones, update changed"
              + " ones (paused state is kept), delete drflow schedules no longer configured. Schedules"
              + " drflow did not create are never touched. Safe to run repeatedly.")
  static final class Sync extends ClientCommand {

    @Option(names = "--dry-run", description = "show what would change, change nothing")
    boolean dryRun;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Override
    int run(TemporalSession s) {
      if (s.config.file() == null) {
        throw new UserError(
            "schedule sync needs the config file (--config drflow.yaml or $DRFLOW_CONFIG): without"
                + " it there is nothing to sync and every drflow schedule would be deleted");
      }
      ScheduleSync.Result result =
          new ScheduleSync(s.schedules, dryRun).sync(DesiredSchedule.from(s.config));
      if (json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("dryRun", dryRun);
        out.putAll(result.counts());
        out.put("changes", result.changes());
        out().println(Json.write(out));
      } else {
        if (!result.changes().isEmpty()) {
          out().println(String.format(Locale.ROOT, "%-32s %-17s %s", "SCHEDULE", "RESULT", "WHY"));
        }
        for (ScheduleSync.Change c : result.changes()) {
          out().println(
              String.format(
                  Locale.ROOT,
                  "%-32s %-17s %s",
                  c.scheduleId(),
                  (dryRun && c.action() != ScheduleSync.Action.UNCHANGED ? "would be " : "")
                      + c.action().name().toLowerCase(Locale.ROOT),
                  c.reason()));
        }
        out().println(
            (dryRun ? "dry run: " : "sync: ")
                + result.counts().entrySet().stream()
                    .map(e -> e.getValue() + " " + e.getKey())
                    .reduce((a, b) -> a + ", " + b)
                    .orElse(""));
      }
      return result.count(ScheduleSync.Action.CONFLICT) > 0 ? 1 : 0;
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List drflow's schedules with their next and last runs.")
  static final class ListSchedules extends ClientCommand {

    @Option(names = "--all", description = "include schedules drflow does not own")
    boolean all;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    int run(TemporalSession s) {
      List<Map<String, Object>> rows = new ArrayList<>();
      List<ScheduleListDescription> found =
          s.schedules.listSchedules(100)
              .sorted(java.util.Comparator.comparing(ScheduleListDescription::getScheduleId))
              .toList();
      for (ScheduleListDescription d : found) {
        Map<?, ?> owner = ScheduleSync.ownerMemo(d);
        boolean owned = d.getScheduleId().startsWith(DesiredSchedule.ID_PREFIX) && !owner.isEmpty();
        if (!owned && !all) {
          continue;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", d.getScheduleId());
        row.put("drflow", owned);
        row.put("service", owned ? owner.get("service") : null);
        row.put("runbook", owned ? owner.get("runbook") : null);
        row.put(
            "workflowType",
            d.getSchedule().getAction() instanceof ScheduleListActionStartWorkflow w ? w.getWorkflow() : null);
        row.put("paused", d.getSchedule().getState().isPaused());
        row.put("nextRun", d.getInfo().getNextActionTimes().stream().findFirst().map(Object::toString).orElse(null));
        row.put("lastRun", last(d.getInfo().getRecentActions()).map(ScheduleCommand::describeAction).orElse(null));
        rows.add(row);
      }
      if (json) {
        out().println(Json.write(rows));
        return 0;
      }
      if (rows.isEmpty()) {
        out().println(all ? "no schedules" : "no drflow schedules (drctl schedule sync creates them from drflow.yaml)");
        return 0;
      }
      out().println(String.format(Locale.ROOT, "%-32s %-8s %-22s %-22s %s", "SCHEDULE", "STATE", "WORKFLOW", "NEXT RUN", "LAST RUN"));
      for (Map<String, Object> r : rows) {
        out().println(
            String.format(
                Locale.ROOT,
                "%-32s %-8s %-22s %-22s %s",
                r.get("id") + ((Boolean) r.get("drflow") ? "" : " *"),
                (Boolean) r.get("paused") ? "paused" : "active",
                r.get("workflowType"),
                r.get("nextRun") == null ? "-" : r.get("nextRun"),
                r.get("lastRun") == null ? "-" : r.get("lastRun")));
      }
      if (all) {
        out().println("* not managed by drflow");
      }
      return 0;
    }
  }

  @Command(name = "describe", mixinStandardHelpOptions = true, description = "Show a schedule: settings, state, next and recent runs.")
  static final class Describe extends ClientCommand {

    @Parameters(index = "0", paramLabel = "SCHEDULE-ID", description = "e.g. drflow-shop-drill")
    String id;

    @Option(names = "--json", description = "print JSON")
    boolean json;

    @Override
    int run(TemporalSession s) {
      ScheduleDescription d = existing(s, id).describe();
      var action = (io.temporal.client.schedules.ScheduleActionStartWorkflow) d.getSchedule().getAction();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", d.getId());
      out.put("drflow", ScheduleSync.isOwned(d));
      out.put("workflowType", action.getWorkflowType());
      out.put("workflowId", action.getOptions().getWorkflowId());
      out.put("taskQueue", action.getOptions().getTaskQueue());
      out.put("settings", ScheduleSync.settingsMemo(action));
      out.put("timeZone", d.getSchedule().getSpec().getTimeZoneName());
      out.put("overlap", d.getSchedule().getPolicy().getOverlap().name().replace("SCHEDULE_OVERLAP_POLICY_", ""));
      out.put("pauseOnFailure", d.getSchedule().getPolicy().isPauseOnFailure());
      out.put("catchupWindow", String.valueOf(d.getSchedule().getPolicy().getCatchupWindow()));
      out.put("paused", d.getSchedule().getState().isPaused());
      out.put("note", d.getSchedule().getState().getNote());
      out.put("actions", d.getInfo().getNumActions());
      out.put("skippedOverlap", d.getInfo().getNumActionsSkippedOverlap());
      out.put("missedCatchupWindow", d.getInfo().getNumActionsMissedCatchupWindow());
      out.put("running", d.getInfo().getRunningActions().stream().map(ScheduleCommand::workflowId).toList());
      out.put("recent", d.getInfo().getRecentActions().stream().map(ScheduleCommand::describeAction).toList());
      out.put("next", d.getInfo().getNextActionTimes().stream().limit(5).map(Object::toString).toList());
      out.put("createdAt", String.valueOf(d.getInfo().getCreatedAt()));
      out.put("updatedAt", String.valueOf(d.getInfo().getLastUpdatedAt()));
      if (json) {
        out().println(Json.write(out));
        return 0;
      }
      out.forEach((k, v) -> out().println(String.format(Locale.ROOT, "%-20s %s", k + ":", v)));
      return 0;
    }
  }

  @Command(
      name = "trigger",
      mixinStandardHelpOptions = true,
      description = "Start the schedule's runbook now (the overlap policy applies).")
  static final class Trigger extends ClientCommand {

    @Parameters(index = "0", paramLabel = "SCHEDULE-ID")
    String id;

    @Option(names = "--wait", description = "follow the run it starts and print its report; exit 0 only if it passed")
    boolean await;

    @Option(names = "--json", description = "with --wait: print the report as JSON")
    boolean json;

    @Override
    int run(TemporalSession s) throws Exception {
      ScheduleHandle handle = existing(s, id);
      ScheduleDescription before = handle.describe();
      handle.trigger();
      if (!await) {
        out().println("triggered " + id + "  (drctl schedule describe " + id + ")");
        return 0;
      }
      String workflowId = startedAfter(handle, before.getInfo());
      if (!json) {
        out().println("triggered " + id + ": started " + workflowId);
      }
      WorkflowStub stub = Runs.existing(s, workflowId);
      RunReport report = json ? Runs.awaitReport(stub) : new Watcher(out()).follow(stub);
      return RunOutput.print(report, json, out());
    }

    /** The workflow the trigger started: the schedule's action count grows once it has. */
    private static String startedAfter(ScheduleHandle handle, ScheduleInfo before) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline) {
        ScheduleInfo now = handle.describe().getInfo();
        if (now.getNumActions() > before.getNumActions()) {
          Optional<ScheduleActionResult> last = last(now.getRecentActions());
          if (last.isPresent()) {
            return workflowId(last.get().getAction());
          }
        }
        if (now.getNumActionsSkippedOverlap() > before.getNumActionsSkippedOverlap()) {
          throw new UserError(
              "the schedule's overlap policy skipped this run: its previous run is still going"
                  + now.getRunningActions().stream().findFirst().map(a -> " (" + workflowId(a) + ")").orElse(""),
              1);
        }
        Thread.sleep(250);
      }
      throw new UserError("the schedule did not start a run within 60 s", 1);
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Pause a schedule (sync keeps it paused).")
  static final class Pause extends ClientCommand {

    @Parameters(index = "0", paramLabel = "SCHEDULE-ID")
    String id;

    @Option(names = "--reason", description = "shown as the schedule's note")
    String reason;

    @Override
    int run(TemporalSession s) {
      existing(s, id).pause(reason == null ? "paused with drctl" : reason);
      out().println("paused " + id);
      return 0;
    }
  }

  @Command(name = "unpause", mixinStandardHelpOptions = true, description = "Resume a paused schedule.")
  static final class Unpause extends ClientCommand {

    @Parameters(index = "0", paramLabel = "SCHEDULE-ID")
    String id;

    @Option(names = "--reason", description = "shown as the schedule's note")
    String reason;

    @Override
    int run(TemporalSession s) {
      existing(s, id).unpause(reason == null ? "resumed with drctl" : reason);
      out().println("unpaused " + id);
      return 0;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Delete a drflow schedule (runs it started go on). The next sync re-creates it while"
              + " drflow.yaml still lists it.")
  static final class Delete extends ClientCommand {

    @Parameters(index = "0", paramLabel = "SCHEDULE-ID")
    String id;

    @Option(names = "--force", description = "also delete a schedule drflow does not own")
    boolean force;

    @Override
    int run(TemporalSession s) {
      ScheduleHandle handle = existing(s, id);
      if (!force && !ScheduleSync.isOwned(handle.describe())) {
        throw new UserError(id + " was not created by drflow; pass --force to delete it anyway");
      }
      handle.delete();
      out().println("deleted " + id);
      return 0;
    }
  }

  static ScheduleHandle existing(TemporalSession s, String id) {
    ScheduleHandle handle = s.schedules.getHandle(id);
    if (ScheduleSync.describe(handle).isEmpty()) {
      throw new UserError("no schedule with id " + id + " (drctl schedule list shows them)");
    }
    return handle;
  }

  private static <T> Optional<T> last(List<T> items) {
    return items.isEmpty() ? Optional.empty() : Optional.of(items.get(items.size() - 1));
  }

  static String describeAction(ScheduleActionResult r) {
    return r.getStartedAt() + " " + workflowId(r.getAction());
  }

  static String workflowId(io.temporal.client.schedules.ScheduleActionExecution e) {
    return e instanceof ScheduleActionExecutionStartWorkflow w ? w.getWorkflowId() : String.valueOf(e);
  }
}
