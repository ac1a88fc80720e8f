package io.drflow.activities.notify;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local HTTP server standing in for webhooks: it records every request and answers each path
 * with the statuses it was told to (then 200).
 */
public final class WebhookReceiver implements AutoCloseable {

  public record Request(String path, String method, String contentType, String body) {}

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, Deque<Object[]>> answers = new ConcurrentHashMap<>();

  public WebhookReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(path, exchange.getRequestMethod(), exchange.getRequestHeaders().getFirst("Content-Type"), body));
            Deque<Object[]> queue = answers.get(path);
            Object[] answer = queue == null || queue.isEmpty() ? new Object[] {200, "ok"} : queue.poll();
            byte[] reply = ((String) answer[1]).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders((Integer) answer[0], reply.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(reply);
            }
          }
        });
    server.start();
  }

  /** The next requests to {@code path} get these statuses, in order. */
  public WebhookReceiver answer(String path, int status, String body, int times) {
    Deque<Object[]> q = answers.computeIfAbsent(path, p -> new ArrayDeque<>());
    synchronized (q) {
      for (int i = 0; i < times; i++) {
        q.add(new Object[] {status, body});
      }
    }
    return this;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  public List<Request> requests(String path) {
    List<Request> out = new ArrayList<>();
    for (Request r : requests) {
      if (r.path().equals(path)) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
