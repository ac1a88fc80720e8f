package io.drflow.workflows.recovery;

import io.drflow.workflows.activities.BackupActivities;
import io.drflow.workflows.activities.BackupActivities.DumpRequest;
import io.drflow.workflows.activities.BackupActivities.DumpResult;
import io.drflow.workflows.activities.BackupActivities.Published;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.DeploymentActivities;
import io.drflow.workflows.activities.DeploymentActivities.ScaleBackRequest;
import io.drflow.workflows.activities.DeploymentActivities.ScaleDownRequest;
import io.drflow.workflows.activities.DeploymentActivities.ScaleResult;
import io.drflow.workflows.activities.HealthActivities;
import io.drflow.workflows.activities.HealthActivities.HealthResult;
import io.drflow.workflows.activities.NotifyActivities;
import io.drflow.workflows.activities.NotifyActivities.Notification;
import io.drflow.workflows.activities.RecoveryActivities;
import io.drflow.workflows.activities.RecoveryActivities.Assessment;
import io.drflow.workflows.activities.RecoveryActivities.RecoveryPlan;
import io.drflow.workflows.activities.RecoveryActivities.SwapRequest;
import io.drflow.workflows.activities.RecoveryActivities.SwapResult;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.activities.RestoreActivities.DownloadRequest;
import io.drflow.workflows.activities.RestoreActivities.LocateAtRequest;
import io.drflow.workflows.activities.RestoreActivities.RestoreRequest;
import io.drflow.workflows.activities.RestoreActivities.RestoreResult;
import io.drflow.workflows.activities.RestoreActivities.ValidateRequest;
import io.drflow.workflows.activities.RestoreActivities.ValidationResult;
import io.drflow.workflows.model.Approval;
import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Durations;
import io.drflow.workflows.model.Objective;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RecoveryDetails;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
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

public class RecoveryWorkflowImpl implements RecoveryWorkflow {

  private static final Logger log = Workflow.getLogger(RecoveryWorkflowImpl.class);
  private static final int HOST_ATTEMPTS = 3;
  /** Responders' laptops and the Temporal server disagree on the time by a little. */
  static final long CLOCK_SKEW_MILLIS = 5 * 60_000L;

  private final CatalogActivities catalog =
      ActivityStubs.stub(CatalogActivities.class, ActivityStubs.quick(), "Resolve service");
  private final RecoveryActivities preparer =
      ActivityStubs.stub(RecoveryActivities.class, ActivityStubs.quick(), "Check recovery config");
  private final RecoveryActivities assessor =
      ActivityStubs.stub(
          RecoveryActivities.class, ActivityStubs.quick(), "Assess the production database");
  private final RecoveryActivities swapper =
      ActivityStubs.stub(
          RecoveryActivities.class, RecoveryOptions.sideEffect(ActivityStubs.quick()), "Swap the restored database in");
  private final RestoreActivities locator =
      ActivityStubs.stub(RestoreActivities.class, ActivityStubs.quick(), "Locate backup");
  private final RestoreActivities validator =
      ActivityStubs.stub(
          RestoreActivities.class, ActivityStubs.longRunning(), "Validate restored database");
  private final BackupActivities copier =
      ActivityStubs.stub(
          BackupActivities.class,
          // A dump of a damaged database may fail for good; a retry would only spend the RTO.
          ActivityOptions.newBuilder(ActivityStubs.longRunning())
              .setRetryOptions(ActivityStubs.retries(2))
              .build(),
          "Safety copy of the damaged database");
  private final BackupActivities publisher =
      ActivityStubs.stub(BackupActivities.class, ActivityStubs.quick(), "Publish safety copy");
  private final DeploymentActivities scaler =
      ActivityStubs.stub(
          DeploymentActivities.class, RecoveryOptions.sideEffect(ActivityStubs.quick()), "Scale writers");
  private final DeploymentActivities podWatcher =
      ActivityStubs.stub(
          DeploymentActivities.class, RecoveryOptions.waiting(Duration.ofMinutes(30)), "Wait for the writers");
  private final DeploymentActivities describer =
      ActivityStubs.stub(DeploymentActivities.class, ActivityStubs.quick(), "Look up writers");
  private final HealthActivities health =
      ActivityStubs.stub(HealthActivities.class, RecoveryOptions.waiting(Duration.ofHours(2)), "Health check");
  /** Created at the first notification: see {@link ActivityStubs#abandonNotifications()}. */
  private NotifyActivities notifier;
  /** Runs started before recoveries announced AT_RISK/BREACHED replay without the watcher. */
  static final String RTO_ANNOUNCEMENTS = "recovery-rto-announcements";
  private RunNotifier rtoNotifier;
  private final ReportActivities reports =
      ActivityStubs.stub(ReportActivities.class, ActivityStubs.quick(), "Store recovery report");

  private long startedAt;
  private RecoveryInput input;
  private long incidentStart;
  private RecoveryInputs.Times times;
  private ServicePlan plan;
  private RecoveryPlan recoveryPlan;
  private PhaseRunner phases;
  private String production;
  private String restored;
  private String preRecovery;
  private String marker;
  private Assessment assessment;
  private String assessmentText;
  private BackupRef backup;
  private String backupSelection;
  private String safetyCopyKey;
  private List<Replicas> previousReplicas;
  private boolean restoreMayExist;
  private boolean swapStarted;
  private final List<Check> checks = new ArrayList<>();
  private final List<String> warnings = new ArrayList<>();
  private final ApprovalGate gate = new ApprovalGate(SWAP_STEP, "once the restored database has passed validation");
  private final RecoveryRollback rollback = new RecoveryRollback(warnings);
  private String healthCheck;
  private Long recoveredAt;
  private Long endedAt;
  private String status = "RUNNING";
  private String error;
  private String reportKey;
  private AbortRequest abortRequest;
  private CancellationScope work;
  private int compensations;
  private boolean finished;

  @Override
  public RunReport recover(RecoveryInput in) {
    startedAt = Workflow.currentTimeMillis();
    input = in;
    if (in != null && in.problem() != null) {
      throw Failures.invalidInput(in.problem());
    }
    try {
      times = RecoveryInputs.check(in, startedAt, CLOCK_SKEW_MILLIS);
    } catch (IllegalArgumentException e) {
      throw Failures.invalidInput(e.getMessage());
    }
    incidentStart = times.incidentStartMillis() != null ? times.incidentStartMillis() : startedAt;
    WorkflowInfo info = Workflow.getInfo();
    ServiceLock lock =
        ServiceLock.shared()
            ? ServiceLock.acquire(in.service(), "recovery", Failures.RECOVERY_IN_PROGRESS)
            : ServiceLock.acquireLegacyRecovery(in.service(), Failures.RECOVERY_IN_PROGRESS);
    try {
      return recoverHoldingLock(in, info);
    } finally {
      Workflow.newDetachedCancellationScope(lock::release).run();
    }
  }

  private RunReport recoverHoldingLock(RecoveryInput in, WorkflowInfo info) {
    plan = Failures.asRunFailure(() -> catalog.plan(in.service(), Runbook.RECOVERY.id()));
    phases = new PhaseRunner(Runbook.RECOVERY, plan, incidentStart);
    // Responders waiting on an approval or a slow restore hear as soon as the RTO is at risk.
    if (Workflow.getVersion(RTO_ANNOUNCEMENTS, Workflow.DEFAULT_VERSION, 1) >= 1) {
      rtoNotifier = new RunNotifier(Runbook.RECOVERY);
      rtoNotifier.watchRto(plan.service(), "recovery", phases);
    }
    production = plan.database();
    restored = ScratchNames.restored(production, startedAt);
    preRecovery = ScratchNames.preRecovery(production, startedAt);
    marker = "drflow recovery " + info.getWorkflowId() + " run " + info.getRunId();
    recoveryPlan = preparer.prepare(in.service());
    warnings.addAll(recoveryPlan.warnings());
    if (recoveryPlan.kubernetes()) {
      // Fails on a missing Deployment or a refused token now, not with the writers half stopped.
      describer.describe(in.service());
    }
    notify(
        "started",
        "info",
        "recovery of " + service() + " started by " + requester() + "; RTO clock running since "
            + iso(incidentStart) + " (RTO " + Durations.human(plan.rtoSeconds()) + ")");

    Saga saga = new Saga(new Saga.Options.Builder().setParallelCompensation(false).build());
    work = Workflow.newCancellationScope(() -> runSteps(saga));
    RuntimeException failure = null;
    try {
      work.run();
      status = "COMPLETED";
    } catch (RuntimeException e) {
      failure = e;
      classify(e);
      log.warn("recovery of {} stopped: {}; rolling back", service(), error);
      Workflow.newDetachedCancellationScope(() -> rollBack(saga)).run();
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
        "recovery of " + service() + (aborted ? " aborted: " : " failed: ") + error,
        aborted ? Failures.RECOVERY_ABORTED : Failures.RECOVERY_FAILED,
        report);
  }

  private void runSteps(Saga saga) {
    if (abortRequest != null) {
      throw new CanceledFailure("aborted before the first step");
    }
    assess();
    locateBackup();
    safetyCopy();
    stopWriters(saga);
    // Registered before the restore begins: a restore interrupted halfway leaves a database too.
    saga.addCompensation(
        () -> rollback.dropRestored(service(), restored, restoreMayExist, swapStarted));
    compensations++;
    downloadAndRestore(Workflow.getInfo().getRunId());
    validateRestore();
    awaitApproval();
    saga.addCompensation(() -> rollback.swapBack(swapRequest()));
    compensations++;
    swap();
    startWriters(saga);
    checkHealth();
    recoveredAt = Workflow.currentTimeMillis();
    if (rtoNotifier != null) {
      rtoNotifier.stopWatchingRto(); // service restored: the RTO it achieved is fixed
    }
  }

  private void assess() {
    assessment = phases.run("Assess", () -> Async.function(assessor::assess, service()));
    assessmentText = describe(assessment);
    phases.clock().note("Assess", assessmentText);
    phases.publish();
    if (!assessment.serverReachable()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the production server " + plan.sourceServer() + " does not answer (" + assessment.problem()
              + "); the backup is restored onto it, so bring the server back (or point the config"
              + " at its replacement) first",
          Failures.SERVER_UNREACHABLE);
    }
  }

  private String describe(Assessment a) {
    if (!a.serverReachable()) {
      return "server unreachable: " + a.problem();
    }
    if (!a.databaseExists()) {
      return "database " + production + " does not exist on " + plan.sourceServer();
    }
    if (!a.databaseReachable()) {
      return "database " + production + " exists but does not answer: " + a.problem();
    }
    return "database " + production + " answers; "
        + (a.sizeBytes() == null ? "size unknown" : Bytes.human(a.sizeBytes()))
        + ", last write " + (a.lastWriteAt() == null ? "unknown" : a.lastWriteAt());
  }

  /** Read-only, and before any side effect: a backup that cannot be found stops the run here. */
  private void locateBackup() {
    String how;
    if (input.backup() != null) {
      backup = phases.run("Locate", () -> Async.function(locator::locate, service(), input.backup()));
      how = "named with --backup " + input.backup();
    } else {
      long notAfter;
      String bound;
      if (times.atMillis() != null) {
        notAfter = times.atMillis();
        bound = "--at";
        how = "newest verified backup taken at or before --at " + iso(notAfter);
      } else if (input.newest()) {
        notAfter = startedAt;
        bound = "--latest: the start of this run";
        how = "newest verified backup (--latest)";
      } else if (times.incidentStartMillis() != null) {
        notAfter = incidentStart;
        bound = "--incident-start";
        how = "newest verified backup taken at or before the incident start " + iso(notAfter);
      } else {
        notAfter = startedAt;
        bound = "the start of this run";
        how = "newest verified backup";
      }
      backup =
          phases.run(
              "Locate",
              () -> Async.function(locator::locateAt, new LocateAtRequest(service(), notAfter, bound)));
    }
    backupSelection = how + ": " + backup.backupId() + " (snapshot " + backup.createdAt() + ")";
    phases.clock().note("Locate", backup.key());
    if (backup.createdAtMillis() > incidentStart) {
      warnings.add(
          "backup " + backup.backupId() + " was taken at " + backup.createdAt()
              + ", after the incident start " + iso(incidentStart) + ": it may contain the damage");
    }
    if (ScratchNames.isSafetyCopy(backup.backupId())) {
      warnings.add(
          "backup " + backup.backupId() + " is a safety copy of a damaged database, restored"
              + " because it was named explicitly");
    }
    phases.publish();
  }

  private void safetyCopy() {
    if (input.skipCopy()) {
      phases.skip("SafetyCopy", "skipped with --skip-safety-copy");
      return;
    }
    if (!assessment.databaseReachable()) {
      phases.skip(
          "SafetyCopy",
          "nothing to copy: "
              + (assessment.databaseExists() ? "the database does not answer" : "the database is gone"));
      return;
    }
    String backupId = ScratchNames.safetyCopyId(startedAt, Workflow.getInfo().getRunId());
    try {
      Published copy =
          phases.run(
              "SafetyCopy",
              () ->
                  Async.function(
                      () -> {
                        DumpResult dump = copier.dumpAndUpload(new DumpRequest(service(), backupId));
                        return publisher.publishManifest(dump);
                      }));
      safetyCopyKey = copy.dataKey();
      phases.clock().note("SafetyCopy", copy.dataKey() + " (" + Bytes.human(copy.storedBytes()) + ")");
      phases.publish();
    } catch (RuntimeException e) {
      if (cancelRequested()) {
        throw e;
      }
      // The damaged database itself is kept (renamed, never dropped), so the copy is a second
      // line of evidence: losing it must not hold the recovery up.
      warnings.add(
          "the safety copy failed (" + Failures.describe(e) + "); the damaged database is still"
              + " kept as " + preRecovery + " after the swap");
    }
  }

  private void stopWriters(Saga saga) {
    if (!recoveryPlan.kubernetes()) {
      phases.skip("StopWriters", "no kubernetes section in the config: stop writers by hand");
      warnings.add(
          "the service's writers are not managed by drflow (no kubernetes section): stop them by"
              + " hand before approving the swap");
      return;
    }
    saga.addCompensation(
        () -> rollback.restoreReplicas(service(), Workflow.getInfo().getRunId(), previousReplicas));
    compensations++;
    ScaleResult down =
        phases.run(
            "StopWriters",
            () ->
                Async.function(
                    () -> {
                      ScaleResult r =
                          scaler.scaleDown(
                              new ScaleDownRequest(service(), Workflow.getInfo().getRunId()));
                      previousReplicas = r.replicas();
                      podWatcher.awaitNoPods(service());
                      return r;
                    }));
    phases.clock().note("StopWriters", "scaled to 0, no pods left; were " + RecoveryRollback.replicas(down.replicas()));
    phases.publish();
  }

  private void downloadAndRestore(String runId) {
    for (int attempt = 1; ; attempt++) {
      String hostQueue = locator.hostTaskQueue();
      RestoreActivities host =
          ActivityStubs.stub(
              RestoreActivities.class,
              RecoveryOptions.sideEffect(ActivityStubs.onHost(hostQueue)),
              "Download and restore " + backup.backupId() + " on " + hostQueue);
      try {
        phases.run(
            "Download",
            () ->
                Async.function(
                    host::download, new DownloadRequest(service(), backup.manifestKey(), runId)));
        restoreMayExist = true;
        RestoreResult result =
            phases.run(
                "Restore",
                () ->
                    Async.function(
                        host::restore,
                        new RestoreRequest(
                            service(), backup.manifestKey(), runId, "source", restored)));
        phases.clock().note("Restore", "pg_restore -j" + result.jobs() + " into " + restored);
        phases.publish();
        deleteHostFiles(host, runId);
        return;
      } catch (RuntimeException e) {
        if (attempt >= HOST_ATTEMPTS || !Failures.hostGone(e) || cancelRequested()) {
          throw e;
        }
        log.warn("host queue {} has no worker; retrying download and restore elsewhere", hostQueue);
      }
    }
  }

  /** The decompressed dump is as large as the database: free the disk once it is restored. */
  private static void deleteHostFiles(RestoreActivities host, String runId) {
    try {
      host.deleteWorkFiles(runId);
    } catch (RuntimeException e) {
      // Workers also sweep stale work directories on start.
    }
  }

  private void validateRestore() {
    ValidationResult result =
        phases.run(
            "Validate",
            () ->
                Async.function(
                    validator::validate,
                    new ValidateRequest(service(), backup.manifestKey(), "source", restored)));
    checks.addAll(result.checks());
    if (!result.passed()) {
      String failed =
          String.join(", ", result.checks().stream().filter(c -> !c.passed()).map(Check::name).toList());
      phases.clock().fail("Validate", Workflow.currentTimeMillis(), "failed: " + failed);
      phases.publish();
      throw ApplicationFailure.newNonRetryableFailure(
          "the restored database " + restored + " failed validation: " + failed,
          Failures.VALIDATION_FAILED);
    }
    phases.clock().note("Validate", result.checks().size() + " checks passed");
    phases.publish();
  }

  private void awaitApproval() {
    if (input.preApproved()) {
      Approval pre = gate.preApprove(requester(), startedAt);
      phases.run("Approval", () -> Workflow.newPromise(pre));
      phases.clock().note("Approval", "pre-approved (--yes) by " + pre.by());
      phases.publish();
      return;
    }
    String how = approveCommand();
    // Open before announcing it: whoever reads the notification may approve at once.
    Promise<Approval> decision = gate.open();
    notify(
        "approval-requested",
        "warning",
        "recovery of " + service() + " waits for approval to swap " + restored + " in as "
            + production + " (" + checks.size() + " checks passed; backup " + backup.backupId()
            + "). Approve: " + how + "   Abort: drctl abort " + workflowId() + " --reason TEXT");
    try {
      Approval given =
          phases.run(
              "Approval",
              () -> {
                phases.clock().note("Approval", "waiting: " + how);
                Async.procedure(this::remindUntilDecided, how);
                return decision;
              });
      phases.clock().note(
          "Approval",
          "approved by " + given.by() + " via " + given.via()
              + (given.comment() == null ? "" : ": " + given.comment()));
      phases.publish();
      notify(
          "approved",
          "info",
          "swap of " + service() + " approved by " + given.by()
              + (given.comment() == null ? "" : " (" + given.comment() + ")"));
    } finally {
      gate.close();
    }
  }

  /** Reminds every configured interval while the gate is open; never decides by itself. */
  private void remindUntilDecided(String how) {
    Duration every = Duration.ofSeconds(Math.max(1, recoveryPlan.approvalReminderSeconds()));
    int sent = 0;
    while (!gate.decided()) {
      if (Workflow.await(every, gate::decided)) {
        return;
      }
      sent++;
      long now = Workflow.currentTimeMillis();
      notify(
          "approval-reminder",
          "warning",
          "reminder " + sent + ": recovery of " + service() + " still waits for approval to swap ("
              + Durations.human(phases.clock().rtoRemainingSeconds(now)) + " of the RTO left,"
              + " writers stopped). Approve: " + how);
    }
  }

  private void swap() {
    swapStarted = true;
    SwapResult result = phases.run("Swap", () -> Async.function(swapper::swap, swapRequest()));
    phases.clock().note("Swap", String.join("; ", result.actions()));
    phases.publish();
    notify(
        "swapped",
        "info",
        production + " on " + plan.sourceServer() + " is now the restored database; the damaged one"
            + " is kept as " + preRecovery);
  }

  private void startWriters(Saga saga) {
    if (!recoveryPlan.kubernetes()) {
      phases.skip("StartWriters", "no kubernetes section in the config: start writers by hand");
      return;
    }
    saga.addCompensation(
        () -> rollback.stopWritersAgain(service(), Workflow.getInfo().getRunId(), restored));
    compensations++;
    List<Replicas> targets = previousReplicas;
    phases.run(
        "StartWriters",
        () ->
            Async.function(
                () -> {
                  ScaleResult r =
                      scaler.scaleBack(
                          new ScaleBackRequest(service(), Workflow.getInfo().getRunId(), targets));
                  podWatcher.awaitAvailable(service());
                  return r;
                }));
    phases.clock().note("StartWriters", "available again: " + RecoveryRollback.replicas(targets));
    phases.publish();
  }

  private void checkHealth() {
    if (recoveryPlan.healthUrl() == null) {
      phases.skip("HealthCheck", "no health.url configured");
      healthCheck = "not configured";
      return;
    }
    try {
      HealthResult h = phases.run("HealthCheck", () -> Async.function(health::check, service()));
      healthCheck =
          "HTTP " + h.status() + " from " + h.url() + " after " + h.attempts() + " attempt(s)";
      checks.add(new Check("service health", true, healthCheck));
      phases.clock().note("HealthCheck", healthCheck);
      phases.publish();
    } catch (RuntimeException e) {
      if (!cancelRequested()) {
        healthCheck = Failures.describe(e);
        checks.add(new Check("service health", false, healthCheck));
      }
      throw e;
    }
  }

  private void rollBack(Saga saga) {
    if (compensations == 0) {
      phases.skip("Rollback", "nothing to undo");
      return;
    }
    try {
      phases.run("Rollback", () -> Async.procedure(saga::compensate));
      notify(
          "rolled-back",
          "warning",
          "recovery of " + service() + " stopped (" + error + ") and was rolled back: "
              + rollback.summary());
    } catch (RuntimeException e) {
      Throwable cause = e instanceof Saga.CompensationException && e.getCause() != null ? e.getCause() : e;
      status = "ROLLBACK_FAILED";
      error =
          error + "; ROLLBACK FAILED, production needs a person now: " + Failures.describe(cause);
      notify("rollback-failed", "critical", "recovery of " + service() + ": " + error);
    }
  }

  private void classify(RuntimeException e) {
    if (abortRequest != null) {
      status = "ABORTED";
      error = "aborted by " + abortRequest.by() + ": " + abortRequest.reason();
    } else if (e instanceof CanceledFailure || cancelRequested()) {
      status = "CANCELLED";
      String reason = CancellationScope.current().getCancellationReason();
      error = "cancelled" + (reason == null || reason.isBlank() ? "" : ": " + reason);
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
      log.warn("could not store the recovery report: {}", Failures.describe(e));
      warnings.add("the report was not stored: " + Failures.describe(e));
    }
    if (rtoNotifier != null) {
      rtoNotifier.awaitDeliveries(); // an AT_RISK/BREACHED on its way is not dropped by the end
    }
    switch (status) {
      case "COMPLETED" ->
          notify(
              "completed",
              "info",
              "recovery of " + service() + " completed: " + production + " restored from "
                  + backup.backupId() + " (snapshot " + backup.createdAt() + "); RTO "
                  + Durations.human((recoveredAt - incidentStart) / 1000) + " of "
                  + Durations.human(plan.rtoSeconds()) + "; damaged database kept as " + preRecovery);
      case "ROLLBACK_FAILED" -> {
        // Already announced as critical by the rollback.
      }
      case "ABORTED" -> notify("aborted", "warning", "recovery of " + service() + " " + error);
      default -> notify("failed", "warning", "recovery of " + service() + " " + status.toLowerCase() + ": " + error);
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
      notifier().notify(
          new Notification(service(), event, severity, message, info.getWorkflowId(), info.getRunId()));
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
      log.warn(ignored);
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
    return swapStarted ? "past the swap" : "between phases";
  }

  @Override
  public void abort(AbortRequest request) {
    String by = request == null || request.by() == null || request.by().isBlank() ? "unknown" : request.by().strip();
    if (abortRequest != null || finished || recoveredAt != null || !"RUNNING".equals(status)) {
      log.info("abort by {} ignored: the run is already {}", by, abortRequest != null ? "aborting" : "done");
      if (recoveredAt != null && !finished) {
        warnings.add("an abort by " + by + " arrived after the recovery had completed and was ignored");
      }
      return;
    }
    String reason =
        request == null || request.reason() == null || request.reason().isBlank()
            ? "no reason given"
            : request.reason().strip();
    abortRequest = new AbortRequest(reason, by);
    if (work != null) {
      work.cancel("aborted by " + by + ": " + reason);
    }
  }

  @Override
  public String pendingApproval() {
    return gate.waiting() ? SWAP_STEP : null;
  }

  // ---- queries ----

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
    Objective rto =
        plan == null
            ? null
            : recoveredAt != null
                ? Objective.ofMillis(plan.rtoSeconds(), recoveredAt - incidentStart)
                : Objective.pending(plan.rtoSeconds());
    Objective rpo =
        plan == null || backup == null
            ? null
            : Objective.ofMillis(plan.rpoSeconds(), incidentStart - backup.createdAtMillis());
    return new RunReport(
        info.getWorkflowId(),
        info.getRunId(),
        RecoveryWorkflow.TYPE,
        status,
        input == null ? null : input.service(),
        iso(startedAt),
        endedAt == null ? null : iso(endedAt),
        backup == null
            ? null
            : new RunReport.BackupSummary(
                backup.key(), backup.createdAt(), backup.sha256(), backup.storedBytes(), backup.dumpBytes()),
        phases == null ? List.of() : phases.clock().table(now),
        rto,
        rpo,
        phases == null ? null : phases.clock().rtoStatus(recoveredAt != null ? recoveredAt : now),
        List.copyOf(checks),
        null,
        error,
        reportKey,
        plan == null ? null : details());
  }

  private RecoveryDetails details() {
    return new RecoveryDetails(
        iso(incidentStart),
        plan.sourceServer(),
        production,
        restored,
        preRecovery,
        assessmentText,
        backupSelection,
        safetyCopyKey,
        gate.approvals(),
        previousReplicas == null ? List.of() : List.copyOf(previousReplicas),
        healthCheck,
        abortRequest == null ? null : abortRequest.by(),
        abortRequest == null ? null : abortRequest.reason(),
        rollback.steps(),
        List.copyOf(warnings));
  }

  private SwapRequest swapRequest() {
    return new SwapRequest(service(), production, restored, preRecovery, marker);
  }

  private String service() {
    return input.service();
  }

  private String workflowId() {
    return Workflow.getInfo().getWorkflowId();
  }

  private String approveCommand() {
    return "drctl approve " + workflowId() + " " + SWAP_STEP + " --by NAME";
  }

  private String requester() {
    return input.requestedBy() == null || input.requestedBy().isBlank() ? "unknown" : input.requestedBy();
  }

  private static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }
}
