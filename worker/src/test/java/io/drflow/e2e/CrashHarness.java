package io.drflow.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.drflow.activities.storage.FaultProxy;
import io.drflow.activities.storage.ObjectStore;
import io.drflow.activities.storage.Sha256;
import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.RunReport;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Crash safety on the real Temporal server with real worker processes: for each kill point a
 * worker is SIGKILLed there, a new one (same host id, so the host queue resumes) finishes the run,
 * and the result and every external side effect are compared with an uninterrupted run.
 *
 * <p>Kill points: {@code schedule:X} (between activities: the previous one's result is recorded,
 * X not yet scheduled; the worker dies inside the workflow task), {@code complete:W} (the run's
 * result computed, not recorded), {@code finish:X} (X's work done, its result not reported: the
 * retry must not do it twice), {@code mid:X} (X in the middle of its transfer or pg_restore, with
 * progress recorded on the server; the harness kills the worker from outside).
 */
final class CrashHarness {

  static final String CATEGORY = "crash";

  static final List<String> BACKUP_POINTS =
      List.of(
          "mid:DumpAndUpload", "finish:DumpAndUpload", "finish:PublishManifest", "finish:ApplyRetention",
          "schedule:PlanService", "schedule:DumpAndUpload", "schedule:PublishManifest",
          "schedule:ApplyRetention", "complete:BackupWorkflow");

  static final List<String> DRILL_POINTS =
      List.of(
          "mid:DownloadBackup", "mid:RestoreDatabase", "finish:DownloadBackup", "finish:RestoreDatabase",
          "finish:DropDatabase", "finish:StoreReport",
          "schedule:PlanService", "schedule:LocateBackup", "schedule:HostTaskQueue",
          "schedule:DownloadBackup", "schedule:RestoreDatabase", "schedule:DeleteWorkFiles",
          "schedule:ValidateRestore", "schedule:DropDatabase", "schedule:StoreReport",
          "complete:RestoreDrillWorkflow");

  /**
   * The drill again with {@code restoreMode: stream} (the default; the drill points above keep the
   * file so the download's resumption is exercised): the Download activity fetches only the
   * archive's head, the Restore activity feeds pg_restore's FIFOs with ranged GETs.
   */
  static final List<String> STREAM_DRILL_POINTS =
      List.of("mid:RestoreDatabase", "finish:DownloadBackup", "finish:RestoreDatabase", "schedule:RestoreDatabase");

  /** The runbook name of the stream-mode drill points (and of the streamed restore's faults). */
  static final String DRILL_STREAM = "drill-stream";

  /** Mid-transfer kills need transfers that last: the proxy lets 1 MiB/s through per connection. */
  static final long THROTTLE = 1L << 20;

  private static final Pattern TABLES_ROWS = Pattern.compile("(\\d+) tables, (\\d+) rows");

  /** What one kill point asks for. */
  record Point(String runbook, String point) {
    boolean mid() {
      return point.startsWith("mid:");
    }

    boolean streamed() {
      return runbook.equals(DRILL_STREAM);
    }

    /** Transfers worth interrupting need the large service; elsewhere size changes nothing. */
    String service() {
      return mid() ? ChaosRig.SERVICE : ChaosRig.LITE;
    }

    /** Kills that leave an activity started on the server, which only its timeout ends (60-120 s). */
    boolean slow() {
      return point.startsWith("mid:") || point.startsWith("finish:");
    }

    String activity() {
      return point.substring(point.indexOf(':') + 1);
    }

    String name() {
      return runbook + " " + point;
    }
  }

  /** The full list: every activity boundary of every runbook and the long activities' middles. */
  static List<Point> fullPoints() {
    List<Point> out = new ArrayList<>();
    BACKUP_POINTS.forEach(p -> out.add(new Point("backup", p)));
    DRILL_POINTS.forEach(p -> out.add(new Point("drill", p)));
    STREAM_DRILL_POINTS.forEach(p -> out.add(new Point(DRILL_STREAM, p)));
    RegionCrashes.RECOVERY_POINTS.forEach(p -> out.add(new Point("recovery", p)));
    RegionCrashes.FAILOVER_POINTS.forEach(p -> out.add(new Point("failover", p)));
    return order(out);
  }

  /** A few that together touch each kind: mid-transfer both ways, a boundary, a finished restore. */
  static List<Point> shortPoints() {
    return order(
        List.of(
            new Point("backup", "mid:DumpAndUpload"),
            new Point("drill", "mid:DownloadBackup"),
            new Point("drill", "finish:RestoreDatabase"),
            new Point("backup", "schedule:PublishManifest"),
            new Point("drill", "schedule:ValidateRestore"),
            new Point(DRILL_STREAM, "schedule:RestoreDatabase"),
            // The two changes of production that must happen exactly once.
            new Point("recovery", "finish:SwapDatabases"),
            new Point("failover", "finish:SetDnsRecord")));
  }

  /** Slow kill points first, so their timeouts overlap instead of adding up. */
  private static List<Point> order(List<Point> points) {
    List<Point> out = new ArrayList<>(points.stream().filter(Point::slow).toList());
    out.addAll(points.stream().filter(p -> !p.slow()).toList());
    return out;
  }

  private final ChaosRig rig;
  private final ChaosReport report;
  private final AtomicInteger seq = new AtomicInteger();
  private final List<Long> uploadRetransfers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Long> downloadRetransfers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final Map<String, Baseline> baselines = new java.util.HashMap<>();
  private final RegionCrashes regionCrashes;

  CrashHarness(ChaosRig rig, ChaosReport report) {
    this.rig = rig;
    this.report = report;
    this.regionCrashes = new RegionCrashes(rig, report, this);
  }

  /** The uninterrupted runs everything is compared with. */
  record Baseline(RunReport backup, String backupId, RunReport drill, Map<String, Long> backups) {}

  /**
   * Runs the uninterrupted backup and drill, watching every process the worker starts for
   * passwords on command lines, then every kill point, {@code parallel} at a time.
   */
  void run(List<Point> points, int parallel) throws Exception {
    baselines(points);
    regionCrashes.baselines(points.stream().filter(p -> RegionCrashes.RUNBOOKS.contains(p.runbook())).toList());
    ExecutorService pool = Executors.newFixedThreadPool(parallel);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (Point p : points) {
        runs.add(pool.submit(() -> scenario(p)));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    afterAll(points);
  }

  /** Uninterrupted runs of both services, the processes they start watched. */
  private void baselines(List<Point> points) throws Exception {
    FaultProxy proxy = rig.proxy();
    ChaosRig.Spec spec = rig.spec("cbase", proxy, "crash");
    try {
      ChaosWorker w = rig.worker(spec, null).awaitReady(Duration.ofMinutes(2));
      try (ProcessWatch watch = new ProcessWatch(w.pid(), rig.secretValues().values())) {
        for (String service : List.of(ChaosRig.SERVICE, ChaosRig.LITE)) {
          baselines.put(service, baseline(spec, service));
        }
        watch.close();
        commandLines(watch, null, Set.of("java", "pg_dump", "pg_restore"));
      }
    } finally {
      rig.release(spec);
    }
    Set<String> streamed = new TreeSet<>();
    points.stream().filter(Point::streamed).forEach(p -> streamed.add(p.service()));
    if (streamed.isEmpty()) {
      return;
    }
    // The same backups drilled by a worker whose drills stream: what stream-mode kills compare with.
    ChaosRig.Spec stream = rig.spec("cbases", rig.proxy(), "crash").streamed();
    try {
      rig.worker(stream, null).awaitReady(Duration.ofMinutes(2));
      for (String service : streamed) {
        Baseline file = baselines.get(service);
        RunReport drill =
            result(rig.start(stream, "chaos-cbases-" + service + "-drill", "RestoreDrillWorkflow",
                Map.of("service", service, "backup", file.backupId())));
        if (!"PASSED".equals(drill.status())) {
          throw new IllegalStateException("the uninterrupted streamed drill of " + service + " did not pass: " + drill.error());
        }
        report.figure(String.format("crash baseline %s (stream): drill PASSED with %d checks; download %s; restore %s",
            service, drill.checks().size(), note(drill, "Download"), note(drill, "Restore")));
        baselines.put(DRILL_STREAM + ":" + service, new Baseline(file.backup(), file.backupId(), drill, file.backups()));
      }
    } finally {
      rig.release(stream);
    }
  }

  private Baseline baseline(ChaosRig.Spec spec, String service) throws Exception {
    RunReport backup =
        result(rig.start(spec, "chaos-cbase-" + service + "-backup", "BackupWorkflow", Map.of("service", service)));
    if (!"COMPLETED".equals(backup.status())) {
      throw new IllegalStateException("the uninterrupted backup of " + service + " did not complete: " + backup.error());
    }
    String backupId = backupId(backup);
    RunReport drill =
        result(rig.start(spec, "chaos-cbase-" + service + "-drill", "RestoreDrillWorkflow", Map.of("service", service, "backup", backupId)));
    if (!"PASSED".equals(drill.status())) {
      throw new IllegalStateException("the uninterrupted drill of " + service + " did not pass: " + drill.error());
    }
    report.figure(
        String.format(
            "crash baseline %s: backup %s, %s stored (%s dumped), %s; drill PASSED with %d checks; download %s",
            service, backupId, Bytes.human(backup.backup().storedBytes()), Bytes.human(backup.backup().dumpBytes()),
            tablesRows(backup), drill.checks().size(), note(drill, "Download")));
    return new Baseline(backup, backupId, drill, rig.objects("crash/" + service + "/backups/"));
  }

  /** Passwords reach pg_dump and pg_restore through their environment only. */
  /** @param what the runs watched, when not the backup and drill */
  void commandLines(ProcessWatch watch, String what, Set<String> required) {
    TreeSet<String> tools = watch.tools();
    List<ProcessWatch.Seen> leaks = watch.leaks();
    // The watch samples /proc: a dump of a small database can end between two looks, so the
    // positive control asks for pg_restore and for one of the two dump tools, not for both.
    Set<String> withPassword = watch.toolsWithPasswordInEnvironment();
    boolean ok = leaks.isEmpty() && tools.containsAll(required)
        && withPassword.contains("pg_restore")
        && (withPassword.contains("pg_dump") || withPassword.contains("pg_dumpall"));
    // pg_dumpall asks pg_dump for its version through popen(), i.e. /bin/sh: not drflow's shell.
    List<String> shells = watch.seen().stream().filter(x -> x.tool().equals("sh")).map(x -> "'" + x.cmdline() + "'").distinct().toList();
    String detail =
        watch.seen().size() + " processes of the worker seen during " + (what == null ? "a backup and a drill" : "a " + what)
            + " (" + String.join(", ", tools)
            + "): " + leaks.size() + " with a password on the command line; PGPASSWORD in the environment of "
            + watch.toolsWithPasswordInEnvironment() + (shells.isEmpty() ? "" : "; shells: " + shells);
    report.add(new ChaosReport.Outcome("secrets", "no password on any command line" + (what == null ? "" : " (" + what + ")"), ok, detail));
  }

  private void scenario(Point p) {
    String id = "c" + p.runbook().charAt(0) + seq.incrementAndGet();
    try {
      String detail =
          switch (p.runbook()) {
            case "backup" -> backupScenario(id, p);
            case "drill", DRILL_STREAM -> drillScenario(id, p);
            default -> regionCrashes.scenario(id, p);
          };
      report.pass(CATEGORY, p.name(), detail);
    } catch (Throwable e) {
      String trouble = rig.serverTrouble();
      report.fail(CATEGORY, p.name(), "[" + id + "] " + e.getMessage() + (trouble == null ? "" : " (" + trouble + ")"));
    }
  }

  /** The run with its first worker killed at the point and a second one finishing it. */
  record Interrupted(RunReport report, WorkflowExecutionHistory history, FaultProxy proxy, ChaosRig.Spec spec, long bytesBeforeKill) {}

  private Interrupted interrupt(String id, Point p, String prefix, String type, Map<String, ?> input) throws Exception {
    FaultProxy proxy = rig.proxy();
    if (p.mid() && !p.activity().equals("RestoreDatabase")) {
      proxy.throttle(THROTTLE);
    }
    ChaosRig.Spec spec = rig.spec(id, proxy, prefix);
    if (p.streamed()) {
      spec = spec.streamed();
    }
    try {
      return interrupt(p, spec, proxy, type, input);
    } finally {
      rig.release(spec);
    }
  }

  Interrupted interrupt(Point p, ChaosRig.Spec spec, FaultProxy proxy, String type, Map<String, ?> input)
      throws Exception {
    String id = spec.id();
    ChaosWorker first = rig.worker(spec, p.mid() ? null : p.point()).awaitReady(Duration.ofMinutes(3));
    WorkflowStub stub = rig.start(spec, "chaos-" + id + "-" + p.runbook(), type, input);
    WorkflowExecution exec = stub.getExecution();
    long before;
    if (p.mid()) {
      awaitProgress(exec, p.activity(), first);
      first.kill();
      Thread.sleep(1_000); // the proxy records the connections the kill broke
      before = proxy.responseBytes("GET", "/dump.zst") + proxy.requestBytes("PUT", "/dump.zst");
    } else {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
      while (first.isAlive()) {
        if (System.nanoTime() > deadline) {
          first.kill();
          throw new AssertionError("the worker was not killed at " + p.point() + " within 4 minutes");
        }
        if (isClosed(exec)) {
          throw new AssertionError("the run ended before reaching " + p.point());
        }
        first.awaitExit(Duration.ofMillis(500));
      }
      if (!first.logText().contains("crash point " + p.point() + " reached")) {
        throw new AssertionError("the worker exited with " + first.exitValue() + " without reaching " + p.point());
      }
      before = proxy.responseBytes("GET", "/dump.zst") + proxy.requestBytes("PUT", "/dump.zst");
    }
    try (ChaosWorker second = rig.worker(spec, null).awaitReady(Duration.ofMinutes(3))) {
      RunReport r = result(stub);
      return new Interrupted(r, rig.history(exec), proxy, spec, before);
    }
  }

  private boolean isClosed(WorkflowExecution exec) {
    return rig.client().getWorkflowServiceStubs().blockingStub()
        .describeWorkflowExecution(
            io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace("default").setExecution(exec).build())
        .getWorkflowExecutionInfo().hasCloseTime();
  }

  /**
   * Waits until the activity is half-way: for transfers, until the server holds a heartbeat with
   * progress (what a retry resumes from); for the restore, until pg_restore is running.
   */
  private void awaitProgress(WorkflowExecution exec, String activity, ChaosWorker worker) throws Exception {
    if (activity.equals("RestoreDatabase")) {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
      while (System.nanoTime() < deadline) {
        boolean restoring;
        try (var children = worker.process().descendants()) {
          restoring = children.anyMatch(c -> c.info().command().orElse("").endsWith("/pg_restore"));
        }
        if (restoring) {
          return;
        }
        if (!worker.isAlive() || isClosed(exec)) {
          throw new AssertionError("the run went past pg_restore before it was seen running");
        }
        Thread.sleep(20);
      }
      throw new AssertionError("pg_restore did not start within 4 minutes");
    }
    Predicate<JsonNode> progress =
        switch (activity) {
          case "DownloadBackup" -> hb -> hb.path("chunksDone").asInt() > 0;
          case "DumpAndUpload" -> hb -> "streaming".equals(hb.path("stage").asText()) && hb.path("storedBytes").asLong() > 0;
          default -> hb -> true;
        };
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
    while (System.nanoTime() < deadline) {
      for (PendingActivityInfo a : rig.pendingActivities(exec)) {
        if (a.getActivityType().getName().equals(activity)) {
          Optional<JsonNode> hb = ChaosRig.heartbeat(a);
          if (hb.isPresent() && progress.test(hb.get())) {
            return;
          }
        }
      }
      if (!worker.isAlive() || isClosed(exec)) {
        throw new AssertionError(activity + " ended before the server recorded progress: nothing to interrupt");
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no progress of " + activity + " recorded within 4 minutes");
  }

  private String backupScenario(String id, Point p) throws Exception {
    String prefix = "crash-" + id;
    String service = p.service();
    Baseline baseline = baselines.get(service);
    Interrupted run = interrupt(id, p, prefix, "BackupWorkflow", Map.of("service", service));
    RunReport r = run.report();
    List<String> problems = new ArrayList<>();
    if (!"COMPLETED".equals(r.status())) {
      throw new AssertionError("backup " + r.status() + ": " + r.error());
    }
    expectEqual(problems, "tables and rows", tablesRows(baseline.backup()), tablesRows(r));
    expectEqual(problems, "bytes dumped", baseline.backup().backup().dumpBytes(), r.backup().dumpBytes());
    String backupId = backupId(r);
    String dir = prefix + "/" + service + "/backups/" + backupId + "/";
    Map<String, Long> objects = rig.objects(prefix + "/");
    Set<String> expected = new java.util.HashSet<>(
        Set.of(dir + "dump.zst", dir + "chunks.json", dir + "manifest.json", dir + "roles.json", dir + "globals.sql"));
    expected.addAll(reportObjects(prefix + "/" + service + "/reports/chaos-" + id + "-backup"));
    expectEqual(problems, "objects of the run", new TreeSet<>(expected), new TreeSet<>(objects.keySet()));
    ObjectStore store = rig.store;
    String sha = Sha256.hex(store.getBytes(dir + "dump.zst").orElseThrow());
    expectEqual(problems, "sha256 of the stored object", r.backup().sha256(), sha);
    JsonNode manifest = new com.fasterxml.jackson.databind.ObjectMapper().readTree(store.getBytes(dir + "manifest.json").orElseThrow());
    expectEqual(problems, "sha256 in the manifest", r.backup().sha256(), manifest.path("dump").path("sha256").asText());
    expectEqual(problems, "multipart uploads left", 0, store.listUploads(prefix + "/").size());
    long stored = r.backup().storedBytes();
    long sent = run.proxy().requestBytes("PUT", "/dump.zst");
    long creates = run.proxy().requests("POST", "/dump.zst").stream().filter(e -> e.target().contains("uploads")).count();
    int dumps = ChaosRig.attempts(run.history()).getOrDefault("DumpAndUpload", 0);
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("; ", problems));
    }
    String bytes;
    if (p.mid()) {
      uploadRetransfers.add(sent - stored);
      bytes = String.format("killed after %s sent; re-uploaded %s (a pg_dump stream cannot resume: the partial multipart upload was aborted and the dump redone)",
          Bytes.human(run.bytesBeforeKill()), Bytes.human(Math.max(0, sent - stored)));
    } else {
      bytes = "uploaded " + Bytes.human(sent) + " for " + Bytes.human(stored) + " stored";
    }
    return String.format("COMPLETED, %s, 1 data object (sha256 verified), %d multipart upload%s created, DumpAndUpload attempts %d; %s",
        tablesRows(r), creates, creates == 1 ? "" : "s", dumps, bytes);
  }

  private String drillScenario(String id, Point p) throws Exception {
    String service = p.service();
    Baseline baseline = baselines.get(p.streamed() ? DRILL_STREAM + ":" + service : service);
    Interrupted run =
        interrupt(id, p, "crash", "RestoreDrillWorkflow", Map.of("service", service, "backup", baseline.backupId()));
    RunReport r = run.report();
    if (!"PASSED".equals(r.status())) {
      throw new AssertionError("drill " + r.status() + ": " + r.error());
    }
    List<String> problems = new ArrayList<>();
    expectEqual(problems, "checks", checks(baseline.drill()), checks(r));
    expectEqual(problems, "backup sha256", baseline.drill().backup().sha256(), r.backup().sha256());
    String scratch = r.scratch().database();
    List<String> ddl = rig.drillTargetDdl().getOrDefault(scratch, List.of());
    long creates = ddl.stream().filter("create"::equals).count();
    long drops = ddl.stream().filter("drop"::equals).count();
    // Only a kill inside pg_restore leaves a half-restored database the retry must replace (in
    // both modes: the retry drops it and restores again, refetching the chunks in stream mode).
    long expectedCreates = p.point().equals("mid:RestoreDatabase") ? 2 : 1;
    expectEqual(problems, "CREATE DATABASE " + scratch, expectedCreates, creates);
    expectEqual(problems, "DROP DATABASE " + scratch + " (one per CREATE)", creates, drops);
    if (ChaosRig.databases(rig.stack.drillTarget()).contains(scratch)) {
      problems.add(scratch + " is still on the drill target");
    }
    String run8 = scratch.substring(scratch.lastIndexOf('_'));
    List<String> others = rig.drillTargetDdl().keySet().stream().filter(n -> n.endsWith(run8) && !n.equals(scratch)).toList();
    if (!others.isEmpty()) {
      problems.add("other databases created for this run: " + others);
    }
    List<Path> left = ChaosRig.files(run.spec().workDir());
    if (!left.isEmpty()) {
      problems.add("files left in the work directory: " + left);
    }
    String reports = "crash/" + service + "/reports/" + "chaos-" + id + "-" + p.runbook();
    expectEqual(problems, "report objects", reportObjects(reports),
        rig.objects(reports).keySet());
    expectEqual(problems, "backups in the bucket", baseline.backups(), rig.objects("crash/" + service + "/backups/"));
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("; ", problems));
    }
    long stored = r.backup().storedBytes();
    long fetched = run.proxy().responseBytes("GET", "/dump.zst");
    Map<String, Integer> attempts = ChaosRig.attempts(run.history());
    JsonNode download = ChaosRig.activityResult(run.history(), "DownloadBackup").orElseThrow();
    String bytes =
        String.format("fetched %s for %s stored", Bytes.human(fetched), Bytes.human(stored));
    if (p.point().equals("mid:DownloadBackup")) {
      downloadRetransfers.add(fetched - stored);
      bytes = String.format("killed after %s fetched; the retry resumed at byte %d and fetched %s: %s re-transferred",
          Bytes.human(run.bytesBeforeKill()), download.path("resumedFromByte").asLong(),
          Bytes.human(download.path("bytesFetched").asLong()), Bytes.human(Math.max(0, fetched - stored)));
      if (download.path("resumedFromByte").asLong() <= 0) {
        throw new AssertionError("the download did not resume: " + bytes);
      }
    }
    return String.format("PASSED, %d checks as uninterrupted, %s: %d CREATE + %d DROP, no files left, attempts %s; %s",
        r.checks().size(), scratch, creates, drops, retried(attempts), bytes);
  }

  private void afterAll(List<Point> points) throws Exception {
    List<String> problems = new ArrayList<>();
    List<String> left = ChaosRig.databases(rig.stack.drillTarget()).stream()
        .filter(n -> n.startsWith("drill_" + ChaosRig.SERVICE + "_") || n.startsWith("drill_" + ChaosRig.LITE + "_")).toList();
    if (!left.isEmpty()) {
      problems.add("scratch databases left: " + left);
    }
    Set<String> ours =
        Set.of("PGPORT=" + rig.stack.source().port(), "PGPORT=" + rig.stack.drillTarget().port());
    List<String> orphans =
        ProcessHandle.allProcesses()
            .filter(h -> h.info().command().orElse("").matches(".*/pg_(dump|dumpall|restore)"))
            .filter(h -> environment(h.pid()).stream().anyMatch(ours::contains))
            // A tool whose worker is gone: its parent is no longer a JVM (init adopted it).
            .filter(h -> !h.parent().flatMap(ph -> ph.info().command()).orElse("").endsWith("/java"))
            .map(h -> h.pid() + " " + h.info().commandLine().orElse(""))
            .toList();
    if (!orphans.isEmpty()) {
      problems.add("orphaned PostgreSQL tools still running: " + orphans);
    }
    problems.addAll(regionCrashes.leftovers());
    int uploads = rig.store.listUploads("crash").size();
    if (uploads > 0) {
      problems.add(uploads + " multipart uploads left under crash*/");
    }
    report.add(new ChaosReport.Outcome(CATEGORY, "after every kill point", problems.isEmpty(),
        problems.isEmpty()
            ? "no scratch or restored database, multipart upload or orphaned pg_dump/pg_restore left"
            : String.join("; ", problems)));
    Set<String> names = new java.util.HashSet<>();
    points.forEach(p -> names.add(p.name()));
    for (String runbook : List.of("backup", "drill", DRILL_STREAM, "recovery", "failover")) {
      Set<String> of = new java.util.HashSet<>();
      points.stream().filter(p -> p.runbook().equals(runbook)).forEach(p -> of.add(p.name()));
      if (!of.isEmpty()) {
        report.figure("crash " + runbook + ": kill points tried " + of.size() + ", passed "
            + report.outcomes().stream().filter(o -> of.contains(o.name()) && o.passed()).count());
      }
    }
    report.figure(
        "crash: kill points tried " + names.size()
            + ", passed " + report.outcomes().stream().filter(o -> names.contains(o.name()) && o.passed()).count()
            + " (plus the check after them all)"
            + "; bytes re-transferred after mid-transfer kills: download " + human(downloadRetransfers)
            + ", upload " + human(uploadRetransfers));
  }

  private static List<String> environment(long pid) {
    try {
      return List.of(new String(java.nio.file.Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"))).split("\0"));
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private static String human(List<Long> values) {
    return values.isEmpty() ? "n/a" : values.stream().map(v -> Bytes.human(Math.max(0, v))).toList().toString();
  }

  private static String retried(Map<String, Integer> attempts) {
    List<String> out = new ArrayList<>();
    attempts.forEach((k, v) -> {
      if (v > 1) {
        out.add(k + " x" + v);
      }
    });
    return out.isEmpty() ? "1 each" : String.join(", ", out);
  }

  static RunReport result(WorkflowStub stub) throws Exception {
    try {
      return stub.getResult(10, TimeUnit.MINUTES, RunReport.class);
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof ApplicationFailure af) {
        try {
          RunReport r = af.getDetails().get(RunReport.class);
          if (r != null) {
            return r;
          }
        } catch (RuntimeException ignored) {
          // no report attached
        }
        throw new AssertionError("run failed: " + af.getType() + ": " + af.getOriginalMessage());
      }
      throw e;
    }
  }

  static String backupId(RunReport backup) {
    String key = backup.backup().key();
    String dir = key.substring(0, key.lastIndexOf('/'));
    return dir.substring(dir.lastIndexOf('/') + 1);
  }

  static String tablesRows(RunReport backup) {
    for (Check c : backup.checks()) {
      Matcher m = TABLES_ROWS.matcher(c.detail() == null ? "" : c.detail());
      if (m.find()) {
        return m.group(1) + " tables, " + m.group(2) + " rows";
      }
    }
    return "no row counts";
  }

  /**
   * Each check with its figures; how long an assertion's query took is not a result, nor who
   * validated the foreign keys (pg_restore as it added them, or a query when a retry found the
   * restore already done).
   */
  static List<String> checks(RunReport drill) {
    return drill.checks().stream()
        .map(c -> c.name() + "=" + c.passed() + " (" + String.valueOf(c.detail()).replaceAll(" in \\d+ ms", "")
            .replaceAll(" \\(\\d+ validated row by row by PostgreSQL as pg_restore added them, \\d+ by query\\)", "") + ")")
        .toList();
  }

  /** The stored report of a run, without its extension: JSON, Markdown and HTML. */
  static Set<String> reportObjects(String base) {
    return Set.of(base + ".json", base + ".md", base + ".html");
  }

  static String note(RunReport r, String phase) {
    return r.phases().stream().filter(p -> p.name().equals(phase)).map(p -> String.valueOf(p.note())).findFirst().orElse("");
  }

  static void expectEqual(List<String> problems, String what, Object expected, Object actual) {
    if (!expected.equals(actual)) {
      problems.add(what + ": expected " + expected + ", got " + actual);
    }
  }
}
