package io.drflow.activities.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.BackupTuning;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.config.WorkerConfig;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.runbook.RestoreActivitiesImpl;
import io.drflow.activities.runbook.ServiceRegistry;
import io.drflow.activities.runbook.WorkDirs;
import io.drflow.workflows.activities.RestoreActivities.LocateAtRequest;
import io.drflow.workflows.model.BackupRef;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Choosing the backup for a recovery at a point in time, against real S3. */
class LocateBackupAtTest extends S3ProxyTestSupport {

  static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");
  static RestoreActivitiesImpl restore;

  @BeforeAll
  static void backups() throws Exception {
    BackupLayout layout = BackupLayout.of(config);
    BackupFixtures fixtures = new BackupFixtures(store, layout);
    fixtures.published("shop", "20261120T000000Z-aaaaaaaa", T0);
    fixtures.published("shop", "20261121T000000Z-bbbbbbbb", T0.plus(Duration.ofDays(1)));
    // A safety copy of a damaged database, the newest backup of all.
    fixtures.published("shop", "20261122T020000Z-cccccccc-safety-copy", T0.plus(Duration.ofHours(50)));
    DrflowConfig cfg =
        new DrflowConfig(
            null,
            config,
            WorkerConfig.defaults(),
            BackupTuning.defaults(),
            Map.of(
                "shop",
                new ServiceConfig(
                    new PostgresConfig("127.0.0.1", 5432, "shop", "postgres", null),
                    Duration.ofHours(1), Duration.ofHours(24), Map.of(), RetentionConfig.defaults(), null)));
    restore =
        new RestoreActivitiesImpl(
            new ServiceRegistry(cfg), new PgConnections(secrets()), store, layout,
            new WorkDirs(Path.of(System.getProperty("java.io.tmpdir"))), "q");
  }

  private static BackupRef at(Instant notAfter) {
    return restore.locateAt(new LocateAtRequest("shop", notAfter.toEpochMilli(), "--at"));
  }

  @Test
  void picksTheNewestTakenAtOrBeforeTheTime() {
    assertThat(at(T0.plus(Duration.ofHours(30))).backupId()).isEqualTo("20261121T000000Z-bbbbbbbb");
    assertThat(at(T0.plus(Duration.ofHours(23))).backupId()).isEqualTo("20261120T000000Z-aaaaaaaa");
    assertThat(at(T0).backupId()).isEqualTo("20261120T000000Z-aaaaaaaa");
  }

  @Test
  void neverPicksASafetyCopyUnlessNamed() {
    assertThat(at(T0.plus(Duration.ofDays(30))).backupId()).isEqualTo("20261121T000000Z-bbbbbbbb");
    assertThat(restore.locate("shop", "20261122T020000Z-cccccccc-safety-copy").backupId())
        .endsWith("-safety-copy");
  }

  @Test
  void aTimeBeforeTheOldestBackupNamesTheOldest() {
    Instant early = T0.minusSeconds(1);
    assertThatThrownBy(() -> at(early))
        .isInstanceOf(ApplicationFailure.class)
        .satisfies(e -> assertThat(((ApplicationFailure) e).getType()).isEqualTo("BackupNotFound"))
        .hasMessageContaining("no verified backup of shop was taken at or before 2026-11-19T23:59:59Z (--at)")
        .hasMessageContaining("the oldest is 20261120T000000Z-aaaaaaaa, taken 2026-11-20T00:00:00Z");
  }
}
