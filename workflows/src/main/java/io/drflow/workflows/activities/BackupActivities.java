package io.drflow.workflows.activities;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/** Takes a consistent logical backup of a service's database into object storage. */
@ActivityInterface
public interface BackupActivities {

  /** What one backup run asks for; the id is chosen by the workflow so retries reuse it. */
  record DumpRequest(String service, String backupId) {}

  /** A stage of the streaming pipeline with the window it was measured to occupy. */
  record StageTiming(String stage, long startedAtMillis, long endedAtMillis) {}

  /**
   * The uploaded but not yet published backup. {@code stagingKey} holds everything the manifest
   * needs (row counts, chunk index) so the workflow never carries it.
   */
  record DumpResult(
      String service,
      String backupId,
      String dataKey,
      String stagingKey,
      String rolesKey,
      String globalsKey,
      String snapshotAt,
      long snapshotAtMillis,
      String serverVersion,
      int tables,
      long rows,
      long dumpBytes,
      long storedBytes,
      String sha256,
      List<StageTiming> stages) {}

  /** Result of publishing: the manifest written beside the data object. */
  record Published(String manifestKey, String dataKey, String sha256, long storedBytes) {}

  record RetentionResult(int kept, List<String> deletedBackupIds, List<String> reasons) {}

  /**
   * Exports a snapshot, counts every table's rows inside it, dumps globals (roles), and streams
   * {@code pg_dump --snapshot} → zstd → SHA-256 → S3 multipart upload. Heartbeats; idempotent per
   * backup id (a retry replaces the partial upload).
   */
  @ActivityMethod(name = "DumpAndUpload")
  DumpResult dumpAndUpload(DumpRequest request);

  /**
   * Checks the data object is complete (size and checksum as recorded) and writes the manifest,
   * which is what makes a backup visible to restores. Idempotent.
   */
  @ActivityMethod(name = "PublishManifest")
  Published publishManifest(DumpResult dump);

  /**
   * Applies the service's grandfather-father-son retention; never deletes {@code protectBackupId}
   * nor the newest good backup. Also removes abandoned unpublished uploads.
   */
  @ActivityMethod(name = "ApplyRetention")
  RetentionResult applyRetention(String service, String protectBackupId);
}
