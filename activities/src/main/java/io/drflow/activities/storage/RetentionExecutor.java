package io.drflow.activities.storage;

import io.drflow.activities.config.RetentionConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link RetentionPolicy} to a service's backups in the bucket, and removes abandoned
 * uploads: backup directories that never got a manifest and have not changed for a day.
 *
 * <p>Only backups whose manifest reads and whose data object is intact take part in the policy.
 * Broken ones are left alone and reported: deleting them automatically would destroy what someone
 * investigating the breakage needs, and counting them would let them take a period's slot from a
 * good backup.
 */
public final class RetentionExecutor {

  private static final Logger log = LoggerFactory.getLogger(RetentionExecutor.class);

  /** An unpublished directory younger than this may belong to a backup still running. */
  public static final Duration ABANDONED_AFTER = Duration.ofHours(24);

  private final ObjectStore store;
  private final ManifestStore manifests;
  private final BackupLayout layout;
  private final Clock clock;

  public RetentionExecutor(ObjectStore store, ManifestStore manifests, Clock clock) {
    this.store = store;
    this.manifests = manifests;
    this.layout = manifests.layout();
    this.clock = clock;
  }

  /**
   * @param kept the backups kept and why
   * @param deleted backup ids deleted by the policy
   * @param abandoned unpublished backup directories removed
   * @param skipped backup id to why it took no part (unreadable manifest, missing data)
   */
  public record Outcome(
      List<RetentionPolicy.Kept> kept,
      List<String> deleted,
      List<String> abandoned,
      Map<String, String> skipped,
      int objectsDeleted,
      int uploadsAborted) {}

  public Outcome apply(String service, RetentionConfig config, Set<String> protectedIds) {
    Set<String> protect = new HashSet<>(protectedIds == null ? Set.of() : protectedIds);
    ManifestStore.Scan scan = manifests.scan(service);
    List<ObjectStore.Upload> uploads = store.listUploads(layout.backupsPrefix(service));

    Map<String, List<ObjectStore.ObjectInfo>> dirs = new TreeMap<>();
    for (ObjectStore.ObjectInfo o : scan.objects().values()) {
      layout
          .parse(o.key())
          .ifPresent(k -> dirs.computeIfAbsent(k.backupId(), id -> new ArrayList<>()).add(o));
    }

    Map<String, String> skipped = new TreeMap<>(scan.unreadable());
    List<RetentionPolicy.Candidate> candidates = new ArrayList<>();
    Set<String> published = new HashSet<>(scan.unreadable().keySet());
    for (Manifest m : scan.manifests()) {
      published.add(m.backupId());
      if (scan.verified(m)) {
        candidates.add(
            new RetentionPolicy.Candidate(m.backupId(), ManifestStore.parseInstant(m.createdAt())));
      } else {
        skipped.put(m.backupId(), "data object or chunk index missing or of the wrong size");
      }
    }

    RetentionPolicy.Decision decision = RetentionPolicy.decide(candidates, config, protect);
    int objectsDeleted = 0;
    int aborted = 0;
    for (String id : decision.deleteIds()) {
      objectsDeleted += deleteDirectory(service, id, dirs.getOrDefault(id, List.of()));
      aborted += abortUploads(service, id, uploads);
      log.info("retention deleted backup {} of {}", id, service);
    }

    List<String> abandoned = new ArrayList<>();
    Instant cutoff = clock.instant().minus(ABANDONED_AFTER);
    Set<String> unpublished = new HashSet<>(dirs.keySet());
    uploads.forEach(u -> layout.backupIdOf(u.key()).ifPresent(unpublished::add));
    unpublished.removeAll(published);
    unpublished.removeAll(protect);
    for (String id : unpublished.stream().sorted().toList()) {
      Instant lastActivity = lastActivity(id, dirs.getOrDefault(id, List.of()), uploads);
      if (lastActivity.isBefore(cutoff)) {
        objectsDeleted += deleteDirectory(service, id, dirs.getOrDefault(id, List.of()));
        aborted += abortUploads(service, id, uploads);
        abandoned.add(id);
        log.info("removed abandoned upload {} of {} (last written {})", id, service, lastActivity);
      }
    }
    return new Outcome(
        decision.keep(),
        decision.deleteIds(),
        List.copyOf(abandoned),
        skipped,
        objectsDeleted,
        aborted);
  }

  /**
   * Manifest first: a half-deleted backup must stop being offered to restores before its data goes.
   */
  private int deleteDirectory(String service, String id, List<ObjectStore.ObjectInfo> objects) {
    String manifestKey = layout.manifestKey(service, id);
    List<String> rest = new ArrayList<>();
    boolean hasManifest = false;
    for (ObjectStore.ObjectInfo o : objects) {
      if (o.key().equals(manifestKey)) {
        hasManifest = true;
      } else {
        rest.add(o.key());
      }
    }
    if (hasManifest) {
      store.delete(manifestKey);
    }
    store.deleteAll(rest);
    return rest.size() + (hasManifest ? 1 : 0);
  }

  private int abortUploads(String service, String id, List<ObjectStore.Upload> uploads) {
    String dir = layout.backupDir(service, id);
    int n = 0;
    for (ObjectStore.Upload u : uploads) {
      if (u.key().startsWith(dir)) {
        store.abort(u);
        n++;
      }
    }
    return n;
  }

  private Instant lastActivity(
      String id, List<ObjectStore.ObjectInfo> objects, List<ObjectStore.Upload> uploads) {
    Instant last = Instant.EPOCH;
    for (ObjectStore.ObjectInfo o : objects) {
      if (o.lastModified() != null && o.lastModified().isAfter(last)) {
        last = o.lastModified();
      }
    }
    for (ObjectStore.Upload u : uploads) {
      if (layout.backupIdOf(u.key()).filter(id::equals).isPresent()
          && u.initiated() != null
          && u.initiated().isAfter(last)) {
        last = u.initiated();
      }
    }
    return last;
  }
}
