package io.drflow.activities.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ManifestStoreTest extends S3ProxyTestSupport {

  private static final BackupLayout LAYOUT = new BackupLayout("drflow");
  private static final AtomicInteger SERVICES = new AtomicInteger();
  private static final Instant T0 = Instant.parse("2026-11-20T03:00:00Z");

  private String service;
  private ManifestStore manifests;
  private BackupFixtures fixtures;

  @BeforeEach
  void freshService() {
    service = "svc" + SERVICES.incrementAndGet();
    manifests = new ManifestStore(store, LAYOUT);
    fixtures = new BackupFixtures(store, LAYOUT);
  }

  @Test
  void publishWritesTheManifestAndRemovesStaging() throws Exception {
    Manifest staged = fixtures.upload(service, "b1", T0);
    String stagingKey = manifests.writeStaging(staged);
    assertThat(store.head(stagingKey)).isPresent();
    assertThat(manifests.find(service, "b1")).isEmpty();

    Manifest published = manifests.publish(LAYOUT.backupDir(service, "b1"));

    assertThat(published).isEqualTo(staged);
    assertThat(store.head(stagingKey)).isEmpty();
    assertThat(manifests.read(LAYOUT.manifestKey(service, "b1"))).isEqualTo(staged);
    // A retried publish (manifest written, staging gone) succeeds with the same manifest.
    assertThat(manifests.publish(service, "b1")).isEqualTo(staged);
    // And so does one whose staging was written again by a retried dump.
    manifests.writeStaging(staged);
    assertThat(manifests.publish(stagingKey)).isEqualTo(staged);
    assertThat(store.head(stagingKey)).isEmpty();
  }

  @Test
  void publishRefusesADataObjectOfAnotherSize() throws Exception {
    Manifest staged = fixtures.upload(service, "b1", T0);
    manifests.writeStaging(staged);
    byte[] data = store.getBytes(staged.dump().key()).orElseThrow();
    store.putBytes(staged.dump().key(), java.util.Arrays.copyOf(data, data.length - 1), "x/y");

    assertThatThrownBy(() -> manifests.publish(service, "b1"))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining(staged.dump().key())
        .hasMessageContaining("size");
    assertThat(manifests.find(service, "b1")).isEmpty();
    assertThat(store.head(LAYOUT.stagingKey(service, "b1"))).isPresent();
  }

  @Test
  void publishRefusesAChangedChunkIndex() throws Exception {
    Manifest staged = fixtures.upload(service, "b1", T0);
    manifests.writeStaging(staged);
    String indexKey = staged.dump().chunkIndexKey();
    store.putText(
        indexKey, new String(store.getBytes(indexKey).orElseThrow()) + " ", "application/json");

    assertThatThrownBy(() -> manifests.publish(service, "b1"))
        .isInstanceOf(ChecksumMismatchException.class)
        .hasMessageContaining(indexKey);
    assertThat(manifests.find(service, "b1")).isEmpty();
  }

  @Test
  void publishRefusesToReplaceADifferentManifest() throws Exception {
    Manifest first = fixtures.published(service, "b1", T0);
    Manifest other =
        new Manifest(
            first.format(),
            first.service(),
            first.backupId(),
            T0.plusSeconds(1).toString(),
            first.completedAt(),
            first.source(),
            first.dump(),
            first.rolesKey(),
            first.globalsKey(),
            first.inventory());
    manifests.writeStaging(other);

    assertThatThrownBy(() -> manifests.publish(service, "b1"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("differs");
    assertThat(manifests.find(service, "b1")).contains(first);
  }

  @Test
  void publishWithNothingStagedIsBackupMissing() {
    assertThatThrownBy(() -> manifests.publish(service, "nope"))
        .isInstanceOf(BackupMissingException.class)
        .hasMessageContaining(LAYOUT.stagingKey(service, "nope"));
  }

  @Test
  void writeChecksTheDataObjectSize() throws Exception {
    Manifest m = fixtures.upload(service, "b1", T0);
    store.delete(m.dump().key());
    assertThatThrownBy(() -> manifests.write(m)).isInstanceOf(BackupMissingException.class);
    assertThat(manifests.find(service, "b1")).isEmpty();
  }

  @Test
  void aManifestOfAnUnknownFormatIsRefusedAndSkipped() throws Exception {
    fixtures.published(service, "good", T0);
    Manifest newer = fixtures.upload(service, "future", T0.plusSeconds(60));
    String key = LAYOUT.manifestKey(service, "future");
    store.putText(
        key,
        StorageJson.MAPPER.writeValueAsString(newer).replace(Manifest.FORMAT, "drflow-backup/2"),
        "application/json");

    assertThatThrownBy(() -> manifests.read(key))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("drflow-backup/2");
    assertThat(manifests.list(service)).extracting(Manifest::backupId).containsExactly("good");
  }

  @Test
  void aManifestPointingOutsideItsDirectoryIsRefused() throws Exception {
    Manifest a = fixtures.upload(service, "a", T0);
    fixtures.upload(service, "b", T0);
    Manifest lying =
        new Manifest(
            a.format(),
            a.service(),
            "b",
            a.createdAt(),
            a.completedAt(),
            a.source(),
            a.dump(),
            a.rolesKey(),
            a.globalsKey(),
            a.inventory());
    assertThatThrownBy(() -> manifests.writeStaging(lying))
        .isInstanceOf(InvalidManifestException.class)
        .hasMessageContaining("outside the backup's directory");
  }

  @Test
  void listsNewestFirstAndNewestVerifiedSkipsMissingData() throws Exception {
    fixtures.published(service, "b-old", T0);
    fixtures.published(service, "b-mid-1", T0.plusSeconds(3600));
    fixtures.published(service, "b-mid-2", T0.plusSeconds(3600));
    Manifest newest = fixtures.published(service, "b-new", T0.plusSeconds(7200));
    fixtures.upload(service, "b-unpublished", T0.plusSeconds(9000));

    assertThat(manifests.list(service))
        .extracting(Manifest::backupId)
        .containsExactly("b-new", "b-mid-2", "b-mid-1", "b-old");
    assertThat(manifests.newestVerified(service)).map(Manifest::backupId).contains("b-new");

    store.delete(newest.dump().key());
    assertThat(manifests.newestVerified(service)).map(Manifest::backupId).contains("b-mid-2");

    Manifest mid2 = manifests.find(service, "b-mid-2").orElseThrow();
    byte[] data = store.getBytes(mid2.dump().key()).orElseThrow();
    store.putBytes(mid2.dump().key(), java.util.Arrays.copyOf(data, data.length + 1), "x/y");
    assertThat(manifests.listVerified(service, 10))
        .extracting(Manifest::backupId)
        .containsExactly("b-mid-1", "b-old");
    // Other services' backups never show up.
    assertThat(manifests.list(service + "x")).isEmpty();
  }

  @Test
  void aSafetyCopyIsListedButNeverTheNewestGoodBackup() throws Exception {
    fixtures.published(service, "b-good", T0);
    String safety = "20240101T030000Z-abcdef12" + io.drflow.workflows.runbook.ScratchNames.SAFETY_COPY_SUFFIX;
    fixtures.published(service, safety, T0.plusSeconds(3600));

    assertThat(manifests.listVerified(service, 10))
        .extracting(Manifest::backupId)
        .containsExactly(safety, "b-good");
    assertThat(manifests.listRestorable(service, 10)).extracting(Manifest::backupId).containsExactly("b-good");
    assertThat(manifests.newestVerified(service)).map(Manifest::backupId).contains("b-good");
  }
}
