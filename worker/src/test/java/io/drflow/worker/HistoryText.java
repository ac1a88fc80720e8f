package io.drflow.worker;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.payload.codec.PayloadCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a workflow history stores, as searchable text: the history's JSON (failure messages,
 * summaries, stack traces) plus every payload decoded (inputs, results, heartbeat details, which
 * the JSON only holds base64-encoded). With payload encryption on, payloads are decrypted first:
 * a secret scan of ciphertext would find nothing and prove nothing.
 */
public final class HistoryText {

  private HistoryText() {}

  public static String of(WorkflowExecutionHistory history) {
    return of(history, null);
  }

  /** As {@link #of(WorkflowExecutionHistory)}, payloads run through {@code codec} (null: none) first. */
  public static String of(WorkflowExecutionHistory history, PayloadCodec codec) {
    StringBuilder text = new StringBuilder(history.toJson(false));
    List<Payload> payloads = payloads(history);
    for (Payload p : codec == null ? payloads : codec.decode(payloads)) {
      text.append('\n').append(p.getData().toString(StandardCharsets.UTF_8));
    }
    return text.toString();
  }

  /** Every payload in the history's events, wherever the event keeps it. */
  public static List<Payload> payloads(WorkflowExecutionHistory history) {
    List<Payload> out = new ArrayList<>();
    for (HistoryEvent e : history.getEvents()) {
      collect(e, out);
    }
    return out;
  }

  /** Every payload in one event. */
  public static List<Payload> payloads(HistoryEvent event) {
    List<Payload> out = new ArrayList<>();
    collect(event, out);
    return out;
  }

  private static void collect(Message m, List<Payload> out) {
    if (m instanceof Payload p) {
      out.add(p);
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
      if (f.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (f.getKey().isRepeated()) {
        for (Object o : (List<?>) f.getValue()) {
          collect((Message) o, out);
        }
      } else {
        collect((Message) f.getValue(), out);
      }
    }
  }
}
