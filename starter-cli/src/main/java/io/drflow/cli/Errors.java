package io.drflow.cli;

import io.drflow.workflows.codec.AesGcmPayloadCodec;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowException;
import io.temporal.common.converter.DataConverterException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.payload.codec.PayloadCodecException;

/** Turns exceptions into one line a responder can act on. */
final class Errors {

  private Errors() {}

  static String describe(Throwable e) {
    if (e instanceof UserError) {
      return e.getMessage();
    }
    String payloads = payloadProblem(e);
    if (payloads != null) {
      return payloads;
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

  /**
   * A payload drctl could not decrypt, or an encrypted one it had no key for: the fix is in
   * drflow.yaml, not in the run, so say that instead of the SDK's wrapper message.
   */
  private static String payloadProblem(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof PayloadCodecException) {
        return "cannot decrypt the run's payloads: " + t.getMessage();
      }
      if (t instanceof DataConverterException && String.valueOf(t.getMessage()).contains(AesGcmPayloadCodec.ENCODING)) {
        return "the run's payloads are encrypted (" + AesGcmPayloadCodec.ENCODING + ") and drctl has no key:"
            + " use the worker's temporal.payloadEncryption setting in drflow.yaml (--config)";
      }
    }
    return null;
  }
}
