package io.drflow.e2e;

import io.drflow.activities.storage.FaultProxy;
import io.drflow.workflows.model.FailoverDetails;
import io.drflow.workflows.model.RecoveryDetails;
import io.drflow.workflows.model.RunReport;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Kill points of the runbooks that change production: the recovery (safety copy, writers scaled
 * to 0, restore beside production, swap by renaming, writers back, health) and the failover
 * (restore into the DR region, promote, scale the DR region up, health, DNS switch, scale the old
 * region down). Both pre-approved ({@code yes}), as {@code drctl recover --yes} does. Every kill
 * point has its own service (database, Deployments, DNS record), so they run side by side and each
 * side effect can be counted: renames from the server's DDL log, Route53 changes through a
 * counting proxy in front of moto, replicas from the Kubernetes API.
 */
final class RegionCrashes {

  static final Set<String> RUNBOOKS = Set.of("recovery", "failover");

  static final List<String> RECOVERY_POINTS =
      List.of(
          "finish:DumpAndUpload", "finish:PublishManifest", "finish:ScaleDownDeployments",
          "finish:RestoreDatabase", "finish:SwapDatabases", "finish:ScaleBackDeployments", "finish:StoreReport",
          "schedule:PlanService", "schedule:PrepareRecovery", "schedule:DescribeDeployments", "schedule:Notify",
          "schedule:AssessDatabase", "schedule:LocateBackupAt", "schedule:DumpAndUpload", "schedule:PublishManifest",
          "schedule:ScaleDownDeployments", "schedule:AwaitNoPods", "schedule:HostTaskQueue",
          "schedule:DownloadBackup", "schedule:RestoreDatabase", "schedule:DeleteWorkFiles",
          "schedule:ValidateRestore", "schedule:SwapDatabases", "schedule:ScaleBackDeployments",
          "schedule:AwaitDeploymentsAvailable", "schedule:CheckHealth", "schedule:StoreReport",
          "complete:RecoveryWorkflow");

  static final List<String> FAILOVER_POINTS =
      List.of(
          "finish:RestoreDatabase", "finish:PromoteRestoredDatabase", "finish:ScaleUpRegion",
          "finish:SetDnsRecord", "finish:ScaleDownRegion", "finish:StoreReport",
          "schedule:PlanService", "schedule:PlanFailover", "schedule:Notify", "schedule:LocateBackupAt",
          "schedule:CheckRegionKubernetes", "schedule:CheckRegionDatabase", "schedule:ReadDnsRecord",
          "schedule:HostTaskQueue", "schedule:DownloadBackup", "schedule:RestoreDatabase",
          "schedule:DeleteWorkFiles", "schedule:ValidateRestore", "schedule:PromoteRestoredDatabase",
          "schedule:ScaleUpRegion", "schedule:AwaitRegionAvailable", "schedule:CheckRegionHealth",
          "schedule:SetDnsRecord", "schedule:ScaleDownRegion", "schedule:StoreReport",
          "complete:FailoverWorkflow");

  private static final String BASE_RECOVERY = "rk0";
  private static final String BASE_FAILOVER = "fk0";
  private static final Pattern ATTEMPTS = Pattern.compile(" after \\d+ attempt\\(s\\)");

  private final ChaosRig rig;
  private final ChaosReport report;
  private final CrashHarness harness;
  private final ChaosRegions regions;
  private final Map<CrashHarness.Point, String> services = new ConcurrentHashMap<>();
  private final List<String> allServices = new ArrayList<>();
  private Expected recovery;
  private Expected failover;

  /** What an uninterrupted run did, with run-specific names replaced. */
  private record Expected(
      List<String> signature, List<String> ddl, long dnsChanges, Map<String, String> primary, Map<String, String> dr) {}

  RegionCrashes(ChaosRig rig, ChaosReport report, CrashHarness harness) {
    this.rig = rig;
    this.report = report;
    this.harness = harness;
    this.regions = rig.regions;
  }

  /**
   * Prepares a service per kill point (database, Deployments, record), backs each up, damages the
   * recovery services' databases, and runs one uninterrupted recovery and failover, watching the
   * processes the worker starts.
   */
  void baselines(List<CrashHarness.Point> points) throws Exception {
    if (points.isEmpty()) {
      return;
    }
    List<String> rec = new ArrayList<>(List.of(BASE_RECOVERY));
    List<String> fo = new ArrayList<>(List.of(BASE_FAILOVER));
    for (CrashHarness.Point p : points) {
      boolean isRecovery = p.runbook().equals("recovery");
      String name = (isRecovery ? "rk" : "fk") + ((isRecovery ? rec : fo).size());
      services.put(p, name);
      (isRecovery ? rec : fo).add(name);
    }
    for (String name : rec) {
      regions.prepareRecovery(name);
    }
    for (String name : fo) {
      regions.prepareFailover(name);
    }
    allServices.addAll(rec);
    allServices.addAll(fo);
    FaultProxy s3 = rig.proxy();
    FaultProxy moto = rig.proxy(regions.motoPort());
    StringBuilder yaml = new StringBuilder();
    rec.forEach(n -> yaml.append(regions.recoveryYaml(n)));
    fo.forEach(n -> yaml.append(regions.failoverYaml(n, moto.endpoint())));
    ChaosRig.Spec spec = rig.spec("rfbase", s3, "crash").withExtraServices(yaml.toString());
    try {
      ChaosWorker w = rig.worker(spec, null).awaitReady(Duration.ofMinutes(3));
      List<WorkflowStub> backups = new ArrayList<>();
      for (String name : allServices) {
        backups.add(rig.start(spec, "chaos-rfbase-" + name + "-backup", "BackupWorkflow", Map.of("service", name)));
      }
      for (int i = 0; i < backups.size(); i++) {
        RunReport b = CrashHarness.result(backups.get(i));
        if (!"COMPLETED".equals(b.status())) {
          throw new IllegalStateException("the backup of " + allServices.get(i) + " did not complete: " + b.error());
        }
      }
      rec.forEach(regions::damage);
      RunReport r;
      RunReport f;
      try (ProcessWatch watch = new ProcessWatch(w.pid(), rig.secretValues().values())) {
        WorkflowStub rs = rig.start(spec, "chaos-rfbase-" + BASE_RECOVERY + "-recovery", "RecoveryWorkflow", input("recovery", BASE_RECOVERY));
        WorkflowStub fs = rig.start(spec, "chaos-rfbase-" + BASE_FAILOVER + "-failover", "FailoverWorkflow", input("failover", BASE_FAILOVER));
        r = CrashHarness.result(rs);
        f = CrashHarness.result(fs);
        watch.close();
        harness.commandLines(watch, "recovery and failover", Set.of("java", "pg_restore"));
      }
      if (!"COMPLETED".equals(r.status())) {
        throw new IllegalStateException("the uninterrupted recovery did not complete: " + r.error());
      }
      if (!"COMPLETED".equals(f.status())) {
        throw new IllegalStateException("the uninterrupted failover did not complete: " + f.error());
      }
      recovery = new Expected(signature(r, BASE_RECOVERY), recoveryDdl(r, BASE_RECOVERY), 0,
          Map.of(), regions.deploymentState(BASE_RECOVERY));
      failover = new Expected(signature(f, BASE_FAILOVER), failoverDdl(BASE_FAILOVER), dnsChanges(moto),
          regions.deploymentState(BASE_FAILOVER + "-p"), regions.deploymentState(BASE_FAILOVER + "-d"));
      report.figure(String.format(
          "crash baseline recovery: %s on %s, %d phases, %d checks; DDL %s; writers %s",
          r.status(), r.recovery().server(), r.phases().size(), r.checks().size(), recovery.ddl(), recovery.dr()));
      report.figure(String.format(
          "crash baseline failover: %s %s -> %s, %d phases, %d checks; %d Route53 change(s); DR DDL %s; primary %s, DR %s",
          f.status(), f.failover().from(), f.failover().to(), f.phases().size(), f.checks().size(), failover.dnsChanges(),
          failover.ddl(), failover.primary(), failover.dr()));
    } finally {
      rig.release(spec);
    }
  }

  private static Map<String, Object> input(String runbook, String name) {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("service", name);
    if (runbook.equals("failover")) {
      in.put("to", "dr");
    }
    in.put("yes", true);
    in.put("requestedBy", "chaos-harness");
    return in;
  }

  String scenario(String id, CrashHarness.Point p) throws Exception {
    String name = services.get(p);
    boolean isFailover = p.runbook().equals("failover");
    FaultProxy s3 = rig.proxy();
    FaultProxy moto = isFailover ? rig.proxy(regions.motoPort()) : null;
    ChaosRig.Spec spec =
        rig.spec(id, s3, "crash")
            .withExtraServices(isFailover ? regions.failoverYaml(name, moto.endpoint()) : regions.recoveryYaml(name));
    CrashHarness.Interrupted run;
    try {
      run = harness.interrupt(p, spec, s3, isFailover ? "FailoverWorkflow" : "RecoveryWorkflow", input(p.runbook(), name));
    } finally {
      rig.release(spec);
    }
    RunReport r = run.report();
    if (!"COMPLETED".equals(r.status())) {
      throw new AssertionError(p.runbook() + " " + r.status() + ": " + r.error());
    }
    List<String> problems = new ArrayList<>();
    String detail = isFailover ? checkFailover(id, name, r, moto, problems) : checkRecovery(id, name, r, problems);
    List<Path> left = ChaosRig.files(run.spec().workDir());
    if (!left.isEmpty()) {
      problems.add("files left in the work directory: " + left);
    }
    String reports = "crash/" + name + "/reports/chaos-" + id + "-" + p.runbook();
    Set<String> stored = new TreeSet<>(rig.objects("crash/" + name + "/reports/").keySet());
    stored.removeIf(k -> k.contains("/chaos-rfbase-")); // the backup taken beforehand
    CrashHarness.expectEqual(problems, "report objects", CrashHarness.reportObjects(reports), stored);
    CrashHarness.expectEqual(problems, "multipart uploads left", 0, rig.store.listUploads("crash/" + name + "/").size());
    if (!problems.isEmpty()) {
      throw new AssertionError(String.join("; ", problems));
    }
    return detail + "; attempts " + retried(ChaosRig.attempts(run.history()));
  }

  private String checkRecovery(String id, String name, RunReport r, List<String> problems) throws Exception {
    RecoveryDetails d = r.recovery();
    expectSame(problems, recovery.signature(), signature(r, name));
    List<String> ddl = recoveryDdl(r, name);
    CrashHarness.expectEqual(problems, "CREATE/DROP/RENAME DATABASE on the server", recovery.ddl(), ddl);
    long renames = ddl.stream().filter(s -> s.startsWith("rename")).count();
    CrashHarness.expectEqual(problems, "databases of the service",
        new TreeSet<>(List.of(name, d.preRecoveryDatabase())), new TreeSet<>(regions.databases(name)));
    CrashHarness.expectEqual(problems, "sales.order_items back in production", "t",
        regions.server.psql(name, "select to_regclass('sales.order_items') is not null"));
    CrashHarness.expectEqual(problems, "the damaged database kept as it was", "f",
        regions.server.psql(d.preRecoveryDatabase(), "select to_regclass('sales.order_items') is not null"));
    Map<String, String> writers = regions.deploymentState(name);
    CrashHarness.expectEqual(problems, "writers", recovery.dr(), writers);
    Set<String> backupIds = new TreeSet<>();
    rig.objects("crash/" + name + "/backups/").keySet()
        .forEach(k -> backupIds.add(k.substring(("crash/" + name + "/backups/").length()).split("/")[0]));
    long copies = backupIds.stream().filter(io.drflow.workflows.runbook.ScratchNames::isSafetyCopy).count();
    if (backupIds.size() != 2 || copies != 1) {
      problems.add("backups of the service: expected the original and one safety copy, got " + backupIds);
    }
    return String.format("COMPLETED as uninterrupted; swap: %d renames as uninterrupted (%s), %d safety copy, writers %s",
        renames, String.join(", ", ddl), copies, writers);
  }

  private String checkFailover(String id, String name, RunReport r, FaultProxy moto, List<String> problems) throws Exception {
    FailoverDetails f = r.failover();
    expectSame(problems, failover.signature(), signature(r, name));
    long changes = dnsChanges(moto);
    CrashHarness.expectEqual(problems, "Route53 changes", failover.dnsChanges(), changes);
    CrashHarness.expectEqual(problems, "record value", ChaosRegions.DR_VALUE, regions.recordValue(name).orElse("(none)"));
    List<String> ddl = failoverDdl(name);
    CrashHarness.expectEqual(problems, "CREATE/DROP/RENAME DATABASE in the DR region", failover.ddl(), ddl);
    CrashHarness.expectEqual(problems, "databases of the service in the DR region", List.of(name), regions.databases(name));
    Map<String, String> primary = regions.deploymentState(name + "-p");
    Map<String, String> dr = regions.deploymentState(name + "-d");
    CrashHarness.expectEqual(problems, "primary region Deployments", failover.primary(), primary);
    CrashHarness.expectEqual(problems, "DR region Deployments", failover.dr(), dr);
    String reportNotes = "";
    if (f.dnsChangeId() == null) {
      reportNotes += "; the report has no Route53 change id (the retry found the record already switched)";
    }
    return String.format("COMPLETED as uninterrupted; %d Route53 change, record -> %s; DR DDL %s; primary %s, DR %s%s",
        changes, f.newValue(), ddl, primary, dr, reportNotes);
  }

  /** ChangeResourceRecordSets requests that crossed the proxy. */
  private static long dnsChanges(FaultProxy moto) {
    return moto.exchanges().stream().filter(e -> e.method().equals("POST") && e.path().contains("/rrset")).count();
  }

  private List<String> recoveryDdl(RunReport r, String name) throws Exception {
    RecoveryDetails d = r.recovery();
    return regions.ddl(name).stream()
        .map(s -> s.replace(d.restoredDatabase(), "RESTORED").replace(d.preRecoveryDatabase(), "DAMAGED").replace(name, "SVC"))
        .toList();
  }

  private List<String> failoverDdl(String name) throws Exception {
    return regions.ddl(name).stream()
        .map(s -> s.replaceAll("\\b" + Pattern.quote(name) + "_restore_[0-9a-z]+", "RESTORED").replace(name, "SVC"))
        .toList();
  }

  /**
   * The result, with what differs between any two runs (names, ids, times, sizes) left out. Left
   * out on purpose too: a phase's note (a retried scale finds nothing left to change and says so).
   */
  private static List<String> signature(RunReport r, String name) {
    List<String> out = new ArrayList<>();
    out.add("status " + r.status());
    r.phases().forEach(ph -> out.add("phase " + ph.name() + " " + ph.status()));
    CrashHarness.checks(r).forEach(c -> out.add("check " + c));
    if (r.recovery() != null) {
      RecoveryDetails d = r.recovery();
      out.add("writers before " + d.deployments());
      d.approvals().forEach(a -> out.add("approval " + a.step() + " by " + a.by() + " via " + a.via()));
      out.add("rollback " + d.rollback());
      out.add("health " + (d.healthCheck() == null ? null : ATTEMPTS.matcher(d.healthCheck()).replaceAll("")));
      out.add("safety copy " + (d.safetyCopy() != null));
      d.warnings().forEach(w -> out.add("warning " + w));
    }
    if (r.failover() != null) {
      FailoverDetails f = r.failover();
      out.add(f.direction() + " " + f.from() + " -> " + f.to() + (f.drill() ? " (drill)" : ""));
      out.add("record " + f.previousValue() + " -> " + f.newValue());
      f.readiness().forEach(c -> out.add("readiness " + c.name() + " " + c.passed()));
      f.approvals().forEach(a -> out.add("approval " + a.step() + " by " + a.by() + " via " + a.via()));
      out.add("DR scaled from " + f.drScaledFrom());
      out.add("rollback " + f.rollback());
      out.add("health " + (f.healthCheck() == null ? null : ATTEMPTS.matcher(f.healthCheck()).replaceAll("")));
      f.warnings().forEach(w -> out.add("warning " + w));
    }
    return out.stream()
        .map(s -> s.replaceAll("\\b" + Pattern.quote(name) + "(_[a-z_]+_[0-9a-z]+)?\\b", "SVC$1")
            .replaceAll("_(restore|pre_recovery)_[0-9a-z]+", "_$1_X"))
        .toList();
  }

  private static void expectSame(List<String> problems, List<String> expected, List<String> actual) {
    if (!expected.equals(actual)) {
      List<String> missing = expected.stream().filter(e -> !actual.contains(e)).toList();
      List<String> extra = actual.stream().filter(a -> !expected.contains(a)).toList();
      problems.add("result differs from the uninterrupted run: missing " + missing + ", instead " + extra);
    }
  }

  /** Restored copies left on the recovery/DR server once every kill point is done. */
  List<String> leftovers() throws Exception {
    if (allServices.isEmpty()) {
      return List.of();
    }
    List<String> left = regions.databases().stream().filter(n -> n.contains("_restore_")).toList();
    return left.isEmpty() ? List.of() : List.of("restored databases left on the recovery/DR server: " + left);
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
}
