package io.drflow.activities.storage;

import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.local.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One real S3Proxy process per test class, on a free port, storing into a temp directory. */
abstract class S3ProxyTestSupport {

  static final String ACCESS = "drflow-test-access";
  static final String SECRET = "drflow-test-secret";

  static S3ProxyServer server;
  static Path dataDir;
  static StorageConfig config;
  static ObjectStore store;

  static {
    // Logback's default is DEBUG, and the SDK's wire logging at DEBUG would dominate the
    // throughput measured here.
    ((ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
        .setLevel(ch.qos.logback.classic.Level.INFO);
  }

  @BeforeAll
  static void startS3Proxy() throws Exception {
    dataDir = Files.createTempDirectory("drflow-s3proxy-data-");
    server = S3ProxyServer.start(dataDir, 0, ACCESS, SECRET);
    config =
        new StorageConfig(
            server.endpoint(), null, "test-bucket", "drflow", true, "T_ACCESS", "T_SECRET", true);
    store = ObjectStore.open(config, secrets(), 16);
  }

  static Secrets secrets() {
    return Secrets.withOverrides(Map.of("T_ACCESS", ACCESS, "T_SECRET", SECRET));
  }

  @AfterAll
  static void stopS3Proxy() throws Exception {
    if (store != null) {
      store.close();
    }
    if (server != null) {
      server.close();
    }
    if (dataDir != null) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
