package io.drflow.activities.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.workflows.activities.NotifyActivities.Notification;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The bodies drflow POSTs: one generic JSON document, and a Slack incoming-webhook message. */
public final class NotificationMessages {

  private static final ObjectMapper JSON = new ObjectMapper();

  private NotificationMessages() {}

  /**
   * Every field of the event, plus {@code text} for chat tools that only display that (the same
   * shape the recovery runbook's webhook uses).
   */
  public static String generic(Notification n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", "drflow " + n.severity() + " [" + n.service() + "] " + n.message());
    m.put("source", "drflow");
    m.put("service", n.service());
    m.put("event", n.event());
    m.put("severity", n.severity());
    m.put("message", n.message());
    m.put("runbook", n.runbook());
    m.put("phase", n.phase());
    m.put("status", n.status());
    m.put("workflowId", n.workflowId());
    m.put("runId", n.runId());
    m.put("reportKey", n.reportKey());
    return write(m);
  }

  /**
   * A Slack message: {@code text} as the notification's fallback, the details as blocks in an
   * attachment coloured by severity. Slack-compatible servers that ignore blocks show the text.
   */
  public static String slack(Notification n) {
    String headline = icon(n.severity()) + " *" + mrkdwn(n.message()) + "*";
    StringBuilder context = new StringBuilder("`" + mrkdwn(n.event()) + "` · service `" + mrkdwn(n.service()) + "`");
    if (n.phase() != null) {
      context.append(" · phase ").append(mrkdwn(n.phase()));
    }
    context.append(" · run `").append(mrkdwn(n.workflowId())).append('`');
    if (n.reportKey() != null) {
      context.append(" · report `").append(mrkdwn(n.reportKey())).append('`');
    }
    Map<String, Object> section = Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", headline));
    Map<String, Object> ctx =
        Map.of("type", "context", "elements", List.of(Map.of("type", "mrkdwn", "text", context.toString())));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", "drflow: " + mrkdwn(n.message()));
    m.put("attachments", List.of(Map.of("color", colour(n.severity()), "blocks", List.of(section, ctx))));
    return write(m);
  }

  /** Slack reads &, < and > as markup; everything else in mrkdwn is harmless text. */
  static String mrkdwn(String s) {
    return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String icon(String severity) {
    return switch (severity == null ? "" : severity) {
      case "critical" -> ":red_circle:";
      case "warning" -> ":large_orange_circle:";
      default -> ":large_green_circle:";
    };
  }

  private static String colour(String severity) {
    return switch (severity == null ? "" : severity) {
      case "critical" -> "#c62f2f";
      case "warning" -> "#d08700";
      default -> "#1f8a4c";
    };
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
