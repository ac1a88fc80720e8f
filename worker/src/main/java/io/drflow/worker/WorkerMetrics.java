package io.drflow.worker;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.uber.m3.tally.NoopScope;
import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.drflow.activities.config.MetricsConfig;
import io.drflow.activities.metrics.RunMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The worker's Prometheus endpoint: Temporal SDK metrics (through the SDK's Micrometer reporter),
 * JVM metrics, and drflow's own {@code drflow_*} metrics, served as text on {@code /metrics}.
 */
public final class WorkerMetrics implements AutoCloseable {

  /** The SDK buffers its counters and hands them to Micrometer this often. */
  static final com.uber.m3.util.Duration SDK_REPORT_INTERVAL = com.uber.m3.util.Duration.ofSeconds(5);

  private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final Scope temporalScope;
  private final RunMetrics runs;
  private final HttpServer server;
  private final ExecutorService serverThreads;
  private final JvmGcMetrics gc;

  private WorkerMetrics(
      PrometheusMeterRegistry registry,
      Scope temporalScope,
      HttpServer server,
      ExecutorService serverThreads,
      JvmGcMetrics gc) {
    this.registry = registry;
    this.temporalScope = temporalScope;
    this.runs = registry == null ? RunMetrics.disabled() : new RunMetrics(registry);
    this.server = server;
    this.serverThreads = serverThreads;
    this.gc = gc;
  }

  public static WorkerMetrics disabled() {
    return new WorkerMetrics(null, new NoopScope(), null, null, null);
  }

  /**
   * Binds the endpoint now, so a port already in use stops the worker with a clear message
   * instead of leaving its alerts silently without data.
   */
  public static WorkerMetrics start(MetricsConfig config) {
    if (!config.enabled()) {
      return disabled();
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
    } catch (BindException e) {
      registry.close();
      gc.close();
      throw new IllegalStateException(
          "metrics endpoint "
              + config.url()
              + ": "
              + e.getMessage()
              + " (another process has the port: set metrics.port, 0 for any free port, or"
              + " metrics.enabled: false)",
          e);
    } catch (IOException e) {
      registry.close();
      gc.close();
      throw new UncheckedIOException("metrics endpoint " + config.url(), e);
    }
    ExecutorService threads =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "drflow-metrics-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(threads);
    server.createContext("/metrics", exchange -> serve(exchange, registry));
    server.start();
    Scope scope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(SDK_REPORT_INTERVAL);
    return new WorkerMetrics(registry, scope, server, threads, gc);
  }

  private static void serve(HttpExchange exchange, PrometheusMeterRegistry registry)
      throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/metrics")) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", TEXT_FORMAT);
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  public boolean enabled() {
    return registry != null;
  }

  /** Where Prometheus scrapes this worker (the bound port, also when 0 was configured). */
  public String url() {
    if (server == null) {
      return null;
    }
    InetSocketAddress a = server.getAddress();
    String host = a.getHostString();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/metrics";
  }

  /** For the Temporal client's service stubs: the SDK's own metrics. */
  public Scope temporalScope() {
    return temporalScope;
  }

  /** drflow's metrics, for the activities. */
  public RunMetrics runs() {
    return runs;
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
      serverThreads.shutdownNow();
    }
    try {
      temporalScope.close();
    } catch (com.uber.m3.tally.ScopeCloseException e) {
      // Only the final flush of SDK counters is lost; the process is stopping.
    }
    if (gc != null) {
      gc.close();
    }
    if (registry != null) {
      registry.close();
    }
  }
}
