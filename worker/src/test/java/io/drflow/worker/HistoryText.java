package io.drflow.worker;

import io.temporal.common.WorkflowExecutionHistory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Everything a workflow history stores, as searchable text: the history's JSON (failure messages,
 * summaries, stack traces) plus every payload decoded (inputs, results, heartbeat details, which
 * the JSON only holds base64-encoded).
 */
public final class HistoryText {

  private static final Pattern PAYLOAD_DATA = Pattern.compile("\"data\":\\s*\"([A-Za-z0-9+/=]+)\"");

  private HistoryText() {}

  public static String of(WorkflowExecutionHistory history) {
    String json = history.toJson(false);
    StringBuilder text = new StringBuilder(json);
    Matcher m = PAYLOAD_DATA.matcher(json);
    while (m.find()) {
      text.append('\n').append(new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8));
    }
    return text.toString();
  }
}
