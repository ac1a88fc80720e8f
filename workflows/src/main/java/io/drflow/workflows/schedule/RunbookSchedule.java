package io.drflow.workflows.schedule;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.drflow.workflows.model.Runbook;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * When a runbook runs on its own: {@code services.<name>.schedules.<backup|drill>} in {@code
 * drflow.yaml}. drctl turns it into a Temporal Schedule ({@code drctl schedule sync}); the worker
 * validates it with the rest of the file so a typo is caught wherever the file is read.
 *
 * @param cron five-field cron (minute hour day-of-month month day-of-week) or a macro such as
 *     {@code @daily}
 * @param timeZone IANA zone the cron is read in (default UTC), e.g. {@code Europe/Berlin}
 * @param jitter each run starts at a random delay up to this, spreading load across services
 * @param overlap what happens when a run is due while the previous one still runs (default skip)
 * @param catchupWindow how late a run missed while Temporal was down may still start (default:
 *     Temporal's, one year; at least 10 seconds)
 * @param pauseOnFailure pause the schedule after a failed run until someone looks (default: on
 *     for drills, off for backups, which should keep trying to meet the RPO)
 */
public record RunbookSchedule(
    String cron,
    String timeZone,
    @JsonDeserialize(using = IsoDurationDeserializer.class) Duration jitter,
    String overlap,
    @JsonDeserialize(using = IsoDurationDeserializer.class) Duration catchupWindow,
    Boolean pauseOnFailure) {

  public static final String DEFAULT_TIME_ZONE = "UTC";
  public static final Duration MIN_CATCHUP_WINDOW = Duration.ofSeconds(10);

  /** Overlap policy names as written in drflow.yaml, mapped to Temporal's. */
  static final Map<String, ScheduleOverlapPolicy> OVERLAP = overlapNames();

  public static RunbookSchedule cron(String cron) {
    return new RunbookSchedule(cron, null, null, null, null, null);
  }

  public String zone() {
    return timeZone == null || timeZone.isBlank() ? DEFAULT_TIME_ZONE : timeZone;
  }

  public Duration jitterOrZero() {
    return jitter == null ? Duration.ZERO : jitter;
  }

  public ScheduleOverlapPolicy overlapPolicy() {
    return overlap == null ? ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP : OVERLAP.get(key(overlap));
  }

  /** The overlap policy's drflow.yaml name, e.g. {@code skip}. */
  public String overlapName() {
    ScheduleOverlapPolicy p = overlapPolicy();
    return OVERLAP.entrySet().stream()
        .filter(e -> e.getValue() == p)
        .map(Map.Entry::getKey)
        .findFirst()
        .map(RunbookSchedule::display)
        .orElse(String.valueOf(p));
  }

  public boolean pauseOnFailure(Runbook runbook) {
    return pauseOnFailure != null ? pauseOnFailure : runbook == Runbook.DRILL;
  }

  /** Every problem with this schedule, each prefixed with {@code at} (its key path). */
  public List<String> problems(String at) {
    List<String> out = new ArrayList<>();
    CronExpression.problem(cron).ifPresent(p -> out.add(at + ".cron: " + p));
    if (timeZone != null && !validZone(timeZone)) {
      out.add(at + ".timeZone: '" + timeZone + "' is not an IANA time zone (e.g. UTC, Europe/Berlin)");
    }
    if (jitter != null && jitter.isNegative()) {
      out.add(at + ".jitter: must not be negative");
    }
    if (overlap != null && !OVERLAP.containsKey(key(overlap))) {
      out.add(
          at + ".overlap: '" + overlap + "' is not one of "
              + String.join(", ", OVERLAP.keySet().stream().map(RunbookSchedule::display).toList()));
    }
    if (catchupWindow != null && catchupWindow.compareTo(MIN_CATCHUP_WINDOW) < 0) {
      out.add(at + ".catchupWindow: must be at least PT10S (Temporal's minimum)");
    }
    return out;
  }

  private static boolean validZone(String tz) {
    if (tz.equals("UTC")) {
      return true;
    }
    // Region ids only: the server (Go's tz database) does not read offsets such as +02:00.
    return ZoneId.getAvailableZoneIds().contains(tz);
  }

  /** skip, Skip, SKIP, buffer_one, bufferOne, BUFFER-ONE all name the same policy. */
  private static String key(String name) {
    return name.replaceAll("[_\\-\\s]", "").toLowerCase(Locale.ROOT);
  }

  private static String display(String key) {
    return switch (key) {
      case "bufferone" -> "bufferOne";
      case "bufferall" -> "bufferAll";
      case "cancelother" -> "cancelOther";
      case "terminateother" -> "terminateOther";
      case "allowall" -> "allowAll";
      default -> key;
    };
  }

  private static Map<String, ScheduleOverlapPolicy> overlapNames() {
    Map<String, ScheduleOverlapPolicy> m = new LinkedHashMap<>();
    m.put("skip", ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
    m.put("bufferone", ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE);
    m.put("bufferall", ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL);
    m.put("cancelother", ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER);
    m.put("terminateother", ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER);
    m.put("allowall", ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL);
    return java.util.Collections.unmodifiableMap(m);
  }
}
