package io.drflow.activities.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthCheckerTest {

  private HttpServer server;
  private final AtomicInteger calls = new AtomicInteger();
  private volatile int failFirst;
  private final HealthChecker checker = new HealthChecker(Clock.systemUTC());

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/healthz", ex -> {
      int n = calls.incrementAndGet();
      ex.sendResponseHeaders(n <= failFirst ? 503 : 204, -1);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/healthz");
  }

  @Test
  void waitsThroughErrorsUntil2xx() throws Exception {
    failFirst = 2;
    AtomicInteger ticks = new AtomicInteger();

    HealthChecker.Healthy h =
        checker.await(url(), Instant.now(), Duration.ofSeconds(30), Duration.ofMillis(20), ticks::incrementAndGet);

    assertThat(h.status()).isEqualTo(204);
    assertThat(h.attempts()).isEqualTo(3);
    assertThat(ticks.get()).isEqualTo(3);
  }

  @Test
  void givesUpAtTheDeadlineSayingWhatItSaw() {
    failFirst = Integer.MAX_VALUE;

    assertThatThrownBy(
            () -> checker.await(url(), Instant.now(), Duration.ofMillis(300), Duration.ofMillis(50), () -> {}))
        .isInstanceOf(HealthChecker.UnhealthyException.class)
        .hasMessageContaining("did not answer 2xx within PT0.3S")
        .hasMessageContaining("last: HTTP 503");
  }

  @Test
  void aDeadlineThatAlreadyPassedMeansOneLastAttempt() throws Exception {
    failFirst = 0;
    // A retried activity keeps its first start: here the deadline is long gone.
    assertThat(checker.await(url(), Instant.now().minusSeconds(600), Duration.ofSeconds(60), Duration.ofSeconds(5), () -> {})
            .attempts())
        .isEqualTo(1);
  }

  @Test
  void aRefusedConnectionIsJustAnotherFailedAttempt() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closed + "/healthz");

    assertThatThrownBy(
            () -> checker.await(nowhere, Instant.now(), Duration.ofMillis(200), Duration.ofMillis(50), () -> {}))
        .isInstanceOf(HealthChecker.UnhealthyException.class)
        .hasMessageContaining("ConnectException");
  }
}
