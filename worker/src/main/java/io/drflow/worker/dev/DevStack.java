package io.drflow.worker.dev;

import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.DrillConfig;
import io.drflow.activities.config.EncryptionConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.S3ProxyServer;
import io.drflow.activities.local.SampleData;
import io.drflow.worker.DrflowWorker;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default stack: everything drflow needs on one machine, at the addresses the
 * default config points to, so {@code drctl} works against it with no config at all.
 */
public final class DevStack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DevStack.class);

  public static final String DEMO_SERVICE = "demo";
  public static final int DEMO_SOURCE_PORT = 55432;
  public static final int DEMO_DRILL_PORT = 55433;
  /** Not secret: they guard a loopback-only S3 server that lives as long as this process. */
  static final String S3_IDENTITY = "drflow";

  static final String S3_CREDENTIAL = "drflow-dev-secret";

  private final List<AutoCloseable> parts = new ArrayList<>();
  private final List<String> banner = new ArrayList<>();
  private final Path stateDir;
  private final boolean ownsStateDir;
  private DrflowConfig config;

  private DevStack(Path stateDir, boolean ownsStateDir) {
    this.stateDir = stateDir;
    this.ownsStateDir = ownsStateDir;
  }

  public static DevStack start(DrflowConfig config, Path stateDir) throws IOException {
    boolean owns = stateDir == null;
    Path dir = owns ? Files.createTempDirectory("drflow-dev") : Files.createDirectories(stateDir);
    DevStack stack = new DevStack(dir, owns);
    try {
      stack.startAll(config);
    } catch (IOException | RuntimeException e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  private void startAll(DrflowConfig cfg) throws IOException {
    String target = cfg.temporal().target();
    URI temporalUri = URI.create("grpc://" + target);
    EmbeddedTemporal temporal =
        EmbeddedTemporal.start(temporalUri.getHost(), temporalUri.getPort(), stateDir.resolve("temporal"));
    parts.add(temporal);
    banner.add("temporal:  " + target + " (" + temporal.kind() + ", namespace " + cfg.temporal().namespace() + ")");
    temporal.uiAddress(temporalUri.getHost()).ifPresent(ui -> banner.add("web ui:    " + ui));

    Map<String, String> overrides = new HashMap<>();
    StorageConfig storage = cfg.storage();
    if (storage.endpoint() != null && isLoopback(URI.create(storage.endpoint()).getHost())) {
      URI s3 = URI.create(storage.endpoint());
      S3ProxyServer server =
          S3ProxyServer.start(stateDir.resolve("s3"), s3.getPort(), S3_IDENTITY, S3_CREDENTIAL);
      parts.add(server);
      overrides.put(storage.accessKeyEnv(), S3_IDENTITY);
      overrides.put(storage.secretKeyEnv(), S3_CREDENTIAL);
      banner.add("s3:        " + server.endpoint() + " bucket " + storage.bucket() + " (S3Proxy, data in " + stateDir.resolve("s3") + ")");
    }

    config = cfg;
    if (cfg.services().isEmpty()) {
      config = cfg.withServices(Map.of(DEMO_SERVICE, demoService()));
      if (storage.encryption() == null) {
        Path keyFile = demoBackupKey();
        config =
            new DrflowConfig(
                config.temporal(),
                storage.withEncryption(new EncryptionConfig(null, keyFile.toString(), null, null)),
                config.worker(),
                config.backup(),
                config.services(),
                config.metrics());
        banner.add("backups:   encrypted (AES-256-GCM, key file " + keyFile + ")");
      }
    }
    for (var e : config.services().entrySet()) {
      banner.add("service:   " + e.getKey() + " (" + e.getValue().postgres().server() + "/" + e.getValue().postgres().database() + ")");
    }
    DrflowWorker worker = DrflowWorker.start(config, Secrets.withOverrides(overrides));
    parts.add(worker);
    banner.add("worker:    task queue " + config.temporal().taskQueue() + ", host queue " + worker.hostQueue());
    if (worker.metricsUrl() != null) {
      banner.add("metrics:   " + worker.metricsUrl());
    }
    banner.add("state:     " + stateDir);
    banner.add("drflow dev stack ready");
  }

  /**
   * The demo's backup key: generated once, kept with the stack's state so its backups stay
   * restorable across restarts, readable by the owner only.
   */
  private Path demoBackupKey() throws IOException {
    Path file = stateDir.resolve("backup.key");
    if (!Files.exists(file)) {
      byte[] key = new byte[32];
      new java.security.SecureRandom().nextBytes(key);
      Files.createDirectories(stateDir);
      Path tmp = Files.createTempFile(stateDir, "backup.key", ".tmp");
      try {
        Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // the temp file is already private to the user on such systems
      }
      Files.write(tmp, key);
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    return file;
  }

  /** Two throwaway clusters: production with sample data, and the drill target. */
  private ServiceConfig demoService() {
    LocalPostgresCluster source = LocalPostgresCluster.builder().port(DEMO_SOURCE_PORT).start();
    parts.add(source);
    LocalPostgresCluster drill = LocalPostgresCluster.builder().port(DEMO_DRILL_PORT).start();
    parts.add(drill);
    SampleData.create(source.connections(), source.serverConfig(), DEMO_SERVICE);
    PostgresConfig pg = source.postgresConfig(DEMO_SERVICE);
    ServerConfig target = drill.serverConfig();
    return new ServiceConfig(
        pg,
        Duration.ofMinutes(15),
        Duration.ofHours(24),
        Map.of(),
        RetentionConfig.defaults(),
        new DrillConfig(
            target,
            List.of(
                new DrillConfig.Assertion(
                    "customers exist", "select count(*) > 0 from sales.customers"),
                new DrillConfig.Assertion(
                    "every order has items",
                    "select not exists (select 1 from sales.orders o where not exists"
                        + " (select 1 from sales.order_items i where i.order_id = o.id))")),
            false));
  }

  static boolean isLoopback(String host) {
    return host != null
        && (host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1") || host.equals("[::1]"));
  }

  public DrflowConfig config() {
    return config;
  }

  public String banner() {
    return String.join("\n", banner) + "\n";
  }

  /** Stops the worker first (it finishes or hands back its work), then the servers. */
  @Override
  public void close() {
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        log.warn("stopping {}: {}", parts.get(i).getClass().getSimpleName(), e.toString());
      }
    }
    parts.clear();
    if (ownsStateDir) {
      deleteQuietly(stateDir);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temp dir left behind is harmless.
    }
  }
}
