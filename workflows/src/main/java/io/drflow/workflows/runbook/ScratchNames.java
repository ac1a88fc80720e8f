package io.drflow.workflows.runbook;

import java.nio.charset.StandardCharsets;
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

  /**
   * Suffix of the backup ids of safety copies: backups of a damaged database taken at the start
   * of a recovery. Recoveries never pick one unless it is named explicitly.
   */
  public static final String SAFETY_COPY_SUFFIX = "-safety-copy";

  /** {@code <yyyymmddThhmmssZ>-<run8>-safety-copy}. */
  public static String safetyCopyId(long startedAtMillis, String runId) {
    return backupId(startedAtMillis, runId) + SAFETY_COPY_SUFFIX;
  }

  public static boolean isSafetyCopy(String backupId) {
    return backupId != null && backupId.endsWith(SAFETY_COPY_SUFFIX);
  }

  /** {@code <db>_restore_<yyyymmddthhmmssz>}: where a recovery restores before the swap. */
  public static String restored(String database, long startedAtMillis) {
    return fit(database, "_restore_" + stamp(startedAtMillis).toLowerCase());
  }

  /** {@code <db>_pre_recovery_<yyyymmddthhmmssz>}: the damaged database, kept after the swap. */
  public static String preRecovery(String database, long startedAtMillis) {
    return fit(database, "_pre_recovery_" + stamp(startedAtMillis).toLowerCase());
  }

  /**
   * {@code base + suffix} within PostgreSQL's 63-byte limit: the base is shortened (never the
   * suffix, which makes the name unique and recognizable), at a character boundary.
   */
  static String fit(String base, String suffix) {
    int room = 63 - suffix.getBytes(StandardCharsets.UTF_8).length;
    String b = base;
    while (b.getBytes(StandardCharsets.UTF_8).length > room) {
      b = b.substring(0, b.offsetByCodePoints(b.length(), -1));
    }
    return b + suffix;
  }

  private static String stamp(long millis) {
    return STAMP.format(Instant.ofEpochMilli(millis));
  }

  private static String shortId(String runId) {
    String clean = runId.replaceAll("[^0-9A-Za-z]", "");
    return clean.substring(0, Math.min(8, clean.length())).toLowerCase();
  }
}
