package io.drflow.workflows.runbook;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Names for the databases and backups a run creates. Derived from the run's start time and id,
 * so a replayed or retried workflow computes the same name and never creates a second one.
 *
 * <p>The id part is the run id's last 8 characters. Temporal's run ids are time-ordered UUIDv7:
 * their first 8 characters are the same for every run started within about a minute, so two runs
 * of one service started in the same second would otherwise share a scratch database or a backup
 * id. Runs that began before this changed keep their first-8 names (see {@link #VERSION_CHANGE}).
 */
public final class ScratchNames {

  /** The {@code Workflow.getVersion} change id under which names use the run id's tail. */
  public static final String VERSION_CHANGE = "names-from-run-id-tail";

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private ScratchNames() {}

  /**
   * {@code drill_<service>_<yyyymmddThhmmssZ>_<run8>}, the service cut to its first 31 characters
   * so the name fits PostgreSQL's 63 bytes (service names are ASCII, up to 40 characters).
   */
  public static String scratch(String service, long startedAtMillis, String runId) {
    return scratch(service, startedAtMillis, runId, true);
  }

  /**
   * @param tail false only for runs that started before names used the run id's tail (and, for
   *     services over 31 characters, were too long to create)
   */
  public static String scratch(String service, long startedAtMillis, String runId, boolean tail) {
    String svc = tail && service.length() > MAX_SERVICE_IN_NAME ? service.substring(0, MAX_SERVICE_IN_NAME) : service;
    return "drill_" + svc + "_" + stamp(startedAtMillis).toLowerCase() + "_" + shortId(runId, tail);
  }

  /** 63 bytes less "drill_", the stamp, the run id part and two underscores. */
  private static final int MAX_SERVICE_IN_NAME = 63 - 6 - 16 - 8 - 2;

  /** {@code <yyyymmddThhmmssZ>-<run8>}: sorts by time, unique per run. */
  public static String backupId(long startedAtMillis, String runId) {
    return backupId(startedAtMillis, runId, true);
  }

  /** @param tail false only for runs that started before names used the run id's tail */
  public static String backupId(long startedAtMillis, String runId, boolean tail) {
    return stamp(startedAtMillis) + "-" + shortId(runId, tail);
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

  private static String shortId(String runId, boolean tail) {
    String clean = runId.replaceAll("[^0-9A-Za-z]", "").toLowerCase();
    int n = Math.min(8, clean.length());
    return tail ? clean.substring(clean.length() - n) : clean.substring(0, n);
  }
}
