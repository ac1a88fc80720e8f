package io.drflow.activities.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.storage.RetentionPolicy.Candidate;
import io.drflow.activities.storage.RetentionPolicy.Decision;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

  private static Candidate at(String id, String instant) {
    return new Candidate(id, Instant.parse(instant));
  }

  private static RetentionConfig config(
      int keepLast, int daily, int weekly, int monthly, int yearly) {
    return new RetentionConfig(keepLast, daily, weekly, monthly, yearly);
  }

  private static Map<String, List<String>> reasons(Decision d) {
    return d.keep().stream()
        .collect(Collectors.toMap(RetentionPolicy.Kept::backupId, RetentionPolicy.Kept::reasons));
  }

  /** Two backups a day (02:00 and 14:00 UTC) for {@code days} days from 2026-11-01. */
  private static List<Candidate> twiceDaily(int days) {
    List<Candidate> out = new ArrayList<>();
    Instant start = Instant.parse("2026-11-01T02:00:00Z");
    for (int d = 0; d < days; d++) {
      Instant morning = start.plus(Duration.ofDays(d));
      out.add(new Candidate("d" + d + "-am", morning));
      out.add(new Candidate("d" + d + "-pm", morning.plus(Duration.ofHours(12))));
    }
    return out;
  }

  @Test
  void dailyKeepsTheNewestOfEachOfTheLastNDays() {
    Decision d = RetentionPolicy.decide(twiceDaily(10), config(1, 7, 0, 0, 0), Set.of());

    assertThat(d.keepIds())
        .containsExactly("d9-pm", "d8-pm", "d7-pm", "d6-pm", "d5-pm", "d4-pm", "d3-pm");
    assertThat(reasons(d).get("d9-pm")).containsExactly("newest", "last 1", "daily 2026-11-10");
    assertThat(reasons(d).get("d3-pm")).containsExactly("daily 2026-11-04");
    assertThat(d.deleteIds()).hasSize(13).contains("d9-am", "d0-pm", "d0-am");
    assertThat(d.deleteIds()).doesNotContainAnyElementsOf(d.keepIds());
  }

  @Test
  void periodsWithoutBackupsDoNotCount() {
    List<Candidate> sparse =
        List.of(
            at("a", "2026-11-01T10:00:00Z"),
            at("b", "2026-11-05T10:00:00Z"),
            at("c", "2026-11-09T10:00:00Z"));
    Decision d = RetentionPolicy.decide(sparse, config(1, 2, 0, 0, 0), Set.of());
    // Two days that have backups, however far apart: not "the last two calendar days".
    assertThat(d.keepIds()).containsExactly("c", "b");
    assertThat(d.deleteIds()).containsExactly("a");
  }

  @Test
  void keepLastKeepsTheNewestWhateverTheirDay() {
    Decision d = RetentionPolicy.decide(twiceDaily(3), config(3, 0, 0, 0, 0), Set.of());
    assertThat(d.keepIds()).containsExactly("d2-pm", "d2-am", "d1-pm");
    assertThat(reasons(d).get("d2-am")).containsExactly("last 3");
  }

  @Test
  void weeklyUsesIsoWeeksAcrossTheYearBoundary() {
    // 2026 has 53 ISO weeks: Friday 2027-01-01 still belongs to 2026-W53.
    List<Candidate> backups =
        List.of(
            at("mon-w52", "2026-12-21T01:00:00Z"),
            at("sun-w52", "2026-12-27T23:00:00Z"),
            at("mon-w53", "2026-12-28T01:00:00Z"),
            at("fri-w53", "2027-01-01T01:00:00Z"),
            at("mon-w1", "2027-01-04T01:00:00Z"),
            at("tue-w1", "2027-01-05T01:00:00Z"));
    Decision d = RetentionPolicy.decide(backups, config(1, 0, 3, 0, 0), Set.of());

    assertThat(d.keepIds()).containsExactly("tue-w1", "fri-w53", "sun-w52");
    assertThat(reasons(d).get("fri-w53")).containsExactly("weekly 2026-W53");
    assertThat(reasons(d).get("sun-w52")).containsExactly("weekly 2026-W52");
    assertThat(reasons(d).get("tue-w1")).contains("weekly 2027-W01");
  }

  @Test
  void monthlyAndYearlyKeepTheNewestOfEachPeriod() {
    List<Candidate> backups = new ArrayList<>();
    // The 1st and the 15th of every month, 2024 to 2026.
    for (int year = 2024; year <= 2026; year++) {
      for (int month = 1; month <= 12; month++) {
        String ym = String.format("%d-%02d", year, month);
        backups.add(at(ym + "-01", ym + "-01T00:30:00Z"));
        backups.add(at(ym + "-15", ym + "-15T00:30:00Z"));
      }
    }
    Decision d = RetentionPolicy.decide(backups, config(1, 0, 0, 3, 3), Set.of());

    assertThat(d.keepIds())
        .containsExactlyInAnyOrder(
            "2026-12-15", "2026-11-15", "2026-10-15", "2025-12-15", "2024-12-15");
    assertThat(reasons(d).get("2026-12-15"))
        .containsExactly("newest", "last 1", "monthly 2026-12", "yearly 2026");
    assertThat(reasons(d).get("2025-12-15")).containsExactly("yearly 2025");
    assertThat(reasons(d).get("2024-12-15")).containsExactly("yearly 2024");
    assertThat(d.deleteIds()).hasSize(72 - 5);
  }

  @Test
  void periodsAreUtcDays() {
    // 23:30 at UTC-5 on the 1st is 04:30 UTC on the 2nd.
    List<Candidate> backups =
        List.of(
            at("first", "2026-11-01T20:00:00Z"),
            new Candidate(
                "late-evening-new-york",
                java.time.OffsetDateTime.parse("2026-11-01T23:30:00-05:00").toInstant()));
    Decision d = RetentionPolicy.decide(backups, config(1, 2, 0, 0, 0), Set.of());
    assertThat(reasons(d).get("late-evening-new-york")).contains("daily 2026-11-02");
    assertThat(reasons(d).get("first")).containsExactly("daily 2026-11-01");
  }

  @Test
  void theNewestIsKeptEvenWhenNothingElseIs() {
    Decision d = RetentionPolicy.decide(twiceDaily(2), config(0, 0, 0, 0, 0), Set.of());
    assertThat(d.keepIds()).containsExactly("d1-pm");
    assertThat(reasons(d).get("d1-pm")).containsExactly("newest");
    assertThat(d.deleteIds()).containsExactly("d1-am", "d0-pm", "d0-am");
  }

  @Test
  void protectedBackupsAreKept() {
    Decision d =
        RetentionPolicy.decide(twiceDaily(5), config(1, 1, 0, 0, 0), Set.of("d0-am", "unknown-id"));
    assertThat(d.keepIds()).containsExactly("d4-pm", "d0-am");
    assertThat(reasons(d).get("d0-am")).containsExactly("protected");
  }

  @Test
  void equalInstantsAreOrderedByBackupId() {
    List<Candidate> backups =
        List.of(at("b", "2026-11-01T00:00:00Z"), at("a", "2026-11-01T00:00:00Z"));
    Decision d = RetentionPolicy.decide(backups, config(1, 1, 0, 0, 0), Set.of());
    assertThat(d.keepIds()).containsExactly("b");
    assertThat(d.deleteIds()).containsExactly("a");
  }

  @Test
  void keepAndDeletePartitionTheInput() {
    List<Candidate> all = twiceDaily(60);
    Decision d = RetentionPolicy.decide(all, RetentionConfig.defaults(), Set.of());
    Set<String> union = new HashSet<>(d.keepIds());
    union.addAll(d.deleteIds());
    assertThat(union).hasSize(all.size());
    assertThat(d.keepIds()).doesNotHaveDuplicates().doesNotContainAnyElementsOf(d.deleteIds());
    // Defaults over 2026-11-01..12-30: 7 days (12-24..30), weeks W51 and W50 add 12-20 and
    // 12-13 (W53 and W52 are already kept as days), November adds 11-30.
    assertThat(d.keepIds()).hasSize(10).contains("d49-pm", "d42-pm", "d29-pm");
    assertThat(d.keepIds()).contains("d59-pm");
    assertThat(RetentionPolicy.decide(List.of(), RetentionConfig.defaults(), Set.of()).keep())
        .isEmpty();
  }
}
