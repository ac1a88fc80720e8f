package io.drflow.workflows.recovery;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Checks a recovery's input and reads its times. Pure, so drctl refuses bad input with the same
 * words before it starts anything, and the workflow again before it touches anything.
 */
public final class RecoveryInputs {

  /** Parsed times of an input; null where not given. */
  public record Times(Long atMillis, Long incidentStartMillis) {}

  private RecoveryInputs() {}

  /**
   * @param nowMillis the checker's clock
   * @param skewMillis how far in the future a time may lie (clocks of laptops and servers differ)
   * @throws IllegalArgumentException naming what is wrong and how to write it instead
   */
  public static Times check(RecoveryInput in, long nowMillis, long skewMillis) {
    if (in == null || in.service() == null || in.service().isBlank()) {
      throw new IllegalArgumentException("input needs a service name, e.g. {\"service\":\"shop\"}");
    }
    boolean hasBackup = in.backup() != null;
    boolean hasAt = in.at() != null;
    if (hasBackup && in.backup().isBlank()) {
      throw new IllegalArgumentException("--backup needs a backup key or id");
    }
    if (hasBackup && hasAt) {
      throw new IllegalArgumentException(
          "--backup and --at exclude each other: --backup names one backup, --at picks the newest"
              + " taken at or before a time");
    }
    if (in.newest() && (hasBackup || hasAt)) {
      throw new IllegalArgumentException(
          "--latest excludes --backup and --at: give one way to choose the backup");
    }
    Long at = hasAt ? time("--at", in.at(), nowMillis, skewMillis) : null;
    Long incident =
        in.incidentStart() == null
            ? null
            : time("--incident-start", in.incidentStart(), nowMillis, skewMillis);
    return new Times(at, incident);
  }

  /** An ISO-8601 instant with a zone, not in the future. */
  public static long time(String option, String text, long nowMillis, long skewMillis) {
    long millis = parse(option, text);
    if (millis > nowMillis + skewMillis) {
      throw new IllegalArgumentException(
          option + " " + text + " is in the future (now is " + Instant.ofEpochMilli(nowMillis) + ")");
    }
    return millis;
  }

  public static long parse(String option, String text) {
    String t = text == null ? "" : text.strip();
    try {
      return OffsetDateTime.parse(t).toInstant().toEpochMilli();
    } catch (DateTimeParseException e) {
      // fall through to the explanation below
    }
    try {
      java.time.LocalDateTime.parse(t);
      throw new IllegalArgumentException(
          option + " '" + text + "' has no time zone: write " + t + "Z for UTC, or add the"
              + " offset, e.g. " + t + "+01:00");
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option + " '" + text + "' is not a time: use ISO-8601 with a zone, e.g."
              + " 2026-11-22T02:10:00Z or 2026-11-22T03:10+01:00");
    }
  }
}
