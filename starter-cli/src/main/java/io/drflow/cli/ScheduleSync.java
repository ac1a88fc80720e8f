package io.drflow.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleUpdate;
import io.temporal.common.converter.EncodedValues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Reconciles {@code drflow.yaml}'s schedules with the Temporal Schedules drflow owns: creates the
 * missing, updates those whose settings differ (keeping their paused state and note), deletes
 * drflow's schedules no longer configured, and never touches a schedule drflow does not own.
 * Running it twice in a row changes nothing the second time.
 */
final class ScheduleSync {

  /** What Temporal applies when no catch-up window is set. */
  static final Duration SERVER_DEFAULT_CATCHUP = Duration.ofDays(365);

  enum Action { CREATED, UPDATED, UNCHANGED, DELETED, CONFLICT }

  record Change(String scheduleId, String service, String runbook, Action action, String reason) {}

  record Result(List<Change> changes, boolean dryRun) {
    long count(Action a) {
      return changes.stream().filter(c -> c.action() == a).count();
    }

    Map<String, Long> counts() {
      Map<String, Long> m = new LinkedHashMap<>();
      for (Action a : Action.values()) {
        m.put(a == Action.CONFLICT ? "conflicts" : a.name().toLowerCase(java.util.Locale.ROOT), count(a));
      }
      return m;
    }
  }

  private final ScheduleClient client;
  private final boolean dryRun;

  ScheduleSync(ScheduleClient client, boolean dryRun) {
    this.client = client;
    this.dryRun = dryRun;
  }

  Result sync(List<DesiredSchedule> desired) {
    List<Change> changes = new ArrayList<>();
    Set<String> wanted = new TreeSet<>();
    for (DesiredSchedule d : desired) {
      wanted.add(d.id());
      changes.add(apply(d));
    }
    // Listing goes through visibility and may lag a moment behind; a schedule it misses now is
    // deleted by the next sync. Desired schedules are described directly, which never lags.
    for (ScheduleListDescription s : owned()) {
      if (!wanted.contains(s.getScheduleId())) {
        Map<?, ?> owner = ownerMemo(s);
        if (!dryRun) {
          try {
            client.getHandle(s.getScheduleId()).delete();
          } catch (RuntimeException e) {
            if (!notFound(e)) {
              throw e;
            }
          }
        }
        changes.add(
            new Change(
                s.getScheduleId(),
                String.valueOf(owner.get("service")),
                String.valueOf(owner.get("runbook")),
                Action.DELETED,
                "no longer in drflow.yaml"));
      }
    }
    return new Result(changes, dryRun);
  }

  private Change apply(DesiredSchedule d) {
    ScheduleHandle handle = client.getHandle(d.id());
    Optional<ScheduleDescription> current = describe(handle);
    if (current.isEmpty()) {
      if (!dryRun) {
        try {
          client.createSchedule(
              d.id(),
              d.toSchedule(null),
              ScheduleOptions.newBuilder()
                  .setMemo(
                      Map.of(
                          DesiredSchedule.OWNER_MEMO,
                          Map.of("service", d.service(), "runbook", d.runbook().id())))
                  .build());
        } catch (ScheduleAlreadyRunningException e) {
          return change(d, Action.CONFLICT, "created by someone else meanwhile; run sync again");
        }
      }
      return change(d, Action.CREATED, "new in drflow.yaml");
    }
    if (!isOwned(current.get())) {
      return change(d, Action.CONFLICT, "a schedule not made by drflow already has this id; left alone");
    }
    List<String> differences = differences(current.get(), d);
    if (differences.isEmpty()) {
      return change(d, Action.UNCHANGED, "");
    }
    if (!dryRun) {
      handle.update(
          in -> new ScheduleUpdate(d.toSchedule(in.getDescription().getSchedule().getState())));
    }
    return change(d, Action.UPDATED, String.join("; ", differences));
  }

  /** What differs between the schedule on the server and the one the config asks for. */
  static List<String> differences(ScheduleDescription current, DesiredSchedule d) {
    List<String> out = new ArrayList<>();
    if (!(current.getSchedule().getAction() instanceof ScheduleActionStartWorkflow action)) {
      out.add("action is not a workflow start");
      return out;
    }
    Map<?, ?> recorded = settingsMemo(action);
    if (!Objects.equals(recorded.get("fingerprint"), d.fingerprint())) {
      Map<String, Object> wanted = d.settings();
      List<String> keys =
          wanted.keySet().stream()
              .filter(k -> !k.equals("fingerprint") && !Objects.equals(String.valueOf(recorded.get(k)), String.valueOf(wanted.get(k))))
              .toList();
      out.add("drflow.yaml changed" + (keys.isEmpty() ? "" : " (" + String.join(", ", keys) + ")"));
    }
    // Edits made in the UI or with the temporal CLI leave the memo as it was; catch the ones the
    // server reports back verbatim.
    if (!action.getWorkflowType().equals(d.runbook().workflowType())
        || !Objects.equals(action.getOptions().getTaskQueue(), d.taskQueue())
        || !Objects.equals(action.getOptions().getWorkflowId(), d.workflowIdBase())) {
      out.add("workflow type, id or task queue edited outside drflow.yaml");
    }
    SchedulePolicy p = current.getSchedule().getPolicy();
    if (p == null
        || p.getOverlap() != d.config().overlapPolicy()
        || p.isPauseOnFailure() != d.config().pauseOnFailure(d.runbook())
        || !Objects.equals(p.getCatchupWindow(), d.catchupWindowOrDefault())) {
      out.add("policies edited outside drflow.yaml");
    }
    var spec = current.getSchedule().getSpec();
    Duration jitter = spec.getJitter() == null ? Duration.ZERO : spec.getJitter();
    if (!Objects.equals(spec.getTimeZoneName(), d.config().zone())
        || !jitter.equals(d.config().jitterOrZero())) {
      out.add("time zone or jitter edited outside drflow.yaml");
    }
    return out;
  }

  /** drflow's schedules: id prefix and the owner memo both present. */
  List<ScheduleListDescription> owned() {
    return client.listSchedules(100)
        .filter(s -> s.getScheduleId().startsWith(DesiredSchedule.ID_PREFIX))
        .filter(s -> !ownerMemo(s).isEmpty())
        .sorted(java.util.Comparator.comparing(ScheduleListDescription::getScheduleId))
        .collect(Collectors.toList());
  }

  static boolean isOwned(ScheduleDescription d) {
    return d.getId().startsWith(DesiredSchedule.ID_PREFIX) && ownerMemo(d).isPresent();
  }

  static Optional<Map<?, ?>> ownerMemo(ScheduleDescription d) {
    try {
      return Optional.ofNullable((Map<?, ?>) d.getMemo(DesiredSchedule.OWNER_MEMO, Map.class));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static Map<?, ?> ownerMemo(ScheduleListDescription d) {
    try {
      Map<?, ?> m = (Map<?, ?>) d.getMemo(DesiredSchedule.OWNER_MEMO, Map.class);
      return m == null ? Map.of() : m;
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  static Map<?, ?> settingsMemo(ScheduleActionStartWorkflow action) {
    Map<String, Object> memo = action.getOptions().getMemo();
    Object raw = memo == null ? null : memo.get(DesiredSchedule.SETTINGS_MEMO);
    try {
      if (raw instanceof EncodedValues ev) {
        Map<?, ?> m = ev.get(0, Map.class);
        return m == null ? Map.of() : m;
      }
      return raw instanceof Map<?, ?> m ? m : Map.of();
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  static Optional<ScheduleDescription> describe(ScheduleHandle handle) {
    try {
      return Optional.of(handle.describe());
    } catch (RuntimeException e) {
      if (notFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  static boolean notFound(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return true;
      }
    }
    return false;
  }

  private static Change change(DesiredSchedule d, Action a, String reason) {
    return new Change(d.id(), d.service(), d.runbook().id(), a, reason);
  }
}
