package io.drflow.e2e;

import com.sun.net.httpserver.HttpServer;
import io.drflow.activities.dns.MotoServer;
import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.local.SampleData;
import io.drflow.activities.postgres.PgTestSupport;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.ChangeAction;
import software.amazon.awssdk.services.route53.model.RRType;

/**
 * What the recovery and failover runbooks change besides the bucket, for the chaos harness: a
 * second PostgreSQL server (DDL logged, so renames and creates can be counted) that is the recovery
 * services' production server and the failover services' DR region, a Kubernetes API (fabric8's
 * mock in CRUD mode, with a minimal Deployment controller), Route53 (moto) with one hosted zone,
 * and a health endpoint. Every service gets its own database, namespaces and record, so kill
 * points run side by side.
 */
final class ChaosRegions implements AutoCloseable {

  static final String PRIMARY_VALUE = "lb-primary.chaos.example.com";
  static final String DR_VALUE = "lb-dr.chaos.example.com";
  static final String ZONE = "chaos.example.com.";
  /** Serving replica counts of each service's Deployments. */
  static final Map<String, Integer> SERVING = servingCounts();

  private static final Pattern DDL =
      Pattern.compile("(?i)\\b(create|drop) database (?:if exists )?\"((?:[^\"]|\"\")+)\"");
  private static final Pattern RENAME =
      Pattern.compile("(?i)\\balter database \"((?:[^\"]|\"\")+)\" rename to \"((?:[^\"]|\"\")+)\"");

  private final DrflowStack stack;
  LocalPostgresCluster server;
  private KubernetesMockServer kubernetes;
  KubernetesClient kube;
  private Thread controller;
  private volatile boolean running = true;
  MotoServer moto;
  Route53Client route53;
  String zoneId;
  private HttpServer health;

  /** fabric8's mock logs every request at INFO through java.util.logging: held, so it stays quiet. */
  private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

  ChaosRegions(DrflowStack stack) throws Exception {
    this.stack = stack;
    MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    try {
      start();
    } catch (Exception | Error e) {
      close();
      throw e;
    }
  }

  private void start() throws Exception {
    this.server =
        LocalPostgresCluster.builder().password(randomSecret()).setting("log_statement", "ddl").start();
    this.kubernetes =
        new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
    kubernetes.init();
    this.kube = kubernetes.createClient();
    this.controller = Thread.ofPlatform().daemon().name("chaos-deployment-controller").start(this::controlLoop);
    this.moto = MotoServer.start();
    // The harness's own client: the workers get AWS keys in their environment, this JVM has none.
    this.route53 =
        Route53Client.builder()
            .httpClientBuilder(software.amazon.awssdk.http.apache.ApacheHttpClient.builder())
            .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("chaos", "chaos")))
            .region(software.amazon.awssdk.regions.Region.AWS_GLOBAL)
            .endpointOverride(URI.create(moto.endpoint()))
            .build();
    this.zoneId =
        route53.createHostedZone(r -> r.name(ZONE).callerReference(UUID.randomUUID().toString()))
            .hostedZone().id().replace("/hostedzone/", "");
    this.health = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    health.createContext("/health", ex -> {
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    health.start();
  }

  private static Map<String, Integer> servingCounts() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("api", 3);
    m.put("worker", 2);
    return m;
  }

  int motoPort() {
    return URI.create(moto.endpoint()).getPort();
  }

  String apiUrl() {
    return "http://" + kubernetes.getHostName() + ":" + kubernetes.getPort();
  }

  String healthUrl() {
    return "http://127.0.0.1:" + health.getAddress().getPort() + "/health";
  }

  /** The password of this server, which workers get in their environment. */
  Map<String, String> environment() {
    return Map.of(server.passwordEnv(), server.secrets().optional(server.passwordEnv()).orElseThrow());
  }

  // ---- recovery services: production on this server, writers in namespace <name> ----

  /** Creates the service's production database (the sample shop) and its Deployments. */
  void prepareRecovery(String name) {
    SampleData.create(server.connections(), server.serverConfig(), name);
    deployments(name, SERVING);
  }

  String recoveryYaml(String name) {
    return """
        %s:
          postgres: {host: 127.0.0.1, port: %d, database: %s, user: postgres, passwordEnv: %s}
          rto: PT30M
          rpo: PT24H
          retention: {keepLast: 1000}
          kubernetes:
            apiUrl: "%s"
            namespace: %s
            deployments: [api, worker]
          health: {url: "%s", deadline: PT2M, interval: PT1S}
        """.formatted(name, server.port(), name, server.passwordEnv(), apiUrl(), name, healthUrl());
  }

  /** The production database after a recovery, damaged before it: "the table is back". */
  void damage(String database) {
    server.psql(database, "drop table sales.order_items cascade");
  }

  // ---- failover services: primary = the stack's production server, DR region = this server ----

  /** The service's database on production, its Deployments in both regions and its record. */
  void prepareFailover(String name) throws Exception {
    LocalPostgresCluster src = stack.source();
    SampleData.create(src.connections(), src.serverConfig(), name);
    deployments(name + "-p", SERVING);
    Map<String, Integer> stopped = new LinkedHashMap<>();
    SERVING.keySet().forEach(d -> stopped.put(d, 0));
    deployments(name + "-d", stopped);
    String record = record(name);
    route53.changeResourceRecordSets(r -> r.hostedZoneId(zoneId).changeBatch(b -> b.changes(c -> c
        .action(ChangeAction.UPSERT)
        .resourceRecordSet(s -> s.name(record).type(RRType.CNAME).ttl(60L).resourceRecords(v -> v.value(PRIMARY_VALUE))))));
  }

  static String record(String name) {
    return name + "." + ZONE;
  }

  /** @param route53Endpoint moto, usually through a proxy that counts the changes */
  String failoverYaml(String name, String route53Endpoint) {
    LocalPostgresCluster src = stack.source();
    return """
        %s:
          postgres: {host: 127.0.0.1, port: %d, database: %s, user: postgres, passwordEnv: %s}
          rto: PT30M
          rpo: PT24H
          retention: {keepLast: 1000}
          health: {url: "%s", deadline: PT2M, interval: PT1S}
          regions:
            primary:
              postgres: {host: 127.0.0.1, port: %d, user: postgres, passwordEnv: %s}
              kubernetes: {apiUrl: "%s", namespace: %s-p, deployments: {api: 3, worker: 2}}
            dr:
              postgres: {host: 127.0.0.1, port: %d, user: postgres, passwordEnv: %s}
              healthUrl: "%s"
              kubernetes: {apiUrl: "%s", namespace: %s-d, deployments: {api: 3, worker: 2}}
          dns:
            route53: {hostedZoneId: %s, endpoint: "%s"}
            record: {name: "%s", type: CNAME, ttl: 60}
            values: {primary: %s, dr: %s}
        """.formatted(
            name, src.port(), name, src.passwordEnv(), healthUrl(),
            src.port(), src.passwordEnv(), apiUrl(), name,
            server.port(), server.passwordEnv(), healthUrl(), apiUrl(), name,
            zoneId, route53Endpoint, record(name), PRIMARY_VALUE, DR_VALUE);
  }

  /** The record's value; empty when it does not exist. */
  Optional<String> recordValue(String name) {
    String record = record(name);
    return route53.listResourceRecordSets(r -> r.hostedZoneId(zoneId).startRecordName(record)).resourceRecordSets().stream()
        .filter(s -> s.name().equals(record) && s.type() == RRType.CNAME)
        .map(s -> s.resourceRecords().get(0).value())
        .findFirst();
  }

  // ---- Kubernetes ----

  private void deployments(String namespace, Map<String, Integer> replicas) {
    replicas.forEach((name, n) ->
        kube.apps().deployments().inNamespace(namespace).resource(
            new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec()
                .withReplicas(n)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate()
                .withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName(name).withImage(name + ":1").endContainer().endSpec()
                .endTemplate()
                .endSpec()
                .build())
            .create());
  }

  /** Each Deployment's replicas and drflow annotations left on it, in a namespace. */
  Map<String, String> deploymentState(String namespace) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Deployment d : kube.apps().deployments().inNamespace(namespace).list().getItems()) {
      Map<String, String> ann = d.getMetadata().getAnnotations() == null ? Map.of() : d.getMetadata().getAnnotations();
      long drflow = ann.keySet().stream().filter(k -> k.startsWith("drflow.io/")).count();
      out.put(d.getMetadata().getName(), d.getSpec().getReplicas() + (drflow == 0 ? "" : " (+" + drflow + " drflow annotations)"));
    }
    return new java.util.TreeMap<>(out);
  }

  /**
   * The Deployment controller, as far as drflow can tell: a Deployment's status follows its
   * spec (all replicas available, generation observed). No pods are made, so waiting for none to
   * be left ends at once; one list call per round keeps it cheap with dozens of namespaces.
   */
  private void controlLoop() {
    while (running) {
      try {
        for (Deployment d : kube.apps().deployments().inAnyNamespace().list().getItems()) {
          int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
          var s = d.getStatus();
          Long gen = d.getMetadata().getGeneration();
          if (s == null || !Objects.equals(s.getAvailableReplicas(), want) || !Objects.equals(s.getObservedGeneration(), gen)) {
            kube.apps().deployments().inNamespace(d.getMetadata().getNamespace()).withName(d.getMetadata().getName())
                .editStatus(x -> new DeploymentBuilder(x)
                    .withStatus(new DeploymentStatusBuilder()
                        .withReplicas(want).withAvailableReplicas(want).withReadyReplicas(want).withUpdatedReplicas(want)
                        .withObservedGeneration(x.getMetadata().getGeneration())
                        .build())
                    .build());
          }
        }
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        // a conflict with drflow's own edit, or the server stopping: the next round tries again
      }
    }
  }

  // ---- this server's DDL log ----

  /**
   * The CREATE, DROP and RENAME statements the server executed on the service's databases ({@code
   * service} and {@code service_...}), in order ({@code create X}, {@code drop X}, {@code rename X -> Y}).
   */
  List<String> ddl(String service) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<String> lines = Files.lines(server.logFile(), StandardCharsets.UTF_8)) {
      lines.forEach(l -> {
        Matcher r = RENAME.matcher(l);
        if (r.find()) {
          String from = r.group(1).replace("\"\"", "\"");
          String to = r.group(2).replace("\"\"", "\"");
          if (ours(service, from) || ours(service, to)) {
            out.add("rename " + from + " -> " + to);
          }
          return;
        }
        Matcher m = DDL.matcher(l);
        if (m.find()) {
          String db = m.group(2).replace("\"\"", "\"");
          if (ours(service, db)) {
            out.add(m.group(1).toLowerCase() + " " + db);
          }
        }
      });
    }
    return out;
  }

  private static boolean ours(String service, String database) {
    return database.equals(service) || database.startsWith(service + "_");
  }

  /** The service's databases on this server. */
  List<String> databases(String service) throws Exception {
    return databases().stream().filter(n -> ours(service, n)).toList();
  }

  List<String> databases() throws Exception {
    return PgTestSupport.query(server.connections(), server.postgresConfig("postgres"), "select datname from pg_database order by 1");
  }

  private static String randomSecret() {
    byte[] b = new byte[12];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  @Override
  public void close() {
    running = false;
    if (controller != null) {
      controller.interrupt();
    }
    for (AutoCloseable c : new AutoCloseable[] {
        health == null ? null : () -> health.stop(0), route53, moto, kube,
        kubernetes == null ? null : kubernetes::destroy, server}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // stopping the rest matters more
      }
    }
  }
}
