package io.drflow.activities.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * POSTs a JSON body with a few bounded retries: again after a network error, 429 or 5xx, not after
 * another 4xx (a revoked or mistyped webhook does not heal by asking again). Never throws.
 */
public final class HttpPoster {

  /** @param attempts how many requests were made */
  public record Outcome(boolean delivered, int attempts, String detail) {}

  private final HttpClient http;
  private final Duration requestTimeout;
  private final int maxAttempts;
  private final Duration firstBackoff;

  public HttpPoster(Duration requestTimeout, int maxAttempts, Duration firstBackoff) {
    this.http = HttpClient.newBuilder().connectTimeout(requestTimeout).build();
    this.requestTimeout = requestTimeout;
    this.maxAttempts = maxAttempts;
    this.firstBackoff = firstBackoff;
  }

  /** Ten-second requests, three attempts, one and two seconds apart: under 35 s in all. */
  public static HttpPoster standard() {
    return new HttpPoster(Duration.ofSeconds(10), 3, Duration.ofSeconds(1));
  }

  public Outcome post(URI url, String json) {
    String detail = "not sent";
    Duration backoff = firstBackoff;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(url)
                    .timeout(requestTimeout)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header("User-Agent", "drflow")
                    .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        int code = r.statusCode();
        if (code >= 200 && code < 300) {
          return new Outcome(true, attempt, "HTTP " + code);
        }
        detail = "HTTP " + code + snippet(r.body());
        if (code != 429 && code != 408 && code < 500) {
          return new Outcome(false, attempt, detail);
        }
      } catch (IOException e) {
        detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(false, attempt, "interrupted");
      } catch (RuntimeException e) {
        return new Outcome(false, attempt, e.toString());
      }
      if (attempt < maxAttempts) {
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new Outcome(false, attempt, "interrupted");
        }
        backoff = backoff.multipliedBy(2);
      }
    }
    return new Outcome(false, maxAttempts, detail);
  }

  /** Slack answers errors in words ("no_service", "invalid_payload"): worth a log line. */
  private static String snippet(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String b = body.strip().replaceAll("\\s+", " ");
    return " (" + (b.length() > 80 ? b.substring(0, 80) + "…" : b) + ")";
  }
}
