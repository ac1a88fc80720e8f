package io.drflow.cli;

import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;

/** Turns exceptions into one line a responder can act on. */
final class Errors {

  private Errors() {}

  static String describe(Throwable e) {
    if (e instanceof UserError) {
      return e.getMessage();
    }
    Throwable t = e;
    while (t != null) {
      if (t instanceof StatusRuntimeException sre) {
        return switch (sre.getStatus().getCode()) {
          case UNAVAILABLE, DEADLINE_EXCEEDED ->
              "cannot reach the Temporal server (" + sre.getStatus().getDescription()
                  + "); is it running? `drctl dev` starts a local one";
          case NOT_FOUND -> "not found: " + sre.getStatus().getDescription();
          default -> sre.getStatus().getCode() + ": " + sre.getStatus().getDescription();
        };
      }
      if (t instanceof ApplicationFailure af) {
        return af.getType() + ": " + af.getOriginalMessage();
      }
      if (t instanceof TemporalFailure tf && tf.getCause() == null) {
        return tf.getOriginalMessage();
      }
      if (t.getCause() == null || t.getCause() == t) {
        break;
      }
      if (!(t instanceof WorkflowException) && !(t instanceof TemporalFailure)
          && !(t instanceof java.util.concurrent.ExecutionException)
          && !(t instanceof java.util.concurrent.CompletionException)) {
        break;
      }
      t = t.getCause();
    }
    return String.valueOf(e.getMessage());
  }
}
