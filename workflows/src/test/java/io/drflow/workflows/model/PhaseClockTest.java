package io.drflow.workflows.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PhaseClockTest {

  private final PhaseClock clock =
      new PhaseClock(List.of("A", "B"), Map.of("A", 10L, "B", 20L), 1_000_000, 60);

  @Test
  void onTrackUntilAPhaseOverrunsItsBudget() {
    clock.start("A", 1_000_000);
    assertThat(clock.rtoStatus(1_010_000)).isEqualTo(RtoStatus.ON_TRACK);
    assertThat(clock.rtoStatus(1_010_001)).isEqualTo(RtoStatus.AT_RISK);
  }

  @Test
  void breachedOnceTheRtoHasElapsedWhateverThePhases() {
    clock.start("A", 1_000_000);
    clock.complete("A", 1_005_000);
    assertThat(clock.rtoStatus(1_060_000)).isEqualTo(RtoStatus.ON_TRACK);
    assertThat(clock.rtoStatus(1_060_001)).isEqualTo(RtoStatus.BREACHED);
  }

  @Test
  void nextDeadlineIsTheEarliestBudgetCrossingOfARunningPhase() {
    clock.start("A", 1_000_000);
    assertThat(clock.nextDeadline(1_000_000)).isEqualTo(1_010_001);
    clock.complete("A", 1_002_000);
    clock.start("B", 1_002_000);
    assertThat(clock.nextDeadline(1_002_000)).isEqualTo(1_022_001);
    assertThat(clock.nextDeadline(1_030_000)).isEqualTo(1_060_001);
    assertThat(clock.nextDeadline(1_070_000)).isNull();
  }

  @Test
  void tableShowsElapsedOfRunningAndFinishedPhases() {
    clock.start("A", 1_000_000);
    clock.complete("A", 1_004_500);
    clock.start("B", 1_004_500);
    List<Phase> t = clock.table(1_030_000);
    assertThat(t.get(0).seconds()).isEqualTo(4.5);
    assertThat(t.get(0).status()).isEqualTo(PhaseStatus.COMPLETED);
    assertThat(t.get(1).seconds()).isEqualTo(25.5);
    assertThat(t.get(1).overBudget()).isTrue();
    assertThat(t.get(0).startedAt()).isEqualTo("1970-01-01T00:16:40Z");
  }

  @Test
  void markdownNamesStatusAndOverrun() {
    clock.start("A", 1_000_000);
    String md = PhaseTableMarkdown.render(clock.progress(1_020_000, "RestoreDrillWorkflow", "shop"));
    assertThat(md).contains("AT_RISK").contains("| A | RUNNING | 20.0s | 10s | over budget");
  }

  @Test
  void defaultBudgetsAreSharesOfTheRto() {
    Map<String, Long> b = Runbook.DRILL.defaultBudgets(3600);
    assertThat(b).containsEntry("Restore", 1620L).containsEntry("Locate", 72L);
    assertThat(b.values().stream().mapToLong(Long::longValue).sum()).isLessThan(3600);
  }
}
