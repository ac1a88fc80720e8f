package io.drflow.activities.storage;

/**
 * Stored bytes do not match what the manifest or chunk index recorded: the backup is corrupt or was
 * altered. Retrying cannot help, so callers report it as non-retryable.
 */
public class ChecksumMismatchException extends RuntimeException {

  private final String key;
  private final String expected;
  private final String actual;

  public ChecksumMismatchException(String key, String what, String expected, String actual) {
    super(
        key
            + ": "
            + what
            + " mismatch: expected "
            + expected
            + ", got "
            + actual
            + " (the stored backup is corrupt or was modified)");
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }

  /** A structural problem (an inconsistent chunk index, an undecodable frame). */
  public ChecksumMismatchException(String key, String problem) {
    super(key + ": " + problem + " (the stored backup is corrupt or was modified)");
    this.key = key;
    this.expected = null;
    this.actual = null;
  }

  public String key() {
    return key;
  }

  public String expected() {
    return expected;
  }

  public String actual() {
    return actual;
  }
}
