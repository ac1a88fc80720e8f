package io.drflow.activities.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells people about run events: always in the log, and as a JSON POST to a webhook when one is
 * configured. The body carries a {@code text} field, which chat webhooks (Slack, Mattermost,
 * Teams) display as is, beside the structured fields for anything else. It never throws: a
 * notification channel that is down must not stop a recovery.
 */
public final class WebhookNotifier {

  private static final Logger log = LoggerFactory.getLogger(WebhookNotifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One event of a run. */
  public record Event(
      String service, String event, String severity, String message, String workflowId, String runId) {}

  /** @param delivered the webhook answered 2xx */
  public record Result(boolean delivered, String detail) {}

  private final HttpClient http;
  private final Duration timeout;

  public WebhookNotifier(Duration timeout) {
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    this.timeout = timeout;
  }

  /** @param webhook where to POST, or null to log only */
  public Result send(Event e, URI webhook) {
    String line = "[" + e.service() + "] " + e.event() + ": " + e.message() + " (" + e.workflowId() + ")";
    switch (e.severity() == null ? "info" : e.severity()) {
      case "critical" -> log.error(line);
      case "warning" -> log.warn(line);
      default -> log.info(line);
    }
    if (webhook == null) {
      return new Result(false, "no webhook configured");
    }
    try {
      HttpResponse<Void> r =
          http.send(
              HttpRequest.newBuilder(webhook)
                  .timeout(timeout)
                  .header("Content-Type", "application/json")
                  .header("User-Agent", "drflow")
                  .POST(HttpRequest.BodyPublishers.ofString(body(e)))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() >= 200 && r.statusCode() < 300) {
        return new Result(true, "HTTP " + r.statusCode());
      }
      log.warn("webhook answered HTTP {} to {} of {}", r.statusCode(), e.event(), e.service());
      return new Result(false, "HTTP " + r.statusCode());
    } catch (IOException | RuntimeException ex) {
      // The URL may carry a secret: name the host only.
      log.warn("webhook at {} failed for {} of {}: {}", webhook.getHost(), e.event(), e.service(), ex.toString());
      return new Result(false, ex.getClass().getSimpleName());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      return new Result(false, "interrupted");
    }
  }

  static String body(Event e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("text", "drflow " + e.severity() + " [" + e.service() + "] " + e.message());
    m.put("service", e.service());
    m.put("event", e.event());
    m.put("severity", e.severity());
    m.put("message", e.message());
    m.put("workflowId", e.workflowId());
    m.put("runId", e.runId());
    try {
      return JSON.writeValueAsString(m);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
