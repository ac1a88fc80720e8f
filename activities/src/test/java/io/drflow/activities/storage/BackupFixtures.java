package io.drflow.activities.storage;

import io.drflow.activities.postgres.DatabaseInventory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Real (small) backups in the test bucket: uploaded data, chunk index and manifest. */
final class BackupFixtures {

  private final ObjectStore store;
  private final BackupLayout layout;
  private final ManifestStore manifests;

  BackupFixtures(ObjectStore store, BackupLayout layout) {
    this.store = store;
    this.layout = layout;
    this.manifests = new ManifestStore(store, layout);
  }

  /** Uploads a few KiB for the backup and returns its (unpublished) manifest. */
  Manifest upload(String service, String backupId, Instant createdAt) throws IOException {
    byte[] data = TestData.compressible(40_000, backupId.hashCode());
    ChunkedUploader.Result r =
        new ChunkedUploader(
                store, 16_384, 5 << 20, 3, 1, 2, Duration.ofSeconds(1), Duration.ofMillis(50))
            .upload(
                new ByteArrayInputStream(data),
                layout.dataKey(service, backupId),
                layout.chunkIndexKey(service, backupId),
                (a, b) -> {});
    store.putText(layout.globalsKey(service, backupId), "-- globals\n", "application/sql");
    return new Manifest(
        Manifest.FORMAT,
        service,
        backupId,
        createdAt.toString(),
        createdAt.plusSeconds(5).toString(),
        new Manifest.Source("db.example:5432", "app", "drflow", "15.10"),
        r.toManifestDump("custom"),
        null,
        layout.globalsKey(service, backupId),
        new DatabaseInventory(
            "15.10",
            150010,
            List.of(new DatabaseInventory.TableCount("public", "orders", "table", 42)),
            0,
            1,
            1,
            List.of(),
            List.of()));
  }

  /** Uploads, stages and publishes a backup. */
  Manifest published(String service, String backupId, Instant createdAt) throws IOException {
    Manifest m = upload(service, backupId, createdAt);
    manifests.writeStaging(m);
    return manifests.publish(service, backupId);
  }
}
