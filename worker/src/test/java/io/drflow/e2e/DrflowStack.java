package io.drflow.e2e;

import io.drflow.activities.config.ConfigLoader;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.S3ProxyServer;
import io.drflow.activities.local.SampleData;
import io.drflow.worker.dev.EmbeddedTemporal;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything drflow runs against in production, on this machine and on free ports: the real
 * Temporal dev server (SQLite file, Web UI), a production PostgreSQL with the sample shop (password
 * required, given to the worker as an environment variable), a drill-target PostgreSQL, an S3
 * server, and the packaged worker as its own process reading a generated drflow.yaml. One stack
 * serves every test class of a run (see {@link StackExtension}).
 */
public final class DrflowStack implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DrflowStack.class);

  public static final String SERVICE = "shop";
  public static final String HOST = "127.0.0.1";
  static final String S3_ACCESS_ENV = "E2E_S3_ACCESS";
  static final String S3_SECRET_ENV = "E2E_S3_SECRET";

  private final List<AutoCloseable> parts = new ArrayList<>();
  private final Path dir;
  private final Path artifacts;
  private EmbeddedTemporal temporal;
  private int temporalPort;
  private int uiPort;
  private LocalPostgresCluster source;
  private LocalPostgresCluster drillTarget;
  private S3ProxyServer s3;
  private Process worker;
  private Path workerLog;
  private Path configFile;
  private WorkflowServiceStubs stubs;
  private WorkflowClient client;
  private ScheduleClient schedules;

  private DrflowStack(Path dir, Path artifacts) {
    this.dir = dir;
    this.artifacts = artifacts;
  }

  static DrflowStack start() throws Exception {
    Path artifacts = Path.of(System.getProperty("drflow.artifacts.dir", "target/test-artifacts")).toAbsolutePath().normalize();
    Files.createDirectories(artifacts.resolve("e2e"));
    DrflowStack stack = new DrflowStack(Files.createTempDirectory("drflow-e2e-"), artifacts);
    try {
      stack.startAll();
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  private void startAll() throws Exception {
    long t0 = System.nanoTime();
    temporalPort = freePort();
    uiPort = freePort();
    // The servers start side by side: most of their start-up is waiting, not computing.
    CompletableFuture<EmbeddedTemporal> t =
        CompletableFuture.supplyAsync(
            () -> unchecked(() -> EmbeddedTemporal.startDevServer(HOST, temporalPort, uiPort, dir.resolve("temporal"))));
    CompletableFuture<LocalPostgresCluster> src =
        CompletableFuture.supplyAsync(
            () -> {
              LocalPostgresCluster c = LocalPostgresCluster.builder().password(randomSecret()).start();
              SampleData.create(c.connections(), c.serverConfig(), SERVICE);
              return c;
            });
    // DDL is logged so tests can count the scratch databases a drill creates and drops.
    CompletableFuture<LocalPostgresCluster> tgt =
        CompletableFuture.supplyAsync(
            () -> LocalPostgresCluster.builder().password(randomSecret()).setting("log_statement", "ddl").start());
    CompletableFuture<S3ProxyServer> s =
        CompletableFuture.supplyAsync(
            () -> unchecked(() -> S3ProxyServer.start(dir.resolve("s3"), 0, "e2e-access", randomSecret())));
    temporal = keep(t);
    source = keep(src);
    drillTarget = keep(tgt);
    s3 = keep(s);

    configFile = dir.resolve("drflow.yaml");
    Files.writeString(configFile, workerYaml(""));
    // The worker's own strict loader must accept what the worker process will read.
    ConfigLoader.load(configFile);
    startWorker();

    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(target()).build());
    client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    schedules =
        ScheduleClient.newInstance(stubs, ScheduleClientOptions.newBuilder().setNamespace("default").build());
    awaitWorkerPolling();
    log.info(
        "e2e stack up in {} ms: temporal {} (ui {}), source pg {}, drill pg {}, s3 {}, worker log {}",
        (System.nanoTime() - t0) / 1_000_000, target(), uiUrl(), source.port(), drillTarget.port(), s3.endpoint(), workerLog);
  }

  /**
   * A drflow.yaml for this stack. {@code extraServiceYaml} is appended under {@code services.shop}
   * (indented by the caller's text as given, e.g. a {@code schedules:} block), and later
   * top-level services may follow via {@code moreServices}.
   */
  String workerYaml(String extraServiceYaml) {
    return workerYaml(extraServiceYaml, "");
  }

  String workerYaml(String extraServiceYaml, String moreServices) {
    return """
        temporal:
          target: "%s"
          namespace: default
          taskQueue: drflow
        storage:
          endpoint: "%s"
          bucket: drflow-e2e
          pathStyle: true
          accessKeyEnv: %s
          secretKeyEnv: %s
          createBucket: true
        worker:
          workDir: "%s"
          hostId: e2e
          shutdownGraceSeconds: 5
        metrics:
          port: 0
        services:
          %s:
            postgres:
              host: %s
              port: %d
              database: %s
              user: postgres
              passwordEnv: %s
            rto: PT15M
            rpo: PT24H
            drill:
              target:
                host: %s
                port: %d
                user: postgres
                passwordEnv: %s
              assertions:
                - name: customers exist
                  sql: select count(*) > 0 from sales.customers
                - name: every order has items
                  sql: >-
                    select not exists (select 1 from sales.orders o where not exists
                    (select 1 from sales.order_items i where i.order_id = o.id))
        %s%s"""
        .formatted(
            target(), s3.endpoint(), S3_ACCESS_ENV, S3_SECRET_ENV, dir.resolve("work"), SERVICE,
            HOST, source.port(), SERVICE, source.passwordEnv(), HOST, drillTarget.port(), drillTarget.passwordEnv(),
            extraServiceYaml.indent(4), moreServices.indent(2));
  }

  private void startWorker() throws IOException {
    workerLog = artifacts.resolve("e2e/worker.log");
    worker = startWorkerProcess(configFile, workerEnvironment(), workerLog, List.of());
  }

  /**
   * Starts the packaged worker ({@code java -jar drflow-worker.jar --config config}) with exactly
   * {@code env} added to this JVM's environment, its output in {@code log}.
   */
  static Process startWorkerProcess(Path config, Map<String, String> env, Path log, List<String> jvmOptions)
      throws IOException {
    return startWorkerProcess(config, env, log, jvmOptions, java.util.Set.of());
  }

  /** As above, with {@code unset} removed from the environment (a variable the config needs). */
  static Process startWorkerProcess(
      Path config, Map<String, String> env, Path log, List<String> jvmOptions, java.util.Set<String> unset)
      throws IOException {
    Path jar = Path.of(System.getProperty("drflow.worker.jar", "../worker/target/drflow-worker.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: the e2e tests run in `mvn verify`, after `package`");
    }
    List<String> cmd = new ArrayList<>(java());
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().putAll(env);
    pb.environment().keySet().removeAll(unset);
    return pb.start();
  }

  /** The secrets the worker reads from its environment: S3 keys and both servers' passwords. */
  Map<String, String> workerEnvironment() {
    return Map.of(
        S3_ACCESS_ENV, s3.identity(),
        S3_SECRET_ENV, s3.credential(),
        source.passwordEnv(), sourcePassword(),
        drillTarget.passwordEnv(), drillTarget.secrets().optional(drillTarget.passwordEnv()).orElseThrow());
  }

  /** Every secret value the worker was given, which no workflow history may contain. */
  Map<String, String> secretValues() {
    Map<String, String> out = new java.util.LinkedHashMap<>(workerEnvironment());
    out.remove(S3_ACCESS_ENV); // an access key id is an identifier, not a secret
    return out;
  }

  LocalPostgresCluster source() {
    return source;
  }

  LocalPostgresCluster drillTarget() {
    return drillTarget;
  }

  S3ProxyServer s3() {
    return s3;
  }

  private void awaitWorkerPolling() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!worker.isAlive()) {
        throw new IllegalStateException("the worker exited with " + worker.exitValue() + "; see " + workerLog);
      }
      var pollers =
          stubs.blockingStub()
              .describeTaskQueue(
                  DescribeTaskQueueRequest.newBuilder()
                      .setNamespace("default")
                      .setTaskQueue(TaskQueue.newBuilder().setName("drflow"))
                      .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW)
                      .build())
              .getPollersCount();
      if (pollers > 0) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("the worker did not poll within 90 s; see " + workerLog);
  }

  public String target() {
    return HOST + ":" + temporalPort;
  }

  public String uiUrl() {
    return "http://" + HOST + ":" + uiPort;
  }

  public WorkflowClient client() {
    return client;
  }

  public ScheduleClient schedules() {
    return schedules;
  }

  public Path configFile() {
    return configFile;
  }

  public Path dir() {
    return dir;
  }

  public Path artifacts() {
    return artifacts;
  }

  public Path workerLog() {
    return workerLog;
  }

  /** Runs drctl (the packaged jar, as a user would) with this stack's drflow.yaml. */
  public Drctl.Result drctl(String... args) throws Exception {
    return drctl(configFile, args);
  }

  public Drctl.Result drctl(Path config, String... args) throws Exception {
    return Drctl.run(config, args);
  }

  private String sourcePassword() {
    return source.secrets().optional(source.passwordEnv()).orElseThrow();
  }

  static List<String> java() {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    if (Runtime.version().feature() >= 24) {
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    return cmd;
  }

  /** Stops the worker first (it drains), then the servers; keeps the Temporal log as an artifact. */
  @Override
  public void close() {
    if (worker != null && worker.isAlive()) {
      worker.destroy();
      try {
        if (!worker.waitFor(30, TimeUnit.SECONDS)) {
          worker.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (Exception e) {
        log.warn("stopping {}: {}", parts.get(i).getClass().getSimpleName(), e.toString());
      }
    }
    try {
      Path tlog = dir.resolve("temporal/temporal.log");
      if (Files.exists(tlog)) {
        Files.copy(tlog, artifacts.resolve("e2e/temporal.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      log.warn("keeping the temporal log: {}", e.toString());
    }
    deleteTree(dir);
  }

  private <T extends AutoCloseable> T keep(CompletableFuture<T> f) throws Exception {
    try {
      T value = f.get(180, TimeUnit.SECONDS);
      parts.add(value);
      return value;
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T unchecked(IoSupplier<T> s) {
    try {
      return s.get();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  private static String randomSecret() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  private static void deleteTree(Path root) {
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // A temp dir left behind is harmless.
    }
  }

  /** Waits for {@code condition} without asserting on time: the limit only stops a hung test. */
  static void await(String what, Duration limit, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what + " after " + limit);
      }
      Thread.sleep(200);
    }
  }
}
