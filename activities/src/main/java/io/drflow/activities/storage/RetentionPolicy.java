package io.drflow.activities.storage;

import io.drflow.activities.config.RetentionConfig;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Grandfather-father-son retention, as a pure function of the backups' snapshot times: for each
 * kind of period (day, ISO week, month, year, all in UTC) the newest backup of each of the N most
 * recent periods that have a backup is kept; so are the newest {@code keepLast} backups, the newest
 * backup of all, and any protected id. Everything else is to be deleted.
 */
public final class RetentionPolicy {

  private RetentionPolicy() {}

  /** A published backup and the instant it restores to. */
  public record Candidate(String backupId, Instant createdAt) {}

  /** A backup to keep and every rule that keeps it (e.g. "daily 2026-11-21"). */
  public record Kept(String backupId, Instant createdAt, List<String> reasons) {}

  /** Kept newest first; deleted newest first. Together they are exactly the candidates. */
  public record Decision(List<Kept> keep, List<Candidate> delete) {

    public List<String> deleteIds() {
      return delete.stream().map(Candidate::backupId).toList();
    }

    public List<String> keepIds() {
      return keep.stream().map(Kept::backupId).toList();
    }
  }

  private static final Comparator<Candidate> NEWEST_FIRST =
      Comparator.comparing(Candidate::createdAt).thenComparing(Candidate::backupId).reversed();

  public static Decision decide(
      Collection<Candidate> backups, RetentionConfig config, Set<String> protectedIds) {
    List<Candidate> sorted = backups.stream().sorted(NEWEST_FIRST).toList();
    Map<String, List<String>> reasons = new LinkedHashMap<>();
    if (!sorted.isEmpty()) {
      reason(reasons, sorted.get(0), "newest");
    }
    for (int i = 0; i < Math.min(config.keepLast(), sorted.size()); i++) {
      reason(reasons, sorted.get(i), "last " + config.keepLast());
    }
    periods(sorted, config.daily(), "daily", RetentionPolicy::day, reasons);
    periods(sorted, config.weekly(), "weekly", RetentionPolicy::isoWeek, reasons);
    periods(sorted, config.monthly(), "monthly", RetentionPolicy::month, reasons);
    periods(sorted, config.yearly(), "yearly", RetentionPolicy::year, reasons);
    Set<String> protect = protectedIds == null ? Set.of() : new HashSet<>(protectedIds);
    for (Candidate c : sorted) {
      if (protect.contains(c.backupId())) {
        reason(reasons, c, "protected");
      }
    }
    List<Kept> keep = new ArrayList<>();
    List<Candidate> delete = new ArrayList<>();
    for (Candidate c : sorted) {
      List<String> why = reasons.get(c.backupId());
      if (why == null) {
        delete.add(c);
      } else {
        keep.add(new Kept(c.backupId(), c.createdAt(), List.copyOf(why)));
      }
    }
    return new Decision(List.copyOf(keep), List.copyOf(delete));
  }

  /** Walking newest first, the first backup met in a period is that period's newest. */
  private static void periods(
      List<Candidate> newestFirst,
      int count,
      String rule,
      Function<Instant, String> period,
      Map<String, List<String>> reasons) {
    if (count <= 0) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (Candidate c : newestFirst) {
      String p = period.apply(c.createdAt());
      if (seen.add(p)) {
        reason(reasons, c, rule + " " + p);
        if (seen.size() == count) {
          return;
        }
      }
    }
  }

  private static void reason(Map<String, List<String>> reasons, Candidate c, String why) {
    reasons.computeIfAbsent(c.backupId(), id -> new ArrayList<>()).add(why);
  }

  private static LocalDate utcDate(Instant i) {
    return i.atZone(ZoneOffset.UTC).toLocalDate();
  }

  static String day(Instant i) {
    return utcDate(i).toString();
  }

  static String isoWeek(Instant i) {
    LocalDate d = utcDate(i);
    return String.format(
        "%d-W%02d", d.get(IsoFields.WEEK_BASED_YEAR), d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
  }

  static String month(Instant i) {
    LocalDate d = utcDate(i);
    return String.format("%d-%02d", d.getYear(), d.getMonthValue());
  }

  static String year(Instant i) {
    return String.valueOf(utcDate(i).getYear());
  }
}
