package io.drflow.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.temporal.api.common.v1.Payloads;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporal's remote codec protocol over HTTP, for the Web UI and {@code temporal} CLI: {@code POST
 * .../encode} and {@code .../decode} take and return {@code {"payloads":[{"metadata":{..},"data":..}]}}
 * (proto3 JSON: bytes as base64). The UI calls it from the browser, so it answers CORS preflights
 * for the configured UI origins only; anything that can reach the port can have payloads
 * decrypted, which is why it binds to loopback unless told otherwise.
 */
final class CodecServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(CodecServer.class);

  /** Far above one history page of payloads; a bound so a stray client cannot exhaust memory. */
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  static final String ALLOWED_HEADERS = "Content-Type, X-Namespace, Authorization";

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();

  private final HttpServer server;
  private final ExecutorService executor;
  private final PayloadCodec codec;
  private final Set<String> origins;

  private CodecServer(HttpServer server, ExecutorService executor, PayloadCodec codec, Set<String> origins) {
    this.server = server;
    this.executor = executor;
    this.codec = codec;
    this.origins = origins;
  }

  /**
   * Starts serving on {@code host:port} (port 0: any free one).
   *
   * @param origins browser origins allowed to call it, e.g. {@code http://localhost:8233}
   */
  static CodecServer start(String host, int port, PayloadCodec codec, List<String> origins) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    CodecServer cs = new CodecServer(server, executor, codec, Set.copyOf(origins.stream().map(CodecServer::origin).toList()));
    server.createContext("/", cs::handle);
    server.setExecutor(executor);
    server.start();
    return cs;
  }

  /** Browsers send origins without a trailing slash; users often type one. */
  static String origin(String o) {
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }

  int port() {
    return server.getAddress().getPort();
  }

  String url() {
    String host = server.getAddress().getHostString();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String origin = ex.getRequestHeaders().getFirst("Origin");
      if (origin != null) {
        if (!origins.contains(origin)) {
          // Same answer for preflight and request: the browser gets no CORS grant, a script nothing.
          reply(ex, 403, "text/plain", "origin " + origin + " is not allowed (drctl codec-server --origin)");
          return;
        }
        ex.getResponseHeaders().set("Access-Control-Allow-Origin", origin);
        ex.getResponseHeaders().set("Access-Control-Allow-Credentials", "true");
        ex.getResponseHeaders().add("Vary", "Origin");
      }
      String path = ex.getRequestURI().getPath();
      boolean encode = path.endsWith("/encode");
      if (!encode && !path.endsWith("/decode")) {
        reply(ex, 404, "text/plain", "POST /encode or /decode");
        return;
      }
      if (ex.getRequestMethod().equals("OPTIONS")) {
        ex.getResponseHeaders().set("Access-Control-Allow-Methods", "POST, OPTIONS");
        ex.getResponseHeaders().set("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        ex.getResponseHeaders().set("Access-Control-Max-Age", "600");
        ex.sendResponseHeaders(204, -1);
        return;
      }
      if (!ex.getRequestMethod().equals("POST")) {
        ex.getResponseHeaders().set("Allow", "POST, OPTIONS");
        reply(ex, 405, "text/plain", "POST a JSON body {\"payloads\": [...]}");
        return;
      }
      byte[] body = readBody(ex.getRequestBody());
      if (body == null) {
        reply(ex, 413, "text/plain", "request body over " + MAX_BODY_BYTES + " bytes");
        return;
      }
      Payloads.Builder in = Payloads.newBuilder();
      try {
        PARSER.merge(new String(body, StandardCharsets.UTF_8), in);
      } catch (InvalidProtocolBufferException e) {
        reply(ex, 400, "text/plain", "body is not {\"payloads\": [...]}: " + e.getMessage());
        return;
      }
      Payloads out;
      try {
        out =
            Payloads.newBuilder()
                .addAllPayloads(encode ? codec.encode(in.getPayloadsList()) : codec.decode(in.getPayloadsList()))
                .build();
      } catch (PayloadCodecException e) {
        log.warn("{} of {} payload(s) for namespace {} failed: {}", encode ? "encode" : "decode",
            in.getPayloadsCount(), ex.getRequestHeaders().getFirst("X-Namespace"), e.getMessage());
        reply(ex, 400, "text/plain", e.getMessage());
        return;
      }
      reply(ex, 200, "application/json", PRINTER.print(out));
    } catch (IOException | RuntimeException e) {
      log.warn("codec request failed", e);
      throw e;
    }
  }

  private static byte[] readBody(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
    return body.length > MAX_BODY_BYTES ? null : body;
  }

  private static void reply(HttpExchange ex, int status, String type, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
