package io.drflow.activities.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.schedule.RunbookSchedule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScheduleConfigTest {

  private static final String SERVICE =
      """
      services:
        shop:
          postgres: {host: db.internal, database: shop}
          rto: PT15M
          rpo: PT6H
          drill:
            target: {host: drill.internal}
      """;

  private static DrflowConfig parse(String schedules) {
    return ConfigLoader.parse(SERVICE + schedules.indent(4), "test.yaml");
  }

  @Test
  void schedulesAreOptionalAndEmptyByDefault() {
    assertThat(parse("").services().get("shop").schedules().byRunbook()).isEmpty();
  }

  @Test
  void readsEverySetting() {
    DrflowConfig c =
        parse(
            """
            schedules:
              backup:
                cron: "0 */6 * * *"
              drill:
                cron: "0 4 1 * *"
                timeZone: Europe/Berlin
                jitter: PT10M
                overlap: bufferOne
                catchupWindow: PT2H
                pauseOnFailure: false
            """);
    var s = c.services().get("shop").schedules();
    assertThat(s.byRunbook().keySet()).containsExactly(Runbook.BACKUP, Runbook.DRILL);
    assertThat(s.backup()).isEqualTo(RunbookSchedule.cron("0 */6 * * *"));
    assertThat(s.drill())
        .isEqualTo(
            new RunbookSchedule(
                "0 4 1 * *", "Europe/Berlin", Duration.ofMinutes(10), "bufferOne", Duration.ofHours(2), false));
  }

  @Test
  void unknownKeysAreRefusedWithTheirPath() {
    assertThatThrownBy(() -> parse("schedules:\n  drill:\n    cron: '@daily'\n    timezone: UTC\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("services.shop.schedules.drill.timezone: unknown key 'timezone'")
        .hasMessageContaining("timeZone");
    assertThatThrownBy(() -> parse("schedules:\n  restore:\n    cron: '@daily'\n"))
        .hasMessageContaining("services.shop.schedules.restore: unknown key 'restore' (known: backup, drill)");
  }

  @Test
  void badValuesAreAllReported() {
    assertThatThrownBy(
            () ->
                parse(
                    """
                    schedules:
                      backup:
                        cron: "0 */6 * *"
                        overlap: never
                      drill:
                        cron: "0 4 1 * *"
                        timeZone: Europe/Atlantis
                        catchupWindow: PT1S
                    """))
        .isInstanceOf(ConfigException.class)
        .satisfies(
            e ->
                assertThat(((ConfigException) e).problems())
                    .containsExactly(
                        "services.shop.schedules.backup.cron: '0 */6 * *' has 4 fields; cron needs 5: minute hour day-of-month month day-of-week",
                        "services.shop.schedules.backup.overlap: 'never' is not one of skip, bufferOne, bufferAll, cancelOther, terminateOther, allowAll",
                        "services.shop.schedules.drill.timeZone: 'Europe/Atlantis' is not an IANA time zone (e.g. UTC, Europe/Berlin)",
                        "services.shop.schedules.drill.catchupWindow: must be at least PT10S (Temporal's minimum)"));
  }

  @Test
  void durationsMustBeIso() {
    assertThatThrownBy(() -> parse("schedules:\n  drill:\n    cron: '@daily'\n    jitter: 10m\n"))
        .hasMessageContaining("services.shop.schedules.drill.jitter")
        .hasMessageContaining("'10m' is not an ISO-8601 duration");
  }

  @Test
  void theComposeExampleIsAValidConfig() {
    Path example = Path.of("..", "deploy", "compose", "drflow.yaml");
    assertThat(Files.isRegularFile(example)).as(example + " exists").isTrue();
    DrflowConfig c = ConfigLoader.load(example);
    assertThat(c.services()).containsKey("shop");
    assertThat(c.services().get("shop").schedules().byRunbook()).containsKeys(Runbook.BACKUP, Runbook.DRILL);
  }
}
