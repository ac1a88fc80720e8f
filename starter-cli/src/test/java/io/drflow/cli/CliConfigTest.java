package io.drflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.workflows.model.Runbook;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliConfigTest {

  @TempDir Path dir;

  private CliConfig load(String yaml) throws Exception {
    Path f = dir.resolve("drflow.yaml");
    Files.writeString(f, yaml);
    return CliConfig.load(f);
  }

  @Test
  void readsTemporalRtoAndSchedulesButIgnoresEverythingElse() throws Exception {
    CliConfig c =
        load(
            """
            temporal: {target: "temporal:7233", namespace: dr, taskQueue: q}
            storage: {bucket: b, accessKeyEnv: A, secretKeyEnv: S}
            services:
              shop:
                postgres: {host: db, database: shop, passwordEnv: SHOP_PW}
                rto: PT15M
                schedules:
                  drill: {cron: "0 4 1 * *", timeZone: Europe/Berlin}
              ledger:
                postgres: {host: db2, database: ledger}
            """);
    assertThat(c.target()).isEqualTo("temporal:7233");
    assertThat(c.namespace()).isEqualTo("dr");
    assertThat(c.taskQueue()).isEqualTo("q");
    assertThat(c.rto("shop")).contains(Duration.ofMinutes(15));
    assertThat(c.rto("ledger")).isEmpty();
    assertThat(c.rto("unknown")).isEmpty();
    assertThat(c.services()).containsOnlyKeys("ledger", "shop");
    assertThat(c.services().get("shop").schedules().byRunbook()).containsOnlyKeys(Runbook.DRILL);
    assertThat(c.services().get("ledger").schedules().byRunbook()).isEmpty();
  }

  @Test
  void scheduleMistakesAreReportedWithTheirKeyPath() throws Exception {
    CliConfig c =
        load(
            """
            services:
              shop:
                schedules:
                  drill: {cron: "0 4 1 *", overlap: sometimes}
              ledger:
                schedules:
                  backup: {cron: "@daily", timezone: UTC}
            """);
    assertThatThrownBy(c::services)
        .isInstanceOf(UserError.class)
        .hasMessageContaining("services.ledger.schedules.backup.timezone: unknown key 'timezone' (known: catchupWindow, cron, jitter, overlap, pauseOnFailure, timeZone)")
        .hasMessageContaining("services.shop.schedules.drill.cron: '0 4 1 *' has 4 fields")
        .hasMessageContaining("services.shop.schedules.drill.overlap: 'sometimes' is not one of");
    // A schedule typo must not stop a drill during an incident: only `services()` is strict.
    assertThat(c.target()).isEqualTo(CliConfig.DEFAULT_TARGET);
  }

  @Test
  void withoutAFileThereAreNoServices() {
    CliConfig c = CliConfig.load(null);
    assertThat(c.services()).isEmpty();
    assertThat(c.rto("shop")).isEqualTo(Optional.empty());
    assertThat(c.file()).isNull();
  }

  @Test
  void summariesNameRunbookServiceAndRto() {
    assertThat(RunSummary.summary(Runbook.DRILL, "shop", Optional.of(Duration.ofMinutes(15))))
        .isEqualTo("Restore drill of shop · RTO 15m 00s");
    assertThat(RunSummary.summary(Runbook.BACKUP, "shop", Optional.empty())).isEqualTo("Backup of shop");
    assertThat(RunSummary.scheduledSummary(Runbook.DRILL, "shop", Optional.of(Duration.ofHours(1))))
        .isEqualTo("Scheduled restore drill of shop · RTO 1h 00m");
    assertThat(RunSummary.details(Runbook.DRILL, "shop", Optional.empty(), "drctl"))
        .contains("| Runbook | RestoreDrillWorkflow |")
        .contains("| RTO | as configured on the worker |");
  }
}
