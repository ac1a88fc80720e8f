package io.drflow.workflows.codec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code temporal.payloadEncryption} in drflow.yaml, read by the worker and by drctl alike so both
 * ends of every payload use the same keys. The key itself never appears in the file: it names an
 * environment variable or a file holding the base64 of 32 random bytes.
 *
 * @param keyId recorded in every payload this process encrypts (default {@value #DEFAULT_KEY_ID})
 * @param keyEnv environment variable holding the key
 * @param keyFile file holding the key (base64 text, or the 32 raw bytes)
 * @param previousKeys keys that only decrypt: history written before a key rotation stays readable
 */
public record PayloadEncryption(String keyId, String keyEnv, String keyFile, List<PreviousKey> previousKeys) {

  public static final String DEFAULT_KEY_ID = "default";

  /** Key ids travel in payload metadata and error messages: keep them plain. */
  static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** A retired key, still accepted for decryption. */
  public record PreviousKey(String keyId, String keyEnv, String keyFile) {}

  public PayloadEncryption {
    keyId = keyId == null ? DEFAULT_KEY_ID : keyId;
    previousKeys = previousKeys == null ? List.of() : List.copyOf(previousKeys);
  }

  /** Problems with the settings (not with the key material, which is read at start); {@code at} is the YAML path. */
  public List<String> problems(String at) {
    List<String> out = new ArrayList<>();
    source(at, keyId, keyEnv, keyFile, out);
    Set<String> ids = new HashSet<>(Set.of(keyId));
    for (int i = 0; i < previousKeys.size(); i++) {
      PreviousKey p = previousKeys.get(i);
      String pat = at + ".previousKeys[" + i + "]";
      if (p == null) {
        out.add(pat + ": must not be empty");
        continue;
      }
      if (p.keyId() == null) {
        out.add(pat + ".keyId: required (the id the payloads it encrypted carry)");
        continue;
      }
      source(pat, p.keyId(), p.keyEnv(), p.keyFile(), out);
      if (!ids.add(p.keyId())) {
        out.add(pat + ".keyId: '" + p.keyId() + "' is used twice; every key needs its own id");
      }
    }
    return out;
  }

  private static void source(String at, String id, String env, String file, List<String> out) {
    if (!KEY_ID.matcher(id).matches()) {
      out.add(at + ".keyId: '" + id + "' must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
    }
    if ((env == null) == (file == null)) {
      out.add(at + ": set exactly one of keyEnv (an environment variable) and keyFile (a file) holding the key");
    }
  }
}
