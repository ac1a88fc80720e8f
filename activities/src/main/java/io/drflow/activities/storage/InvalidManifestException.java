package io.drflow.activities.storage;

/**
 * A manifest that exists but cannot be trusted as this drflow reads it: unknown format (written by
 * a newer drflow), unparseable, or inconsistent with where it is stored.
 */
public class InvalidManifestException extends RuntimeException {

  private final String key;

  public InvalidManifestException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
