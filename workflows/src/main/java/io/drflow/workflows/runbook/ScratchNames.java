package io.drflow.workflows.runbook;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Names for the databases and backups a run creates. Derived from the run's start time and id,
 * so a replayed or retried workflow computes the same name and never creates a second one.
 */
public final class ScratchNames {

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private ScratchNames() {}

  /** {@code drill_<service>_<yyyymmddThhmmssZ>_<run8>}; ≤ 63 bytes for 40-character services. */
  public static String scratch(String service, long startedAtMillis, String runId) {
    return "drill_" + service + "_" + stamp(startedAtMillis).toLowerCase() + "_" + shortId(runId);
  }

  /** {@code <yyyymmddThhmmssZ>-<run8>}: sorts by time, unique per run. */
  public static String backupId(long startedAtMillis, String runId) {
    return stamp(startedAtMillis) + "-" + shortId(runId);
  }

  private static String stamp(long millis) {
    return STAMP.format(Instant.ofEpochMilli(millis));
  }

  private static String shortId(String runId) {
    String clean = runId.replaceAll("[^0-9A-Za-z]", "");
    return clean.substring(0, Math.min(8, clean.length())).toLowerCase();
  }
}
