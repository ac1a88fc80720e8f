package io.drflow.activities.storage;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.drflow.activities.postgres.DatabaseInventory;

/**
 * The JSON document beside each backup ({@code manifest.json}). Its presence is what makes a
 * backup visible to restores: it is written last, after the data object is verified complete.
 *
 * @param format always {@link #FORMAT}; readers refuse other values
 * @param createdAt the snapshot instant (ISO-8601): the point in time the backup restores to
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
    String format,
    String service,
    String backupId,
    String createdAt,
    String completedAt,
    Source source,
    Dump dump,
    String rolesKey,
    String globalsKey,
    DatabaseInventory inventory) {

  public static final String FORMAT = "drflow-backup/1";

  /** The database the backup was taken from (no credentials). */
  public record Source(String server, String database, String user, String pgDumpVersion) {}

  /**
   * The data object: a {@code pg_dump -Fc -Z0} stream cut into chunks, each compressed as an
   * independent zstd frame and concatenated (so plain {@code zstd -d} also decodes it).
   *
   * @param chunkIndexKey JSON list of chunks (stored offset/length, raw offset/length, SHA-256)
   * @param chunkIndexSha256 SHA-256 of the chunk index object, so the index is as trusted as the
   *     manifest
   */
  public record Dump(
      String key,
      String dumpFormat,
      String compression,
      int zstdLevel,
      long chunkBytes,
      long storedBytes,
      long dumpBytes,
      String sha256,
      String chunkIndexKey,
      String chunkIndexSha256,
      int chunks) {}
}
