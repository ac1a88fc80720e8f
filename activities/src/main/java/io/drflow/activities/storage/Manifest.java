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
    DatabaseInventory inventory,
    Encryption encryption) {

  public static final String FORMAT = "drflow-backup/1";

  /** A backup stored in plain (compressed only). */
  public Manifest(
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
    this(format, service, backupId, createdAt, completedAt, source, dump, rolesKey, globalsKey,
        inventory, null);
  }

  public boolean encrypted() {
    return encryption != null;
  }

  /**
   * How the data object, roles and globals are encrypted (absent: they are not). Nothing here is
   * secret: the key is named by its id only.
   *
   * @param format {@link ChunkCipher#FORMAT}; readers refuse other values
   * @param algorithm {@link ChunkCipher#ALGORITHM}
   * @param keyId fingerprint of the key (see {@link BackupKeys})
   * @param salt Base64 of the random salt this backup's own keys are derived with
   * @param authenticator Base64 HMAC-SHA256, under a key derived from this backup's, of the
   *     {@link Dump} fields a restore trusts (sizes, checksums, chunk count): rewriting the
   *     manifest's or chunk index's checksums to match altered bytes is then detected too
   */
  public record Encryption(
      String format, String algorithm, String keyId, String salt, String authenticator) {}

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
