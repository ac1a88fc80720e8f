package io.drflow.activities.runbook;

import io.drflow.activities.config.DnsConfig;
import io.drflow.activities.config.DnsValue;
import io.drflow.activities.config.HealthConfig;
import io.drflow.activities.config.RegionConfig;
import io.drflow.activities.config.RegionKubernetes;
import io.drflow.activities.config.ServerConfig;
import io.drflow.activities.config.ServiceConfig;
import io.drflow.activities.dns.DnsRecord;
import io.drflow.activities.dns.DnsTarget;
import io.drflow.activities.dns.Route53Clients;
import io.drflow.activities.dns.Route53Records;
import io.drflow.activities.http.HealthChecker;
import io.drflow.activities.kubernetes.DeploymentScaler;
import io.drflow.activities.kubernetes.KubernetesClients;
import io.drflow.activities.postgres.PgConnections;
import io.drflow.activities.postgres.PgDatabases;
import io.drflow.activities.postgres.PgException;
import io.drflow.activities.postgres.Sql;
import io.drflow.workflows.activities.DeploymentActivities.ScaleResult;
import io.drflow.workflows.activities.FailoverActivities;
import io.drflow.workflows.activities.FailoverActivities.DnsAlias;
import io.drflow.workflows.activities.HealthActivities.HealthResult;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.runbook.Failures;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.Route53Exception;

/** Regions, their databases and Deployments, and the Route53 record, for failover and failback. */
public final class FailoverActivitiesImpl implements FailoverActivities, AutoCloseable {

  /** Written on a database a failover renamed into place, so a retry knows it is its own. */
  static final String MARKER_PREFIX = "drflow failover run ";

  private static final Duration DNS_MAX_WAIT = Duration.ofMinutes(10);

  private final ServiceRegistry services;
  private final KubernetesClients kubernetes;
  private final PgConnections connections;
  private final PgDatabases databases;
  private final HealthChecker health;
  private final Clock clock;
  private final Duration poll;
  private final Map<String, Route53Client> route53 = new ConcurrentHashMap<>();

  /** @param poll how often waits look at the cluster and at Route53 */
  public FailoverActivitiesImpl(
      ServiceRegistry services, KubernetesClients kubernetes, PgConnections connections, Clock clock, Duration poll) {
    this.services = services;
    this.kubernetes = kubernetes;
    this.connections = connections;
    this.databases = new PgDatabases(connections);
    this.health = new HealthChecker(clock);
    this.clock = clock;
    this.poll = poll;
  }

  @Override
  public FailoverPlan plan(PlanRequest request) {
    return ActivityErrors.translate(() -> {
      ServiceConfig svc = services.service(request.service());
      if (svc.regions().isEmpty() || svc.dns() == null) {
        throw ApplicationFailure.newNonRetryableFailure(
            "service '" + request.service() + "' cannot fail over: configure services." + request.service()
                + ".regions and .dns", Failures.INVALID_CONFIG);
      }
      String to = request.to() == null ? svc.regions().keySet().iterator().next() : request.to();
      RegionConfig target = services.region(request.service(), to);
      List<String> withKubernetes = new ArrayList<>();
      svc.regions().forEach((name, r) -> {
        if (r.kubernetes() != null) {
          withKubernetes.add(name);
        }
      });
      DnsRecord record = record(svc, request.drill());
      Map<String, String> values = new LinkedHashMap<>();
      Map<String, DnsAlias> aliases = new LinkedHashMap<>();
      svc.dns().values().forEach((region, v) -> {
        DnsTarget t = target(v);
        values.put(region, t.describe());
        if (t.isAlias()) {
          aliases.put(region, alias(t));
        }
      });
      return new FailoverPlan(
          request.service(), to, List.copyOf(svc.regions().keySet()), target.postgres().server(),
          target.kubernetes() != null, withKubernetes, target.healthUrl(), record.name(), record.type(),
          Map.copyOf(values), Map.copyOf(aliases));
    });
  }

  @Override
  public Check checkKubernetes(RegionRequest request) {
    return ActivityErrors.translate(() -> {
      RegionKubernetes k = regionKubernetes(request.service(), request.region());
      String name = "Kubernetes in " + request.region();
      try {
        List<DeploymentScaler.Replicas> now =
            scaler(request.service(), request.region()).describe(List.copyOf(k.deployments().keySet()));
        return new Check(name, true, "namespace " + k.namespace() + " answers; "
            + String.join(", ", now.stream().map(r -> r.name() + "=" + r.replicas()).toList()));
      } catch (RuntimeException e) {
        return new Check(name, false, "namespace " + k.namespace() + ": " + e.getMessage());
      }
    });
  }

  @Override
  public Check checkDatabase(DatabaseRequest request) {
    return ActivityErrors.translate(() -> {
      ServerConfig server = services.region(request.service(), request.region()).postgres().asServer();
      String database = services.service(request.service()).postgres().database();
      String name = "database server in " + request.region();
      try {
        if (!databases.exists(server, database)) {
          return new Check(name, true, server.server() + " answers; " + database + " does not exist there yet");
        }
        if (request.drill()) {
          return new Check(name, true, server.server() + " answers; " + database
              + " exists and is left alone (a drill restores beside it)");
        }
        String comment = comment(server, database);
        if (comment != null && comment.equals(MARKER_PREFIX + request.runId())) {
          return new Check(name, true, server.server() + " answers; " + database + " was created by this run");
        }
        long tables = tables(server, database);
        if (tables == 0) {
          return new Check(name, true, server.server() + " answers; " + database + " exists but is empty and is replaced");
        }
        return new Check(name, false, database + " on " + server.server() + " holds " + tables
            + " table(s) and was not created by this run: refusing to replace it (rename or drop it by hand"
            + " after checking what it holds)");
      } catch (PgException e) {
        return new Check(name, false, e.getMessage());
      }
    });
  }

  @Override
  public DnsState readDns(PlanRequest request) {
    return ActivityErrors.translate(() -> {
      ServiceConfig svc = services.service(request.service());
      DnsRecord record = record(svc, request.drill());
      Route53Records.Readiness r = dns(svc).readiness(record);
      return new DnsState(r.zoneExists(), r.zoneName(), record.name(), r.value(),
          r.target() != null && r.target().isAlias() ? alias(r.target()) : null);
    });
  }

  @Override
  public DnsChange setDns(DnsSetRequest request) {
    return ActivityErrors.translate(() -> {
      ServiceConfig svc = services.service(request.service());
      DnsRecord record = record(svc, request.drill());
      String comment = "drflow " + request.why() + ", run " + request.runId();
      ActivityExecutionContext ctx = Activity.getExecutionContext();
      Runnable tick = () -> ctx.heartbeat("waiting for Route53 INSYNC");
      try {
        if (request.value() == null && request.alias() == null) {
          String before = dns(svc).value(record).orElse(null);
          String change = dns(svc).delete(record, comment, DNS_MAX_WAIT, tick);
          return new DnsChange(record.name(), change, before, null);
        }
        DnsAlias a = request.alias();
        DnsTarget target = a != null
            ? DnsTarget.alias(a.hostedZoneId(), a.dnsName(), a.evaluateTargetHealth())
            : DnsTarget.value(request.value());
        Route53Records.Switched s = dns(svc).upsert(record, target, comment, DNS_MAX_WAIT, tick);
        return new DnsChange(record.name(), s.changeId(), s.previous(), s.current());
      } catch (Route53Exception e) {
        if (e.statusCode() == 400 || e.statusCode() == 403 || e.statusCode() == 404) {
          throw ApplicationFailure.newNonRetryableFailure(
              "Route53 refused the change of " + record.name() + ": " + e.getMessage(),
              e.statusCode() == 403 ? Failures.MISSING_CREDENTIALS : Failures.INVALID_CONFIG);
        }
        throw e;
      }
    });
  }

  @Override
  public ScaleResult scaleUp(RegionScaleRequest request) {
    return DeploymentActivitiesImpl.k8s(() -> {
      RegionKubernetes k = regionKubernetes(request.service(), request.region());
      DeploymentScaler.Outcome o = scaler(request.service(), request.region()).scaleUp(k.deployments(), request.runId());
      return new ScaleResult(replicas(o.replicas()), o.actions());
    });
  }

  @Override
  public ScaleResult scaleDown(RegionScaleRequest request) {
    return DeploymentActivitiesImpl.k8s(() -> {
      RegionKubernetes k = regionKubernetes(request.service(), request.region());
      DeploymentScaler.Outcome o =
          scaler(request.service(), request.region()).scaleDown(List.copyOf(k.deployments().keySet()), request.runId());
      return new ScaleResult(replicas(o.replicas()), o.actions());
    });
  }

  @Override
  public ScaleResult scaleBack(RegionScaleBackRequest request) {
    return DeploymentActivitiesImpl.k8s(() -> {
      RegionKubernetes k = regionKubernetes(request.service(), request.region());
      List<DeploymentScaler.Replicas> targets = request.targets() == null ? List.of()
          : request.targets().stream().map(r -> new DeploymentScaler.Replicas(r.name(), r.replicas())).toList();
      DeploymentScaler.Outcome o = scaler(request.service(), request.region())
          .scaleBack(List.copyOf(k.deployments().keySet()), request.runId(), DeploymentScaler.byName(targets));
      return new ScaleResult(replicas(o.replicas()), o.actions());
    });
  }

  @Override
  public List<Replicas> awaitAvailable(RegionRequest request) {
    return DeploymentActivitiesImpl.k8s(() -> {
      RegionKubernetes k = regionKubernetes(request.service(), request.region());
      return replicas(scaler(request.service(), request.region())
          .awaitAvailable(List.copyOf(k.deployments().keySet()), Heartbeat.tick("waiting for rollout")));
    });
  }

  @Override
  public HealthResult checkHealth(RegionRequest request) {
    return ActivityErrors.translate(() -> {
      RegionConfig region = services.region(request.service(), request.region());
      if (region.healthUrl() == null) {
        throw ApplicationFailure.newNonRetryableFailure(
            "services." + request.service() + ".regions." + request.region() + ".healthUrl is not configured",
            Failures.INVALID_CONFIG);
      }
      // Deadline and interval as the service's health section says (defaults otherwise).
      HealthConfig configured = services.service(request.service()).health();
      HealthConfig h = configured != null ? configured : new HealthConfig(region.healthUrl(), null, null);
      ActivityExecutionContext ctx = Activity.getExecutionContext();
      long started = ctx.getHeartbeatDetails(Long.class).orElse(clock.millis());
      try {
        HealthChecker.Healthy r = health.await(URI.create(region.healthUrl()), Instant.ofEpochMilli(started),
            h.deadline(), h.interval(), () -> ctx.heartbeat(started));
        return new HealthResult(region.healthUrl(), r.status(), r.attempts(), r.elapsed().toMillis());
      } catch (HealthChecker.UnhealthyException e) {
        throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), Failures.HEALTH_CHECK_FAILED);
      }
    });
  }

  @Override
  public String promote(PromoteRequest request) {
    return ActivityErrors.translate(() -> {
      ServerConfig server = services.region(request.service(), request.region()).postgres().asServer();
      String database = services.service(request.service()).postgres().database();
      String marker = MARKER_PREFIX + request.runId();
      boolean restoredExists = databases.exists(server, request.restored());
      boolean targetExists = databases.exists(server, database);
      if (targetExists && marker.equals(comment(server, database))) {
        // A retry after the rename: done already.
        return database + " on " + server.server() + " is already the restored database";
      }
      if (!restoredExists) {
        throw ApplicationFailure.newNonRetryableFailure(
            request.restored() + " is missing on " + server.server() + ": nothing to rename",
            Failures.UNEXPECTED_DATABASE_STATE);
      }
      String replaced = "";
      if (targetExists) {
        long tables = tables(server, database);
        if (tables > 0) {
          throw ApplicationFailure.newNonRetryableFailure(
              "refusing to replace " + database + " on " + server.server() + ": it holds " + tables
                  + " table(s) and was not created by this run", Failures.DATABASE_EXISTS);
        }
        databases.drop(server, database);
        replaced = " (replacing an empty " + database + ")";
      }
      databases.rename(server, request.restored(), database);
      try (Connection c = connections.open(server); Statement s = c.createStatement()) {
        s.execute("comment on database " + Sql.quoteIdent(database) + " is " + Sql.quoteLiteral(marker));
      }
      return "renamed " + request.restored() + " to " + database + " on " + server.server() + replaced;
    });
  }

  private String comment(ServerConfig server, String database) throws SQLException {
    try (Connection c = connections.open(server);
        PreparedStatement ps = c.prepareStatement(
            "select shobj_description(oid, 'pg_database') from pg_database where datname = ?")) {
      ps.setString(1, database);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  /** Tables and partitioned tables outside the system schemas. */
  private long tables(ServerConfig server, String database) throws SQLException {
    try (Connection c = connections.open(server.database(database));
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema')"
                + " and n.nspname not like 'pg_toast%'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private RegionKubernetes regionKubernetes(String service, String region) {
    RegionKubernetes k = services.region(service, region).kubernetes();
    if (k == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "services." + service + ".regions." + region + ".kubernetes is not configured", Failures.INVALID_CONFIG);
    }
    return k;
  }

  private DeploymentScaler scaler(String service, String region) {
    RegionKubernetes k = regionKubernetes(service, region);
    // One client per region: each region is its own cluster.
    return new DeploymentScaler(
        kubernetes.forService(service + "@region:" + region, k.asKubernetesConfig()), k.namespace(), poll);
  }

  private static DnsTarget target(DnsValue v) {
    return v.isAlias()
        ? DnsTarget.alias(v.alias().hostedZoneId(), v.alias().dnsName(), v.alias().evaluateTargetHealth())
        : DnsTarget.value(v.value());
  }

  private static DnsAlias alias(DnsTarget t) {
    return new DnsAlias(t.alias().hostedZoneId(), t.alias().dnsName(), t.alias().evaluateTargetHealth());
  }

  private static DnsRecord record(ServiceConfig svc, boolean drill) {
    DnsConfig d = svc.dns();
    DnsRecord r = new DnsRecord(d.route53().hostedZoneId(), d.record().name(), d.record().type(), d.record().ttl());
    return drill ? r.drill() : r;
  }

  private Route53Records dns(ServiceConfig svc) {
    DnsConfig.Route53 r = svc.dns().route53();
    Route53Client client = route53.computeIfAbsent(r.hostedZoneId() + "@" + r.endpoint(), k -> Route53Clients.create(r));
    return new Route53Records(client, clock, poll);
  }

  private static List<Replicas> replicas(List<DeploymentScaler.Replicas> list) {
    return list.stream().map(r -> new Replicas(r.name(), r.replicas())).toList();
  }

  @Override
  public void close() {
    for (Route53Client c : route53.values()) {
      try {
        c.close();
      } catch (SdkException e) {
        // Shutting down; nothing left to do about it.
      }
    }
    route53.clear();
  }
}
