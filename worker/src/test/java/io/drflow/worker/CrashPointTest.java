package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.activities.runbook.BackupActivitiesImpl.StreamProgress;
import io.drflow.activities.storage.ChunkedDownloader.Checkpoint;
import org.junit.jupiter.api.Test;

/** Which heartbeats count as "in the middle" for {@code mid:<activity>} crash points. */
class CrashPointTest {

  @Test
  void aDownloadIsInTheMiddleOnceAChunkIsVerifiedOnDisk() {
    assertThat(CrashPoint.showsProgress(new Checkpoint("ab", 0, 0, 0))).isFalse();
    assertThat(CrashPoint.showsProgress(new Checkpoint("ab", 3, 300, 900))).isTrue();
  }

  @Test
  void anUploadIsInTheMiddleOnceAPartIsStored() {
    assertThat(CrashPoint.showsProgress(new StreamProgress("counting 1/9", 0, 0))).isFalse();
    assertThat(CrashPoint.showsProgress(new StreamProgress("streaming", 5 << 20, 0))).isFalse();
    assertThat(CrashPoint.showsProgress(new StreamProgress("streaming", 9 << 20, 5 << 20))).isTrue();
  }

  @Test
  void otherActivitiesAreInTheMiddleAtTheirFirstHeartbeat() {
    assertThat(CrashPoint.showsProgress("pg_restore -j2 into drill_x")).isTrue();
    assertThat(CrashPoint.showsProgress(null)).isFalse();
  }

  @Test
  void offUnlessTheEnvironmentNamesAPoint() {
    assertThat(System.getenv(CrashPoint.ENV)).isNull();
    assertThat(CrashPoint.fromEnvironment()).isEmpty();
  }
}
