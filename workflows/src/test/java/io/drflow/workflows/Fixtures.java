package io.drflow.workflows;

import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;

/** Plans and backups the workflow tests hand their mocked activities. */
public final class Fixtures {

  public static final long HOUR = 3600;

  private Fixtures() {}

  public static ServicePlan plan(Runbook runbook, long rtoSeconds) {
    return new ServicePlan(
        "shop",
        runbook.id(),
        "shop",
        "127.0.0.1:5432",
        "127.0.0.1:5433",
        rtoSeconds,
        24 * HOUR,
        runbook.defaultBudgets(rtoSeconds),
        1,
        "s3://drflow-backups/drflow");
  }

  public static BackupRef backup(long createdAtMillis) {
    return new BackupRef(
        "shop",
        "20261101T000000Z-abcdef12",
        "drflow/shop/backups/20261101T000000Z-abcdef12/dump.zst",
        "drflow/shop/backups/20261101T000000Z-abcdef12/manifest.json",
        java.time.Instant.ofEpochMilli(createdAtMillis).toString(),
        createdAtMillis,
        "ab".repeat(32),
        1000,
        4000,
        3,
        42,
        "pg_dump custom",
        "zstd",
        "15.18");
  }
}
