package io.drflow.activities.runbook;

import io.drflow.activities.config.EncryptionConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.postgres.ArchiveOffsets;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.postgres.PgDatabases;
import io.drflow.activities.postgres.PgRestore;
import io.drflow.activities.postgres.RestoreValidator;
import io.drflow.activities.postgres.RoleSet;
import io.drflow.activities.postgres.ScansDuringRestore;
import io.drflow.activities.storage.BackupKeys;
import io.drflow.activities.storage.BackupLayout;
import io.drflow.activities.storage.ChunkCipher;
import io.drflow.activities.storage.ChunkedDownloader;
import io.drflow.activities.storage.Manifest;
import io.drflow.activities.storage.ManifestStore;
import io.drflow.activities.storage.EncryptionKeyException;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.runbook.Failures;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Restores: locate, download with resume, parallel pg_restore, validation, scratch cleanup. */
public final class RestoreActivitiesImpl implements RestoreActivities {

  private static final Logger log = LoggerFactory.getLogger(RestoreActivitiesImpl.class);

  /**
   * Databases drflow may drop or replace: scratch databases of drills and the temporary names of
   * restores. Anything else, production above all, is refused whatever a payload says.
   */
  static final Pattern DISPOSABLE = Pattern.compile("^drill_.+|.+_restore_[0-9a-z]+$");

  static final String DUMP_FILE = "dump.pgc";

  private final ServiceRegistry services;
  private final PgConnections connections;
  private final ObjectStore store;
  private final ManifestStore manifests;
  private final BackupLayout layout;
  private final ChunkedDownloader downloader;
  private final WorkDirs workDirs;
  private final String hostQueue;
  private final Secrets secrets;

  public RestoreActivitiesImpl(
      ServiceRegistry services,
      PgConnections connections,
      ObjectStore store,
      BackupLayout layout,
      WorkDirs workDirs,
      String hostQueue) {
    this(services, Secrets.fromEnvironment(), connections, store, layout, workDirs, hostQueue);
  }

  /** @param secrets where backup encryption keys are read from, when configured */
  public RestoreActivitiesImpl(
      ServiceRegistry services,
      Secrets secrets,
      PgConnections connections,
      ObjectStore store,
      BackupLayout layout,
      WorkDirs workDirs,
      String hostQueue) {
    this.services = services;
    this.secrets = secrets;
    this.connections = connections;
    this.store = store;
    this.layout = layout;
    this.manifests = new ManifestStore(store, layout);
    this.downloader = new ChunkedDownloader(store, services.config().backup());
    this.workDirs = workDirs;
    this.hostQueue = hostQueue;
  }

  @Override
  public BackupRef locate(String service, String backupKeyOrId) {
    return ActivityErrors.translate(
        () -> {
          services.service(service);
          Manifest m;
          if (backupKeyOrId == null || backupKeyOrId.isBlank()) {
            m =
                manifests
                    .newestVerified(service)
                    .orElseThrow(
                        () ->
                            ApplicationFailure.newNonRetryableFailure(
                                "no verified backup of " + service + " in "
                                    + services.config().storage().describe()
                                    + "; run `drctl backup " + service + "` first",
                                Failures.BACKUP_NOT_FOUND));
          } else {
            String id = layout.resolveBackupId(service, backupKeyOrId);
            m =
                manifests
                    .find(service, id)
                    .orElseThrow(
                        () ->
                            ApplicationFailure.newNonRetryableFailure(
                                "no backup '" + backupKeyOrId + "' of " + service
                                    + " (no manifest at " + layout.manifestKey(service, id) + ")",
                                Failures.BACKUP_NOT_FOUND));
            long size = store.size(m.dump().key()).orElse(-1);
            if (size != m.dump().storedBytes()) {
              throw ApplicationFailure.newNonRetryableFailure(
                  "backup " + id + " is incomplete: " + m.dump().key() + " has "
                      + (size < 0 ? "no object" : size + " bytes") + ", the manifest says "
                      + m.dump().storedBytes(),
                  Failures.CHECKSUM_MISMATCH);
            }
          }
          return BackupRefs.of(m, layout);
        });
  }

  @Override
  public BackupRef locateAt(LocateAtRequest request) {
    return ActivityErrors.translate(
        () -> {
          String service = request.service();
          services.service(service);
          Instant notAfter = Instant.ofEpochMilli(request.notAfterMillis());
          // Safety copies hold a damaged database: never a recovery's choice unless named.
          List<Manifest> candidates =
              manifests.listRestorable(service, Integer.MAX_VALUE);
          for (Manifest m : candidates) {
            Instant at = ManifestStore.parseInstant(m.createdAt());
            if (at != null && !at.isAfter(notAfter)) {
              return BackupRefs.of(m, layout);
            }
          }
          if (candidates.isEmpty()) {
            throw ApplicationFailure.newNonRetryableFailure(
                "no verified backup of " + service + " in " + services.config().storage().describe()
                    + "; run `drctl backup " + service + "` first",
                Failures.BACKUP_NOT_FOUND);
          }
          Manifest oldest = candidates.get(candidates.size() - 1);
          throw ApplicationFailure.newNonRetryableFailure(
              "no verified backup of " + service + " was taken at or before " + notAfter + " ("
                  + request.why() + "): the oldest is " + oldest.backupId() + ", taken "
                  + oldest.createdAt() + ". Choose a later time, or name a backup with --backup",
              Failures.BACKUP_NOT_FOUND);
        });
  }

  @Override
  public String hostTaskQueue() {
    return hostQueue;
  }

  @Override
  public DownloadResult download(DownloadRequest request) {
    return ActivityErrors.translate(
        () -> {
          services.service(request.service());
          Manifest m = manifests.read(request.manifestKey());
          // Before any file or database exists: a backup this worker cannot decrypt stops here.
          ChunkCipher cipher = cipherFor(m);
          Path dir = workDirs.create(request.workId());
          Path target = dir.resolve(DUMP_FILE);
          ActivityExecutionContext ctx = Activity.getExecutionContext();
          ChunkedDownloader.Checkpoint resumeFrom =
              ctx.getHeartbeatDetails(ChunkedDownloader.Checkpoint.class).orElse(null);
          if (streams(request.service())) {
            java.util.concurrent.CountDownLatch scratch = prepareScratchAhead(request, m);
            StreamedRestore.Head head;
            try {
              head =
                  StreamedRestore.fetchHead(
                      new StreamedRestore.Source(
                          store, m.dump(), cipher, services.config().backup().downloadConcurrency(), dir),
                      // A checkpoint of nothing done: what a retry of this activity expects to find.
                      () -> ctx.heartbeat(new ChunkedDownloader.Checkpoint(m.dump().sha256(), 0, 0, 0)));
            } finally {
              awaitScratchLock(scratch);
            }
            if (head.problem() == null) {
              Files.deleteIfExists(target);
              return new DownloadResult(
                  request.workId(), m.dump().storedBytes(), m.dump().dumpBytes(), null, 0, head.bytesFetched(), true);
            }
            log.info("{}: restoring from a downloaded file: {}", m.dump().key(), head.problem());
          }
          Files.deleteIfExists(dir.resolve(StreamedRestore.HEAD_FILE));
          try {
            ChunkedDownloader.Result r =
                downloader.download(m.dump(), target, resumeFrom, ctx::heartbeat, cipher);
            if (r.resumedFromStoredByte() > 0) {
              log.info("download of {} resumed at byte {}", m.dump().key(), r.resumedFromStoredByte());
            }
            log.info(
                "downloaded {} ({} stored, {} raw, {} chunks) in {} ms; busy ms: {}",
                m.dump().key(),
                r.storedBytes(),
                r.rawBytes(),
                r.chunks(),
                java.time.Duration.between(r.startedAt(), r.endedAt()).toMillis(),
                r.stages().stream()
                    .map(st -> st.stage() + " " + st.busy().toMillis())
                    .collect(java.util.stream.Collectors.joining(", ")));
            // Backups older than the recorded offsets: find them in the file (reads it once).
            long o0 = System.nanoTime();
            ArchiveOffsets.Outcome offsets = ArchiveOffsets.ensure(target);
            log.debug("checked data offsets in {} ms: {}", (System.nanoTime() - o0) / 1_000_000, offsets);
            if (offsets.problem() != null) {
              log.warn("{}: pg_restore will scan for data blocks: {}", m.dump().key(), offsets.problem());
            } else if (offsets.patched() > 0) {
              log.info("{}: wrote {} data offsets the streamed dump lacked", m.dump().key(), offsets.patched());
            }
            return new DownloadResult(
                request.workId(),
                r.storedBytes(),
                r.rawBytes(),
                r.sha256(),
                r.resumedFromStoredByte(),
                r.bytesFetched());
          } catch (io.drflow.activities.storage.ChecksumMismatchException e) {
            // A corrupt file must not survive to be restored by a later attempt.
            Files.deleteIfExists(target);
            throw e;
          }
        });
  }

  /**
   * Creates the scratch database the download's Restore will fill (see {@link
   * DownloadRequest#scratchDatabase()}) on another thread: PostgreSQL takes 60-300 ms to create one,
   * the head fetch about as long. Counts down once the creation holds the database name's lock,
   * or has ended; null when the request names no database.
   */
  private java.util.concurrent.CountDownLatch prepareScratchAhead(DownloadRequest request, Manifest m) {
    if (request.scratchDatabase() == null || request.scratchServer() == null) {
      return null;
    }
    ServerConfig server = services.server(request.service(), request.scratchServer());
    refuseProduction(request.service(), server, request.scratchDatabase(), "create");
    PgRestore.Request restore =
        restoreRequest(server, request.scratchDatabase(), workDirs.dir(request.workId()).resolve(DUMP_FILE), m,
            request.workId());
    PgRestore restorer = new PgRestore(connections, services.config().worker().pgBin());
    java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
    PREPARE.execute(
        () -> {
          try {
            restorer.prepareAhead(restore.withRoles(roles(m)), locked::countDown);
          } catch (RuntimeException | Error e) {
            log.warn("could not create {} ahead of the restore; the restore will: {}", request.scratchDatabase(),
                String.valueOf(e));
          } finally {
            locked.countDown();
          }
        });
    return locked;
  }

  /**
   * Waits until {@link #prepareScratchAhead} holds the database name's lock (not for the CREATE
   * DATABASE itself, which goes on after the download ends): from then on the Restore's own
   * preparation, and a drop by the drill's cleanup on any worker, wait for it to finish. Its
   * failure does not fail the download: the Restore prepares the database itself and reports what
   * stops it.
   */
  private static void awaitScratchLock(java.util.concurrent.CountDownLatch locked) throws InterruptedException {
    if (locked != null) {
      locked.await();
    }
  }

  /**
   * What the restore of {@code m} into {@code database} asks of pg_restore, roles aside. The name
   * belongs to this run (see DISPOSABLE): a retry replaces its own half-restored attempt.
   */
  private PgRestore.Request restoreRequest(
      ServerConfig server, String database, Path dump, Manifest m, String workId) {
    return new PgRestore.Request(
        server,
        database,
        dump,
        null,
        services.config().worker().effectiveRestoreJobs(),
        true,
        m.source().pgDumpVersion(),
        completionMark(m, workId));
  }

  @Override
  public RestoreResult restore(RestoreRequest request) {
    long began = System.nanoTime();
    return ActivityErrors.translate(
        () -> {
          ServerConfig server = services.server(request.service(), request.server());
          refuseProduction(request.service(), server, request.database(), "restore into");
          Path dir = workDirs.dir(request.workId());
          Path dump = dir.resolve(DUMP_FILE);
          boolean streamed = !Files.isRegularFile(dump) && StreamedRestore.prepared(dir);
          if (!streamed && !Files.isRegularFile(dump)) {
            throw ApplicationFailure.newNonRetryableFailure(
                "the downloaded dump " + dump + " is gone from this host", Failures.WORK_FILES_MISSING);
          }
          Manifest m = manifests.read(request.manifestKey());
          PgRestore.Request req = restoreRequest(server, request.database(), dump, m, request.workId());
          int jobs = req.jobs();
          PgRestore restorer = new PgRestore(connections, services.config().worker().pgBin());
          // The database is created while the dump is made ready for pg_restore: neither needs
          // the other, and creating one takes 60-200 ms.
          java.util.concurrent.Future<PgRestore.Prepared> prepared =
              streamed ? PREPARE.submit(() -> restorer.prepare(req.withRoles(roles(m)))) : null;
          Runnable tick = Heartbeat.tick("pg_restore -j" + jobs + " into " + request.database());
          try (ScansDuringRestore scans =
              new ScansDuringRestore(
                  connections,
                  server.database(request.database()),
                  m.inventory(),
                  ArchiveOffsets.tocItems(streamed ? dir.resolve(StreamedRestore.HEAD_FILE) : dump),
                  RestoreValidator.defaultParallelism())) {
            log.info("restore into {}: manifest and TOC read in {} ms", request.database(),
                (System.nanoTime() - began) / 1_000_000);
            PgRestore.Result r =
                streamed
                    ? StreamedRestore.restore(
                        new StreamedRestore.Source(
                            store, m.dump(), cipherFor(m), services.config().backup().downloadConcurrency(), dir),
                        restorer,
                        req,
                        prepared,
                        tick,
                        scans::itemFinished)
                    : restorer.restore(req.withRoles(roles(m)), Heartbeat.EVERY, tick, scans::itemFinished);
            // A retry that found the restore already complete saw no restore progress: validation
            // then runs every scan itself.
            long f0 = System.nanoTime();
            List<Check> checks = r.alreadyRestored() ? List.of() : scans.finish(tick);
            log.info("checks of {} finished {} ms after pg_restore", request.database(),
                (System.nanoTime() - f0) / 1_000_000);
            return new RestoreResult(
                server.server(),
                request.database(),
                r.jobs(),
                r.rolesCreated(),
                streamed ? m.dump().dumpBytes() : r.dumpBytes(),
                checks);
          } finally {
            // A failure before pg_restore started must not leave a CREATE DATABASE running on
            // its own: a retry would race it.
            if (prepared != null) {
              awaitQuietly(prepared); // its failure is the restore's, or beside what stopped it
            }
          }
        });
  }

  /** Where restores prepare their database while the dump is made ready. */
  private static final java.util.concurrent.ExecutorService PREPARE =
      java.util.concurrent.Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "drflow-restore-prepare");
            t.setDaemon(true);
            return t;
          });

  /** Waits for {@code f} to end; what it failed with, if it failed. */
  private static Throwable awaitQuietly(java.util.concurrent.Future<?> f) {
    try {
      f.get();
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  @Override
  public ValidationResult validate(ValidateRequest request) {
    return ActivityErrors.translate(
        () -> {
          ServiceConfig svc = services.service(request.service());
          ServerConfig server = services.server(request.service(), request.server());
          Manifest m = manifests.read(request.manifestKey());
          PostgresConfig db = server.database(request.database());
          List<Check> checks =
              new RestoreValidator(connections)
                  .validate(
                      db,
                      m.inventory(),
                      svc.drill() == null ? List.of() : svc.drill().assertions(),
                      Heartbeat.EVERY,
                      Heartbeat.tick("validating " + request.database()),
                      request.restoreChecks());
          return new ValidationResult(checks);
        });
  }

  @Override
  public boolean dropDatabase(DropRequest request) {
    return ActivityErrors.translate(
        () -> {
          ServerConfig server = services.server(request.service(), request.server());
          refuseProduction(request.service(), server, request.database(), "drop");
          return new PgDatabases(connections).drop(server, request.database());
        });
  }

  @Override
  public void deleteWorkFiles(String workId) {
    ActivityErrors.run(() -> workDirs.delete(workId));
  }

  /**
   * Whether the service's restores stream the dump into pg_restore: the config says so and
   * pg_restore runs in parallel (a serial pg_restore does not report which table it reads next).
   */
  private boolean streams(String service) {
    ServiceConfig svc = services.service(service);
    boolean wanted = svc.drill() == null || svc.drill().streams();
    return wanted && services.config().worker().effectiveRestoreJobs() > 1;
  }

  /**
   * The cipher of an encrypted backup, with the key read now; null for a plain one.
   *
   * @throws EncryptionKeyException when this worker lacks the key, or refuses plain backups
   */
  private ChunkCipher cipherFor(Manifest m) {
    EncryptionConfig config = services.config().storage().encryption();
    if (!m.encrypted()) {
      if (config != null && config.requireEncrypted()) {
        throw new EncryptionKeyException(
            "backup " + m.backupId() + " of " + m.service() + " is not encrypted, and"
                + " storage.encryption.requireEncrypted refuses unencrypted backups");
      }
      return null;
    }
    return ChunkCipher.forBackup(BackupKeys.resolve(config, secrets), m);
  }

  /** The roles to create before the restore (decrypted when the backup is encrypted). */
  private RoleSet roles(Manifest m) {
    if (m.rolesKey() == null) {
      return null;
    }
    ChunkCipher cipher = cipherFor(m);
    return store
        .getBytes(m.rolesKey())
        .map(
            b ->
                ObjectStore.parseJson(
                    m.rolesKey(),
                    cipher == null ? b : cipher.openObject(m.rolesKey(), ChunkCipher.Stream.ROLES, b),
                    RoleSet.class))
        .orElse(null);
  }

  /** Marks a scratch database as fully restored by this run, from this backup. */
  static String completionMark(Manifest m, String workId) {
    return "drflow: restore of " + m.service() + " backup " + m.backupId() + " for run " + workId
        + " complete";
  }

  private void refuseProduction(String service, ServerConfig server, String database, String what) {
    PostgresConfig prod = services.service(service).postgres();
    boolean production =
        database.equals(prod.database()) && Optional.of(server.server()).equals(Optional.of(prod.server()));
    if (production || !DISPOSABLE.matcher(database).matches()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "refusing to " + what + " database '" + database + "' on " + server.server()
              + ": only databases drflow created for this run may be",
          Failures.INVALID_INPUT);
    }
  }
}
