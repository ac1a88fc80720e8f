package io.drflow.workflows.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.workflows.model.Runbook;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RunbookScheduleTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "0 */6 * * *", "0 4 1 * *", "30 2 * * MON-FRI", "0 0 1 JAN,JUL *", "*/15 8-18 * * 1-5",
        "0 3 * * 7", "@daily", "@hourly", "@every 6h", "@every 1h30m", "0 0 ? * SUN"
      })
  void acceptsStandardCron(String cron) {
    assertThat(CronExpression.problem(cron)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "0 4 1 *", "0 4 1 * * *", "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 1 13 *",
        "0 0 * * 8", "0 0 * * FUN", "*/0 * * * *", "@sometimes", "CRON_TZ=Europe/Berlin 0 4 * * *",
        "0 4 1 * * ; rm"
      })
  void refusesMalformedCron(String cron) {
    assertThat(CronExpression.problem(cron)).isPresent();
  }

  @Test
  void problemsNameTheKeyPath() {
    RunbookSchedule s =
        new RunbookSchedule(
            "0 25 * * *", "Mars/Olympus", Duration.ofMinutes(-1), "sometimes", Duration.ofSeconds(5), null);
    assertThat(s.problems("services.shop.schedules.drill"))
        .containsExactly(
            "services.shop.schedules.drill.cron: '0 25 * * *': hour '25' is out of range 0-23",
            "services.shop.schedules.drill.timeZone: 'Mars/Olympus' is not an IANA time zone (e.g. UTC, Europe/Berlin)",
            "services.shop.schedules.drill.jitter: must not be negative",
            "services.shop.schedules.drill.overlap: 'sometimes' is not one of skip, bufferOne, bufferAll, cancelOther, terminateOther, allowAll",
            "services.shop.schedules.drill.catchupWindow: must be at least PT10S (Temporal's minimum)");
  }

  @Test
  void defaultsSkipOverlapsAndPauseOnlyDrillsOnFailure() {
    RunbookSchedule s = RunbookSchedule.cron("0 4 1 * *");
    assertThat(s.problems("x")).isEmpty();
    assertThat(s.overlapPolicy()).isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
    assertThat(s.overlapName()).isEqualTo("skip");
    assertThat(s.zone()).isEqualTo("UTC");
    assertThat(s.jitterOrZero()).isZero();
    assertThat(s.pauseOnFailure(Runbook.DRILL)).isTrue();
    assertThat(s.pauseOnFailure(Runbook.BACKUP)).isFalse();
    RunbookSchedule explicit = new RunbookSchedule("@daily", "Europe/Berlin", null, "BUFFER_ONE", null, false);
    assertThat(explicit.pauseOnFailure(Runbook.DRILL)).isFalse();
    assertThat(explicit.overlapPolicy()).isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE);
    assertThat(explicit.overlapName()).isEqualTo("bufferOne");
    assertThat(explicit.problems("x")).isEmpty();
  }

  @Test
  void serviceSchedulesListBackupBeforeDrill() {
    ServiceSchedules both = new ServiceSchedules(RunbookSchedule.cron("@daily"), RunbookSchedule.cron("@monthly"));
    assertThat(both.byRunbook().keySet()).containsExactly(Runbook.BACKUP, Runbook.DRILL);
    assertThat(new ServiceSchedules(null, RunbookSchedule.cron("x")).problems("services.a.schedules"))
        .singleElement()
        .asString()
        .startsWith("services.a.schedules.drill.cron: ");
  }
}
