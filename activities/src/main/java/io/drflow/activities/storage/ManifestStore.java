package io.drflow.activities.storage;

import io.drflow.workflows.runbook.ScratchNames;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes backup manifests. A backup becomes visible to restores only when its {@code
 * manifest.json} exists, and that is written only after the data object and chunk index are checked
 * against it; until then the to-be manifest waits in {@code staging.json}.
 */
public final class ManifestStore {

  private static final Logger log = LoggerFactory.getLogger(ManifestStore.class);

  /** Newest snapshot first; equal instants by backup id, descending, so order is total. */
  public static final Comparator<Manifest> NEWEST_FIRST =
      Comparator.comparing((Manifest m) -> createdAt(m))
          .thenComparing(Manifest::backupId)
          .reversed();

  private final ObjectStore store;
  private final BackupLayout layout;

  public ManifestStore(ObjectStore store, BackupLayout layout) {
    this.store = store;
    this.layout = layout;
  }

  public BackupLayout layout() {
    return layout;
  }

  /** Writes the to-be manifest of a backup whose data is uploaded but not yet checked. */
  public String writeStaging(Manifest manifest) {
    String key = layout.stagingKey(manifest.service(), manifest.backupId());
    requireConsistent(key, manifest);
    store.putJson(key, manifest);
    return key;
  }

  /**
   * Writes {@code manifest.json} directly, after checking the data object has the recorded size.
   * {@link #publish} is the usual route; this one is for manifests built in one step.
   */
  public String write(Manifest manifest) {
    String key = layout.manifestKey(manifest.service(), manifest.backupId());
    requireConsistent(key, manifest);
    requireDataObject(manifest);
    store.putJson(key, manifest);
    return key;
  }

  /**
   * Publishes the backup whose directory (or any key in it) is given: checks the staged manifest's
   * data object size and chunk index checksum, writes {@code manifest.json}, deletes the staging
   * document. Idempotent: a backup already published with the same manifest is returned as it is.
   *
   * @throws BackupMissingException when there is neither a staging document nor a manifest, or an
   *     object the manifest names is missing
   * @throws ChecksumMismatchException when the data object or chunk index differs from the staged
   *     manifest
   * @throws IllegalStateException when a different manifest is already published there
   */
  public Manifest publish(String backupDirOrKey) {
    BackupLayout.BackupKey at =
        layout
            .parseDirOrKey(backupDirOrKey)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "'" + backupDirOrKey + "' is not a backup directory or key"));
    return publish(at.service(), at.backupId());
  }

  public Manifest publish(String service, String backupId) {
    String stagingKey = layout.stagingKey(service, backupId);
    String manifestKey = layout.manifestKey(service, backupId);
    Optional<byte[]> staged = store.getBytes(stagingKey);
    if (staged.isEmpty()) {
      // A retry after the manifest was written and staging deleted.
      return find(service, backupId)
          .orElseThrow(
              () ->
                  new BackupMissingException(
                      stagingKey,
                      "nothing to publish for backup "
                          + backupId
                          + ": neither "
                          + stagingKey
                          + " nor "
                          + manifestKey
                          + " exists"));
    }
    Manifest manifest = parse(stagingKey, staged.get());
    requireConsistent(stagingKey, manifest);
    requireDataObject(manifest);
    requireChunkIndex(manifest);
    for (String extra : new String[] {manifest.rolesKey(), manifest.globalsKey()}) {
      if (extra != null && store.head(extra).isEmpty()) {
        throw new BackupMissingException(
            extra, "the manifest names " + extra + ", which does not exist");
      }
    }
    Optional<Manifest> existing = find(service, backupId);
    if (existing.isPresent() && !existing.get().equals(manifest)) {
      throw new IllegalStateException(
          manifestKey
              + " already exists and differs from "
              + stagingKey
              + "; refusing to replace it");
    }
    if (existing.isEmpty()) {
      store.putJson(manifestKey, manifest);
    }
    store.delete(stagingKey);
    return manifest;
  }

  /**
   * The manifest at {@code manifestKey}.
   *
   * @throws BackupMissingException when there is none
   * @throws InvalidManifestException when it is of an unknown format or inconsistent
   */
  public Manifest read(String manifestKey) {
    byte[] bytes =
        store
            .getBytes(manifestKey)
            .orElseThrow(
                () ->
                    new BackupMissingException(
                        manifestKey, "manifest " + manifestKey + " does not exist"));
    Manifest m = parse(manifestKey, bytes);
    requireConsistent(manifestKey, m);
    return m;
  }

  public Optional<Manifest> find(String service, String backupId) {
    return readIfPresent(layout.manifestKey(service, backupId));
  }

  /** The staged (uploaded, not yet published) manifest of a backup, if there is one. */
  public Optional<Manifest> findStaging(String service, String backupId) {
    return readIfPresent(layout.stagingKey(service, backupId));
  }

  private Optional<Manifest> readIfPresent(String key) {
    return store
        .getBytes(key)
        .map(
            bytes -> {
              Manifest m = parse(key, bytes);
              requireConsistent(key, m);
              return m;
            });
  }

  /**
   * Every readable manifest of the service, newest first; unreadable ones are logged and skipped.
   */
  public List<Manifest> list(String service) {
    return scan(service).manifests();
  }

  /**
   * The newest backups whose manifest reads and whose data object and chunk index exist, the data
   * object with its recorded size; newest first.
   */
  public List<Manifest> listVerified(String service, int limit) {
    Scan scan = scan(service);
    return scan.manifests().stream().filter(scan::verified).limit(limit).toList();
  }

  /**
   * Verified backups that hold a healthy database, newest first: safety copies (taken of a
   * damaged database before a recovery replaces it) are left out, so a drill, a failover's
   * restore or the backup-age metric never takes one for the newest good backup.
   */
  public List<Manifest> listRestorable(String service, int limit) {
    Scan scan = scan(service);
    return scan.manifests().stream()
        .filter(scan::verified)
        .filter(m -> !ScratchNames.isSafetyCopy(m.backupId()))
        .limit(limit)
        .toList();
  }

  /** The newest verified backup that is not a safety copy. */
  public Optional<Manifest> newestVerified(String service) {
    return listRestorable(service, 1).stream().findFirst();
  }

  /** One listing of a service's backups: what is stored, and the manifests that read. */
  record Scan(
      Map<String, ObjectStore.ObjectInfo> objects,
      List<Manifest> manifests,
      Map<String, String> unreadable) {

    boolean verified(Manifest m) {
      ObjectStore.ObjectInfo data = objects.get(m.dump().key());
      return data != null
          && data.size() == m.dump().storedBytes()
          && objects.containsKey(m.dump().chunkIndexKey());
    }
  }

  Scan scan(String service) {
    Map<String, ObjectStore.ObjectInfo> objects =
        store.list(layout.backupsPrefix(service)).stream()
            .collect(Collectors.toMap(ObjectStore.ObjectInfo::key, Function.identity()));
    List<Manifest> manifests = new ArrayList<>();
    Map<String, String> unreadable = new TreeMap<>();
    for (String key : objects.keySet()) {
      Optional<BackupLayout.BackupKey> k = layout.parse(key);
      if (k.isEmpty() || !k.get().file().equals(BackupLayout.MANIFEST)) {
        continue;
      }
      try {
        manifests.add(read(key));
      } catch (InvalidManifestException | BackupMissingException e) {
        log.warn("skipping backup manifest: {}", e.getMessage());
        unreadable.put(k.get().backupId(), e.getMessage());
      }
    }
    manifests.sort(NEWEST_FIRST);
    return new Scan(objects, List.copyOf(manifests), unreadable);
  }

  private static Manifest parse(String key, byte[] bytes) {
    Manifest m;
    try {
      m = StorageJson.MAPPER.readValue(bytes, Manifest.class);
    } catch (IOException e) {
      throw new InvalidManifestException(key, "not a valid manifest document: " + e.getMessage());
    }
    if (m == null || !Manifest.FORMAT.equals(m.format())) {
      throw new InvalidManifestException(
          key,
          "unknown manifest format '"
              + (m == null ? null : m.format())
              + "' (this drflow reads "
              + Manifest.FORMAT
              + "; a newer drflow may have written it)");
    }
    return m;
  }

  /** The manifest must describe the directory it is stored in, or retention would lose data. */
  private void requireConsistent(String key, Manifest m) {
    List<String> problems = new ArrayList<>();
    if (!Manifest.FORMAT.equals(m.format())) {
      problems.add("format is '" + m.format() + "', expected " + Manifest.FORMAT);
    }
    Optional<BackupLayout.BackupKey> at = layout.parse(key);
    if (at.isPresent()) {
      if (!at.get().service().equals(m.service())) {
        problems.add("service '" + m.service() + "' but stored under " + at.get().service());
      }
      if (!at.get().backupId().equals(m.backupId())) {
        problems.add("backupId '" + m.backupId() + "' but stored under " + at.get().backupId());
      }
    }
    if (m.createdAt() == null || parseInstant(m.createdAt()) == null) {
      problems.add("createdAt '" + m.createdAt() + "' is not an ISO-8601 instant");
    }
    Manifest.Dump d = m.dump();
    if (d == null) {
      problems.add("no dump section");
    } else if (problems.isEmpty()) {
      if (!layout.dataKey(m.service(), m.backupId()).equals(d.key())) {
        problems.add("dump.key " + d.key() + " is outside the backup's directory");
      }
      if (!layout.chunkIndexKey(m.service(), m.backupId()).equals(d.chunkIndexKey())) {
        problems.add(
            "dump.chunkIndexKey " + d.chunkIndexKey() + " is outside the backup's directory");
      }
      if (d.sha256() == null || d.chunkIndexSha256() == null || d.storedBytes() <= 0) {
        problems.add("dump section lacks checksums or sizes");
      }
    }
    if (!problems.isEmpty()) {
      throw new InvalidManifestException(key, String.join("; ", problems));
    }
  }

  private void requireDataObject(Manifest m) {
    String key = m.dump().key();
    long size =
        store
            .size(key)
            .orElseThrow(
                () ->
                    new BackupMissingException(
                        key, "backup data object " + key + " does not exist"));
    if (size != m.dump().storedBytes()) {
      throw new ChecksumMismatchException(
          key, "size", m.dump().storedBytes() + " bytes", size + " bytes");
    }
  }

  private void requireChunkIndex(Manifest m) {
    String key = m.dump().chunkIndexKey();
    byte[] index =
        store
            .getBytes(key)
            .orElseThrow(
                () -> new BackupMissingException(key, "chunk index " + key + " does not exist"));
    String sha = Sha256.hex(index);
    if (!sha.equals(m.dump().chunkIndexSha256())) {
      throw new ChecksumMismatchException(key, "SHA-256", m.dump().chunkIndexSha256(), sha);
    }
  }

  /** {@code createdAt} as an instant; null when it does not parse. */
  public static Instant parseInstant(String iso) {
    if (iso == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(iso).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Instant createdAt(Manifest m) {
    Instant i = parseInstant(m.createdAt());
    return i == null ? Instant.EPOCH : i;
  }
}
