package io.drflow.cli;

/** A problem the user can fix; printed without a stack trace. */
final class UserError extends RuntimeException {

  private final int exitCode;

  UserError(String message) {
    this(message, 2);
  }

  UserError(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
