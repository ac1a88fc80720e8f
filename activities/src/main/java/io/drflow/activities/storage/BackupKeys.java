package io.drflow.activities.storage;

import io.drflow.activities.config.EncryptionConfig;
import io.drflow.activities.config.Secrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backup encryption keys this worker holds, read from the environment or files when a backup
 * or restore runs (so key material lives in the worker's memory only, and a rotated file is
 * picked up without a restart). Keys are known by their id, a fingerprint that reveals nothing
 * of the key; the id is what manifests record and what errors name.
 */
public final class BackupKeys {

  public static final int KEY_BYTES = 32;
  private static final byte[] ID_LABEL = "drflow backup key id v1\0".getBytes(StandardCharsets.US_ASCII);

  /** One 256-bit key. Its bytes never appear in {@link #toString()}. */
  public static final class Key {
    private final String id;
    private final byte[] bytes;

    Key(byte[] bytes) {
      this.bytes = bytes.clone();
      this.id = idOf(bytes);
    }

    public String id() {
      return id;
    }

    byte[] bytes() {
      return bytes;
    }

    @Override
    public String toString() {
      return "key " + id;
    }
  }

  private static final BackupKeys NONE = new BackupKeys(null, Map.of(), false);

  private final Key current;
  private final Map<String, Key> byId;
  private final boolean requireEncrypted;

  private BackupKeys(Key current, Map<String, Key> byId, boolean requireEncrypted) {
    this.current = current;
    this.byId = byId;
    this.requireEncrypted = requireEncrypted;
  }

  public static BackupKeys none() {
    return NONE;
  }

  /**
   * Reads every configured key now.
   *
   * @throws Secrets.MissingSecretException when a named variable is not set
   * @throws EncryptionKeyException when a key file cannot be read or a key is not 32 bytes
   */
  public static BackupKeys resolve(EncryptionConfig config, Secrets secrets) {
    if (config == null) {
      return NONE;
    }
    Key current = read(config.current(), secrets);
    Map<String, Key> byId = new LinkedHashMap<>();
    byId.put(current.id(), current);
    for (EncryptionConfig.KeySource previous : config.previousKeys()) {
      Key k = read(previous, secrets);
      byId.putIfAbsent(k.id(), k);
    }
    return new BackupKeys(current, Map.copyOf(byId), config.requireEncrypted());
  }

  /** A worker holding exactly these keys, the first encrypting (for tests and tools). */
  public static BackupKeys of(byte[] current, byte[]... previous) {
    Key c = new Key(current);
    Map<String, Key> byId = new LinkedHashMap<>();
    byId.put(c.id(), c);
    for (byte[] p : previous) {
      Key k = new Key(p);
      byId.putIfAbsent(k.id(), k);
    }
    return new BackupKeys(c, Map.copyOf(byId), false);
  }

  /** The key new backups are encrypted with; empty when encryption is not configured. */
  public Optional<Key> current() {
    return Optional.ofNullable(current);
  }

  public boolean requireEncrypted() {
    return requireEncrypted;
  }

  /**
   * The key a backup was encrypted with.
   *
   * @param what the backup, as errors should name it
   * @throws EncryptionKeyException naming the key id needed and the ids this worker has
   */
  public Key forBackup(String keyId, String what) {
    Key k = byId.get(keyId);
    if (k != null) {
      return k;
    }
    if (current == null) {
      throw new EncryptionKeyException(
          what + " is encrypted with key " + keyId + ", and this worker has no encryption key"
              + " configured (storage.encryption in drflow.yaml)");
    }
    List<String> others = new ArrayList<>(byId.keySet());
    others.remove(current.id());
    throw new EncryptionKeyException(
        what + " is encrypted with key " + keyId + ", this worker has " + current.id()
            + (others.isEmpty() ? "" : " (previous keys: " + String.join(", ", others) + ")")
            + "; add the key it was encrypted with to storage.encryption.previousKeys");
  }

  /** The fingerprint a key is known by: 16 hex digits of SHA-256 over a fixed label and the key. */
  static String idOf(byte[] key) {
    MessageDigest d = Sha256.newDigest();
    d.update(ID_LABEL);
    d.update(key);
    return HexFormat.of().formatHex(d.digest(), 0, 8);
  }

  private static Key read(EncryptionConfig.KeySource source, Secrets secrets) {
    byte[] bytes;
    if (source.keyEnv() != null) {
      String value = secrets.optional(source.keyEnv()).orElseThrow();
      bytes = base64(value.getBytes(StandardCharsets.US_ASCII), source);
    } else {
      byte[] content;
      try {
        content = Files.readAllBytes(Path.of(source.keyFile()));
      } catch (IOException e) {
        throw new EncryptionKeyException(
            "cannot read the backup encryption key file " + source.keyFile() + ": " + e);
      }
      bytes = content.length == KEY_BYTES ? content.clone() : base64(content, source);
      Arrays.fill(content, (byte) 0);
    }
    Key k = new Key(bytes);
    Arrays.fill(bytes, (byte) 0);
    return k;
  }

  private static byte[] base64(byte[] text, EncryptionConfig.KeySource source) {
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(new String(text, StandardCharsets.US_ASCII).strip());
    } catch (IllegalArgumentException e) {
      // The message would quote the offending character: say nothing about the content.
      throw new EncryptionKeyException(
          "the backup encryption key in " + source.describe() + " is not Base64"
              + " (make one with `openssl rand -base64 32`)");
    }
    if (decoded.length != KEY_BYTES) {
      throw new EncryptionKeyException(
          "the backup encryption key in " + source.describe() + " is " + decoded.length
              + " bytes; AES-256 needs " + KEY_BYTES + " (make one with `openssl rand -base64 32`)");
    }
    return decoded;
  }
}
