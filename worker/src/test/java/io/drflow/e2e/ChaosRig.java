package io.drflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drflow.activities.config.ConfigLoader;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.SampleData;
import io.drflow.activities.postgres.PgDatabases;
import io.drflow.activities.postgres.PgTestSupport;
import io.drflow.activities.storage.FaultProxy;
import io.drflow.activities.storage.ObjectStore;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the chaos harness adds to the end-to-end {@link DrflowStack}: a service large enough to
 * interrupt mid-transfer, a drflow.yaml and a worker process per scenario (each on its own task
 * queue and host queue, so killing one disturbs nothing else), a fault proxy per scenario in front
 * of S3, and ways to look at what really happened: the bucket, the databases, the drill target's
 * DDL log, the workflow history.
 */
final class ChaosRig implements AutoCloseable {

  /** The large service: about 40 MB dumped, 20 MB stored, several download requests and parts. */
  static final String SERVICE = "chaos";
  static final String DATABASE = "chaos";
  /** The sample shop alone (about 1 MB stored): for kill points where size does not matter. */
  static final String LITE = "lite";
  static final String LITE_DATABASE = "chaoslite";
  static final String BUCKET = "drflow-e2e";
  /** Rows of the large service's filler table. */
  static final int EVENTS = 320_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DDL = Pattern.compile(
      "(?i)\\b(create|drop) database (?:if exists )?\"((?:[^\"]|\"\")+)\"");

  final DrflowStack stack;
  final Path dir;
  final ObjectStore store;
  /** What the recovery and failover runbooks change: a second server, Kubernetes, Route53. */
  final ChaosRegions regions;
  private final AtomicInteger workerSeq = new AtomicInteger();
  private final List<ChaosWorker> workers = new CopyOnWriteArrayList<>();
  private final List<FaultProxy> proxies = new CopyOnWriteArrayList<>();

  ChaosRig(DrflowStack stack) throws Exception {
    this.stack = stack;
    this.dir = Files.createDirectories(stack.dir().resolve("chaos"));
    Map<String, String> env = stack.workerEnvironment();
    this.store =
        ObjectStore.open(
            new StorageConfig(
                stack.s3().endpoint(), null, BUCKET, "drflow", true,
                DrflowStack.S3_ACCESS_ENV, DrflowStack.S3_SECRET_ENV, true),
            Secrets.withOverrides(env),
            8);
    this.regions = new ChaosRegions(stack);
    ensureData();
    trainJvms();
  }

  /** Every secret value workers of this rig get, which no workflow history may contain. */
  Map<String, String> secretValues() {
    Map<String, String> out = new java.util.LinkedHashMap<>(stack.secretValues());
    out.putAll(regions.environment());
    return out;
  }

  /** The sample shop, and the shop plus a filler table, each in its own database; once per stack. */
  private void ensureData() throws Exception {
    LocalPostgresCluster src = stack.source();
    if (new PgDatabases(src.connections()).exists(src.serverConfig(), DATABASE)) {
      return;
    }
    SampleData.create(src.connections(), src.serverConfig(), LITE_DATABASE);
    SampleData.create(src.connections(), src.serverConfig(), DATABASE);
    PgTestSupport.execute(
        src.connections(),
        src.postgresConfig(DATABASE),
        "create table sales.events (id bigint primary key, at timestamptz not null, payload text not null)",
        ("insert into sales.events select g, timestamptz '2025-01-01 00:00:00+00' + g * interval '7 seconds',"
                + " md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text)"
                + " from generate_series(1, %d) g").formatted(EVENTS),
        "analyze sales.events");
  }

  /**
   * Class-data-sharing archives for the worker's and drctl's JVMs, dumped once by a first run of
   * each: dozens of them start during a harness run on two cores, and startup is mostly class
   * loading.
   */
  private void trainJvms() throws Exception {
    Path worker = dir.resolve("worker.jsa");
    Path drctl = dir.resolve("drctl.jsa");
    if (Files.exists(worker)) {
      return;
    }
    Spec spec = new Spec("cds", "chaos-cds", "cds", stack.s3().endpoint(), "cds", dir.resolve("work-cds"), "", "file");
    Path config = writeConfig(spec);
    Process w =
        DrflowStack.startWorkerProcess(
            config, stack.workerEnvironment(), dir.resolve("cds-worker.log"),
            concat(ChaosWorker.JVM_OPTIONS, List.of("-XX:ArchiveClassesAtExit=" + worker + ".tmp")));
    Drctl.run(List.of("-XX:ArchiveClassesAtExit=" + drctl + ".tmp"), config, "report", "chaos-cds-nothing");
    new ChaosWorker("cds", dir.resolve("cds-worker.log"), w, false).awaitReady(java.time.Duration.ofMinutes(3)).close();
    for (Path archive : List.of(worker, drctl)) {
      Path tmp = Path.of(archive + ".tmp");
      if (Files.exists(tmp)) {
        Files.move(tmp, archive, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    }
  }

  /** JVM options for a worker process of this rig. */
  List<String> workerJvm() {
    return concat(ChaosWorker.JVM_OPTIONS, cds(dir.resolve("worker.jsa")));
  }

  /** JVM options for drctl processes of this rig. */
  List<String> drctlJvm() {
    return cds(dir.resolve("drctl.jsa"));
  }

  private static List<String> cds(Path archive) {
    return Files.exists(archive) ? List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off") : List.of();
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** drctl, as the harness runs it. */
  Drctl.Result drctl(Path config, String... args) throws Exception {
    return Drctl.run(drctlJvm(), config, args);
  }

  /**
   * Where a scenario's worker reads and writes, and how its drills restore ({@code file}: the
   * download's faults and kill points; {@code stream}: the default, FIFOs fed by ranged GETs).
   */
  record Spec(String id, String taskQueue, String hostId, String endpoint, String prefix, Path workDir, String extraServices,
      String restoreMode) {
    Spec withExtraServices(String yaml) {
      return new Spec(id, taskQueue, hostId, endpoint, prefix, workDir, yaml, restoreMode);
    }

    Spec streamed() {
      return new Spec(id, taskQueue, hostId, endpoint, prefix, workDir, extraServices, "stream");
    }
  }

  /**
   * A scenario's own task queue and host (a slot no other running scenario holds), work directory
   * and bucket prefix; S3 through {@code proxy}. Slots are reused by later scenarios: every new
   * task queue costs the dev server's SQLite store work, and its driver has a bug that cancelled
   * queries can trigger (see {@link #serverTrouble()}).
   */
  Spec spec(String id, FaultProxy proxy, String prefix) {
    String slot = takeSlot();
    return new Spec(id, "chaos-" + slot, slot, proxy.endpoint(), prefix, dir.resolve("work-" + id), "", "file");
  }

  private final java.util.concurrent.BlockingQueue<String> freeSlots = new java.util.concurrent.LinkedBlockingQueue<>();
  private final AtomicInteger slots = new AtomicInteger();
  private final Map<String, List<ChaosWorker>> slotWorkers = new java.util.concurrent.ConcurrentHashMap<>();

  private String takeSlot() {
    String s = freeSlots.poll();
    return s != null ? s : "s" + slots.incrementAndGet();
  }

  /**
   * Gives a spec's slot back once its scenario is over: its workers are stopped first, so no task
   * of this run can reach the next scenario on the same queues.
   */
  void release(Spec spec) {
    List<ChaosWorker> ws = slotWorkers.remove(spec.hostId());
    if (ws != null) {
      ws.forEach(ChaosWorker::close);
    }
    freeSlots.add(spec.hostId());
  }

  /**
   * A known dev-server failure to name in reports: the CLI's SQLite driver (modernc.org/sqlite
   * before 1.44) can leave its connection failing every query with "interrupted (9)" after a
   * cancelled one, and the server then stays unusable. Null when its log shows none of it.
   */
  String serverTrouble() {
    try {
      Path log = stack.dir().resolve("temporal/temporal.log");
      if (Files.exists(log) && Files.readString(log).contains("interrupted (9)")) {
        return "the Temporal dev server's SQLite store failed with 'interrupted (9)' (a bug of the CLI's"
            + " SQLite driver under load, fixed in later Temporal versions); every later call failed";
      }
    } catch (IOException e) {
      // no log, no hint
    }
    return null;
  }

  FaultProxy proxy() throws IOException {
    return proxy(stack.s3().port());
  }

  /** A proxy in front of another server of the rig (Route53), closed with the rig. */
  FaultProxy proxy(int upstreamPort) throws IOException {
    FaultProxy p = new FaultProxy(upstreamPort);
    proxies.add(p);
    return p;
  }

  Path writeConfig(Spec spec) throws IOException {
    Path file = dir.resolve(spec.id() + "-" + spec.hostId() + ".yaml");
    Files.writeString(file, yaml(spec));
    ConfigLoader.load(file); // the worker's own loader must accept it
    return file;
  }

  String yaml(Spec s) {
    return """
        temporal:
          target: "%s"
          namespace: default
          taskQueue: %s
        storage:
          endpoint: "%s"
          bucket: %s
          prefix: %s
          pathStyle: true
          accessKeyEnv: %s
          secretKeyEnv: %s
          createBucket: true
        worker:
          workDir: "%s"
          hostId: %s
          restoreJobs: 2
          shutdownGraceSeconds: 5
        metrics:
          port: 0
        backup:
          chunkMiB: 1
          partMiB: 5
          uploadConcurrency: 1
          downloadConcurrency: 1
        services:
        %s%s"""
        .formatted(
            stack.target(), s.taskQueue(), s.endpoint(), BUCKET, s.prefix(), DrflowStack.S3_ACCESS_ENV,
            DrflowStack.S3_SECRET_ENV, s.workDir(), s.hostId(),
            (serviceYaml(SERVICE, DATABASE, s.restoreMode()) + serviceYaml(LITE, LITE_DATABASE, s.restoreMode())).indent(2),
            s.extraServices().indent(2));
  }

  /** A service on the stack's production server (database {@code database}) drilled on its target. */
  String serviceYaml(String name, String database) {
    return serviceYaml(name, database, "file");
  }

  String serviceYaml(String name, String database, String restoreMode) {
    return serviceYaml(name, database, stack.source().port(), stack.source().passwordEnv(),
        stack.drillTarget().port(), stack.drillTarget().passwordEnv(), restoreMode);
  }

  String serviceYaml(String name, String database, int sourcePort, String sourcePasswordEnv, int targetPort, String targetPasswordEnv) {
    return serviceYaml(name, database, sourcePort, sourcePasswordEnv, targetPort, targetPasswordEnv, "file");
  }

  String serviceYaml(String name, String database, int sourcePort, String sourcePasswordEnv, int targetPort, String targetPasswordEnv,
      String restoreMode) {
    return """
        %s:
          postgres:
            host: 127.0.0.1
            port: %d
            database: %s
            user: postgres
            passwordEnv: %s
          rto: PT30M
          rpo: PT24H
          retention: {keepLast: 1000}
          drill:
            target:
              host: 127.0.0.1
              port: %d
              user: postgres
              passwordEnv: %s
            # file: the download's faults and kill points; stream (the default) has its own scenarios.
            restoreMode: %s
            assertions:
              - name: customers exist
                sql: select count(*) > 0 from sales.customers
        %s"""
        .formatted(name, sourcePort, database, sourcePasswordEnv, targetPort, targetPasswordEnv, restoreMode,
            database.equals(DATABASE)
                ? "      - name: every event restored\n        sql: select count(*) = %d from sales.events\n".formatted(EVENTS)
                : "");
  }

  /** Starts a worker for {@code spec} (writing its config), optionally with a crash point. */
  ChaosWorker worker(Spec spec, String crashPoint) throws Exception {
    return worker(spec, crashPoint, Map.of());
  }

  ChaosWorker worker(Spec spec, String crashPoint, Map<String, String> extraEnv) throws Exception {
    Path config = writeConfig(spec);
    Map<String, String> env = new HashMap<>(stack.workerEnvironment());
    env.putAll(regions.environment());
    env.putAll(extraEnv);
    Path log = dir.resolve(spec.id() + "-worker-" + workerSeq.incrementAndGet() + ".log");
    ChaosWorker w = ChaosWorker.start(spec.id(), config, env, log, crashPoint, workerJvm());
    workers.add(w);
    slotWorkers.computeIfAbsent(spec.hostId(), k -> new CopyOnWriteArrayList<>()).add(w);
    return w;
  }

  WorkflowClient client() {
    return stack.client();
  }

  /** Starts a runbook by type name on the spec's queue with a JSON-friendly input, as the UI does. */
  WorkflowStub start(Spec spec, String workflowId, String type, Object input) {
    WorkflowStub stub =
        client()
            .newUntypedWorkflowStub(
                type, WorkflowOptions.newBuilder().setTaskQueue(spec.taskQueue()).setWorkflowId(workflowId).build());
    WorkflowExecution exec = stub.start(input);
    return client().newUntypedWorkflowStub(exec.getWorkflowId(), Optional.of(exec.getRunId()), Optional.of(type));
  }

  List<PendingActivityInfo> pendingActivities(WorkflowExecution exec) {
    return client()
        .getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder().setNamespace("default").setExecution(exec).build())
        .getPendingActivitiesList();
  }

  /** The heartbeat details the server holds for a pending activity, as JSON. */
  static Optional<JsonNode> heartbeat(PendingActivityInfo a) {
    if (!a.hasHeartbeatDetails() || a.getHeartbeatDetails().getPayloadsCount() == 0) {
      return Optional.empty();
    }
    return Optional.of(json(a.getHeartbeatDetails().getPayloads(0)));
  }

  static JsonNode json(Payload p) {
    try {
      return JSON.readTree(p.getData().toStringUtf8());
    } catch (IOException e) {
      return JSON.getNodeFactory().textNode(p.getData().toStringUtf8());
    }
  }

  WorkflowExecutionHistory history(WorkflowExecution exec) {
    return client().fetchHistory(exec.getWorkflowId(), exec.getRunId());
  }

  /** Each activity type's started attempts, in history order (an attempt recorded as started). */
  static Map<String, Integer> attempts(WorkflowExecutionHistory h) {
    Map<Long, String> scheduled = new HashMap<>();
    Map<String, Integer> out = new LinkedHashMap<>();
    for (HistoryEvent e : h.getEvents()) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.put(e.getEventId(), e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        String type = scheduled.get(e.getActivityTaskStartedEventAttributes().getScheduledEventId());
        out.merge(type, e.getActivityTaskStartedEventAttributes().getAttempt(), Math::max);
      }
    }
    return out;
  }

  /** The result the activity of {@code type} completed with, as JSON (the last one, if several). */
  static Optional<JsonNode> activityResult(WorkflowExecutionHistory h, String type) {
    Map<Long, String> scheduled = new HashMap<>();
    JsonNode found = null;
    for (HistoryEvent e : h.getEvents()) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.put(e.getEventId(), e.getActivityTaskScheduledEventAttributes().getActivityType().getName());
      } else if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        var a = e.getActivityTaskCompletedEventAttributes();
        if (type.equals(scheduled.get(a.getScheduledEventId())) && a.getResult().getPayloadsCount() > 0) {
          found = json(a.getResult().getPayloads(0));
        }
      }
    }
    return Optional.ofNullable(found);
  }

  /** Workflow tasks that timed out: how Temporal noticed a worker died mid-decision. */
  static long workflowTaskTimeouts(WorkflowExecutionHistory h) {
    return h.getEvents().stream().filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT).count();
  }

  /**
   * Every CREATE DATABASE and DROP DATABASE the drill target executed, per database, in order, from
   * its server log ({@code log_statement = ddl}).
   */
  Map<String, List<String>> drillTargetDdl() throws IOException {
    Map<String, List<String>> out = new LinkedHashMap<>();
    try (Stream<String> lines = Files.lines(stack.drillTarget().logFile(), StandardCharsets.UTF_8)) {
      lines.forEach(
          l -> {
            Matcher m = DDL.matcher(l);
            if (m.find()) {
              out.computeIfAbsent(m.group(2).replace("\"\"", "\""), k -> new ArrayList<>())
                  .add(m.group(1).toLowerCase());
            }
          });
    }
    return out;
  }

  static List<String> databases(LocalPostgresCluster cluster) throws Exception {
    return PgTestSupport.query(cluster.connections(), cluster.postgresConfig("postgres"), "select datname from pg_database order by 1");
  }

  /** Keys and sizes under {@code prefix}: what "untouched" is checked against. */
  Map<String, Long> objects(String prefix) {
    Map<String, Long> out = new LinkedHashMap<>();
    store.list(prefix).forEach(o -> out.put(o.key(), o.size()));
    return out;
  }

  /** Files left under a work directory (none after a clean run). */
  static List<Path> files(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !p.equals(root)).toList();
    }
  }

  /** Stops every worker and proxy; keeps the workers' logs and configs as artifacts. */
  @Override
  public void close() {
    workers.forEach(ChaosWorker::close);
    proxies.forEach(FaultProxy::close);
    store.close();
    regions.close();
    try (Stream<Path> files = Files.list(dir)) {
      Path keep = Files.createDirectories(stack.artifacts().resolve("chaos"));
      for (Path f : files.filter(f -> f.toString().endsWith(".log") || f.toString().endsWith(".yaml")).toList()) {
        Files.copy(f, keep.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      // the artifacts only help a person looking into a failure
    }
  }
}
