package io.drflow.activities.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Asks a service's health endpoint until it answers 2xx or a deadline passes. */
public final class HealthChecker {

  /** The endpoint answered 2xx. */
  public record Healthy(URI url, int status, int attempts, Duration elapsed) {}

  /** The deadline passed without a 2xx; the message says what the last attempt saw. */
  public static final class UnhealthyException extends Exception {
    public UnhealthyException(String message) {
      super(message);
    }
  }

  private final HttpClient http;
  private final Clock clock;

  public HealthChecker(Clock clock) {
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    this.clock = clock;
  }

  /**
   * @param startedAt when checking began; a retried activity passes the first attempt's start so
   *     the deadline stays where it was
   * @param tick called before each attempt (heartbeats; throws once the activity is cancelled)
   */
  public Healthy await(URI url, Instant startedAt, Duration deadline, Duration interval, Runnable tick)
      throws UnhealthyException, InterruptedException {
    Instant end = startedAt.plus(deadline);
    int attempts = 0;
    String last = "no attempt made";
    while (true) {
      tick.run();
      attempts++;
      Duration left = Duration.between(clock.instant(), end);
      Duration timeout = min(Duration.ofSeconds(10), left.isNegative() || left.isZero() ? Duration.ofSeconds(1) : left);
      try {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(url).timeout(timeout).GET().header("User-Agent", "drflow-health-check").build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() >= 200 && r.statusCode() < 300) {
          return new Healthy(url, r.statusCode(), attempts, Duration.between(startedAt, clock.instant()));
        }
        last = "HTTP " + r.statusCode();
      } catch (IOException e) {
        last = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      }
      if (!clock.instant().plus(interval).isBefore(end)) {
        throw new UnhealthyException(
            url + " did not answer 2xx within " + deadline + " (" + attempts + " attempts, last: " + last + ")");
      }
      Thread.sleep(interval.toMillis());
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
