package io.drflow.activities.config;

/**
 * The worker's Prometheus endpoint ({@code http://<host>:<port>/metrics}).
 *
 * @param host the address to listen on; loopback by default because the endpoint has no
 *     authentication (set 0.0.0.0 behind a network policy for a remote Prometheus)
 * @param port 0 picks a free port (the worker logs which)
 */
public record MetricsConfig(Boolean enabled, String host, Integer port) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9464;

  public MetricsConfig {
    enabled = enabled == null || enabled;
    host = host == null ? DEFAULT_HOST : host;
    port = port == null ? DEFAULT_PORT : port;
  }

  public static MetricsConfig defaults() {
    return new MetricsConfig(null, null, null);
  }

  public static MetricsConfig disabled() {
    return new MetricsConfig(false, null, null);
  }

  public String url() {
    String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    return "http://" + h + ":" + port + "/metrics";
  }
}
