package io.drflow.activities.storage;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A fault-injecting HTTP/1.1 proxy for one S3 endpoint. Every request goes through on its own
 * connection ({@code Connection: close} is forced on both sides, which SigV4 does not sign), so
 * faults apply per request: reset the connection in the middle of a response or of an upload's
 * body, end a response early (a truncated body), stall it, or answer 503 SlowDown without
 * forwarding. It counts every request's body bytes in both directions, so tests can say how much
 * crossed the wire, and can throttle each connection to make transfers last long enough to be
 * interrupted.
 */
public final class FaultProxy implements AutoCloseable {

  private static final String HOST = "127.0.0.1";

  public enum Fault {
    /** RST after {@code afterBytes} of the response body. */
    RESET_RESPONSE,
    /** A clean close (FIN) after {@code afterBytes} of the response body: a short read. */
    TRUNCATE_RESPONSE,
    /** Pause {@code stall} after {@code afterBytes} of the response body, then go on. */
    STALL_RESPONSE,
    /** Answer 503 SlowDown instead of forwarding. */
    SLOW_DOWN,
    /** RST after {@code afterBytes} of the request body (an upload). */
    RESET_REQUEST,
    /** Pause {@code stall} after {@code afterBytes} of the request body, then go on. */
    STALL_REQUEST,
    /**
     * Forward the whole request, then reset instead of answering: the server did the work, the
     * client never hears of it (a lost acknowledgement).
     */
    DROP_RESPONSE
  }

  /** One request as it crossed the proxy. */
  public record Exchange(
      String method,
      String target,
      String range,
      int status,
      long requestBodyBytes,
      long responseBodyBytes,
      Fault fault) {

    public String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }
  }

  private static final class Rule {
    final String method;
    final Predicate<String> target;
    final Fault fault;
    final long afterBytes;
    final Duration stall;
    final AtomicInteger remaining;

    Rule(String method, Predicate<String> target, Fault fault, long afterBytes, Duration stall, int times) {
      this.method = method;
      this.target = target;
      this.fault = fault;
      this.afterBytes = afterBytes;
      this.stall = stall;
      this.remaining = new AtomicInteger(times);
    }

    boolean take(String m, String t) {
      if (!method.equals(m) || !target.test(t)) {
        return false;
      }
      return remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }
  }

  private static final byte[] SLOW_DOWN_BODY =
      ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
              + "<Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>")
          .getBytes(StandardCharsets.UTF_8);

  private final ServerSocket server;
  private final int upstreamPort;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile long bytesPerSecond;
  private volatile boolean closed;

  public FaultProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket(0, 50, InetAddress.getByName(HOST));
    Thread.ofPlatform().daemon().name("fault-proxy-" + server.getLocalPort()).start(this::acceptLoop);
  }

  public String endpoint() {
    return "http://" + HOST + ":" + server.getLocalPort();
  }

  /** Limits each connection's body bytes per second in each direction; 0 lifts the limit. */
  public FaultProxy throttle(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
    return this;
  }

  /**
   * Applies {@code fault} to the next {@code times} requests with this method whose target (path
   * and query) satisfies {@code target}.
   */
  public FaultProxy inject(String method, Predicate<String> target, Fault fault, long afterBytes, Duration stall, int times) {
    rules.add(new Rule(method, target, fault, afterBytes, stall, times));
    return this;
  }

  /** Faults armed but not yet fired. */
  public int unfired() {
    return rules.stream().mapToInt(r -> r.remaining.get()).sum();
  }

  public List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /** Response body bytes of every {@code method} request whose path ends with {@code suffix}. */
  public long responseBytes(String method, String suffix) {
    return exchanges.stream()
        .filter(e -> e.method().equals(method) && e.path().endsWith(suffix))
        .mapToLong(Exchange::responseBodyBytes)
        .sum();
  }

  /** Request body bytes of every {@code method} request whose path ends with {@code suffix}. */
  public long requestBytes(String method, String suffix) {
    return exchanges.stream()
        .filter(e -> e.method().equals(method) && e.path().endsWith(suffix))
        .mapToLong(Exchange::requestBodyBytes)
        .sum();
  }

  public List<Exchange> requests(String method, String suffix) {
    return exchanges.stream().filter(e -> e.method().equals(method) && e.path().endsWith(suffix)).toList();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket client = server.accept();
        open.add(client);
        Thread.ofVirtual().start(() -> handle(client));
      } catch (IOException e) {
        if (!closed) {
          System.err.println("fault proxy: accept failed: " + e);
        }
      }
    }
  }

  private void handle(Socket client) {
    Socket upstream = null;
    String method = "?";
    String target = "?";
    String range = null;
    int[] status = {0};
    long[] requestBody = {0};
    long[] responseBody = {0};
    Fault fired = null;
    try {
      client.setTcpNoDelay(true);
      InputStream fromClient = new BufferedInputStream(client.getInputStream());
      byte[] head = readHead(fromClient);
      if (head == null) {
        return;
      }
      List<String> lines = lines(head);
      String[] requestLine = lines.get(0).split(" ", 3);
      method = requestLine[0];
      target = requestLine.length > 1 ? requestLine[1] : "";
      range = header(lines, "range");
      Rule rule = null;
      for (Rule r : rules) {
        if (r.take(method, target)) {
          rule = r;
          break;
        }
      }
      fired = rule == null ? null : rule.fault;
      if (fired == Fault.SLOW_DOWN) {
        slowDown(client, fromClient, lines);
        status[0] = 503;
        return;
      }
      upstream = new Socket();
      open.add(upstream);
      upstream.connect(new InetSocketAddress(HOST, upstreamPort), 5_000);
      upstream.setTcpNoDelay(true);
      OutputStream toUpstream = upstream.getOutputStream();
      toUpstream.write(withConnectionClose(lines));
      toUpstream.flush();
      boolean requestSide = fired == Fault.RESET_REQUEST || fired == Fault.STALL_REQUEST;
      Rule requestRule = requestSide ? rule : null;
      Socket up = upstream;
      Thread requestPump =
          Thread.ofVirtual()
              .start(() -> pumpRequest(fromClient, toUpstream, client, up, requestRule, requestBody));
      Rule responseRule = requestSide ? null : rule;
      pumpResponse(upstream.getInputStream(), client.getOutputStream(), client, responseRule, status, responseBody);
      requestPump.join(5_000);
    } catch (IOException | InterruptedException | RuntimeException e) {
      // A reset we caused, or one the client or server caused: either way this exchange is over.
    } finally {
      exchanges.add(new Exchange(method, target, range, status[0], requestBody[0], responseBody[0], fired));
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }

  /** Forwards the request body, counting it; resets both sides at the rule's byte. */
  private void pumpRequest(
      InputStream from, OutputStream to, Socket client, Socket upstream, Rule rule, long[] counted) {
    byte[] buf = new byte[16 * 1024];
    long started = System.nanoTime();
    try {
      int n;
      boolean stalled = false;
      while ((n = from.read(buf)) > 0) {
        if (rule != null && !stalled && counted[0] + n >= rule.afterBytes) {
          int part = (int) Math.max(0, rule.afterBytes - counted[0]);
          to.write(buf, 0, part);
          counted[0] += part;
          if (rule.fault == Fault.STALL_REQUEST) {
            to.flush();
            Thread.sleep(rule.stall.toMillis());
            stalled = true;
            to.write(buf, part, n - part);
            to.flush();
            counted[0] += n - part;
            continue;
          }
          reset(client);
          reset(upstream);
          return;
        }
        to.write(buf, 0, n);
        to.flush();
        counted[0] += n;
        pace(counted[0], started);
      }
    } catch (IOException e) {
      // the connection ended: the response side notices too
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Forwards the response head(s) and body, applying the rule to the body. */
  private void pumpResponse(
      InputStream from, OutputStream to, Socket client, Rule rule, int[] status, long[] counted)
      throws IOException, InterruptedException {
    InputStream in = new BufferedInputStream(from);
    while (true) {
      byte[] head = readHead(in);
      if (head == null) {
        return;
      }
      List<String> lines = lines(head);
      String[] statusLine = lines.get(0).split(" ", 3);
      status[0] = statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : 0;
      if (rule != null && rule.fault == Fault.DROP_RESPONSE && status[0] != 100) {
        reset(client);
        return;
      }
      to.write(head);
      to.flush();
      if (status[0] != 100) {
        break; // 100 Continue comes before the real response, which follows on the same stream
      }
    }
    byte[] buf = new byte[16 * 1024];
    long started = System.nanoTime();
    boolean stalled = false;
    int n;
    while ((n = in.read(buf)) > 0) {
      if (rule != null && counted[0] + n >= rule.afterBytes) {
        int part = (int) Math.max(0, rule.afterBytes - counted[0]);
        switch (rule.fault) {
          case RESET_RESPONSE -> {
            to.write(buf, 0, part);
            to.flush();
            counted[0] += part;
            reset(client);
            return;
          }
          case TRUNCATE_RESPONSE -> {
            to.write(buf, 0, part);
            to.flush();
            counted[0] += part;
            client.shutdownOutput();
            return;
          }
          case STALL_RESPONSE -> {
            if (!stalled) {
              to.write(buf, 0, part);
              to.flush();
              Thread.sleep(rule.stall.toMillis());
              stalled = true;
              to.write(buf, part, n - part);
              to.flush();
              counted[0] += n;
              continue;
            }
          }
          default -> {}
        }
      }
      to.write(buf, 0, n);
      to.flush();
      counted[0] += n;
      pace(counted[0], started);
    }
  }

  /** Sleeps until {@code bytes} since {@code startedNanos} are within the throttle. */
  private void pace(long bytes, long startedNanos) {
    long limit = bytesPerSecond;
    if (limit <= 0) {
      return;
    }
    long dueNanos = startedNanos + bytes * 1_000_000_000L / limit;
    long wait = dueNanos - System.nanoTime();
    if (wait > 0) {
      try {
        Thread.sleep(Duration.ofNanos(wait));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** 503 SlowDown, as S3 answers when asked too fast; the request body is read and dropped. */
  private static void slowDown(Socket client, InputStream fromClient, List<String> head) throws IOException {
    String expect = header(head, "expect");
    String length = header(head, "content-length");
    if (length != null && (expect == null || !expect.toLowerCase(Locale.ROOT).contains("100-continue"))) {
      fromClient.skipNBytes(Long.parseLong(length.strip()));
    }
    OutputStream out = client.getOutputStream();
    out.write(
        ("HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: "
                + SLOW_DOWN_BODY.length + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.write(SLOW_DOWN_BODY);
    out.flush();
  }

  private static byte[] withConnectionClose(List<String> lines) {
    StringBuilder sb = new StringBuilder();
    for (String line : lines) {
      if (!line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
        sb.append(line).append("\r\n");
      }
    }
    sb.append("Connection: close\r\n\r\n");
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The bytes up to and including the blank line that ends an HTTP head; null at EOF. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(512);
    int last4 = 0;
    int b;
    while ((b = in.read()) >= 0) {
      head.write(b);
      last4 = (last4 << 8) | b;
      if (last4 == 0x0d0a0d0a) {
        return head.toByteArray();
      }
      if (head.size() > 64 * 1024) {
        throw new IOException("HTTP head longer than 64 KiB");
      }
    }
    return null;
  }

  private static List<String> lines(byte[] head) {
    String text = new String(head, StandardCharsets.ISO_8859_1);
    List<String> out = new ArrayList<>();
    for (String l : text.split("\r\n")) {
      if (!l.isEmpty()) {
        out.add(l);
      }
    }
    return out;
  }

  private static String header(List<String> lines, String name) {
    for (String l : lines.subList(1, lines.size())) {
      int colon = l.indexOf(':');
      if (colon > 0 && l.substring(0, colon).strip().equalsIgnoreCase(name)) {
        return l.substring(colon + 1).strip();
      }
    }
    return null;
  }

  private static void reset(Socket s) {
    try {
      s.setSoLinger(true, 0);
      s.close();
    } catch (IOException e) {
      // already gone
    }
  }

  private void closeQuietly(Socket s) {
    if (s == null) {
      return;
    }
    open.remove(s);
    try {
      s.close();
    } catch (IOException e) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    open.forEach(this::closeQuietly);
  }
}
