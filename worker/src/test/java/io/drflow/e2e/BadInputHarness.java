package io.drflow.e2e;

import com.google.protobuf.ByteString;
import io.drflow.activities.storage.FaultProxy;
import io.drflow.workflows.model.RunReport;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.common.converter.RawValue;
import io.temporal.failure.ApplicationFailure;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The bad-input corpus: drctl arguments, runbook inputs sent as raw JSON (what the Temporal UI's
 * Start Workflow form sends), drflow.yaml files, the worker's environment, and backups whose
 * manifest does not match the object. Each case must end in a clear error, and nothing may have
 * happened first: no object written, no database created, no multipart upload, no bucket, and no
 * workflow started where drctl itself refuses.
 *
 * <p>A drill that fails after planning still stores its report (the evidence of the failed run);
 * that is the one write allowed, and the case says so.
 */
final class BadInputHarness {

  static final String CATEGORY = "bad-input";
  private static final String PREFIX = "badinput";
  private static final String SERVICE = "badin";
  private static final String REFUSED_QUEUE = "chaos-refused";
  private static final String NEVER_BUCKET = "chaos-never-created";
  private static final String HUGE = "a".repeat(10_000);
  private static final String INJECTION = "x; drop database prod";

  /** The recovery service (production on the regions' server, writers in Kubernetes). */
  private static final String REC = "birec";
  /** The failover service (primary = production, DR = the regions' server, a Route53 record). */
  private static final String FO = "bifo";
  private static final String FUTURE = "2999-01-01T00:00:00Z";

  private interface Body {
    String run() throws Exception;
  }

  private final ChaosRig rig;
  private final ChaosReport report;
  private ChaosRig.Spec spec;
  private Path goodConfig;
  private Path refusedConfig;
  private String backupId;
  private int closedPort;
  private FaultProxy route53;

  BadInputHarness(ChaosRig rig, ChaosReport report) {
    this.rig = rig;
    this.report = report;
  }

  void run() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    FaultProxy proxy = rig.proxy();
    route53 = rig.proxy(rig.regions.motoPort());
    rig.regions.prepareRecovery(REC);
    rig.regions.prepareFailover(FO);
    spec = rig.spec("bi", proxy, PREFIX).withExtraServices(extraServices());
    goodConfig = rig.writeConfig(spec);
    refusedConfig = write("refused.yaml", rig.yaml(spec).replace("taskQueue: " + spec.taskQueue(), "taskQueue: " + REFUSED_QUEUE));
    try {
      rig.worker(spec, null, Map.of("CHAOS_WRONG_PASSWORD", "wrong-password-" + System.nanoTime())).awaitReady(Duration.ofMinutes(3));
      RunReport base = CrashHarness.result(rig.start(spec, "chaos-bi-backup", "BackupWorkflow", Map.of("service", SERVICE)));
      if (!"COMPLETED".equals(base.status())) {
        throw new IllegalStateException("the bad-input base backup failed: " + base.error());
      }
      backupId = CrashHarness.backupId(base);
      cli();
      regionCli();
      json();
      regionJson();
      runtime();
      manifests();
      refusedQueueStaysEmpty();
    } finally {
      rig.release(spec);
    }
    configs();
    regionConfigs();
  }

  private String extraServices() {
    String target = rig.stack.drillTarget().passwordEnv();
    String source = rig.stack.source().passwordEnv();
    int sp = rig.stack.source().port();
    int tp = rig.stack.drillTarget().port();
    return rig.serviceYaml(SERVICE, ChaosRig.LITE_DATABASE)
        + rig.serviceYaml("nopass", ChaosRig.LITE_DATABASE, sp, "CHAOS_UNSET_PASSWORD", tp, target)
        + rig.serviceYaml("wrongpass", ChaosRig.LITE_DATABASE, sp, "CHAOS_WRONG_PASSWORD", tp, target)
        + rig.serviceYaml("nosource", ChaosRig.LITE_DATABASE, closedPort, source, tp, target)
        + rig.serviceYaml("notarget", ChaosRig.LITE_DATABASE, sp, source, closedPort, target)
        + rig.serviceYaml("targetnopass", ChaosRig.LITE_DATABASE, sp, source, tp, "CHAOS_UNSET_TARGET_PASSWORD")
        + rig.regions.recoveryYaml(REC)
        + rig.regions.failoverYaml(FO, route53.endpoint());
  }

  // ---- drctl -------------------------------------------------------------------------------

  private void cli() throws Exception {
    refused("drctl drill (no service)", 2, "Missing required parameter", "drill");
    refused("drctl drill ''", 2, "is not a service name", "drill", "");
    refused("drctl drill <41 characters>", 2, "is not a service name", "drill", "a".repeat(41));
    refused("drctl drill <10,000 characters>", 2, "is not a service name", "drill", HUGE);
    refused("drctl drill 'x; drop database prod'", 2, "is not a service name", "drill", INJECTION);
    refused("drctl backup 'x; drop database prod'", 2, "is not a service name", "backup", INJECTION);
    refused("drctl drill '\"badin\"' (quoted)", 2, "is not a service name", "drill", "\"badin\"");
    refused("drctl drill 'bädin' (unicode)", 2, "is not a service name", "drill", "bädin");
    refused("drctl drill BADIN (upper case)", 2, "is not a service name", "drill", "BADIN");
    refused("drctl drill ../badin", 2, "is not a service name", "drill", "../badin");
    refused("drctl drill badin --backup ''", 2, "--backup needs a key", "drill", SERVICE, "--backup", "");
    refused("drctl drill badin --no-such-flag", 2, "Unknown option", "drill", SERVICE, "--no-such-flag");
    refused("drctl backups list badin --limit -1", 2, "--limit", "backups", "list", SERVICE, "--limit", "-1");
    refused("drctl backups list badin --limit abc", 2, "Invalid value", "backups", "list", SERVICE, "--limit", "abc");
    refused("drctl report <run id that does not exist>", 2, "no run with id", "report", "drill-badin-19700101-000000");
    cliCase("drctl --config <missing file> drill badin", () -> {
      Drctl.Result r = rig.drctl(rig.dir.resolve("no-such-config.yaml"), "drill", SERVICE);
      return expect(r, 2, "does not exist");
    });
    cliCase("drctl --config <not YAML> drill badin", () -> {
      Drctl.Result r = rig.drctl(write("not-yaml.yaml", "temporal: [target: {\n"), "drill", SERVICE);
      return expect(r, 2, "is not valid YAML");
    });
    cliCase("drctl drill badin with Temporal unreachable", () -> {
      Path cfg = write("no-temporal.yaml", "temporal:\n  target: 127.0.0.1:" + closedPort + "\n  taskQueue: " + REFUSED_QUEUE + "\n");
      return expect(rig.drctl(cfg, "drill", SERVICE), 1, "cannot reach the Temporal server");
    });
    cliCase("drctl schedule sync with an invalid cron", () -> {
      List<String> before = scheduleIds();
      Path cfg = write("bad-cron.yaml", rig.yaml(spec).replace("taskQueue: " + spec.taskQueue(), "taskQueue: " + REFUSED_QUEUE)
          .replaceFirst("    rto: PT30M\n", "    rto: PT30M\n    schedules:\n      backup: {cron: \"61 * * * *\"}\n"));
      String out = expect(rig.drctl(cfg, "schedule", "sync"), 2, "cron");
      if (!before.equals(scheduleIds())) {
        throw new AssertionError("schedules changed: " + before + " -> " + scheduleIds());
      }
      return out + "; no schedule created";
    });

    // Started, and refused by the worker before anything is touched.
    cliCase("drctl drill nope (unknown service)", () -> expect(rig.drctl(goodConfig, "drill", "nope", "--json"), 1, "UnknownService: unknown service 'nope'"));
    cliCase("drctl drill badin --backup <no such backup>", () ->
        expectFailedDrill(rig.drctl(goodConfig, "drill", SERVICE, "--json", "--backup", "20200101T000000Z-deadbeef"), "BackupNotFound"));
    cliCase("drctl drill badin --backup ../../etc/passwd", () ->
        expectFailedDrill(rig.drctl(goodConfig, "drill", SERVICE, "--json", "--backup", "../../etc/passwd"),
            "InvalidInput: '../../etc/passwd' is neither a backup id"));
    cliCase("drctl drill badin --backup 'x; drop database prod'", () ->
        expectFailedDrill(rig.drctl(goodConfig, "drill", SERVICE, "--json", "--backup", INJECTION),
            "InvalidInput: '" + INJECTION + "' is neither a backup id"));
    cliCase("drctl drill badin --backup <another service's backup>", () ->
        expectFailedDrill(
            rig.drctl(goodConfig, "drill", SERVICE, "--json", "--backup", PREFIX + "/" + ChaosRig.SERVICE + "/backups/" + backupId + "/dump.zst"),
            "InvalidInput"));
  }

  private void refused(String name, int exit, String message, String... args) {
    cliCase(name, () -> expect(rig.drctl(refusedConfig, args), exit, message));
  }

  private void cliCase(String name, Body body) {
    check("drctl", name, body);
  }

  private static String expect(Drctl.Result r, int exit, String message) {
    String err = r.stderr() + r.stdout();
    if (r.exitCode() != exit || !err.contains(message)) {
      throw new AssertionError("expected exit " + exit + " and '" + message + "', got " + r.exitCode() + ": " + abbreviate(err));
    }
    // The first line says what is wrong (picocli's usage text may follow it).
    String first = firstLine(r.stderr().isBlank() ? r.stdout() : r.stderr());
    if (first.length() > 300) {
      throw new AssertionError("the error's first line is " + first.length() + " characters long: " + abbreviate(first));
    }
    return "exit " + r.exitCode() + ": " + abbreviate(firstLine(r.stderr().isBlank() ? r.stdout() : r.stderr()));
  }

  private String expectFailedDrill(Drctl.Result r, String type) {
    if (r.exitCode() != 1) {
      throw new AssertionError("expected exit 1, got " + r.exitCode() + ": " + abbreviate(r.stderr() + r.stdout()));
    }
    String error = r.stdout().isBlank() ? r.stderr() : r.json().path("error").asText();
    if (!error.contains(type)) {
      throw new AssertionError("expected " + type + ", got " + abbreviate(error));
    }
    if (!r.stdout().isBlank() && r.json().path("scratch").path("dropped").asBoolean()) {
      throw new AssertionError("a scratch database was dropped, so one was created");
    }
    return "exit 1: " + abbreviate(error);
  }

  // ---- drctl recover / failover / failback ---------------------------------------------------

  private void regionCli() {
    refused("drctl recover birec --incident-start <future>", 2, "is in the future", "recover", REC, "--incident-start", FUTURE);
    refused("drctl recover birec --incident-start yesterday", 2, "is not a time", "recover", REC, "--incident-start", "yesterday");
    refused("drctl recover birec --incident-start <no time zone>", 2, "has no time zone", "recover", REC, "--incident-start", "2026-11-22T02:10:00");
    refused("drctl recover birec --at <future>", 2, "is in the future", "recover", REC, "--at", FUTURE);
    refused("drctl recover birec --at 31.12.2025", 2, "is not a time", "recover", REC, "--at", "31.12.2025");
    refused("drctl recover birec --at T --backup B", 2, "exclude each other", "recover", REC, "--at", "2025-01-01T00:00:00Z", "--backup", "x");
    refused("drctl recover birec --latest --at T", 2, "--latest excludes", "recover", REC, "--latest", "--at", "2025-01-01T00:00:00Z");
    refused("drctl recover 'x; drop database prod'", 2, "is not a service name", "recover", INJECTION, "--yes");
    refused("drctl failover bifo (no --to)", 2, "Missing required option", "failover", FO);
    refused("drctl failover bifo --to 'x; drop database prod'", 2, "is not a region name", "failover", FO, "--to", INJECTION);
    refused("drctl failover bifo --to <41 characters>", 2, "is not a region name", "failover", FO, "--to", "r".repeat(41));
    refused("drctl failover bifo --to dr --incident-start <future>", 2, "is in the future", "failover", FO, "--to", "dr", "--incident-start", FUTURE);
    refused("drctl failover bifo --to dr --incident-start soon", 2, "is not a time", "failover", FO, "--to", "dr", "--incident-start", "soon");
    refused("drctl failback 'x; drop database prod'", 2, "is not a service name", "failback", INJECTION, "--yes");

    // Started (pre-approved, so only the checks stand between the input and production), and
    // refused by the worker before anything is changed.
    cliCase("drctl failover bifo --to nowhere (unknown region)", () ->
        expectFailedRun(rig.drctl(goodConfig, "failover", FO, "--to", "nowhere", "--yes", "--json"), "unknown region 'nowhere'"));
    cliCase("drctl failover bifo --to primary (the region serving now)", () ->
        expectFailedRun(rig.drctl(goodConfig, "failover", FO, "--to", "primary", "--yes", "--json"), "already points at primary"));
    cliCase("drctl failover birec --to dr (no regions configured)", () ->
        expectFailedRun(rig.drctl(goodConfig, "failover", REC, "--to", "dr", "--yes", "--json"), "cannot fail over"));
    cliCase("drctl failback birec (no regions configured)", () ->
        expectFailedRun(rig.drctl(goodConfig, "failback", REC, "--yes", "--json"), "cannot fail over"));
    cliCase("drctl recover nope --yes (unknown service)", () ->
        expectFailedRun(rig.drctl(goodConfig, "recover", "nope", "--yes", "--json"), "unknown service 'nope'"));
    cliCase("drctl recover birec --backup <no such backup> --yes", () ->
        expectFailedRun(rig.drctl(goodConfig, "recover", REC, "--backup", "20200101T000000Z-deadbeef", "--yes", "--json"), "BackupNotFound"));
    cliCase("drctl recover birec --at <before any backup> --yes", () ->
        expectFailedRun(rig.drctl(goodConfig, "recover", REC, "--at", "2020-01-01T00:00:00Z", "--yes", "--json"), "BackupNotFound"));
  }

  /** A run drctl started that failed with {@code message}: exit 1, the error in the report or on stderr. */
  private static String expectFailedRun(Drctl.Result r, String message) {
    if (r.exitCode() != 1) {
      throw new AssertionError("expected exit 1, got " + r.exitCode() + ": " + abbreviate(r.stderr() + r.stdout()));
    }
    // drctl says what it started before the report's JSON: the line naming the error is the result.
    String all = r.stdout() + "\n" + r.stderr();
    String line = all.lines().filter(l -> l.contains(message)).findFirst()
        .orElseThrow(() -> new AssertionError("expected '" + message + "', got " + abbreviate(all)));
    return "exit 1: " + abbreviate(line.strip());
  }

  private void regionJson() {
    String rec = "RecoveryWorkflow";
    String fo = "FailoverWorkflow";
    jsonCase(rec, "{}", "InvalidInput", "input needs a service name");
    jsonCase(rec, "{\"service\":\"birec\",\"incidentStart\":\"" + FUTURE + "\"}", "InvalidInput", "is in the future");
    jsonCase(rec, "{\"service\":\"birec\",\"at\":\"" + FUTURE + "\"}", "InvalidInput", "is in the future");
    jsonCase(rec, "{\"service\":\"birec\",\"at\":\"yesterday\"}", "InvalidInput", "is not a time");
    jsonCase(rec, "{\"service\":\"birec\",\"backup\":\"x\",\"at\":\"2025-01-01T00:00:00Z\"}", "InvalidInput", "exclude each other");
    jsonCase(rec, "{\"service\":\"birec\",\"yes\":\"please\"}", "InvalidInput", "must be true or false");
    jsonCase(rec, "{\"service\":\"x; drop database prod\",\"yes\":true}", "UnknownService", "unknown service 'x; drop database prod'");
    jsonCase(fo, "{\"service\":\"bifo\",\"to\":\"\"}", "InvalidInput", "--to needs a region name");
    jsonCase(fo, "{\"service\":\"bifo\",\"to\":\"nowhere\",\"yes\":true}", "InvalidInput", "unknown region 'nowhere'");
    jsonCase(fo, "{\"service\":\"bifo\",\"to\":\"dr\",\"incidentStart\":\"" + FUTURE + "\"}", "InvalidInput", "is in the future");
    jsonCase(fo, "{\"service\":\"bifo\",\"to\":\"dr\",\"incidentStart\":\"tomorrow\"}", "InvalidInput", "is not a time");
    jsonCase(fo, "{\"service\":\"bifo\",\"to\":\"dr\",\"drill\":\"yes\"}", "InvalidInput", "must be true or false");
    jsonCase(fo, "{\"service\":\"birec\",\"to\":\"dr\",\"yes\":true}", "InvalidConfig", "cannot fail over");
  }

  // ---- raw JSON, as the Temporal UI sends it -------------------------------------------------

  private void json() {
    String drill = "RestoreDrillWorkflow";
    jsonCase(drill, "{}", "InvalidInput", "input needs a service name");
    jsonCase(drill, "\"badin\"", "InvalidInput", "must be a JSON object");
    jsonCase(drill, "[1,2]", "InvalidInput", "must be a JSON object");
    jsonCase(drill, "null", "InvalidInput", "input needs a service name");
    jsonCase(drill, "{\"servce\":\"badin\"}", "InvalidInput", "unknown input key 'servce'");
    jsonCase(drill, "{\"service\":\"badin\",\"keepScratch\":\"yes\"}", "InvalidInput", "must be true or false");
    jsonCase(drill, "{\"service\":\"\"}", "InvalidInput", "input needs a service name");
    jsonCase(drill, "{\"service\":\"x; drop database prod\"}", "InvalidInput", "is not a service name");
    jsonCase(drill, "{\"service\":\"\\\"badin\\\"\"}", "InvalidInput", "is not a service name");
    jsonCase(drill, "{\"service\":\"bädin\"}", "InvalidInput", "is not a service name");
    jsonCase(drill, "{\"service\":\"" + HUGE + "\"}", "InvalidInput", "is not a service name");
    jsonCase(drill, "{\"service\":\"badin\",\"backup\":123}", "InvalidInput", "must be a string");
    jsonCase(drill, "{\"service\":\"nope\"}", "UnknownService", "unknown service 'nope'");
    jsonCase(drill, "{\"service\": badin}", "InvalidInput", "input is not valid JSON");
    jsonCase("ListBackupsWorkflow", "{\"service\": badin}", "InvalidInput", "input is not valid JSON");
    jsonCase("BackupWorkflow", "{\"service\":\"badin\",\"backup\":\"x\"}", "InvalidInput", "unknown input key 'backup'");
    jsonCase("BackupWorkflow", "{\"service\":\"x; drop database prod\"}", "InvalidInput", "is not a service name");
    jsonCase("ListBackupsWorkflow", "{\"service\":\"badin\",\"limit\":-5}", "InvalidInput", "limit must be between 1 and 1000");
    jsonCase("ListBackupsWorkflow", "\"badin\"", "InvalidInput", "must be a JSON object");
    jsonCase("ListBackupsWorkflow", "{\"service\":\"badin\",\"limit\":\"ten\"}", "InvalidInput", "must be a whole number");
  }

  private void jsonCase(String type, String input, String failureType, String message) {
    String shown = input.length() > 48 ? input.substring(0, 30) + "…(" + input.length() + " characters)" : input;
    check("json", type + " " + shown, () -> {
      ApplicationFailure f = startRaw(type, input);
      String text = f.getType() + ": " + f.getOriginalMessage();
      if (!failureType.equals(f.getType()) || !f.getOriginalMessage().contains(message)) {
        throw new AssertionError("expected " + failureType + " '" + message + "', got " + abbreviate(text));
      }
      if (text.length() > 600) {
        throw new AssertionError("the failure is " + text.length() + " characters long");
      }
      return abbreviate(text);
    });
  }

  /** Starts {@code type} with {@code json} as its input payload, byte for byte. */
  private ApplicationFailure startRaw(String type, String json) throws Exception {
    WorkflowStub stub =
        rig.client().newUntypedWorkflowStub(
            type,
            WorkflowOptions.newBuilder().setTaskQueue(spec.taskQueue()).setWorkflowId("chaos-bi-json-" + System.nanoTime()).build());
    Payload p =
        Payload.newBuilder()
            .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
            .setData(ByteString.copyFrom(json, StandardCharsets.UTF_8))
            .build();
    stub.start(new RawValue(p));
    try {
      // The limit only stops a stuck run from hanging the harness; a healthy one fails at once.
      stub.getResult(60, TimeUnit.SECONDS, Object.class);
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof ApplicationFailure af) {
        return af;
      }
      throw new AssertionError("failed without an application failure: " + e.getCause());
    } catch (TimeoutException e) {
      stub.terminate("stuck: bad input did not fail the run");
      throw new AssertionError("the run is stuck instead of failing (still running after 60 s)");
    }
    throw new AssertionError("the run succeeded");
  }

  // ---- the worker's environment and servers ---------------------------------------------------

  private void runtime() {
    runCase("backup of a service whose password variable is unset", "BackupWorkflow", "nopass", "MissingCredentials", "CHAOS_UNSET_PASSWORD");
    runCase("backup with a wrong password", "BackupWorkflow", "wrongpass", "MissingCredentials", "password authentication failed");
    runCase("backup of an unreachable production server", "BackupWorkflow", "nosource", "ServerUnreachable", "127.0.0.1:" + closedPort);
    runCase("drill onto an unreachable drill target", "RestoreDrillWorkflow", "notarget", "ServerUnreachable", "127.0.0.1:" + closedPort);
    runCase("drill onto a target whose password variable is unset", "RestoreDrillWorkflow", "targetnopass", "MissingCredentials", "CHAOS_UNSET_TARGET_PASSWORD");
  }

  private void runCase(String name, String type, String service, String failureType, String message) {
    check("runtime", name, () -> {
      ApplicationFailure f = startRaw(type, "{\"service\":\"" + service + "\"}");
      if (!failureType.equals(f.getType()) || !f.getOriginalMessage().contains(message)) {
        throw new AssertionError("expected " + failureType + " '" + message + "', got " + f.getType() + ": " + abbreviate(f.getOriginalMessage()));
      }
      return abbreviate(f.getType() + ": " + f.getOriginalMessage());
    });
  }

  // ---- manifests that do not match their object ------------------------------------------------

  private void manifests() {
    check("manifest", "manifest's sha256 does not match the object", () -> {
      String id = copy("20200101T000000Z-bisha");
      String dir = dir(id);
      String m = text(dir + "manifest.json");
      String sha = new com.fasterxml.jackson.databind.ObjectMapper().readTree(m).path("dump").path("sha256").asText();
      rig.store.putText(dir + "manifest.json", m.replace(sha, new StringBuilder(sha).reverse().toString()), "application/json");
      return expectFailedDrill(rig.drctl(goodConfig, "drill", SERVICE, "--json", "--backup", id), "ChecksumMismatch");
    });
    check("manifest", "manifest names an object of another size", () -> {
      String id = copy("20200101T000000Z-bisize");
      rig.store.putBytes(dir(id) + "dump.zst", rig.store.getBytes(dir(id) + "globals.sql").orElseThrow(), "application/zstd");
      return expectFailedDrill(rig.drctl(goodConfig, "drill", SERVICE, "--json", "--backup", id), "ChecksumMismatch");
    });
    check("manifest", "manifest is not JSON", () -> {
      String id = copy("20200101T000000Z-bijson");
      rig.store.putText(dir(id) + "manifest.json", "{ this is not a manifest", "application/json");
      return expectFailedDrill(rig.drctl(goodConfig, "drill", SERVICE, "--json", "--backup", id), "ChecksumMismatch");
    });
  }

  private String dir(String id) {
    return PREFIX + "/" + SERVICE + "/backups/" + id + "/";
  }

  private String text(String key) {
    return new String(rig.store.getBytes(key).orElseThrow(), StandardCharsets.UTF_8);
  }

  /** The base backup copied under another id; its objects are the case's own setup, not an effect. */
  private String copy(String id) {
    for (String f : List.of("dump.zst", "chunks.json", "roles.json", "globals.sql")) {
      rig.store.putBytes(dir(id) + f, rig.store.getBytes(dir(backupId) + f).orElseThrow(), "application/octet-stream");
    }
    rig.store.putText(dir(id) + "manifest.json", text(dir(backupId) + "manifest.json").replace(backupId, id), "application/json");
    return id;
  }

  // ---- drflow.yaml, read by the packaged worker ------------------------------------------------

  private void configs() {
    String good = rig.yaml(spec).replace("taskQueue: " + spec.taskQueue(), "taskQueue: " + REFUSED_QUEUE)
        .replace("bucket: " + ChaosRig.BUCKET, "bucket: " + NEVER_BUCKET);
    configCase("unknown key (servces:)", good.replace("services:", "servces:"), "unknown key 'servces'");
    configCase("malformed duration (rto: 1h)", good.replace("rto: PT30M", "rto: 1h"), "is not an ISO-8601 duration");
    configCase("negative duration (rto: -PT1H)", good.replace("rto: PT30M", "rto: -PT1H"), "must be a positive duration");
    configCase("zero duration (rpo: PT0S)", good.replace("rpo: PT24H", "rpo: PT0S"), "must be a positive duration");
    configCase("drill target is the production server", replaceTarget(good, "127.0.0.1", rig.stack.source().port()), "is the production server");
    configCase("drill target is production as localhost", replaceTarget(good, "localhost", rig.stack.source().port()), "is the production server");
    configCase("service named 'x; drop database prod'", good.replace("  " + SERVICE + ":\n", "  \"" + INJECTION + "\":\n"), "service names are 1-40 characters");
    configCase("service named with unicode (bädin)", good.replace("  " + SERVICE + ":\n", "  bädin:\n"), "service names are 1-40 characters");
    configCase("database name over 63 bytes", good.replace("database: " + ChaosRig.LITE_DATABASE + "\n", "database: " + "d".repeat(64) + "\n"), "at most 63 bytes");
    configCase("port out of range", good.replace("port: " + rig.stack.source().port() + "\n", "port: 70000\n"), "must be between 1 and 65535");
    configCase("rto missing", good.replace("  rto: PT30M\n", "\n"), "rto: is required");
    configCase("part size below S3's minimum", good.replace("partMiB: 5", "partMiB: 4"), "backup.partMiB");
    configCase("not YAML (a tab for indentation)", "temporal:\n\ttarget: 127.0.0.1:7233\n", "not valid YAML");
    configCase("budget for an unknown phase", good.replace("  rto: PT30M\n", "  rto: PT30M\n    budgets: {drill: {Teleport: PT1M}}\n"), "unknown phase");
    configCase("S3 secret variable unset", good, 2, "environment variable E2E_S3_SECRET is not set", Set.of(DrflowStack.S3_SECRET_ENV));
    configCase("S3 endpoint unreachable", good.replace(spec.endpoint(), "http://127.0.0.1:" + closedPort), 1,
        "cannot use s3://" + NEVER_BUCKET + "/" + PREFIX + " at http://127.0.0.1:" + closedPort, Set.of());
  }

  /** The failover and recovery sections of drflow.yaml. */
  private void regionConfigs() {
    String good = rig.yaml(spec).replace("taskQueue: " + spec.taskQueue(), "taskQueue: " + REFUSED_QUEUE)
        .replace("bucket: " + ChaosRig.BUCKET, "bucket: " + NEVER_BUCKET);
    String values = "values: {primary: " + ChaosRegions.PRIMARY_VALUE + ", dr: " + ChaosRegions.DR_VALUE + "}";
    configCase("dns values miss a region", good.replace(values, "values: {primary: " + ChaosRegions.PRIMARY_VALUE + "}"),
        "has no value for region 'dr'");
    configCase("dns value for a region that does not exist", good.replace(values, values.replace("}", ", mars: lb-mars.example.com}")),
        "no region 'mars'");
    configCase("dns record type MX", good.replace("type: CNAME", "type: MX"), "is not supported");
    configCase("regions without dns", good.replaceFirst("\\n( +)dns:\\n(\\1 .*\\n){3}", "\n"), "is required with regions");
    configCase("region named 'x; drop'", good.replaceFirst("\\n( +)dr:\\n", "\n$1\"x; drop\":\n"), "region names are 1-40 characters");
    configCase("serving replica count 0", good.replaceFirst("deployments: \\{api: 3", "deployments: {api: 0"), "must be at least 1");
    configCase("hosted zone id 'Z; drop'", good.replace("hostedZoneId: " + rig.regions.zoneId, "hostedZoneId: \"Z; drop\""), "hostedZoneId");
    configCase("recovery without Deployments", good.replace("deployments: [api, worker]", "deployments: []"), "list the Deployments");
    configCase("health interval longer than its deadline", good.replaceFirst("deadline: PT2M, interval: PT1S", "deadline: PT2M, interval: PT5M"),
        "is longer than the deadline");
  }

  private String replaceTarget(String yaml, String host, int port) {
    String from = "        host: 127.0.0.1\n        port: " + rig.stack.drillTarget().port() + "\n";
    return yaml.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement("        host: " + host + "\n        port: " + port + "\n"));
  }

  private void configCase(String name, String yaml, String message) {
    configCase(name, yaml, 2, message, Set.of());
  }

  /** The packaged worker must refuse the file (or environment) and exit, touching nothing. */
  private void configCase(String name, String yaml, int exit, String message, Set<String> unset) {
    check("config", name, () -> {
      Path file = write("config-" + Integer.toHexString(name.hashCode()) + ".yaml", yaml);
      Map<String, String> env = new HashMap<>(rig.stack.workerEnvironment());
      env.put("CHAOS_WRONG_PASSWORD", "x");
      Path log = rig.dir.resolve("config-" + Integer.toHexString(name.hashCode()) + ".log");
      Process p = DrflowStack.startWorkerProcess(file, env, log, rig.workerJvm(), unset);
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("the worker started with this config (still running after 90 s)");
      }
      String out = Files.readString(log);
      if (p.exitValue() != exit || !out.contains(message)) {
        throw new AssertionError("expected exit " + exit + " and '" + message + "', got " + p.exitValue() + ": " + abbreviate(out));
      }
      if (out.contains("\tat ") || !out.startsWith("drflow-worker: ")) {
        throw new AssertionError("not a clear error (a stack trace, or not drflow-worker's own message): " + abbreviate(out));
      }
      return "exit " + exit + ": " + abbreviate(out.strip().replace('\n', ' '));
    });
  }

  // ---- effects ---------------------------------------------------------------------------------

  /** Everything a bad input could have changed, in this harness's corner of the stack. */
  private record Effects(
      Map<String, Long> objects, Set<String> reports, int uploads, List<String> sourceDatabases,
      Set<String> ddl, Set<String> buckets, Set<String> workFiles, List<String> regions) {}

  /** Production's databases, but those the crash harness creates alongside for its own services. */
  private List<String> productionDatabases() throws Exception {
    return ChaosRig.databases(rig.stack.source()).stream().filter(n -> !n.matches("[fr]k\\d+")).toList();
  }

  /**
   * What a recovery or failover could have changed: databases and DDL on the regions' server,
   * replicas and annotations of the services' Deployments, the record, Route53 change requests.
   */
  private List<String> regionEffects() throws Exception {
    ChaosRegions r = rig.regions;
    List<String> out = new ArrayList<>();
    out.add("databases " + r.databases(REC) + r.databases(FO)); // the crash harness shares the server
    out.add("ddl " + r.ddl(REC) + r.ddl(FO));
    out.add(REC + " " + r.deploymentState(REC));
    out.add(FO + "-p " + r.deploymentState(FO + "-p"));
    out.add(FO + "-d " + r.deploymentState(FO + "-d"));
    out.add("record " + r.recordValue(FO).orElse("(none)"));
    out.add("Route53 changes " + route53.exchanges().stream()
        .filter(e -> e.method().equals("POST") && e.path().contains("/rrset")).count());
    return out;
  }

  private Effects effects() throws Exception {
    Map<String, Long> objects = new TreeMap<>();
    Set<String> reports = new TreeSet<>();
    rig.objects(PREFIX + "/").forEach((k, v) -> {
      if (k.contains("/reports/")) {
        reports.add(k);
      } else {
        objects.put(k, v);
      }
    });
    Set<String> ddl = new TreeSet<>();
    rig.drillTargetDdl().forEach((db, ops) -> {
      if (!db.startsWith("drill_" + ChaosRig.SERVICE + "_") && !db.startsWith("drill_" + ChaosRig.LITE + "_")) {
        ddl.add(db + ops);
      }
    });
    Set<String> buckets = new TreeSet<>();
    rig.store.client().listBuckets().buckets().forEach(b -> buckets.add(b.name()));
    Set<String> work = new TreeSet<>();
    ChaosRig.files(spec.workDir()).forEach(f -> work.add(f.toString()));
    return new Effects(objects, reports, rig.store.listUploads(PREFIX + "/").size(),
        productionDatabases(), ddl, buckets, work, regionEffects());
  }

  /** Runs one case and checks that it changed nothing but, at most, a failed run's report. */
  private void check(String kind, String name, Body body) {
    String label = kind + ": " + name;
    try {
      Effects before = effects();
      String detail = body.run();
      Effects after = effects();
      List<String> changed = new ArrayList<>();
      if (!before.objects().equals(after.objects())) {
        Set<String> added = new TreeSet<>(after.objects().keySet());
        added.removeAll(before.objects().keySet());
        // A manifest case's own copy of the backup is its setup, not an effect of the input.
        added.removeIf(k -> k.contains("/20200101T000000Z-bi"));
        if (!added.isEmpty() || !after.objects().keySet().containsAll(before.objects().keySet())) {
          changed.add("objects: " + added);
        }
      }
      if (before.uploads() != after.uploads()) {
        changed.add("multipart uploads: " + before.uploads() + " -> " + after.uploads());
      }
      if (!before.sourceDatabases().equals(after.sourceDatabases())) {
        changed.add("production databases: " + after.sourceDatabases());
      }
      if (!before.ddl().equals(after.ddl())) {
        changed.add("drill target DDL: " + after.ddl());
      }
      if (!before.buckets().equals(after.buckets())) {
        changed.add("buckets: " + after.buckets());
      }
      if (!before.regions().equals(after.regions())) {
        List<String> diff = new ArrayList<>(after.regions());
        diff.removeAll(before.regions());
        changed.add("recovery/failover targets: " + diff);
      }
      if (!before.workFiles().equals(after.workFiles())) {
        changed.add("work files: " + after.workFiles());
      }
      if (!changed.isEmpty()) {
        report.fail(CATEGORY, label, "side effects: " + String.join("; ", changed) + " | " + detail);
        return;
      }
      int reports = after.reports().size() - before.reports().size();
      report.pass(CATEGORY, label, detail + (reports > 0 ? " [the failed drill's report stored]" : "") + "; nothing changed");
    } catch (Throwable e) {
      report.fail(CATEGORY, label, String.valueOf(e.getMessage()));
    }
  }

  /** Nothing ever reached the queue of the config drctl refused with. */
  private void refusedQueueStaysEmpty() {
    check("drctl", "no workflow started by any refused command", () -> {
      // A marker run on the same queue: once it is listed, every earlier start would be too.
      String marker = "chaos-refused-marker-" + System.nanoTime();
      WorkflowStub m = rig.client().newUntypedWorkflowStub("Marker",
          WorkflowOptions.newBuilder().setTaskQueue(REFUSED_QUEUE).setWorkflowId(marker).build());
      m.start();
      List<String> listed = List.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        listed =
            rig.client().getWorkflowServiceStubs().blockingStub()
                .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                    .setNamespace("default").setQuery("TaskQueue = '" + REFUSED_QUEUE + "'").build())
                .getExecutionsList().stream().map(e -> e.getExecution().getWorkflowId()).toList();
        if (listed.contains(marker)) {
          break;
        }
        Thread.sleep(200);
      }
      m.terminate("marker");
      if (!listed.equals(List.of(marker))) {
        throw new AssertionError("runs on " + REFUSED_QUEUE + ": " + listed);
      }
      return "only the marker run is on " + REFUSED_QUEUE;
    });
  }

  private List<String> scheduleIds() {
    return rig.stack.schedules().listSchedules().map(ScheduleListDescription::getScheduleId).sorted().toList();
  }

  private Path write(String name, String content) throws Exception {
    Path f = rig.dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  private static String firstLine(String s) {
    return s.strip().lines().findFirst().orElse("");
  }

  static String abbreviate(String s) {
    String one = s.strip().replace('\n', ' ');
    return one.length() > 220 ? one.substring(0, 200) + "…(" + one.length() + " characters)" : one;
  }
}
