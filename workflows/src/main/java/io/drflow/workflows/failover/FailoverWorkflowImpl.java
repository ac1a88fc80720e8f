package io.drflow.workflows.failover;

import io.drflow.workflows.activities.CatalogActivities;
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
import io.drflow.workflows.activities.HealthActivities.HealthResult;
import io.drflow.workflows.activities.NotifyActivities;
import io.drflow.workflows.activities.NotifyActivities.Notification;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.activities.RestoreActivities.DownloadRequest;
import io.drflow.workflows.activities.RestoreActivities.DropRequest;
import io.drflow.workflows.activities.RestoreActivities.LocateAtRequest;
import io.drflow.workflows.activities.RestoreActivities.RestoreRequest;
import io.drflow.workflows.activities.RestoreActivities.ValidateRequest;
import io.drflow.workflows.activities.RestoreActivities.ValidationResult;
import io.drflow.workflows.model.Approval;
import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Durations;
import io.drflow.workflows.model.FailoverDetails;
import io.drflow.workflows.model.Objective;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.model.RecoveryDetails.RollbackStep;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.drflow.workflows.recovery.AbortRequest;
import io.drflow.workflows.recovery.ApprovalGate;
import io.drflow.workflows.recovery.ApprovalRequest;
import io.drflow.workflows.recovery.RecoveryInputs;
import io.drflow.workflows.recovery.RecoveryOptions;
import io.drflow.workflows.runbook.ActivityStubs;
import io.drflow.workflows.runbook.Failures;
import io.drflow.workflows.runbook.PhaseRunner;
import io.drflow.workflows.runbook.RunNotifier;
import io.drflow.workflows.runbook.ScratchNames;
import io.drflow.workflows.runbook.ServiceLock;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Saga;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

public class FailoverWorkflowImpl implements FailoverWorkflow {

  private static final Logger log = Workflow.getLogger(FailoverWorkflowImpl.class);
  private static final long CLOCK_SKEW_MILLIS = 5 * 60_000L;
  private static final int HOST_ATTEMPTS = 3;

  private final CatalogActivities catalog =
      ActivityStubs.stub(CatalogActivities.class, ActivityStubs.quick(), "Resolve service");
  private final FailoverActivities planner =
      ActivityStubs.stub(FailoverActivities.class, ActivityStubs.quick(), "Resolve regions and record");
  private final FailoverActivities checker =
      ActivityStubs.stub(
          FailoverActivities.class,
          ActivityOptions.newBuilder(ActivityStubs.quick()).setRetryOptions(ActivityStubs.retries(2)).build(),
          "Readiness check");
  private final RestoreActivities locator =
      ActivityStubs.stub(RestoreActivities.class, ActivityStubs.quick(), "Locate backup");
  private final RestoreActivities validator =
      ActivityStubs.stub(RestoreActivities.class, ActivityStubs.longRunning(), "Validate restored database");
  private final FailoverActivities changer =
      ActivityStubs.stub(
          FailoverActivities.class, RecoveryOptions.sideEffect(ActivityStubs.quick()), "Change the region");
  private final FailoverActivities dns =
      ActivityStubs.stub(
          FailoverActivities.class, RecoveryOptions.waiting(Duration.ofMinutes(30)), "Switch DNS");
  private final FailoverActivities waiter =
      ActivityStubs.stub(
          FailoverActivities.class, RecoveryOptions.waiting(Duration.ofMinutes(30)), "Wait for the region");
  private final FailoverActivities healthChecker =
      ActivityStubs.stub(
          FailoverActivities.class, RecoveryOptions.waiting(Duration.ofHours(2)), "Health check");
  private final FailoverActivities bestEffort =
      ActivityStubs.stub(
          FailoverActivities.class,
          ActivityOptions.newBuilder(ActivityStubs.quick()).setRetryOptions(ActivityStubs.retries(2)).build(),
          "Scale down the old region");
  private final FailoverActivities undo =
      ActivityStubs.stub(FailoverActivities.class, RecoveryOptions.compensation(), "Roll back");
  private final FailoverActivities undoDns =
      ActivityStubs.stub(
          FailoverActivities.class,
          ActivityOptions.newBuilder(RecoveryOptions.waiting(Duration.ofMinutes(30)))
              .setRetryOptions(ActivityStubs.retries(10))
              .build(),
          "Switch DNS back");
  private final RestoreActivities dropper =
      ActivityStubs.stub(RestoreActivities.class, RecoveryOptions.compensation(), "Drop the restored database");
  /** Created at the first notification: see {@link ActivityStubs#abandonNotifications()}. */
  private NotifyActivities notifier;
  private final ReportActivities reports =
      ActivityStubs.stub(ReportActivities.class, ActivityStubs.quick(), "Store failover report");

  private FailoverInput input;
  private long startedAt;
  private long incidentStart;
  private ServicePlan plan;
  private FailoverPlan region;
  private PhaseRunner phases;
  private String from;
  private String restored;
  private String database;
  private BackupRef backup;
  private DnsState dnsBefore;
  private DnsChange dnsChange;
  private List<Replicas> drScaledFrom;
  private String primaryScaleDown;
  private String healthCheck;
  private boolean restoreMayExist;
  private boolean promoted;
  private boolean dnsSwitchStarted;
  private final List<Check> readiness = new ArrayList<>();
  private final List<Check> checks = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final List<RollbackStep> rollbackSteps = new ArrayList<>();
  private final ApprovalGate gate =
      new ApprovalGate(DNS_STEP, "once the DR region has passed its health check");
  private Long servingAt;
  private Long endedAt;
  private String status = "RUNNING";
  private String error;
  private String reportKey;
  private AbortRequest abortRequest;
  private CancellationScope work;
  private int compensations;
  private boolean finished;
  /** Announces AT_RISK and BREACHED as they happen; the other events are this class's own. */
  private RunNotifier rtoNotifier;

  @Override
  public RunReport failover(FailoverInput in) {
    startedAt = Workflow.currentTimeMillis();
    input = in;
    if (in != null && in.problem() != null) {
      throw Failures.invalidInput(in.problem());
    }
    if (in == null || in.service() == null || in.service().isBlank()) {
      throw Failures.invalidInput("input needs a service name, e.g. {\"service\":\"shop\",\"to\":\"dr\"}");
    }
    if (in.to() != null && in.to().isBlank()) {
      throw Failures.invalidInput("--to needs a region name");
    }
    try {
      incidentStart =
          in.incidentStart() == null
              ? startedAt
              : RecoveryInputs.time("--incident-start", in.incidentStart(), startedAt, CLOCK_SKEW_MILLIS);
    } catch (IllegalArgumentException e) {
      throw Failures.invalidInput(e.getMessage());
    }
    // Runs started before the lock was shared replay without it.
    ServiceLock lock = ServiceLock.shared()
        ? ServiceLock.acquire(in.service(), direction(), Failures.SERVICE_LOCKED)
        : null;
    try {
      return failoverHoldingLock(in);
    } finally {
      if (lock != null) {
        Workflow.newDetachedCancellationScope(lock::release).run();
      }
    }
  }

  private RunReport failoverHoldingLock(FailoverInput in) {
    rtoNotifier = new RunNotifier(Runbook.FAILOVER);
    plan = Failures.asRunFailure(() -> catalog.plan(in.service(), Runbook.FAILOVER.id()));
    phases = new PhaseRunner(Runbook.FAILOVER, plan, incidentStart);
    rtoNotifier.watchRto(plan.service(), direction(), phases);
    region =
        Failures.asRunFailure(
            () -> planner.plan(new PlanRequest(in.service(), in.isFailback() ? null : in.to(), in.isDrill())));
    database = plan.database();
    restored = ScratchNames.restored(database, startedAt);
    notify("started", "info", direction() + " of " + service() + " to " + region.to()
        + (in.isDrill() ? " (drill on " + region.record() + ")" : "") + " started by " + requester());

    Saga saga = new Saga(new Saga.Options.Builder().setParallelCompensation(false).build());
    work = Workflow.newCancellationScope(() -> runSteps(saga));
    RuntimeException failure = null;
    try {
      work.run();
      status = "COMPLETED";
    } catch (RuntimeException e) {
      failure = e;
      classify(e);
      log.warn("{} of {} stopped: {}; rolling back", direction(), service(), error);
      Workflow.newDetachedCancellationScope(() -> rollBack(saga)).run();
    }
    if ("COMPLETED".equals(status) && in.isDrill()) {
      // A drill leaves nothing behind: the same undo steps put back what it changed.
      Workflow.newDetachedCancellationScope(() -> rollBack(saga)).run();
      if (!"ROLLBACK_FAILED".equals(status)) {
        status = "COMPLETED";
      }
    }
    finished = true;
    Workflow.newDetachedCancellationScope(this::finish).run();
    RunReport report = report();
    if ("COMPLETED".equals(status)) {
      return report;
    }
    if (failure instanceof CanceledFailure cancelled && abortRequest == null) {
      throw cancelled;
    }
    boolean aborted = abortRequest != null;
    throw ApplicationFailure.newNonRetryableFailure(
        direction() + " of " + service() + (aborted ? " aborted: " : " failed: ") + error,
        "READINESS".equals(failedAt) ? Failures.READINESS_FAILED
            : aborted ? Failures.FAILOVER_ABORTED : Failures.FAILOVER_FAILED,
        report);
  }

  private String failedAt;

  private void runSteps(Saga saga) {
    if (abortRequest != null) {
      throw new CanceledFailure("aborted before the first step");
    }
    checkReadiness();
    restoreData(saga);
    scaleUp(saga);
    checkHealth();
    awaitApproval();
    switchDns(saga);
    servingAt = Workflow.currentTimeMillis();
    // Clients reach the new region: the RTO achieved is fixed, the scale-down cannot breach it.
    rtoNotifier.stopWatchingRto();
    scaleDownOldRegion();
  }

  // ---- 1. readiness: read-only, every check reported, any failure stops before a change ----

  private void checkReadiness() {
    phases.run(
        "Readiness",
        () ->
            Async.procedure(
                () -> {
                  readiness.add(backupCheck());
                  if (region.kubernetes()) {
                    readiness.add(quietly("Kubernetes in " + region.to(),
                        () -> checker.checkKubernetes(new RegionRequest(service(), region.to()))));
                  } else {
                    readiness.add(new Check("Kubernetes in " + region.to(), true, "skipped: no kubernetes section for the region"));
                  }
                  readiness.add(quietly("database server in " + region.to(),
                      () -> checker.checkDatabase(new DatabaseRequest(service(), region.to(), runId(), input.isDrill()))));
                  readiness.add(dnsCheck());
                }));
    List<String> failed = readiness.stream().filter(c -> !c.passed()).map(c -> c.name() + ": " + c.detail()).toList();
    if (!failed.isEmpty()) {
      failedAt = "READINESS";
      phases.clock().fail("Readiness", Workflow.currentTimeMillis(), failed.size() + " check(s) failed");
      phases.publish();
      throw ApplicationFailure.newNonRetryableFailure(
          region.to() + " is not ready, nothing was changed: " + String.join("; ", failed),
          Failures.READINESS_FAILED);
    }
    phases.clock().note("Readiness", readiness.size() + " checks passed; leaving " + from);
    phases.publish();
  }

  private Check backupCheck() {
    String name = "newest backup within the RPO";
    try {
      backup = locator.locateAt(new LocateAtRequest(service(), incidentStart, "the incident start"));
    } catch (ActivityFailure e) {
      if (cancelRequested()) {
        throw e;
      }
      return new Check(name, false, Failures.describe(e));
    }
    long age = Math.max(0, incidentStart - backup.createdAtMillis()) / 1000;
    boolean ok = age <= plan.rpoSeconds();
    return new Check(name, ok, backup.backupId() + " taken " + Durations.human(age) + " before the incident"
        + (ok ? "" : ", more than the RPO of " + Durations.human(plan.rpoSeconds())));
  }

  private Check dnsCheck() {
    String name = "Route53 zone and record";
    try {
      dnsBefore = checker.readDns(new PlanRequest(service(), region.to(), input.isDrill()));
    } catch (ActivityFailure e) {
      if (cancelRequested()) {
        throw e;
      }
      return new Check(name, false, Failures.describe(e));
    }
    from = regionServing(dnsBefore.value());
    if (!dnsBefore.zoneExists()) {
      return new Check(name, false, "hosted zone not found");
    }
    if (dnsBefore.value() == null) {
      // A drill record is created by the drill itself (and deleted at its end).
      return new Check(name, input.isDrill(),
          input.isDrill() ? "zone " + dnsBefore.zone() + "; drill record " + region.record() + " is created by this drill"
              : "record " + region.record() + " does not exist in zone " + dnsBefore.zone());
    }
    if (region.to().equals(from) && !input.isDrill()) {
      // Nothing to switch, and the last step would scale down the region being failed over to.
      return new Check(name, false, region.record() + " already points at " + region.to() + " ("
          + dnsBefore.value() + "): " + region.to() + " is the region serving now");
    }
    return new Check(name, true, "zone " + dnsBefore.zone() + "; " + region.record() + " → " + dnsBefore.value()
        + (from == null ? " (no configured region has this value)" : " (" + from + ")"));
  }

  /** The region whose value the record holds; with two regions and no match, the other one. */
  private String regionServing(String value) {
    if (value != null) {
      for (var e : region.values().entrySet()) {
        if (normalise(e.getValue()).equals(normalise(value))) {
          return e.getKey();
        }
      }
    }
    List<String> others = region.regions().stream().filter(r -> !r.equals(region.to())).toList();
    return others.size() == 1 ? others.get(0) : null;
  }

  private static String normalise(String v) {
    String s = v.toLowerCase(java.util.Locale.ROOT);
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  private Check quietly(String name, io.temporal.workflow.Functions.Func<Check> check) {
    try {
      Check c = check.apply();
      return new Check(name, c.passed(), c.detail());
    } catch (ActivityFailure e) {
      if (cancelRequested()) {
        throw e;
      }
      return new Check(name, false, Failures.describe(e));
    }
  }

  // ---- 2. DR data ----

  private void restoreData(Saga saga) {
    String server = FailoverWorkflow.server(region.to());
    saga.addCompensation(this::dropRestoredIfUnpromoted);
    compensations++;
    String runId = runId();
    for (int attempt = 1; ; attempt++) {
      String hostQueue = locator.hostTaskQueue();
      RestoreActivities host =
          ActivityStubs.stub(
              RestoreActivities.class,
              RecoveryOptions.sideEffect(ActivityStubs.onHost(hostQueue)),
              "Download and restore " + backup.backupId() + " on " + hostQueue);
      try {
        phases.run("Download", () -> Async.function(host::download, new DownloadRequest(service(), backup.manifestKey(), runId)));
        restoreMayExist = true;
        phases.run("Restore", () -> Async.function(host::restore,
            new RestoreRequest(service(), backup.manifestKey(), runId, server, restored)));
        try {
          host.deleteWorkFiles(runId);
        } catch (RuntimeException e) {
          // Workers also sweep stale work directories on start.
        }
        break;
      } catch (RuntimeException e) {
        if (attempt >= HOST_ATTEMPTS || !Failures.hostGone(e) || cancelRequested()) {
          throw e;
        }
      }
    }
    ValidationResult result =
        phases.run("Validate", () -> Async.function(validator::validate,
            new ValidateRequest(service(), backup.manifestKey(), server, restored)));
    checks.addAll(result.checks());
    if (!result.passed()) {
      String failed = String.join(", ", result.checks().stream().filter(c -> !c.passed()).map(Check::name).toList());
      phases.clock().fail("Validate", Workflow.currentTimeMillis(), "failed: " + failed);
      phases.publish();
      throw ApplicationFailure.newNonRetryableFailure(
          "the restored database " + restored + " failed validation: " + failed, Failures.VALIDATION_FAILED);
    }
    if (input.isDrill()) {
      phases.clock().note("Validate", result.checks().size() + " checks passed; drill: " + restored
          + " is dropped at the end, " + database + " is left alone");
    } else {
      String did = changer.promote(new PromoteRequest(service(), region.to(), restored, runId));
      promoted = true;
      phases.clock().note("Validate", result.checks().size() + " checks passed; " + did);
    }
    phases.publish();
  }

  private void dropRestoredIfUnpromoted() {
    if (!restoreMayExist) {
      rollbackSteps.add(new RollbackStep("drop restored database", "SKIPPED", "nothing was restored"));
      return;
    }
    if (promoted) {
      rollbackSteps.add(new RollbackStep("keep DR database", "SKIPPED",
          database + " in " + region.to() + " is kept: it is a verified copy of the newest backup"));
      return;
    }
    try {
      boolean dropped = dropper.dropDatabase(new DropRequest(service(), FailoverWorkflow.server(region.to()), restored));
      rollbackSteps.add(new RollbackStep("drop restored database", dropped ? "DONE" : "SKIPPED",
          restored + (dropped ? " dropped" : " did not exist")));
    } catch (RuntimeException e) {
      rollbackSteps.add(new RollbackStep("drop restored database", "FAILED", Failures.describe(e)));
      warnings.add("could not drop " + restored + " in " + region.to() + " (" + Failures.describe(e) + "): drop it by hand");
    }
  }

  // ---- 3. scale up, 4. health ----

  private void scaleUp(Saga saga) {
    if (!region.kubernetes()) {
      phases.skip("ScaleUp", "no kubernetes section for " + region.to() + ": start the service there by hand");
      return;
    }
    saga.addCompensation(this::scaleDrBack);
    compensations++;
    ScaleResult r =
        phases.run("ScaleUp", () -> Async.function(() -> {
          ScaleResult up = changer.scaleUp(new RegionScaleRequest(service(), region.to(), runId()));
          drScaledFrom = up.replicas();
          waiter.awaitAvailable(new RegionRequest(service(), region.to()));
          return up;
        }));
    phases.clock().note("ScaleUp", r.actions().isEmpty() ? "already serving" : String.join("; ", r.actions()));
    phases.publish();
  }

  private void scaleDrBack() {
    try {
      ScaleResult r = undo.scaleBack(new RegionScaleBackRequest(service(), region.to(), runId(),
          drScaledFrom == null ? List.of() : drScaledFrom));
      rollbackSteps.add(new RollbackStep("scale " + region.to() + " back", r.actions().isEmpty() ? "SKIPPED" : "DONE",
          r.actions().isEmpty() ? "already at " + replicas(r.replicas()) : String.join("; ", r.actions())));
    } catch (RuntimeException e) {
      rollbackSteps.add(new RollbackStep("scale " + region.to() + " back", "FAILED", Failures.describe(e)));
      warnings.add("the Deployments in " + region.to() + " were not scaled back: " + Failures.describe(e));
    }
  }

  private void checkHealth() {
    if (region.healthUrl() == null) {
      phases.skip("HealthCheck", "no healthUrl for " + region.to());
      healthCheck = "not configured";
      return;
    }
    try {
      HealthResult h = phases.run("HealthCheck",
          () -> Async.function(healthChecker::checkHealth, new RegionRequest(service(), region.to())));
      healthCheck = "HTTP " + h.status() + " from " + h.url() + " after " + h.attempts() + " attempt(s)";
      checks.add(new Check("health of " + region.to(), true, healthCheck));
      phases.clock().note("HealthCheck", healthCheck);
      phases.publish();
    } catch (RuntimeException e) {
      if (!cancelRequested()) {
        healthCheck = Failures.describe(e);
        checks.add(new Check("health of " + region.to(), false, healthCheck));
      }
      throw e;
    }
  }

  // ---- 5. approval ----

  private void awaitApproval() {
    if (input.preApproved()) {
      Approval pre = gate.preApprove(requester(), startedAt);
      phases.run("Approval", () -> Workflow.newPromise(pre));
      phases.clock().note("Approval", "pre-approved (--yes) by " + pre.by());
      phases.publish();
      return;
    }
    String how = "drctl approve " + Workflow.getInfo().getWorkflowId() + " " + DNS_STEP + " --by NAME";
    Promise<Approval> decision = gate.open();
    notify("approval-requested", "warning", direction() + " of " + service() + " waits for approval to point "
        + region.record() + " at " + region.to() + ". Approve: " + how + "   Abort: drctl abort "
        + Workflow.getInfo().getWorkflowId() + " --reason TEXT");
    try {
      Approval given = phases.run("Approval", () -> {
        phases.clock().note("Approval", "waiting: " + how);
        return decision;
      });
      phases.clock().note("Approval", "approved by " + given.by() + " via " + given.via()
          + (given.comment() == null ? "" : ": " + given.comment()));
      phases.publish();
    } finally {
      gate.close();
    }
  }

  // ---- 6. DNS ----

  private void switchDns(Saga saga) {
    String target = region.values().get(region.to());
    DnsAlias targetAlias = region.alias(region.to());
    String previous = dnsBefore.value();
    // Reverting puts back an alias as an alias: the description alone would not do for Route53.
    DnsAlias previousAlias = dnsBefore.alias();
    saga.addCompensation(() -> switchDnsBack(previous, previousAlias));
    compensations++;
    dnsSwitchStarted = true;
    dnsChange =
        phases.run("DnsSwitch", () -> Async.function(dns::setDns,
            new DnsSetRequest(service(), input.isDrill(), target, runId(), direction() + " to " + region.to(),
                targetAlias)));
    phases.clock().note("DnsSwitch", dnsChange.changeId() == null
        ? region.record() + " already pointed at " + target
        : region.record() + " " + previous + " → " + target + " (change " + dnsChange.changeId() + ", INSYNC)");
    phases.publish();
    notify("dns-switched", "info", region.record() + " now points at " + region.to() + " (" + target + ")");
  }

  /**
   * @param previous the value before the run (an alias described); null when the record did not
   *     exist (drill)
   * @param previousAlias the alias target before the run, when the record was an alias
   */
  private void switchDnsBack(String previous, DnsAlias previousAlias) {
    if (!dnsSwitchStarted) {
      return;
    }
    try {
      DnsChange back = undoDns.setDns(new DnsSetRequest(service(), input.isDrill(), previous, runId(),
          previous == null ? "remove drill record" : "roll back " + direction(), previousAlias));
      rollbackSteps.add(new RollbackStep(previous == null ? "delete drill record" : "switch DNS back",
          back.changeId() == null ? "SKIPPED" : "DONE",
          region.record() + (previous == null ? " deleted" : " → " + previous)
              + (back.changeId() == null ? " (already so)" : " (change " + back.changeId() + ")")));
    } catch (RuntimeException e) {
      rollbackSteps.add(new RollbackStep("switch DNS back", "FAILED", Failures.describe(e)));
      // Clients may be sent to a region that is being scaled back: a person must look now.
      throw e;
    }
  }

  // ---- 7. old region, best effort ----

  private void scaleDownOldRegion() {
    if (input.isDrill()) {
      phases.skip("ScaleDownPrimary", "drill: " + (from == null ? "the serving region" : from) + " is left serving");
      primaryScaleDown = "skipped: drill";
      return;
    }
    if (from == null || !region.kubernetesRegions().contains(from)) {
      phases.skip("ScaleDownPrimary", from == null ? "the region being left is unknown" : "no kubernetes section for " + from);
      primaryScaleDown = "skipped";
      return;
    }
    try {
      ScaleResult r = phases.run("ScaleDownPrimary",
          () -> Async.function(bestEffort::scaleDown, new RegionScaleRequest(service(), from, runId())));
      primaryScaleDown = r.actions().isEmpty() ? "already at 0" : String.join("; ", r.actions());
      phases.clock().note("ScaleDownPrimary", primaryScaleDown);
      phases.publish();
    } catch (RuntimeException e) {
      if (cancelRequested()) {
        throw e;
      }
      // The region may be gone altogether; clients no longer reach it through DNS anyway.
      primaryScaleDown = "not done: " + Failures.describe(e);
      warnings.add("the Deployments in " + from + " were not scaled down (" + Failures.describe(e)
          + "): scale them down once the region answers");
    }
  }

  // ---- rollback, report ----

  private void rollBack(Saga saga) {
    if (compensations == 0) {
      phases.skip("Rollback", "nothing to undo");
      return;
    }
    try {
      phases.run("Rollback", () -> Async.procedure(saga::compensate));
    } catch (RuntimeException e) {
      Throwable cause = e instanceof Saga.CompensationException && e.getCause() != null ? e.getCause() : e;
      status = "ROLLBACK_FAILED";
      error = (error == null ? "" : error + "; ") + "ROLLBACK FAILED, needs a person now: " + Failures.describe(cause);
      notify("rollback-failed", "critical", direction() + " of " + service() + ": " + error);
    }
  }

  private void classify(RuntimeException e) {
    if (abortRequest != null) {
      status = "ABORTED";
      error = "aborted by " + abortRequest.by() + ": " + abortRequest.reason();
    } else if (e instanceof CanceledFailure || cancelRequested()) {
      status = "CANCELLED";
      error = "cancelled";
    } else {
      status = "FAILED";
      error = Failures.describe(e);
    }
  }

  private void finish() {
    endedAt = Workflow.currentTimeMillis();
    try {
      reportKey = phases.run("Report", () -> Async.function(reports::store, storedReport()));
    } catch (RuntimeException e) {
      warnings.add("the report was not stored: " + Failures.describe(e));
    }
    // An AT_RISK or BREACHED announcement still on its way is not dropped by the run ending.
    rtoNotifier.awaitDeliveries();
    if ("COMPLETED".equals(status)) {
      notify("completed", "info", direction() + " of " + service() + " to " + region.to()
          + (input.isDrill() ? " (drill, everything put back)" : "") + " completed; RTO "
          + Durations.human((servingAt - incidentStart) / 1000) + " of " + Durations.human(plan.rtoSeconds()));
    } else if (!"ROLLBACK_FAILED".equals(status)) {
      notify("failed", "warning", direction() + " of " + service() + " " + status.toLowerCase() + ": " + error);
    }
  }

  private NotifyActivities notifier() {
    if (notifier == null) {
      notifier = ActivityStubs.stub(NotifyActivities.class,
          ActivityStubs.notifications(Duration.ofSeconds(30), ActivityStubs.abandonNotifications()), "Notify");
    }
    return notifier;
  }

  private void notify(String event, String severity, String message) {
    WorkflowInfo info = Workflow.getInfo();
    try {
      notifier().notify(new Notification(service(), event, severity, message, info.getWorkflowId(), info.getRunId()));
    } catch (ActivityFailure e) {
      if (cancelRequested()) {
        throw e;
      }
      log.warn("notification {} not sent: {}", event, Failures.describe(e));
    }
  }

  private static boolean cancelRequested() {
    return CancellationScope.current().isCancelRequested();
  }

  // ---- approval and abort ----

  @Override
  public void validateApprove(ApprovalRequest request) {
    gate.validate(request, blocked(), this::where);
  }

  @Override
  public Approval approve(ApprovalRequest request) {
    validateApprove(request);
    return gate.accept(request, Approval.VIA_UPDATE);
  }

  @Override
  public void approveSignal(ApprovalRequest request) {
    String ignored = gate.acceptSignal(request, blocked(), this::where);
    if (ignored != null) {
      warnings.add(ignored);
    }
  }

  /** Why the run takes no approval at all now, or null. */
  private String blocked() {
    return ApprovalGate.blocked(abortRequest, finished, status);
  }

  private String where() {
    if (phases == null) {
      return "still starting";
    }
    for (Phase p : phases.clock().table(Workflow.currentTimeMillis())) {
      if (p.status() == PhaseStatus.RUNNING) {
        return "in phase " + p.name();
      }
    }
    return dnsSwitchStarted ? "past the DNS switch" : "between phases";
  }

  @Override
  public void abort(AbortRequest request) {
    String by = request == null || request.by() == null || request.by().isBlank() ? "unknown" : request.by().strip();
    if (abortRequest != null || finished || servingAt != null || !"RUNNING".equals(status)) {
      if (servingAt != null && !finished) {
        warnings.add("an abort by " + by + " arrived after the DNS switch had completed and was ignored");
      }
      return;
    }
    String reason = request == null || request.reason() == null || request.reason().isBlank()
        ? "no reason given" : request.reason().strip();
    abortRequest = new AbortRequest(reason, by);
    if (work != null) {
      work.cancel("aborted by " + by + ": " + reason);
    }
  }

  @Override
  public String pendingApproval() {
    return gate.waiting() ? DNS_STEP : null;
  }

  @Override
  public Progress progress() {
    return phases == null ? null : phases.progress();
  }

  private RunReport storedReport() {
    return report().asStoredAt(Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString());
  }

  @Override
  public RunReport report() {
    long now = Workflow.currentTimeMillis();
    WorkflowInfo info = Workflow.getInfo();
    Objective rto = plan == null ? null
        : servingAt != null ? Objective.ofMillis(plan.rtoSeconds(), servingAt - incidentStart)
        : Objective.pending(plan.rtoSeconds());
    Objective rpo = plan == null || backup == null ? null
        : Objective.ofMillis(plan.rpoSeconds(), Math.max(0, incidentStart - backup.createdAtMillis()));
    return new RunReport(
        info.getWorkflowId(), info.getRunId(), TYPE, status, input == null ? null : input.service(),
        iso(startedAt), endedAt == null ? null : iso(endedAt),
        backup == null ? null : new RunReport.BackupSummary(
            backup.key(), backup.createdAt(), backup.sha256(), backup.storedBytes(), backup.dumpBytes()),
        phases == null ? List.of() : phases.clock().table(now),
        rto, rpo,
        phases == null ? null : phases.clock().rtoStatus(servingAt != null ? servingAt : now),
        List.copyOf(checks), null, error, reportKey, null,
        region == null ? null : details());
  }

  private FailoverDetails details() {
    return new FailoverDetails(
        direction(), input.isDrill(), from, region.to(), iso(incidentStart), region.record(),
        dnsBefore == null ? null : dnsBefore.value(),
        region.values().get(region.to()),
        dnsChange == null ? null : dnsChange.changeId(),
        List.copyOf(readiness), gate.approvals(),
        input.isDrill() ? restored + " on " + region.server() + " (drill: dropped at the end)"
            : database + " on " + region.server() + (promoted ? "" : " (not promoted)"),
        drScaledFrom == null ? List.of() : List.copyOf(drScaledFrom),
        primaryScaleDown, healthCheck,
        abortRequest == null ? null : abortRequest.by(),
        abortRequest == null ? null : abortRequest.reason(),
        List.copyOf(rollbackSteps), List.copyOf(warnings));
  }

  private String direction() {
    return input.isFailback() ? "failback" : "failover";
  }

  private String service() {
    return input.service();
  }

  private String runId() {
    return Workflow.getInfo().getRunId();
  }

  private String requester() {
    return input.requestedBy() == null || input.requestedBy().isBlank() ? "unknown" : input.requestedBy();
  }

  private static String replicas(List<Replicas> list) {
    if (list == null || list.isEmpty()) {
      return "(none)";
    }
    return String.join(", ", list.stream().map(r -> r.name() + "=" + r.replicas()).toList());
  }

  private static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }
}
