package io.drflow.activities.storage;

/**
 * An encrypted chunk or object did not authenticate under the backup's key: its bytes were
 * altered, moved, cut short or taken from another backup, or the key is not the one it was
 * encrypted with.
 */
public final class ChunkAuthenticationException extends ChecksumMismatchException {

  public ChunkAuthenticationException(String key, String what) {
    super(key, what + " failed authentication (tampered or wrong key)");
  }
}
