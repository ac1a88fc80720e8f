package io.drflow.activities.storage;

/** An object a backup needs is not in the bucket (deleted, never completed, wrong key). */
public class BackupMissingException extends RuntimeException {

  private final String key;

  public BackupMissingException(String key, String message) {
    super(message);
    this.key = key;
  }

  public BackupMissingException(String key) {
    this(key, "object " + key + " does not exist");
  }

  public String key() {
    return key;
  }
}
