package io.drflow.activities.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.activities.config.RetentionConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

class RetentionExecutorTest extends S3ProxyTestSupport {

  private static final BackupLayout LAYOUT = new BackupLayout("drflow");
  private static final Instant DAY0 = Instant.parse("2026-11-01T02:00:00Z");

  private static Clock clockAt(Duration fromNow) {
    return Clock.fixed(Instant.now().plus(fromNow), ZoneOffset.UTC);
  }

  @Test
  void deletesWhatThePolicyDropsAndAbandonedUploads() throws Exception {
    String service = "ret";
    BackupFixtures fixtures = new BackupFixtures(store, LAYOUT);
    ManifestStore manifests = new ManifestStore(store, LAYOUT);
    for (int day = 0; day < 4; day++) {
      Instant t = DAY0.plus(Duration.ofDays(day));
      fixtures.published(service, "d" + day + "-am", t);
      fixtures.published(service, "d" + day + "-pm", t.plus(Duration.ofHours(12)));
    }
    // A published backup whose data vanished: left alone, and it does not take the slot of day
    // 3 from d3-pm although it is newer.
    Manifest broken =
        fixtures.published(
            service, "d3-broken", DAY0.plus(Duration.ofDays(3)).plus(Duration.ofHours(13)));
    store.delete(broken.dump().key());
    // An upload that never got published, and one that never got past its multipart upload.
    fixtures.upload(service, "crashed", DAY0.plus(Duration.ofDays(4)));
    String mpuKey = LAYOUT.dataKey(service, "mpu-only");
    String mpuId =
        store.client().createMultipartUpload(b -> b.bucket(store.bucket()).key(mpuKey)).uploadId();
    store
        .client()
        .uploadPart(
            b -> b.bucket(store.bucket()).key(mpuKey).uploadId(mpuId).partNumber(1),
            RequestBody.fromBytes(new byte[] {1}));
    // The backup running right now: unpublished, protected by the caller.
    fixtures.upload(service, "running", DAY0.plus(Duration.ofDays(5)));
    // Another service is never touched.
    fixtures.published("other", "d0-am", DAY0);

    RetentionConfig twoDays = new RetentionConfig(1, 2, 0, 0, 0);
    // Young unpublished directories may still be uploading: kept.
    RetentionExecutor.Outcome young =
        new RetentionExecutor(store, manifests, clockAt(Duration.ofHours(1)))
            .apply(service, twoDays, Set.of("running", "d0-am"));
    assertThat(young.abandoned()).isEmpty();
    assertThat(young.kept())
        .extracting(RetentionPolicy.Kept::backupId)
        .containsExactly("d3-pm", "d2-pm", "d0-am");
    assertThat(young.deleted())
        .containsExactlyInAnyOrder("d3-am", "d2-am", "d1-pm", "d1-am", "d0-pm");
    assertThat(young.skipped()).containsOnlyKeys("d3-broken");
    for (String id : young.deleted()) {
      assertThat(store.listKeys(LAYOUT.backupDir(service, id))).as(id).isEmpty();
    }
    for (String id : new String[] {"d3-pm", "d2-pm", "d0-am"}) {
      assertThat(manifests.find(service, id)).as(id).isPresent();
    }
    assertThat(store.listKeys(LAYOUT.backupDir(service, "d3-broken")))
        .contains(LAYOUT.manifestKey(service, "d3-broken"));
    assertThat(store.listKeys(LAYOUT.backupDir(service, "crashed"))).isNotEmpty();
    assertThat(store.listUploads(mpuKey)).hasSize(1);

    // A day later they are abandoned: removed, their multipart uploads aborted.
    RetentionExecutor.Outcome later =
        new RetentionExecutor(store, manifests, clockAt(Duration.ofHours(25)))
            .apply(service, twoDays, Set.of("running"));
    assertThat(later.abandoned()).containsExactly("crashed", "mpu-only");
    assertThat(later.uploadsAborted()).isEqualTo(1);
    assertThat(store.listKeys(LAYOUT.backupDir(service, "crashed"))).isEmpty();
    assertThat(store.listUploads(mpuKey)).isEmpty();
    assertThat(store.listKeys(LAYOUT.backupDir(service, "running"))).isNotEmpty();
    // Unprotected now, d0-am goes; the two newest days stay.
    assertThat(later.deleted()).containsExactly("d0-am");
    assertThat(manifests.listVerified(service, 10))
        .extracting(Manifest::backupId)
        .containsExactly("d3-pm", "d2-pm");
    assertThat(manifests.find("other", "d0-am")).isPresent();
  }
}
