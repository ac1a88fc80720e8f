package io.drflow.activities.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.drflow.activities.config.DnsConfig;
import io.drflow.activities.config.DnsValue;
import io.drflow.activities.config.DrflowConfig;
import io.drflow.activities.config.HealthConfig;
import io.drflow.activities.config.PostgresConfig;
import io.drflow.activities.config.RegionConfig;
import io.drflow.activities.config.RegionKubernetes;
import io.drflow.activities.config.RetentionConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.dns.MotoServer;
import io.drflow.activities.dns.Route53Clients;
import io.drflow.activities.kubernetes.FakeCluster;
import io.drflow.activities.kubernetes.KubernetesClients;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.workflows.activities.DeploymentActivities.ScaleResult;
import io.drflow.workflows.activities.FailoverActivities;
import io.drflow.workflows.activities.FailoverActivities.DatabaseRequest;
import io.drflow.workflows.activities.FailoverActivities.DnsAlias;
import io.drflow.workflows.activities.FailoverActivities.DnsChange;
import io.drflow.workflows.activities.FailoverActivities.DnsSetRequest;
import io.drflow.workflows.activities.FailoverActivities.DnsState;
import io.drflow.workflows.activities.FailoverActivities.FailoverPlan;
import io.drflow.workflows.activities.FailoverActivities.PlanRequest;
import io.drflow.workflows.activities.FailoverActivities.PromoteRequest;
import io.drflow.workflows.activities.FailoverActivities.RegionRequest;
import io.drflow.workflows.activities.FailoverActivities.RegionScaleBackRequest;
import io.drflow.workflows.activities.FailoverActivities.RegionScaleRequest;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The failover activities against real protocols: moto's Route53, fabric8's Kubernetes mock with a
 * fake Deployment controller, a real PostgreSQL server as the DR database server, and a local HTTP
 * health endpoint that can be made to fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverActivitiesTest {

  private static final String EAST = "lb-east.shop.example.com";
  private static final String WEST = "lb-west.shop.example.com";
  private static final String EAST_LB = "lb-east-1234.us-east-1.elb.amazonaws.com.";
  private static final String EAST_LB_ZONE = "Z35SXDOTRQ7X7K";
  private static final String WEST_LB = "lb-west-5678.us-west-2.elb.amazonaws.com.";
  private static final String WEST_LB_ZONE = "Z1H1FL5HABSF5";

  static LocalPostgresCluster pg;
  static FakeCluster k8s;
  static MotoServer moto;
  static Route53Client route53;
  static HttpServer health;
  static final AtomicInteger healthStatus = new AtomicInteger(200);
  static String record;
  static String edgeRecord;
  static String zoneId;
  static TestActivityEnvironment env;
  static FailoverActivities activities;
  static FailoverActivitiesImpl impl;
  static KubernetesClients clients;

  @BeforeAll
  static void start() throws Exception {
    pg = LocalPostgresCluster.start();
    k8s = FakeCluster.start("shop");
    k8s.deployment("api", 0);
    k8s.deployment("worker", 0);
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

    Map<String, Integer> serving = new LinkedHashMap<>();
    serving.put("api", 3);
    serving.put("worker", 2);
    Map<String, RegionConfig> regions = new LinkedHashMap<>();
    regions.put("primary", new RegionConfig(new RegionConfig.RegionPostgres("127.0.0.1", 1, null, null), null, null));
    regions.put("dr", new RegionConfig(
        new RegionConfig.RegionPostgres(pg.host(), pg.port(), LocalPostgresCluster.SUPERUSER, pg.passwordEnv()),
        "http://127.0.0.1:" + health.getAddress().getPort() + "/health",
        new RegionKubernetes(null, null, k8s.apiUrl(), null, null, "shop", serving)));
    ServiceConfig shop = new ServiceConfig(
        new PostgresConfig("127.0.0.1", 1, "shop", "postgres", null), Duration.ofHours(1), Duration.ofHours(24),
        Map.of(), RetentionConfig.defaults(), null, null, null,
        new HealthConfig("http://unused.example/health", Duration.ofSeconds(2), Duration.ofMillis(200)),
        null, null, regions,
        DnsConfig.ofValues(new DnsConfig.Route53(zoneId, moto.endpoint()), new DnsConfig.Record(record, "CNAME", 60L),
            Map.of("primary", EAST, "dr", WEST)));
    // The same service reached through load balancer aliases on an A record.
    edgeRecord = "www." + zone;
    route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(c -> c
        .action(ChangeAction.CREATE)
        .resourceRecordSet(s -> s.name(edgeRecord).type(RRType.A).aliasTarget(a -> a
            .hostedZoneId(EAST_LB_ZONE).dnsName(EAST_LB).evaluateTargetHealth(false))))));
    ServiceConfig edge = new ServiceConfig(
        shop.postgres(), shop.rto(), shop.rpo(), Map.of(), RetentionConfig.defaults(), null, null, null,
        shop.health(), null, null, regions,
        new DnsConfig(new DnsConfig.Route53(zoneId, moto.endpoint()), new DnsConfig.Record(edgeRecord, "A", 60L),
            Map.of("primary", new DnsValue(new DnsValue.Alias(EAST_LB_ZONE, EAST_LB, false)),
                "dr", new DnsValue(new DnsValue.Alias(WEST_LB_ZONE, WEST_LB, true)))));
    DrflowConfig config = new DrflowConfig(null, null, null, null, Map.of("shop", shop, "edge", edge));
    clients = new KubernetesClients(pg.secrets());
    impl = new FailoverActivitiesImpl(new ServiceRegistry(config), clients, pg.connections(),
        Clock.systemUTC(), Duration.ofMillis(100));
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(impl);
    activities = env.newActivityStub(FailoverActivities.class, ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofMinutes(1))
        .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
        .build());
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {
        env == null ? null : env::close, impl, clients, route53, moto, k8s, pg,
        health == null ? null : () -> health.stop(0)}) {
      if (c != null) {
        c.close();
      }
    }
  }

  @Test
  @Order(1)
  void planAndReadinessSeeTheRegionTheServerAndTheRecord() {
    FailoverPlan plan = activities.plan(new PlanRequest("shop", "dr", false));
    assertThat(plan.to()).isEqualTo("dr");
    assertThat(plan.kubernetes()).isTrue();
    assertThat(plan.kubernetesRegions()).containsExactly("dr");
    assertThat(activities.plan(new PlanRequest("shop", null, false)).to()).isEqualTo("primary");
    assertThat(activities.plan(new PlanRequest("shop", null, true)).record()).isEqualTo("drill-" + record);
    assertThatThrownBy(() -> activities.plan(new PlanRequest("shop", "mars", false)))
        .isInstanceOf(ActivityFailure.class).hasStackTraceContaining("unknown region 'mars'");

    Check kube = activities.checkKubernetes(new RegionRequest("shop", "dr"));
    assertThat(kube.passed()).as(kube.detail()).isTrue();
    Check db = activities.checkDatabase(new DatabaseRequest("shop", "dr", "run-1", false));
    assertThat(db.passed()).as(db.detail()).isTrue();
    assertThat(db.detail()).contains("does not exist there yet");
    Check down = activities.checkDatabase(new DatabaseRequest("shop", "primary", "run-1", false));
    assertThat(down.passed()).isFalse();

    DnsState dns = activities.readDns(new PlanRequest("shop", "dr", false));
    assertThat(dns.zoneExists()).isTrue();
    assertThat(dns.value()).isEqualTo(EAST);
    assertThat(activities.readDns(new PlanRequest("shop", "dr", true)).value()).isNull();
  }

  @Test
  @Order(2)
  void aNonEmptyDatabaseThisRunDidNotCreateIsRefusedAndAnOwnOneIsRenamedIntoPlace() {
    pg.psql("postgres", "create database shop");
    pg.psql("shop", "create table t(id int)");
    Check refused = activities.checkDatabase(new DatabaseRequest("shop", "dr", "run-1", false));
    assertThat(refused.passed()).isFalse();
    assertThat(refused.detail()).contains("holds 1 table(s) and was not created by this run");
    assertThat(activities.checkDatabase(new DatabaseRequest("shop", "dr", "run-1", true)).passed()).isTrue();
    pg.psql("postgres", "create database shop_restore_x");
    pg.psql("shop_restore_x", "create table orders(id int)");
    assertThatThrownBy(() -> activities.promote(new PromoteRequest("shop", "dr", "shop_restore_x", "run-1")))
        .isInstanceOf(ActivityFailure.class).hasStackTraceContaining("refusing to replace shop");

    pg.psql("shop", "drop table t");
    String did = activities.promote(new PromoteRequest("shop", "dr", "shop_restore_x", "run-1"));
    assertThat(did).contains("renamed shop_restore_x to shop").contains("replacing an empty shop");
    assertThat(activities.promote(new PromoteRequest("shop", "dr", "shop_restore_x", "run-1")))
        .contains("already the restored database");
    assertThat(activities.checkDatabase(new DatabaseRequest("shop", "dr", "run-1", false)).detail())
        .contains("was created by this run");
    assertThat(activities.checkDatabase(new DatabaseRequest("shop", "dr", "run-2", false)).passed()).isFalse();
  }

  @Test
  @Order(3)
  void scaleUpRecordsThePreviousCountsAndScaleBackRestoresThem() {
    ScaleResult up = activities.scaleUp(new RegionScaleRequest("shop", "dr", "run-1"));
    assertThat(up.replicas()).containsExactly(new Replicas("api", 0), new Replicas("worker", 0));
    assertThat(up.actions()).containsExactly("api 0 → 3", "worker 0 → 2");
    assertThat(k8s.replicas("api")).isEqualTo(3);
    // A retry finds the counts it recorded, not the 3 it set.
    assertThat(activities.scaleUp(new RegionScaleRequest("shop", "dr", "run-1")).replicas())
        .containsExactly(new Replicas("api", 0), new Replicas("worker", 0));
    assertThat(activities.awaitAvailable(new RegionRequest("shop", "dr")))
        .containsExactly(new Replicas("api", 3), new Replicas("worker", 2));
    ScaleResult back = activities.scaleBack(new RegionScaleBackRequest("shop", "dr", "run-1", List.of()));
    assertThat(back.actions()).containsExactly("api 3 → 0", "worker 2 → 0");
    assertThat(k8s.replicas("worker")).isEqualTo(0);
  }

  @Test
  @Order(4)
  void theHealthCheckPassesAndFailsWithTheEndpoint() {
    assertThat(activities.checkHealth(new RegionRequest("shop", "dr")).status()).isEqualTo(200);
    healthStatus.set(503);
    try {
      assertThatThrownBy(() -> activities.checkHealth(new RegionRequest("shop", "dr")))
          .isInstanceOf(ActivityFailure.class).hasStackTraceContaining("HealthCheckFailed");
    } finally {
      healthStatus.set(200);
    }
  }

  @Test
  @Order(5)
  void theRecordChangesOnceAndIsRevertedAndTheDrillRecordLeavesNoTrace() {
    DnsChange first = activities.setDns(new DnsSetRequest("shop", false, WEST, "run-1", "failover to dr"));
    assertThat(first.changeId()).isNotNull();
    assertThat(first.previous()).isEqualTo(EAST);
    DnsChange again = activities.setDns(new DnsSetRequest("shop", false, WEST, "run-1", "failover to dr"));
    assertThat(again.changeId()).isNull();
    assertThat(activities.readDns(new PlanRequest("shop", "dr", false)).value()).isEqualTo(WEST);
    DnsChange revert = activities.setDns(new DnsSetRequest("shop", false, EAST, "run-1", "roll back failover"));
    assertThat(revert.changeId()).isNotNull();
    assertThat(activities.readDns(new PlanRequest("shop", "dr", false)).value()).isEqualTo(EAST);

    activities.setDns(new DnsSetRequest("shop", true, WEST, "run-2", "drill"));
    assertThat(activities.readDns(new PlanRequest("shop", "dr", true)).value()).isEqualTo(WEST);
    assertThat(activities.setDns(new DnsSetRequest("shop", true, null, "run-2", "drill done")).current()).isNull();
    assertThat(activities.readDns(new PlanRequest("shop", "dr", true)).value()).isNull();
    assertThat(activities.readDns(new PlanRequest("shop", "dr", false)).value()).isEqualTo(EAST);
  }

  @Test
  @Order(6)
  void anAliasRecordIsSwitchedToTheDrAliasAndBackToThePreviousOne() {
    FailoverPlan plan = activities.plan(new PlanRequest("edge", "dr", false));
    assertThat(plan.alias("dr")).isEqualTo(new DnsAlias(WEST_LB_ZONE, WEST_LB, true));
    assertThat(plan.values().get("dr")).isEqualTo("ALIAS " + WEST_LB + " (zone " + WEST_LB_ZONE + ", evaluate target health)");
    DnsState before = activities.readDns(new PlanRequest("edge", "dr", false));
    assertThat(before.alias()).isEqualTo(new DnsAlias(EAST_LB_ZONE, EAST_LB, false));
    assertThat(before.value()).isEqualTo("ALIAS " + EAST_LB + " (zone " + EAST_LB_ZONE + ")");

    DnsChange over = activities.setDns(
        new DnsSetRequest("edge", false, plan.values().get("dr"), "run-3", "failover to dr", plan.alias("dr")));
    assertThat(over.changeId()).isNotNull();
    assertThat(over.previous()).isEqualTo(before.value());
    assertThat(activities.readDns(new PlanRequest("edge", "dr", false)).alias()).isEqualTo(plan.alias("dr"));
    assertThat(activities.setDns(
        new DnsSetRequest("edge", false, plan.values().get("dr"), "run-3", "failover to dr", plan.alias("dr"))).changeId())
        .as("a retry finds the alias set").isNull();

    DnsChange back = activities.setDns(
        new DnsSetRequest("edge", false, before.value(), "run-3", "roll back failover", before.alias()));
    assertThat(back.changeId()).isNotNull();
    assertThat(activities.readDns(new PlanRequest("edge", "dr", false)).alias()).isEqualTo(before.alias());
    var sets = route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId)).resourceRecordSets()
        .stream().filter(x -> x.name().equals(edgeRecord)).toList();
    assertThat(sets).hasSize(1);
    assertThat(sets.get(0).aliasTarget().dnsName()).isEqualTo(EAST_LB);
  }

}
