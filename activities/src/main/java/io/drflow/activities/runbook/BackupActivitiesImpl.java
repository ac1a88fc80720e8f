package io.drflow.activities.runbook;

import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.postgres.ArchiveOffsets;
import io.drflow.activities.postgres.DatabaseInventory;
import io.drflow.activities.postgres.Globals;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.postgres.PgDump;
import io.drflow.activities.postgres.PgProcess;
import io.drflow.activities.postgres.PgTools;
import io.drflow.activities.postgres.SnapshotSession;
import io.drflow.activities.storage.BackupKeys;
import io.drflow.activities.storage.BackupLayout;
import io.drflow.activities.storage.ChunkCipher;
import io.drflow.activities.storage.ChunkedUploader;
import io.drflow.activities.storage.Manifest;
import io.drflow.activities.storage.ManifestStore;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.activities.storage.RawObserver;
import io.drflow.activities.storage.RawPatch;
import io.drflow.activities.storage.RetentionExecutor;
import io.drflow.activities.storage.StorageJson;
import io.drflow.workflows.activities.BackupActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Backups: a snapshot-consistent pg_dump streamed through chunked zstd into S3. */
public final class BackupActivitiesImpl implements BackupActivities {

  private static final Logger log = LoggerFactory.getLogger(BackupActivitiesImpl.class);
  static final String DUMP_FORMAT = "pg_dump custom format (-Fc -Z0)";
  /** Parallel counting connections: enough to overlap I/O, few enough to spare production. */
  private static final int COUNT_PARALLELISM = 2;

  private final ServiceRegistry services;
  private final PgConnections connections;
  private final ObjectStore store;
  private final ManifestStore manifests;
  private final BackupLayout layout;
  private final ChunkedUploader uploader;
  private final Secrets secrets;

  public BackupActivitiesImpl(
      ServiceRegistry services, PgConnections connections, ObjectStore store, BackupLayout layout) {
    this(services, Secrets.fromEnvironment(), connections, store, layout);
  }

  /** @param secrets where the backup encryption key is read from, when one is configured */
  public BackupActivitiesImpl(
      ServiceRegistry services,
      Secrets secrets,
      PgConnections connections,
      ObjectStore store,
      BackupLayout layout) {
    this.services = services;
    this.secrets = secrets;
    this.connections = connections;
    this.store = store;
    this.layout = layout;
    this.manifests = new ManifestStore(store, layout);
    this.uploader = new ChunkedUploader(store, services.config().backup());
  }

  /** What the heartbeat says while a backup streams. */
  public record StreamProgress(String stage, long rawBytes, long storedBytes) {}

  @Override
  public DumpResult dumpAndUpload(DumpRequest request) {
    return ActivityErrors.translate(
        () -> {
          ServiceConfig svc = services.service(request.service());
          BackupLayout.requireBackupId(request.backupId());
          Optional<DumpResult> done = alreadyUploaded(request);
          if (done.isPresent()) {
            log.info("backup {} of {} was already uploaded by an earlier attempt", request.backupId(), request.service());
            return done.get();
          }
          return stream(request, svc.postgres());
        });
  }

  /**
   * A retry after the upload finished but before the workflow heard of it: the staged manifest
   * and its object are complete, so dumping again would only repeat the work.
   */
  private Optional<DumpResult> alreadyUploaded(DumpRequest request) {
    Optional<Manifest> staged = manifests.findStaging(request.service(), request.backupId());
    if (staged.isEmpty()) {
      return Optional.empty();
    }
    Manifest m = staged.get();
    if (store.size(m.dump().key()).orElse(-1) != m.dump().storedBytes()) {
      return Optional.empty();
    }
    Instant at = Instant.parse(m.createdAt());
    return Optional.of(
        result(request, m, at, List.of()));
  }

  private DumpResult stream(DumpRequest request, PostgresConfig pg) throws Exception {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    String service = request.service();
    String id = request.backupId();
    // Read before anything runs: a missing or malformed key fails the backup before it dumps.
    ChunkCipher cipher =
        BackupKeys.resolve(services.config().storage().encryption(), secrets)
            .current()
            .map(k -> ChunkCipher.create(k, service, id))
            .orElse(null);
    Instant snapshotStarted = Instant.now();
    int serverVersion = connections.serverVersionNum(pg);
    PgTools tools = PgTools.forServer(services.config().worker().pgBin(), serverVersion);
    try (SnapshotSession snapshot = SnapshotSession.open(connections, pg)) {
      // Counting and pg_dump read the same snapshot, so they run side by side; whichever ends
      // first waits for the other before the snapshot is released.
      AtomicBoolean abandon = new AtomicBoolean();
      AtomicReference<SnapshotSession.CountProgress> counted = new AtomicReference<>();
      AtomicReference<Instant> snapshotEnded = new AtomicReference<>();
      CompletableFuture<DatabaseInventory> counting =
          background(
              "drflow-count",
              () -> {
                DatabaseInventory inv =
                    snapshot.inventory(
                        COUNT_PARALLELISM,
                        Heartbeat.EVERY,
                        p -> {
                          counted.set(p);
                          abandonIfAsked(abandon);
                        });
                snapshotEnded.set(Instant.now());
                return inv;
              });
      CompletableFuture<Globals> roles =
          background(
              "drflow-globals",
              () -> {
                Globals g =
                    Globals.capture(tools, connections, pg, Heartbeat.EVERY, () -> abandonIfAsked(abandon));
                // Role password hashes are in both: encrypted like the data when it is.
                byte[] sql = g.sql().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                byte[] roleJson = StorageJson.MAPPER.writeValueAsBytes(g.roles());
                if (cipher == null) {
                  store.putBytes(layout.globalsKey(service, id), sql, "application/sql");
                  store.putBytes(layout.rolesKey(service, id), roleJson, "application/json");
                } else {
                  store.putBytes(
                      layout.globalsKey(service, id),
                      cipher.sealObject(ChunkCipher.Stream.GLOBALS, sql),
                      "application/octet-stream");
                  store.putBytes(
                      layout.rolesKey(service, id),
                      cipher.sealObject(ChunkCipher.Stream.ROLES, roleJson),
                      "application/octet-stream");
                }
                return g;
              });
      ChunkedUploader.Result uploaded;
      DatabaseInventory inventory;
      try {
        try (PgProcess dump = PgDump.start(tools, connections, snapshot)) {
          try {
            uploaded =
                uploader.upload(
                    dump.stdout(),
                    layout.dataKey(service, id),
                    layout.chunkIndexKey(service, id),
                    (raw, stored) -> ctx.heartbeat(new StreamProgress(streamStage(counted.get()), raw, stored)),
                    new DataOffsetRecorder(),
                    cipher);
          } catch (Exception e) {
            dump.destroyTree();
            throw e;
          }
          // A dump that ended early also ends the stream early: only pg_dump's exit status tells.
          dump.awaitSuccess(Heartbeat.EVERY, Heartbeat.tick(new StreamProgress("finishing", 0, 0)));
        }
        inventory =
            await(counting, () -> ctx.heartbeat(new StreamProgress(streamStage(counted.get()), 0, 0)));
        await(roles, () -> ctx.heartbeat(new StreamProgress("globals", 0, 0)));
      } catch (Exception e) {
        abandon.set(true);
        // The snapshot's connections must be idle before try-with-resources closes them.
        awaitQuietly(counting);
        awaitQuietly(roles);
        throw e;
      }
      Manifest.Dump dumped = uploaded.toManifestDump(DUMP_FORMAT);
      Manifest manifest =
          new Manifest(
              Manifest.FORMAT,
              service,
              id,
              snapshot.snapshotAt().toString(),
              null,
              new Manifest.Source(pg.server(), pg.database(), pg.user(), tools.version()),
              dumped,
              layout.rolesKey(service, id),
              layout.globalsKey(service, id),
              inventory,
              cipher == null ? null : cipher.describe(dumped));
      manifests.writeStaging(manifest);
      List<StageTiming> stages = new ArrayList<>();
      stages.add(new StageTiming("Snapshot", snapshotStarted.toEpochMilli(), snapshotEnded.get().toEpochMilli()));
      stages.add(stage("Dump", uploaded.stage("read"), uploaded));
      stages.add(stage("Compress", uploaded.stage("compress"), uploaded));
      if (cipher != null) {
        stages.add(stage("Encrypt", uploaded.stage("encrypt"), uploaded));
      }
      stages.add(stage("Checksum", uploaded.stage("hash"), uploaded));
      stages.add(stage("Upload", uploaded.stage("upload"), uploaded));
      log.info(
          "backup {} of {}: {} tables, {} rows, {} bytes dumped, {} stored{}",
          id, service, inventory.tables().size(), inventory.totalRows(), uploaded.rawBytes(), uploaded.storedBytes(),
          cipher == null ? "" : ", encrypted with key " + cipher.keyId());
      return result(request, manifest, snapshot.snapshotAt(), stages);
    }
  }

  private static String streamStage(SnapshotSession.CountProgress p) {
    return p == null || p.tablesCounted() >= p.tablesTotal()
        ? "streaming"
        : "streaming; counted " + p.tablesCounted() + "/" + p.tablesTotal() + " tables";
  }

  private static void abandonIfAsked(AtomicBoolean abandon) {
    if (abandon.get()) {
      throw new IllegalStateException("backup abandoned");
    }
  }

  private static <T> CompletableFuture<T> background(String name, Callable<T> work) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(work.call());
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return f;
  }

  /** The result of {@code f}, heartbeating meanwhile; its own exception is rethrown as is. */
  private static <T> T await(CompletableFuture<T> f, Runnable heartbeat) throws Exception {
    while (true) {
      try {
        return f.get(Heartbeat.EVERY.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillRunning) {
        heartbeat.run();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof Exception ex) {
          throw ex;
        }
        throw e;
      }
    }
  }

  private static void awaitQuietly(CompletableFuture<?> f) {
    try {
      f.get(2, TimeUnit.MINUTES);
    } catch (Exception ignored) {
      // its failure is not the one being reported
    }
  }

  /**
   * Records, while the dump streams past, where pg_dump's data blocks start: restores write these
   * offsets into the downloaded file so pg_restore -j can seek to each table's data.
   */
  static final class DataOffsetRecorder implements RawObserver {
    private final ArchiveOffsets.Scanner scanner = new ArchiveOffsets.Scanner();

    @Override
    public void accept(byte[] b, int off, int len) {
      scanner.accept(b, off, len);
    }

    @Override
    public List<RawPatch> finish() {
      List<RawPatch> out = new ArrayList<>();
      for (ArchiveOffsets.Patch p : scanner.finish()) {
        out.add(RawPatch.of(p.position(), p.expected(), p.replacement()));
      }
      if (scanner.problem() != null) {
        log.warn("could not record the dump's data offsets: {}", scanner.problem());
      }
      return out;
    }
  }

  /** A pipeline stage's window; a stage that never ran (an empty dump) gets an empty one. */
  private static StageTiming stage(
      String name, io.drflow.activities.storage.StageTiming s, ChunkedUploader.Result whole) {
    Instant start = s.firstStartedAt() != null ? s.firstStartedAt() : whole.startedAt();
    Instant end = s.lastEndedAt() != null ? s.lastEndedAt() : start;
    return new StageTiming(name, start.toEpochMilli(), end.toEpochMilli());
  }

  private DumpResult result(DumpRequest r, Manifest m, Instant snapshotAt, List<StageTiming> stages) {
    return new DumpResult(
        r.service(),
        r.backupId(),
        m.dump().key(),
        layout.stagingKey(r.service(), r.backupId()),
        m.rolesKey(),
        m.globalsKey(),
        snapshotAt.toString(),
        snapshotAt.toEpochMilli(),
        m.inventory().serverVersion(),
        m.inventory().tables().size(),
        m.inventory().totalRows(),
        m.dump().dumpBytes(),
        m.dump().storedBytes(),
        m.dump().sha256(),
        stages);
  }

  @Override
  public Published publishManifest(DumpResult dump) {
    return ActivityErrors.translate(
        () -> {
          Manifest m = manifests.publish(dump.service(), dump.backupId());
          return new Published(
              layout.manifestKey(dump.service(), dump.backupId()),
              m.dump().key(),
              m.dump().sha256(),
              m.dump().storedBytes());
        });
  }

  @Override
  public RetentionResult applyRetention(String service, String protectBackupId) {
    return ActivityErrors.translate(
        () -> {
          ServiceConfig svc = services.service(service);
          RetentionExecutor.Outcome outcome =
              new RetentionExecutor(store, manifests, Clock.systemUTC())
                  .apply(service, svc.retention(), protectBackupId == null ? Set.of() : Set.of(protectBackupId));
          return new RetentionResult(
              outcome.kept().size(),
              outcome.deleted(),
              outcome.kept().stream().map(k -> k.backupId() + ": " + String.join(", ", k.reasons())).toList());
        });
  }
}
