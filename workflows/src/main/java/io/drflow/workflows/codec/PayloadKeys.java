package io.drflow.workflows.codec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** The AES-256 keys a process encrypts payloads with (one) and decrypts them with (that one and any retired ones), by id. */
public final class PayloadKeys {

  static final int KEY_BYTES = 32;

  private final String currentId;
  private final Map<String, SecretKey> byId;

  private PayloadKeys(String currentId, Map<String, SecretKey> byId) {
    this.currentId = currentId;
    this.byId = Collections.unmodifiableMap(byId);
  }

  public static PayloadKeys of(String keyId, byte[] key) {
    Map<String, SecretKey> m = new LinkedHashMap<>();
    m.put(requireId(keyId), aes(key, "key '" + keyId + "'"));
    return new PayloadKeys(keyId, m);
  }

  /** These keys plus a retired one that only decrypts. */
  public PayloadKeys withPrevious(String keyId, byte[] key) {
    if (byId.containsKey(requireId(keyId))) {
      throw new PayloadKeyException("payload key id '" + keyId + "' is configured twice");
    }
    Map<String, SecretKey> m = new LinkedHashMap<>(byId);
    m.put(keyId, aes(key, "key '" + keyId + "'"));
    return new PayloadKeys(currentId, m);
  }

  /**
   * Reads the configured keys. Runs once at process start; {@code env} resolves environment
   * variable names (null when unset).
   *
   * @throws PayloadKeyException naming the variable or file when a key is missing or malformed
   */
  public static PayloadKeys load(PayloadEncryption config, Function<String, String> env) {
    List<String> problems = config.problems("temporal.payloadEncryption");
    if (!problems.isEmpty()) {
      throw new PayloadKeyException(String.join("; ", problems));
    }
    PayloadKeys keys = of(config.keyId(), read(config.keyEnv(), config.keyFile(), env));
    for (PayloadEncryption.PreviousKey p : config.previousKeys()) {
      keys = keys.withPrevious(p.keyId(), read(p.keyEnv(), p.keyFile(), env));
    }
    return keys;
  }

  public String currentId() {
    return currentId;
  }

  SecretKey current() {
    return byId.get(currentId);
  }

  Optional<SecretKey> find(String keyId) {
    return Optional.ofNullable(byId.get(keyId));
  }

  /** Every configured id, the encrypting one first. */
  public List<String> ids() {
    return List.copyOf(byId.keySet());
  }

  /** A key's bytes: base64 text (line breaks and spaces ignored), or exactly 32 raw bytes from a file. */
  static byte[] decode(byte[] raw, String source) {
    String text = new String(raw, StandardCharsets.ISO_8859_1).replaceAll("\\s", "");
    try {
      byte[] key = Base64.getDecoder().decode(text);
      if (key.length == KEY_BYTES && !text.isEmpty()) {
        return key;
      }
    } catch (IllegalArgumentException notBase64) {
      // fall through: may be raw bytes
    }
    if (raw.length == KEY_BYTES) {
      return raw.clone();
    }
    throw new PayloadKeyException(
        source + " does not hold an AES-256 key: expected the base64 of 32 random bytes"
            + " (for example: openssl rand -base64 32)");
  }

  private static byte[] read(String keyEnv, String keyFile, Function<String, String> env) {
    if (keyEnv != null) {
      String v = env.apply(keyEnv);
      if (v == null || v.isBlank()) {
        throw new PayloadKeyException(
            "environment variable " + keyEnv + " (the payload encryption key) is not set");
      }
      return decode(v.getBytes(StandardCharsets.ISO_8859_1), "environment variable " + keyEnv);
    }
    try {
      return decode(Files.readAllBytes(Path.of(keyFile)), "key file " + keyFile);
    } catch (IOException e) {
      throw new PayloadKeyException("cannot read payload key file " + keyFile + ": " + e.getMessage(), e);
    }
  }

  private static String requireId(String keyId) {
    if (keyId == null || !PayloadEncryption.KEY_ID.matcher(keyId).matches()) {
      throw new PayloadKeyException(
          "payload key id '" + keyId + "' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
    }
    return keyId;
  }

  private static SecretKey aes(byte[] key, String what) {
    if (key == null || key.length != KEY_BYTES) {
      throw new PayloadKeyException(what + " must be 32 bytes (AES-256)");
    }
    return new SecretKeySpec(key, "AES");
  }
}
