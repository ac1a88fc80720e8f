package io.drflow.activities.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.drflow.activities.DrflowActivities;
import io.drflow.activities.config.BackupTuning;
import io.drflow.activities.config.DnsConfig;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.HealthConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.RegionConfig;
import io.drflow.activities.config.RegionKubernetes;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.Secrets;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.config.StorageConfig;
import io.drflow.activities.config.WorkerConfig;
import io.drflow.activities.dns.MotoServer;
import io.drflow.activities.dns.Route53Clients;
import io.drflow.activities.kubernetes.FakeCluster;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.S3ProxyServer;
import io.drflow.activities.local.SampleData;
import io.drflow.workflows.Workflows;
import io.drflow.workflows.backup.BackupInput;
import io.drflow.workflows.backup.BackupWorkflow;
import io.drflow.workflows.failover.FailoverInput;
import io.drflow.workflows.failover.FailoverWorkflow;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.RunReport;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * Failover end to end on Temporal's test server with the real activities: PostgreSQL (a primary
 * and a DR server), S3 (S3Proxy), one fabric8 Kubernetes mock per region with a fake Deployment
 * controller, moto's Route53 and an HTTP health endpoint in the DR region that can be made to fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverEndToEndTest {

  private static final String QUEUE = "drflow-failover-e2e";
  private static final String HOST_QUEUE = "drflow-failover-e2e@this-host";
  private static final String EAST = "lb-east.shop.example.com";
  private static final String WEST = "lb-west.shop.example.com";

  static LocalPostgresCluster primary;
  static LocalPostgresCluster dr;
  static Path s3Dir;
  static Path workDir;
  static S3ProxyServer s3;
  static FakeCluster east;
  static FakeCluster west;
  static MotoServer moto;
  static Route53Client route53;
  static String zoneId;
  static String record;
  static HttpServer health;
  static final AtomicInteger healthStatus = new AtomicInteger(200);
  static DrflowActivities activities;
  static TestWorkflowEnvironment env;
  static WorkflowClient client;

  @BeforeAll
  static void startEverything() throws Exception {
    primary = LocalPostgresCluster.start();
    dr = LocalPostgresCluster.start();
    SampleData.create(primary.connections(), primary.serverConfig(), "shop");
    s3Dir = Files.createTempDirectory("drflow-failover-s3-");
    workDir = Files.createTempDirectory("drflow-failover-work-");
    s3 = S3ProxyServer.start(s3Dir, 0, "e2e-access", "e2e-secret");
    east = FakeCluster.start("shop");
    east.deployment("api", 3);
    east.deployment("worker", 2);
    west = FakeCluster.start("shop");
    west.deployment("api", 0);
    west.deployment("worker", 0);
    east.settle();
    west.settle();
    moto = MotoServer.start();
    route53 = Route53Clients.create(new DnsConfig.Route53("Z", moto.endpoint()));
    String zone = "shop-" + UUID.randomUUID().toString().substring(0, 8) + ".example.com.";
    zoneId = route53.createHostedZone(r -> r.name(zone).callerReference(UUID.randomUUID().toString()))
        .hostedZone().id().replace("/hostedzone/", "");
    record = "api." + zone;
    route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(c -> c
        .action(ChangeAction.CREATE)
        .resourceRecordSet(s -> s.name(record).type(RRType.CNAME).ttl(60L).resourceRecords(v -> v.value(EAST))))));
    health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    health.createContext("/health", ex -> {
      ex.sendResponseHeaders(healthStatus.get(), -1);
      ex.close();
    });
    health.start();

    Map<String, RegionConfig> regions = new LinkedHashMap<>();
    regions.put("primary", new RegionConfig(
        new RegionConfig.RegionPostgres(primary.host(), primary.port(), null, primary.passwordEnv()), null,
        new RegionKubernetes(null, null, east.apiUrl(), null, null, "shop", serving())));
    regions.put("dr", new RegionConfig(
        new RegionConfig.RegionPostgres(dr.host(), dr.port(), null, dr.passwordEnv()),
        "http://127.0.0.1:" + health.getAddress().getPort() + "/health",
        new RegionKubernetes(null, null, west.apiUrl(), null, null, "shop", serving())));
    PostgresConfig production = primary.postgresConfig("shop");
    ServiceConfig shop = new ServiceConfig(
        production, Duration.ofHours(1), Duration.ofHours(24), Map.of(), RetentionConfig.defaults(), null,
        null, null, new HealthConfig("http://unused.example/health", Duration.ofSeconds(3), Duration.ofMillis(200)),
        null, null, regions,
        DnsConfig.ofValues(new DnsConfig.Route53(zoneId, moto.endpoint()), new DnsConfig.Record(record, "CNAME", 60L),
            Map.of("primary", EAST, "dr", WEST)));
    DrflowConfig config = new DrflowConfig(
        null,
        new StorageConfig(s3.endpoint(), null, "e2e", "drflow", true, "E2E_S3_ACCESS", "E2E_S3_SECRET", true),
        new WorkerConfig(workDir.toString(), 2, null, "this-host", null, null),
        BackupTuning.defaults(),
        Map.of("shop", shop));
    Secrets secrets = Secrets.withOverrides(Map.of("E2E_S3_ACCESS", "e2e-access", "E2E_S3_SECRET", "e2e-secret"));
    activities = DrflowActivities.create(config, secrets, HOST_QUEUE);

    // Real time: the backup's snapshot time comes from the real clock, and the test server would
    // otherwise skip ahead (through the phase deadlines to a ten-year default timeout) while a
    // real restore runs, so the next failover found its backup ten years old.
    env = TestWorkflowEnvironment.newInstance(
        io.temporal.testing.TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    Worker shared = env.newWorker(QUEUE);
    shared.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS);
    shared.registerActivitiesImplementations(activities.all().toArray());
    env.newWorker(HOST_QUEUE).registerActivitiesImplementations(activities.hostLocal().toArray());
    env.start();
    client = env.getWorkflowClient();
    RunReport backup = client.newWorkflowStub(BackupWorkflow.class, options("backup-shop-1")).backup(new BackupInput("shop"));
    assertThat(backup.status()).isEqualTo("COMPLETED");
  }

  private static Map<String, Integer> serving() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("api", 3);
    m.put("worker", 2);
    return m;
  }

  @AfterAll
  static void stopEverything() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {
        env == null ? null : env::close, activities, health == null ? null : () -> health.stop(0),
        route53, moto, east, west, s3, dr, primary}) {
      if (c != null) {
        c.close();
      }
    }
    for (Path dir : new Path[] {s3Dir, workDir}) {
      if (dir != null) {
        try (Stream<Path> files = Files.walk(dir)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static WorkflowOptions options(String id) {
    return WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(id).build();
  }

  private static FailoverWorkflow failover(String id) {
    return client.newWorkflowStub(FailoverWorkflow.class, options(id));
  }

  private static Optional<String> value(String name) {
    return route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId)).resourceRecordSets().stream()
        .filter(s -> s.name().equals(name) && s.type() == RRType.CNAME)
        .map(s -> s.resourceRecords().get(0).value())
        .findFirst();
  }

  private static List<String> drDatabases() {
    return List.of(dr.psql("postgres", "select datname from pg_database where not datistemplate order by 1").split("\n"));
  }

  @Test
  @Order(1)
  void aDrillWhoseHealthCheckFailsPutsEverythingBackAndNeverTouchesDns() {
    healthStatus.set(503);
    try {
      assertThatThrownBy(() -> failover("failover-drill-unhealthy").failover(
              new FailoverInput("shop", "dr", null, true, true, null, "e2e")))
          .isInstanceOf(WorkflowFailedException.class)
          .satisfies(e -> {
            RunReport r = ((ApplicationFailure) e.getCause()).getDetails().get(RunReport.class);
            assertThat(r.status()).isEqualTo("FAILED");
            assertThat(r.error()).contains("HealthCheckFailed");
          });
    } finally {
      healthStatus.set(200);
    }
    assertThat(west.replicas("api")).isEqualTo(0);
    assertThat(west.replicas("worker")).isEqualTo(0);
    assertThat(value("drill-" + record)).isEmpty();
    assertThat(value(record)).contains(EAST);
    assertThat(drDatabases()).containsExactly("postgres");
  }

  @Test
  @Order(2)
  void aDrillRunsEverythingOnTheDrillRecordAndPutsItBack() {
    RunReport r = failover("failover-drill").failover(new FailoverInput("shop", "dr", null, true, true, null, "e2e"));
    assertThat(r.status()).isEqualTo("COMPLETED");
    assertThat(r.failover().drill()).isTrue();
    assertThat(r.failover().dnsChangeId()).isNotNull();
    assertThat(r.failover().readiness()).allMatch(Check::passed);
    assertThat(value("drill-" + record)).isEmpty();
    assertThat(value(record)).contains(EAST);
    assertThat(west.replicas("api")).isEqualTo(0);
    assertThat(east.replicas("api")).isEqualTo(3);
    assertThat(drDatabases()).containsExactly("postgres");
  }

  @Test
  @Order(3)
  void failoverRestoresScalesUpSwitchesDnsAndScalesThePrimaryDown() {
    RunReport r = failover("failover-shop").failover(new FailoverInput("shop", "dr", null, null, true, null, "e2e"));
    assertThat(r.status()).isEqualTo("COMPLETED");
    assertThat(r.failover().from()).isEqualTo("primary");
    assertThat(r.failover().dnsChangeId()).isNotNull();
    assertThat(r.rto().met()).isTrue();
    assertThat(value(record)).contains(WEST);
    assertThat(west.replicas("api")).isEqualTo(3);
    assertThat(west.replicas("worker")).isEqualTo(2);
    assertThat(east.replicas("api")).isEqualTo(0);
    assertThat(drDatabases()).containsExactly("postgres", "shop");
    assertThat(dr.psql("shop", "select count(*) from sales.customers"))
        .isEqualTo(primary.psql("shop", "select count(*) from sales.customers"));
  }

  @Test
  @Order(4)
  void aSecondFailoverFindsTheDrDatabaseInUseAndChangesNothing() {
    assertThatThrownBy(() -> failover("failover-shop-again").failover(
            new FailoverInput("shop", "dr", null, null, true, null, "e2e")))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          ApplicationFailure af = (ApplicationFailure) e.getCause();
          assertThat(af.getType()).isEqualTo("ReadinessFailed");
          RunReport r = af.getDetails().get(RunReport.class);
          assertThat(r.error()).contains("was not created by this run");
        });
    assertThat(value(record)).contains(WEST);
    assertThat(west.replicas("api")).isEqualTo(3);
  }

  @Test
  @Order(5)
  void whileOneRunHoldsTheServiceLockAFailbackIsRefusedNamingIt() throws Exception {
    FailoverWorkflow first = failover("failover-drill-waiting");
    WorkflowClient.start(first::failover, new FailoverInput("shop", "dr", null, true, null, null, "e2e"));
    for (int i = 0; i < 1200 && !"dns".equals(first.pendingApproval()); i++) {
      Thread.sleep(50);
    }
    assertThat(first.pendingApproval()).as("the drill waits for approval").isEqualTo("dns");

    assertThatThrownBy(() -> failover("failback-refused").failover(
            new FailoverInput("shop", null, null, null, true, true, "e2e")))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          ApplicationFailure af = (ApplicationFailure) e.getCause();
          assertThat(af.getType()).isEqualTo("ServiceLocked");
          // Read from Temporal by the worker's lock activity: the lock's parent, and its type.
          assertThat(af.getOriginalMessage()).startsWith(
              "another failover of shop is running: failover-drill-waiting (it holds service-lock-shop)");
        });

    first.abort(new io.drflow.workflows.recovery.AbortRequest("lock test done", "e2e"));
    assertThatThrownBy(() -> io.temporal.client.WorkflowStub.fromTyped(first).getResult(RunReport.class))
        .isInstanceOf(WorkflowFailedException.class);
    assertThat(value("drill-" + record)).isEmpty();
    assertThat(value(record)).contains(WEST);
    assertThat(drDatabases()).containsExactly("postgres", "shop");
  }
}
