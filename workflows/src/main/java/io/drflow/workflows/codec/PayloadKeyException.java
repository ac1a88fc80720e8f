package io.drflow.workflows.codec;

/** A configured payload key cannot be used; the message names the variable, file or setting, never the key. */
public final class PayloadKeyException extends IllegalArgumentException {

  public PayloadKeyException(String message) {
    super(message);
  }

  public PayloadKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
