package io.drflow.e2e;

import io.drflow.activities.local.LocalPostgresCluster;
import io.drflow.activities.postgres.PgTestSupport;
import io.drflow.activities.storage.FaultProxy;
import io.drflow.activities.storage.FaultProxy.Exchange;
import io.drflow.activities.storage.FaultProxy.Fault;
import io.drflow.activities.storage.Sha256;
import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.RunReport;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * Storage faults between the worker and S3, injected by a {@link FaultProxy} per scenario: resets
 * in the middle of a body, responses cut short, stalls, 503 SlowDown, lost acknowledgements; and
 * objects corrupted or cut short at rest. Transfers must resume (the rest of a range, the one
 * failed part) rather than restart, stay under twice the object on the wire, and damage at rest
 * must fail the drill once, with a message naming what differs, before anything is created.
 */
final class FaultHarness {

  static final String CATEGORY = "faults";
  private static final String PREFIX = "faults";
  private static final long MIB = 1L << 20;

  /** One fault scenario: what to break and what must still hold. */
  private record Scenario(String runbook, String name, boolean inShort, Body body) {}

  private interface Body {
    String run(String id) throws Exception;
  }

  private final ChaosRig rig;
  private final ChaosReport report;
  private String baseId;
  private RunReport baseBackup;

  FaultHarness(ChaosRig rig, ChaosReport report) {
    this.rig = rig;
    this.report = report;
  }

  /** @param runbooks the scenarios of these runbooks only (backup, drill, drill-stream); null for all */
  void run(Chaos.Mode mode, java.util.Set<String> runbooks) throws Exception {
    base();
    String before = productionFingerprint();
    Map<String, Long> baseObjects = rig.objects(backupDir(baseId));
    String baseSha = Sha256.hex(rig.store.getBytes(backupDir(baseId) + "dump.zst").orElseThrow());

    List<Scenario> all =
        List.of(
            new Scenario("drill", "download: connection reset mid-body (x2)", true,
                id -> download(id, Fault.RESET_RESPONSE, 3 * MIB, null, 2)),
            new Scenario("drill", "download: response truncated (x2)", false,
                id -> download(id, Fault.TRUNCATE_RESPONSE, 2 * MIB, null, 2)),
            new Scenario("drill", "download: 503 SlowDown (x3)", false,
                id -> download(id, Fault.SLOW_DOWN, 0, null, 3)),
            new Scenario("drill", "download: stalled 5 s mid-body", false,
                id -> download(id, Fault.STALL_RESPONSE, MIB, Duration.ofSeconds(5), 1)),
            new Scenario("backup", "upload: connection reset mid-part (parts 2 and 3)", true,
                id -> upload(id, Fault.RESET_REQUEST, MIB, null, List.of(2, 3))),
            new Scenario("backup", "upload: 503 SlowDown on parts 1, 2, 4", false,
                id -> upload(id, Fault.SLOW_DOWN, 0, null, List.of(1, 2, 4))),
            new Scenario("backup", "upload: part stored but its response lost (part 2)", false,
                id -> upload(id, Fault.DROP_RESPONSE, 0, null, List.of(2))),
            new Scenario("backup", "upload: part stalled 5 s mid-body (part 3)", false,
                id -> upload(id, Fault.STALL_REQUEST, 2 * MIB, Duration.ofSeconds(5), List.of(3))),
            new Scenario("drill", "at rest: one byte of the data object flipped", true, this::corrupted),
            new Scenario("drill", "at rest: data object cut short by 1000 bytes", false, this::truncated),
            new Scenario("drill", "at rest: chunk index altered", false, this::chunkIndexAltered),
            new Scenario(CrashHarness.DRILL_STREAM, "stream: connection reset mid-body of a feeder's ranged GET (x2)", true,
                this::streamedReset),
            new Scenario(CrashHarness.DRILL_STREAM, "stream: one stored chunk corrupted", true, this::streamedCorrupted));

    ExecutorService pool = Executors.newFixedThreadPool(mode == Chaos.Mode.FULL ? 2 : 3);
    try {
      List<Future<?>> runs = new ArrayList<>();
      int n = 0;
      for (Scenario s : all) {
        if ((mode == Chaos.Mode.SHORT && !s.inShort()) || (runbooks != null && !runbooks.contains(s.runbook()))) {
          continue;
        }
        String id = "f" + (++n);
        runs.add(
            pool.submit(
                () -> {
                  try {
                    report.pass(CATEGORY, s.name(), s.body().run(id));
                  } catch (Throwable e) {
                    String trouble = rig.serverTrouble();
                    report.fail(CATEGORY, s.name(), "[" + id + "] " + e.getMessage() + (trouble == null ? "" : " (" + trouble + ")"));
                  }
                }));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    List<String> problems = new ArrayList<>();
    String after = productionFingerprint();
    if (!before.equals(after)) {
      problems.add("production changed: " + before + " -> " + after);
    }
    if (!baseObjects.equals(rig.objects(backupDir(baseId)))) {
      problems.add("the existing backup's objects changed");
    }
    if (!baseSha.equals(Sha256.hex(rig.store.getBytes(backupDir(baseId) + "dump.zst").orElseThrow()))) {
      problems.add("the existing backup's data object changed");
    }
    report.add(
        new ChaosReport.Outcome(
            CATEGORY, "production and existing backups untouched", problems.isEmpty(),
            problems.isEmpty()
                ? "production fingerprint " + after + " unchanged; backup " + baseId + " (" + baseObjects.size()
                    + " objects, sha256 " + baseSha.substring(0, 12) + "…) unchanged"
                : String.join("; ", problems)));
  }

  /** The backup every download fault restores. */
  private void base() throws Exception {
    ChaosRig.Spec spec = rig.spec("fbase", rig.proxy(), PREFIX);
    try (Slot slot = new Slot(spec); ChaosWorker w = rig.worker(spec, null).awaitReady(Duration.ofMinutes(3))) {
      baseBackup = CrashHarness.result(rig.start(spec, "chaos-fbase-backup", "BackupWorkflow", Map.of("service", ChaosRig.SERVICE)));
      if (!"COMPLETED".equals(baseBackup.status())) {
        throw new IllegalStateException("the base backup for the fault scenarios failed: " + baseBackup.error());
      }
      baseId = CrashHarness.backupId(baseBackup);
    }
  }

  /** Gives the scenario's queue slot back when its try block ends (after its worker stopped). */
  private final class Slot implements AutoCloseable {
    private final ChaosRig.Spec spec;

    Slot(ChaosRig.Spec spec) {
      this.spec = spec;
    }

    @Override
    public void close() {
      rig.release(spec);
    }
  }

  private static String backupDir(String backupId) {
    return PREFIX + "/" + ChaosRig.SERVICE + "/backups/" + backupId + "/";
  }

  /** Row counts and a content hash of production: what a drill must never change. */
  private String productionFingerprint() throws Exception {
    LocalPostgresCluster src = rig.stack.source();
    return String.join(
        ",",
        PgTestSupport.query(
            src.connections(),
            src.postgresConfig(ChaosRig.DATABASE),
            "select (select count(*) from sales.customers) || '/' || (select count(*) from sales.orders) || '/'"
                + " || (select count(*) from sales.events) || '/' || left(md5(string_agg(payload, '' order by id)), 12)"
                + " from sales.events"));
  }

  private String download(String id, Fault fault, long after, Duration stall, int times) throws Exception {
    FaultProxy proxy = rig.proxy();
    proxy.inject("GET", t -> t.contains("/dump.zst"), fault, after, stall, times);
    ChaosRig.Spec spec = rig.spec(id, proxy, PREFIX);
    RunReport r;
    WorkflowExecutionHistory h;
    try (Slot slot = new Slot(spec); ChaosWorker w = rig.worker(spec, null).awaitReady(Duration.ofMinutes(3))) {
      WorkflowStub stub = rig.start(spec, "chaos-" + id + "-drill", "RestoreDrillWorkflow",
          Map.of("service", ChaosRig.SERVICE, "backup", baseId));
      r = CrashHarness.result(stub);
      h = rig.history(stub.getExecution());
    }
    List<String> problems = new ArrayList<>();
    if (!"PASSED".equals(r.status())) {
      throw new AssertionError("drill " + r.status() + ": " + r.error());
    }
    if (proxy.unfired() > 0) {
      problems.add(proxy.unfired() + " faults never fired");
    }
    long stored = r.backup().storedBytes();
    long fetched = proxy.responseBytes("GET", "/dump.zst");
    if (fetched >= 2 * stored) {
      problems.add("fetched " + fetched + " bytes for a " + stored + "-byte object");
    }
    List<Exchange> gets = proxy.requests("GET", "/dump.zst");
    int resumed = 0;
    for (Exchange broken : gets.stream().filter(e -> e.fault() == Fault.RESET_RESPONSE || e.fault() == Fault.TRUNCATE_RESPONSE).toList()) {
      long[] b = range(broken.range());
      boolean rest =
          gets.stream().anyMatch(e -> e != broken && e.range() != null
              && range(e.range())[1] == b[1] && range(e.range())[0] > b[0] && range(e.range())[0] <= b[0] + broken.responseBodyBytes());
      if (rest) {
        resumed++;
      } else {
        problems.add("no request for the rest of " + broken.range() + " (broken after " + broken.responseBodyBytes()
            + " bytes); GETs: " + gets.stream().map(e -> e.range() + "/" + e.status() + "/" + e.responseBodyBytes() + (e.fault() == null ? "" : "/" + e.fault())).toList());
      }
    }
    int attempts = ChaosRig.attempts(h).getOrDefault("DownloadBackup", 0);
    if (attempts != 1) {
      problems.add("DownloadBackup ran " + attempts + " times: the fault reached the activity");
    }
    long slowDowns = gets.stream().filter(e -> e.status() == 503).count();
    if (ChaosRig.databases(rig.stack.drillTarget()).contains(r.scratch().database())) {
      problems.add(r.scratch().database() + " is still on the drill target");
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("; ", problems));
    }
    return String.format(
        "drill PASSED; %d GETs of the data object (%d answered 503, %d broken and resumed from the byte they broke at); %s on the wire for %s stored (%.2fx); DownloadBackup attempts 1",
        gets.size(), slowDowns, resumed, Bytes.human(fetched), Bytes.human(stored), (double) fetched / stored);
  }

  private String upload(String id, Fault fault, long after, Duration stall, List<Integer> parts) throws Exception {
    FaultProxy proxy = rig.proxy();
    for (int part : parts) {
      Predicate<String> target = t -> t.contains("/dump.zst") && t.matches(".*[?&]partNumber=" + part + "(&.*|$)");
      proxy.inject("PUT", target, fault, after, stall, 1);
    }
    String prefix = "faults-" + id;
    ChaosRig.Spec spec = rig.spec(id, proxy, prefix);
    RunReport r;
    WorkflowExecutionHistory h;
    try (Slot slot = new Slot(spec); ChaosWorker w = rig.worker(spec, null).awaitReady(Duration.ofMinutes(3))) {
      WorkflowStub stub = rig.start(spec, "chaos-" + id + "-backup", "BackupWorkflow", Map.of("service", ChaosRig.SERVICE));
      r = CrashHarness.result(stub);
      h = rig.history(stub.getExecution());
    }
    if (!"COMPLETED".equals(r.status())) {
      throw new AssertionError("backup " + r.status() + ": " + r.error());
    }
    List<String> problems = new ArrayList<>();
    if (proxy.unfired() > 0) {
      problems.add(proxy.unfired() + " faults never fired");
    }
    long stored = r.backup().storedBytes();
    long sent = proxy.requestBytes("PUT", "/dump.zst");
    if (sent >= 2 * stored) {
      problems.add("sent " + sent + " bytes for a " + stored + "-byte object");
    }
    long creates = proxy.requests("POST", "/dump.zst").stream().filter(e -> e.target().matches(".*[?&]uploads(=.*|&.*|$)")).count();
    if (creates != 1) {
      problems.add(creates + " multipart uploads created: the upload restarted");
    }
    int attempts = ChaosRig.attempts(h).getOrDefault("DumpAndUpload", 0);
    if (attempts != 1) {
      problems.add("DumpAndUpload ran " + attempts + " times: the fault reached the activity");
    }
    String dir = prefix + "/" + ChaosRig.SERVICE + "/backups/" + CrashHarness.backupId(r) + "/";
    String sha = Sha256.hex(rig.store.getBytes(dir + "dump.zst").orElseThrow());
    if (!sha.equals(r.backup().sha256())) {
      problems.add("the stored object's sha256 " + sha + " is not the report's " + r.backup().sha256());
    }
    if (!rig.store.listUploads(prefix + "/").isEmpty()) {
      problems.add("multipart uploads left behind");
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("; ", problems));
    }
    long puts = proxy.requests("PUT", "/dump.zst").size();
    long partCount = proxy.requests("PUT", "/dump.zst").stream().map(Exchange::target).distinct().count();
    return String.format(
        "backup COMPLETED, sha256 verified; %d part PUTs for %d parts (failed parts retried alone), 1 multipart upload; %s sent for %s stored (%.2fx); DumpAndUpload attempts 1",
        puts, partCount, Bytes.human(sent), Bytes.human(stored), (double) sent / stored);
  }

  /** Copies the base backup under a new id (older than it, so never the newest). */
  private String copyBase(String newId) {
    String from = backupDir(baseId);
    String to = backupDir(newId);
    for (String file : List.of("dump.zst", "chunks.json", "roles.json", "globals.sql")) {
      byte[] b = rig.store.getBytes(from + file).orElseThrow();
      rig.store.putBytes(to + file, b, "application/octet-stream");
    }
    String manifest = new String(rig.store.getBytes(from + "manifest.json").orElseThrow(), StandardCharsets.UTF_8);
    rig.store.putText(to + "manifest.json", manifest.replace(baseId, newId), "application/json");
    return to;
  }

  private String corrupted(String id) throws Exception {
    String newId = "20200101T000000Z-" + id + "flip";
    String dir = copyBase(newId);
    byte[] data = rig.store.getBytes(dir + "dump.zst").orElseThrow();
    data[data.length / 2] ^= 0x01;
    rig.store.putBytes(dir + "dump.zst", data, "application/zstd");
    return damagedDrill(id, newId, "DownloadBackup", "ChecksumMismatch", "SHA-256 of chunk");
  }

  /**
   * The same flipped byte, drilled with a streamed restore: the Download activity fetched only the
   * archive's head, so the feeder that fetches the chunk finds it, while pg_restore runs. The
   * scratch database exists by then: it must be dropped, and the restore not retried.
   */
  private String streamedCorrupted(String id) throws Exception {
    String newId = "20200101T000000Z-" + id + "sflip";
    String dir = copyBase(newId);
    byte[] data = rig.store.getBytes(dir + "dump.zst").orElseThrow();
    data[data.length / 2] ^= 0x01;
    rig.store.putBytes(dir + "dump.zst", data, "application/zstd");
    return damagedDrill(id, newId, "RestoreDatabase", "ChecksumMismatch", "SHA-256 of chunk", true);
  }

  /**
   * Resets mid-body of ranged GETs made once pg_restore runs, i.e. by the feeders of its FIFOs
   * (the proxy throttled so the restore is still fetching then): the chunk's fetch must recover
   * inside the activity.
   */
  private String streamedReset(String id) throws Exception {
    FaultProxy proxy = rig.proxy();
    proxy.throttle(CrashHarness.THROTTLE);
    ChaosRig.Spec spec = rig.spec(id, proxy, PREFIX).streamed();
    RunReport r;
    WorkflowExecutionHistory h;
    long beforeRestore;
    try (Slot slot = new Slot(spec); ChaosWorker w = rig.worker(spec, null).awaitReady(Duration.ofMinutes(3))) {
      WorkflowStub stub = rig.start(spec, "chaos-" + id + "-drill", "RestoreDrillWorkflow",
          Map.of("service", ChaosRig.SERVICE, "backup", baseId));
      long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
      while (!restoring(w)) {
        if (System.nanoTime() > deadline || !w.isAlive()) {
          throw new AssertionError("pg_restore was not seen running");
        }
        Thread.sleep(20);
      }
      beforeRestore = proxy.requests("GET", "/dump.zst").size();
      proxy.inject("GET", t -> t.contains("/dump.zst"), Fault.RESET_RESPONSE, 64 * 1024, null, 2);
      r = CrashHarness.result(stub);
      h = rig.history(stub.getExecution());
    }
    if (!"PASSED".equals(r.status())) {
      throw new AssertionError("drill " + r.status() + ": " + r.error());
    }
    List<String> problems = new ArrayList<>();
    if (proxy.unfired() > 0) {
      problems.add(proxy.unfired() + " faults never fired (the restore fetched too little after pg_restore started)");
    }
    long stored = r.backup().storedBytes();
    long fetched = proxy.responseBytes("GET", "/dump.zst");
    if (fetched >= 2 * stored) {
      problems.add("fetched " + fetched + " bytes for a " + stored + "-byte object");
    }
    Map<String, Integer> attempts = ChaosRig.attempts(h);
    for (String activity : List.of("DownloadBackup", "RestoreDatabase")) {
      if (attempts.getOrDefault(activity, 0) != 1) {
        problems.add(activity + " ran " + attempts.get(activity) + " times: the fault reached the activity");
      }
    }
    List<Exchange> gets = proxy.requests("GET", "/dump.zst");
    List<Exchange> broken = gets.stream().filter(e -> e.fault() == Fault.RESET_RESPONSE).toList();
    int whole = 0;
    for (Exchange b : broken) {
      long[] range = range(b.range());
      if (b.responseBodyBytes() >= range[1] - range[0] + 1) {
        // A fault is used up by the request it matches; a body shorter than the reset's offset
        // (the rest of an earlier broken range) arrives whole, and nothing is left to fetch.
        whole++;
        continue;
      }
      // Fetched again from at most the byte it broke at (a second reset may break that one too).
      boolean again = gets.stream().anyMatch(e -> e != b && e.range() != null
          && range(e.range())[0] >= range[0] && range(e.range())[0] <= range[0] + b.responseBodyBytes()
          && range(e.range())[1] >= range[1]);
      if (!again) {
        problems.add("the rest of " + b.range() + " (broken after " + b.responseBodyBytes() + " bytes) was never fetched; GETs: "
            + gets.stream().map(e -> e.range() + "/" + e.status() + "/" + e.responseBodyBytes() + (e.fault() == null ? "" : "/" + e.fault())).toList());
      }
    }
    if (broken.size() - whole < 1) {
      problems.add("no GET was reset mid-body");
    }
    if (ChaosRig.databases(rig.stack.drillTarget()).contains(r.scratch().database())) {
      problems.add(r.scratch().database() + " is still on the drill target");
    }
    if (!ChaosRig.files(spec.workDir()).isEmpty()) {
      problems.add("files left: " + ChaosRig.files(spec.workDir()));
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("; ", problems));
    }
    return String.format(
        "drill PASSED; %d ranged GETs of the data object (%d after pg_restore started, %d reset mid-body and the rest fetched again, %d matched by a fault but shorter than its offset, so whole); %s on the wire for %s stored (%.2fx); DownloadBackup and RestoreDatabase attempts 1",
        gets.size(), gets.size() - beforeRestore, broken.size() - whole, whole, Bytes.human(fetched), Bytes.human(stored), (double) fetched / stored);
  }

  private static boolean restoring(ChaosWorker w) {
    try (var children = w.process().descendants()) {
      return children.anyMatch(c -> c.info().command().orElse("").endsWith("/pg_restore"));
    }
  }

  private String truncated(String id) throws Exception {
    String newId = "20200101T000000Z-" + id + "short";
    String dir = copyBase(newId);
    byte[] data = rig.store.getBytes(dir + "dump.zst").orElseThrow();
    rig.store.putBytes(dir + "dump.zst", java.util.Arrays.copyOf(data, data.length - 1000), "application/zstd");
    return damagedDrill(id, newId, "LocateBackup", "ChecksumMismatch", "is incomplete");
  }

  private String chunkIndexAltered(String id) throws Exception {
    String newId = "20200101T000000Z-" + id + "index";
    String dir = copyBase(newId);
    String index = new String(rig.store.getBytes(dir + "chunks.json").orElseThrow(), StandardCharsets.UTF_8);
    // The first chunk's SHA-256 with its first hex digit changed: well-formed, wrong.
    int at = index.indexOf("\"sha256\":\"") + "\"sha256\":\"".length();
    char c = index.charAt(at);
    String altered = index.substring(0, at) + (c == '0' ? '1' : '0') + index.substring(at + 1);
    rig.store.putText(dir + "chunks.json", altered, "application/json");
    return damagedDrill(id, newId, "DownloadBackup", "ChecksumMismatch", "chunks.json");
  }

  private String damagedDrill(String id, String backupId, String failingActivity, String type, String message) throws Exception {
    return damagedDrill(id, backupId, failingActivity, type, message, false);
  }

  /**
   * A drill of a damaged backup: fails once, clearly, creating nothing (a streamed restore finds
   * the damage while restoring: its scratch database is created, then dropped).
   */
  private String damagedDrill(String id, String backupId, String failingActivity, String type, String message, boolean streamed)
      throws Exception {
    ChaosRig.Spec spec = streamed ? rig.spec(id, rig.proxy(), PREFIX).streamed() : rig.spec(id, rig.proxy(), PREFIX);
    RunReport r;
    WorkflowExecutionHistory h;
    String failure;
    try (Slot slot = new Slot(spec); ChaosWorker w = rig.worker(spec, null).awaitReady(Duration.ofMinutes(3))) {
      WorkflowStub stub = rig.start(spec, "chaos-" + id + "-drill", "RestoreDrillWorkflow",
          Map.of("service", ChaosRig.SERVICE, "backup", backupId));
      r = CrashHarness.result(stub);
      h = rig.history(stub.getExecution());
    }
    failure = r.error();
    List<String> problems = new ArrayList<>();
    if (!"FAILED".equals(r.status())) {
      problems.add("the drill " + r.status());
    }
    if (failure == null || !failure.contains(type) || !failure.contains(message)) {
      problems.add("unclear failure: " + failure);
    }
    int attempts = ChaosRig.attempts(h).getOrDefault(failingActivity, 0);
    if (attempts != 1) {
      problems.add(failingActivity + " ran " + attempts + " times: a damaged backup must not be retried");
    }
    String scratch = r.scratch() == null ? null : r.scratch().database();
    List<String> ddl = scratch == null ? List.of() : rig.drillTargetDdl().getOrDefault(scratch, List.of());
    if (streamed) {
      if (ddl.stream().filter("create"::equals).count() != ddl.stream().filter("drop"::equals).count()
          || ChaosRig.databases(rig.stack.drillTarget()).contains(scratch)) {
        problems.add("the scratch database was not dropped: " + ddl);
      }
    } else if (!ddl.isEmpty()) {
      problems.add("a scratch database was created: " + ddl);
    }
    if (!ChaosRig.files(spec.workDir()).isEmpty()) {
      problems.add("files left: " + ChaosRig.files(spec.workDir()));
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("; ", problems));
    }
    return "drill FAILED non-retryably (" + failingActivity + " attempts 1), "
        + (streamed ? "scratch database " + ddl + " and dropped" : "no database created") + ", no files left: " + failure;
  }

  private static long[] range(String header) {
    String spec = header.substring("bytes=".length());
    int dash = spec.indexOf('-');
    return new long[] {Long.parseLong(spec.substring(0, dash)), Long.parseLong(spec.substring(dash + 1))};
  }
}
