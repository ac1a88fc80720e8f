package io.drflow.activities.config;

import java.util.List;

/**
 * At-rest encryption of backups ({@code storage.encryption}). The config names where the key is,
 * never the key: an environment variable holding it as Base64, or a file holding it (32 raw
 * bytes, or Base64 text). The worker reads the key when a backup or restore runs.
 *
 * @param keyEnv environment variable holding the current key, Base64 of 32 bytes
 * @param keyFile file holding the current key: exactly 32 bytes are taken raw, anything else must
 *     be Base64 of 32 bytes (surrounding whitespace ignored)
 * @param previousKeys keys of older backups, tried by key id when restoring; never used to
 *     encrypt
 * @param requireEncrypted restores refuse backups without encryption (so nobody can slip a
 *     plaintext backup into the bucket); off by default so backups taken before encryption was
 *     enabled still restore
 */
public record EncryptionConfig(
    String keyEnv, String keyFile, List<KeySource> previousKeys, Boolean requireEncrypted) {

  public EncryptionConfig {
    previousKeys = previousKeys == null ? List.of() : List.copyOf(previousKeys);
    requireEncrypted = requireEncrypted != null && requireEncrypted;
  }

  /** Encrypts with the key in {@code keyEnv}; no previous keys. */
  public static EncryptionConfig fromEnv(String keyEnv) {
    return new EncryptionConfig(keyEnv, null, null, null);
  }

  public KeySource current() {
    return new KeySource(keyEnv, keyFile);
  }

  /** Where one key is: exactly one of the two. */
  public record KeySource(String keyEnv, String keyFile) {

    public String describe() {
      return keyEnv != null ? "environment variable " + keyEnv : "key file " + keyFile;
    }
  }
}
