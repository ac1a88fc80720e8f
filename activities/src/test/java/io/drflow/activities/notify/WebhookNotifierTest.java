package io.drflow.activities.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookNotifierTest {

  private static final WebhookNotifier.Event EVENT =
      new WebhookNotifier.Event("shop", "approval-reminder", "warning",
          "still waiting: drctl approve recover-shop-1 swap --by NAME", "recover-shop-1", "r1");

  private HttpServer server;
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private final WebhookNotifier notifier = new WebhookNotifier(Duration.ofSeconds(2));

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", ex -> {
      bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private URI hook() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @Test
  void postsJsonWithATextFieldChatToolsShow() throws Exception {
    WebhookNotifier.Result r = notifier.send(EVENT, hook());

    assertThat(r.delivered()).isTrue();
    JsonNode body = new ObjectMapper().readTree(bodies.get(0));
    assertThat(body.get("text").asText()).contains("[shop]").contains("drctl approve recover-shop-1 swap");
    assertThat(body.get("event").asText()).isEqualTo("approval-reminder");
    assertThat(body.get("workflowId").asText()).isEqualTo("recover-shop-1");
  }

  @Test
  void aFailingWebhookIsReportedNotThrown() throws Exception {
    status = 500;
    assertThat(notifier.send(EVENT, hook()).delivered()).isFalse();

    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    WebhookNotifier.Result refused = notifier.send(EVENT, URI.create("http://127.0.0.1:" + closed + "/x"));
    assertThat(refused.delivered()).isFalse();
    assertThat(refused.detail()).isEqualTo("ConnectException");
  }

  @Test
  void withoutAWebhookItOnlyLogs() {
    assertThat(notifier.send(EVENT, null).delivered()).isFalse();
    assertThat(bodies).isEmpty();
  }
}
