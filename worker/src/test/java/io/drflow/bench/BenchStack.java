package io.drflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.S3ProxyServer;
import io.drflow.activities.postgres.PgTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Everything a benchmark run needs, on free ports: a source and a target PostgreSQL cluster, an
 * S3Proxy, the Temporal dev server, and a drflow worker as its own process, configured by a
 * drflow.yaml written here. {@link #drctl} runs the real CLI against it.
 */
final class BenchStack implements AutoCloseable {

  static final String SERVICE = "bench";
  static final String DATABASE = "bench";
  static final String BUCKET = "drflow-bench";
  static final String S3_IDENTITY = "bench";
  static final String S3_CREDENTIAL = "bench-secret";
  static final String TASK_QUEUE = "drflow-bench";

  final Path repo;
  final Path dir;
  final Path log;
  final PgTools pg;
  final List<AutoCloseable> parts = new ArrayList<>();
  LocalPostgresCluster source;
  LocalPostgresCluster target;
  S3ProxyServer s3;
  DevServer temporal;
  Path config;
  Process worker;
  Path workerLog;

  /** Backups encrypted at rest (AES-256-GCM), with a key generated for this run. */
  boolean encryptBackups;

  private final String backupKey = newBackupKey();

  private static String newBackupKey() {
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    return java.util.Base64.getEncoder().encodeToString(key);
  }

  BenchStack(Path repo, Path dir) throws IOException {
    this.repo = repo;
    this.dir = Files.createDirectories(dir);
    this.log = dir.resolve("bench.log");
    Files.writeString(log, "");
    this.pg = PgTools.newest(null);
  }

  void startDatabases(int targetMaxConnections) {
    source = LocalPostgresCluster.builder().setting("max_connections", "100").start();
    parts.add(source);
    target =
        LocalPostgresCluster.builder()
            .setting("max_connections", String.valueOf(targetMaxConnections))
            .start();
    parts.add(target);
  }

  void startServices() throws IOException {
    s3 = S3ProxyServer.start(dir.resolve("s3"), 0, S3_IDENTITY, S3_CREDENTIAL);
    parts.add(s3);
    temporal = DevServer.start(dir.resolve("temporal"), false, DEV_SERVER_CONFIG);
    parts.add(temporal);
  }

  /** The dev server as drflow's dev stack runs it: see EmbeddedTemporal.LOW_LATENCY. */
  static final List<String> DEV_SERVER_CONFIG = io.drflow.worker.dev.EmbeddedTemporal.LOW_LATENCY;

  String temporalTarget() {
    return temporal.target();
  }

  Map<String, String> s3Env() {
    return Map.of(
        "AWS_ACCESS_KEY_ID", S3_IDENTITY,
        "AWS_SECRET_ACCESS_KEY", S3_CREDENTIAL,
        "AWS_DEFAULT_REGION", "us-east-1",
        "AWS_CONFIG_FILE", dir.resolve("aws-config-none").toString(),
        "AWS_SHARED_CREDENTIALS_FILE", dir.resolve("aws-credentials-none").toString(),
        "AWS_PAGER", "");
  }

  /** Writes drflow.yaml for the bench service; {@code extra} is appended to the worker section. */
  void writeConfig(String workerExtra, String backupSection) throws IOException {
    config = dir.resolve("drflow.yaml");
    String yaml =
        """
        temporal:
          target: %s
          namespace: default
          taskQueue: %s
        storage:
          endpoint: %s
          region: us-east-1
          bucket: %s
          prefix: drflow
          pathStyle: true
          accessKeyEnv: DRFLOW_BENCH_S3_ACCESS_KEY
          secretKeyEnv: DRFLOW_BENCH_S3_SECRET_KEY
          createBucket: true
        %s
        metrics:
          port: 0
        worker:
          workDir: %s
          hostId: bench
        %s
        %s
        services:
          %s:
            postgres: {host: 127.0.0.1, port: %d, database: %s, user: postgres}
            rto: PT4H
            rpo: PT24H
            retention: {keepLast: 2, daily: 0, weekly: 0, monthly: 0, yearly: 0}
            drill:
              target: {host: 127.0.0.1, port: %d, user: postgres, maintenanceDatabase: postgres}
              assertions:
                - {name: branches exist, sql: "select count(*) > 0 from pgbench_branches"}
                - {name: events reference accounts, sql: "select count(*) > 0 from bench_events"}
        """
            .formatted(
                temporalTarget(),
                TASK_QUEUE,
                s3.endpoint(),
                BUCKET,
                encryptBackups ? "  encryption: {keyEnv: DRFLOW_BENCH_BACKUP_KEY}" : "",
                dir.resolve("work"),
                workerExtra,
                backupSection,
                SERVICE,
                source.port(),
                DATABASE,
                target.port());
    Files.writeString(config, yaml);
  }

  /** Starts {@code drflow-worker --config} as a process and waits until it polls. */
  void startWorker(List<String> jvmOptions) throws IOException, InterruptedException {
    workerLog = dir.resolve("worker.log");
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(javaOptions());
    command.addAll(jvmOptions);
    command.addAll(
        List.of("-jar", repo.resolve("worker/target/drflow-worker.jar").toString(), "--config", config.toString()));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(workerLog.toFile());
    pb.environment().put("DRFLOW_BENCH_S3_ACCESS_KEY", S3_IDENTITY);
    pb.environment().put("DRFLOW_BENCH_S3_SECRET_KEY", S3_CREDENTIAL);
    pb.environment().put("DRFLOW_BENCH_BACKUP_KEY", backupKey);
    pb.environment().putIfAbsent("DRFLOW_LOG_LEVEL", "INFO");
    worker = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!worker.isAlive()) {
        throw new IllegalStateException("the worker exited: " + Proc.tail(Files.readString(workerLog)));
      }
      if (Files.readString(workerLog).contains("drflow worker serving task queue")) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the worker did not start: " + Proc.tail(Files.readString(workerLog)));
  }

  long workerPid() {
    return worker.pid();
  }

  void stopWorker() {
    if (worker != null && worker.isAlive()) {
      worker.destroy(); // SIGTERM: the worker shuts down gracefully (and JFR dumps its recording)
      try {
        if (!worker.waitFor(60, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runs {@code drctl --config F args... --json} and returns the report it prints. */
  JsonNode drctl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(javaOptions());
    command.addAll(
        List.of("-jar", repo.resolve("starter-cli/target/drctl.jar").toString(), "--config", config.toString()));
    command.addAll(Arrays.asList(args));
    Proc.Outcome o = Proc.run(command, log);
    try {
      return JSON.readTree(o.stdout());
    } catch (IOException e) {
      throw new IllegalStateException("drctl printed no JSON: " + Proc.tail(o.stdout()), e);
    }
  }

  /** Runs SQL on the target cluster's maintenance database. */
  void targetSql(String sql) {
    target.psql("postgres", sql);
  }

  static List<String> javaOptions() {
    String opts = System.getenv().getOrDefault("DRFLOW_JAVA_OPTS", "--enable-native-access=ALL-UNNAMED");
    List<String> out = new ArrayList<>();
    for (String o : opts.trim().split("\\s+")) {
      if (!o.isEmpty()) {
        out.add(o);
      }
    }
    return out;
  }

  static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  void appendLog(String line) {
    try {
      Files.writeString(log, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Map<String, String> targetEnv(String database) {
    Map<String, String> env = new HashMap<>();
    env.put("PGHOST", target.host());
    env.put("PGPORT", String.valueOf(target.port()));
    env.put("PGUSER", "postgres");
    env.put("PGDATABASE", database);
    return env;
  }

  Map<String, String> sourceEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("PGHOST", source.host());
    env.put("PGPORT", String.valueOf(source.port()));
    env.put("PGUSER", "postgres");
    env.put("PGDATABASE", DATABASE);
    return env;
  }

  @Override
  public void close() {
    stopWorker();
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        System.err.println("stopping " + parts.get(i).getClass().getSimpleName() + ": " + e);
      }
    }
  }
}
