package io.drflow.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.drflow.activities.config.BackupTuning;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.MetricsConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.config.TemporalConfig;
import io.drflow.activities.config.WorkerConfig;
import io.drflow.activities.local.S3ProxyServer;
import io.temporal.testserver.TestServer;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker as {@code drflow-worker} starts it: its config decides where the metrics are served. */
class DrflowWorkerMetricsTest {

  @Test
  void theConfiguredEndpointServesSdkAndDrflowMetricsUntilTheWorkerStops() throws Exception {
    int temporalPort;
    try (ServerSocket s = new ServerSocket(0)) {
      temporalPort = s.getLocalPort();
    }
    Path dir = Files.createTempDirectory("drflow-worker-metrics");
    try (TestServer.PortBoundTestServer temporal = TestServer.createPortBoundServer(temporalPort, false);
        S3ProxyServer s3 = S3ProxyServer.start(dir.resolve("s3"), 0, "wm", "wm-secret")) {
      DrflowConfig config =
          new DrflowConfig(
              new TemporalConfig("127.0.0.1:" + temporalPort, null, "drflow-metrics-test"),
              new StorageConfig(s3.endpoint(), null, "wm-bucket", "drflow", true, "WM_KEY", "WM_SECRET", true),
              new WorkerConfig(dir.resolve("work").toString(), 1, null, "wm-host", null, 2),
              BackupTuning.defaults(),
              Map.of(
                  "shop",
                  new ServiceConfig(
                      new PostgresConfig("127.0.0.1", 5432, "shop", "postgres", null),
                      Duration.ofHours(1),
                      Duration.ofHours(24),
                      Map.of(),
                      RetentionConfig.defaults(),
                      null)),
              new MetricsConfig(true, "127.0.0.1", 0));
      DrflowWorker worker =
          DrflowWorker.start(config, Secrets.withOverrides(Map.of("WM_KEY", "wm", "WM_SECRET", "wm-secret")));
      String url = worker.metricsUrl();
      try {
        assertThat(url).startsWith("http://127.0.0.1:").endsWith("/metrics");
        Scrape s = Scrape.fetch(url);
        assertThat(s.require("drflow_rto_target_seconds", "service", "shop")).isEqualTo(3600.0);
        assertThat(s.require("drflow_rpo_target_seconds", "service", "shop")).isEqualTo(86400.0);
        assertThat(s.value("drflow_backup_last_success_timestamp_seconds", "service", "shop"))
            .as("no backup in the bucket: unknown, not zero")
            .isEmpty();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (!s.hasMetricStartingWith("temporal_") && System.nanoTime() < deadline) {
          Thread.sleep(500);
          s = Scrape.fetch(url);
        }
        assertThat(s.hasMetricStartingWith("temporal_")).as("the SDK's pollers report through the endpoint").isTrue();
      } finally {
        worker.close();
      }
      assertThatThrownBy(() -> Scrape.fetch(url)).isInstanceOf(ConnectException.class);
    }
  }

  @Test
  void disabledMetricsServeNothing() {
    WorkerMetrics off = WorkerMetrics.start(MetricsConfig.disabled());
    assertThat(off.enabled()).isFalse();
    assertThat(off.url()).isNull();
    off.close();
  }
}
