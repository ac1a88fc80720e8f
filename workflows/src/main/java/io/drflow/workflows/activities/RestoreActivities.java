package io.drflow.workflows.activities;

import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.Check;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Restores a backup into a database and proves it. Download and restore run on the worker's
 * host-local task queue (see {@link #hostTaskQueue()}) because the restore reads the file the
 * download wrote.
 */
@ActivityInterface
public interface RestoreActivities {

  /**
   * @param scratchServer with {@code scratchDatabase}, where the Restore that follows will restore
   *     (drills): a download that only fetches the dump's head (a streamed restore) creates that
   *     database meanwhile, so the restore does not wait for it. Null: the Restore creates it
   */
  record DownloadRequest(
      String service, String manifestKey, String workId, String scratchServer, String scratchDatabase) {

    public DownloadRequest(String service, String manifestKey, String workId) {
      this(service, manifestKey, workId, null, null);
    }
  }

  /**
   * @param resumedFromByte where this attempt continued an earlier one's download (0: from the
   *     start)
   * @param bytesFetched stored bytes this attempt read from the bucket; after a resume, those
   *     before {@code resumedFromByte} are not fetched again
   * @param streamed only the archive's head was fetched: the Restore streams the rest (false from
   *     workers that predate streamed restores)
   */
  record DownloadResult(
      String workId,
      long storedBytes,
      long dumpBytes,
      String sha256,
      long resumedFromByte,
      long bytesFetched,
      boolean streamed) {

    public DownloadResult(
        String workId, long storedBytes, long dumpBytes, String sha256, long resumedFromByte, long bytesFetched) {
      this(workId, storedBytes, dumpBytes, sha256, resumedFromByte, bytesFetched, false);
    }
  }

  /**
   * @param server "drill" for the service's drill target, "source" for its production server
   * @param database the database to create and restore into; must not exist unless this same
   *     run created it
   */
  record RestoreRequest(
      String service, String manifestKey, String workId, String server, String database) {}

  /**
   * @param checks checks already made while pg_restore ran (row counts and orphaned foreign
   *     keys); empty when the restore made none, and null from workers that predate them
   */
  record RestoreResult(
      String server,
      String database,
      int jobs,
      List<String> rolesCreated,
      long restoredBytes,
      List<Check> checks) {

    public RestoreResult(
        String server, String database, int jobs, List<String> rolesCreated, long restoredBytes) {
      this(server, database, jobs, rolesCreated, restoredBytes, List.of());
    }
  }

  /**
   * @param restoreChecks the restore's own checks, which validation then does not repeat (null
   *     or empty: validation makes every check)
   */
  record ValidateRequest(
      String service, String manifestKey, String server, String database, List<Check> restoreChecks) {

    public ValidateRequest(String service, String manifestKey, String server, String database) {
      this(service, manifestKey, server, database, List.of());
    }
  }

  record ValidationResult(List<Check> checks) {
    public boolean passed() {
      return checks.stream().allMatch(Check::passed);
    }
  }

  record DropRequest(String service, String server, String database) {}

  /**
   * @param notAfterMillis the newest acceptable snapshot time
   * @param why how the bound was chosen ("--at", "incident start", ...), for error messages
   */
  record LocateAtRequest(String service, long notAfterMillis, String why) {}

  /**
   * Finds a backup: the given key (or backup id), or else the newest one whose manifest verifies
   * (parses, and its data object exists with the recorded size). Non-retryable {@code
   * BackupNotFound} when there is none.
   */
  @ActivityMethod(name = "LocateBackup")
  BackupRef locate(String service, String backupKeyOrId);

  /**
   * The newest backup whose manifest verifies and whose snapshot was taken at or before {@code
   * notAfterMillis}, leaving out safety copies (backups of damaged databases). Non-retryable
   * {@code BackupNotFound} naming the oldest backup when every one is newer.
   */
  @ActivityMethod(name = "LocateBackupAt")
  BackupRef locateAt(LocateAtRequest request);

  /** The task queue served only by the worker on this host, for activities that share files. */
  @ActivityMethod(name = "HostTaskQueue")
  String hostTaskQueue();

  /**
   * Downloads and decompresses the backup into the host's work directory, verifying every chunk
   * and the whole object's SHA-256. Resumes after a retry from the offset in its heartbeat.
   * Non-retryable {@code ChecksumMismatch} when the object does not match its manifest.
   */
  @ActivityMethod(name = "DownloadBackup")
  DownloadResult download(DownloadRequest request);

  /**
   * Creates the database (and any missing roles, NOLOGIN) and runs a parallel pg_restore into it,
   * counting each table's rows and checking each foreign key for orphans as soon as pg_restore
   * has loaded them. Heartbeats while pg_restore runs; a retry drops and recreates the
   * half-restored database.
   */
  @ActivityMethod(name = "RestoreDatabase")
  RestoreResult restore(RestoreRequest request);

  /**
   * Row counts against the manifest, orphaned foreign keys, invalid indexes and constraints, and
   * the service's own SQL assertions, each as a check with its figure.
   */
  @ActivityMethod(name = "ValidateRestore")
  ValidationResult validate(ValidateRequest request);

  /** Drops a database this runbook created. Idempotent: absent is success. */
  @ActivityMethod(name = "DropDatabase")
  boolean dropDatabase(DropRequest request);

  /** Deletes the work directory of a run on this host. Idempotent. */
  @ActivityMethod(name = "DeleteWorkFiles")
  void deleteWorkFiles(String workId);
}
