package io.drflow.activities.storage;

/**
 * The worker cannot get the key a backup needs: no key configured for an encrypted backup, a key
 * of another id, an unreadable or malformed key. Retrying on the same worker cannot help.
 */
public final class EncryptionKeyException extends RuntimeException {

  public EncryptionKeyException(String message) {
    super(message);
  }
}
