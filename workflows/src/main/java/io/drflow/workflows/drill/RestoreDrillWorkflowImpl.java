package io.drflow.workflows.drill;

import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.activities.RestoreActivities.DownloadRequest;
import io.drflow.workflows.activities.RestoreActivities.DownloadResult;
import io.drflow.workflows.activities.RestoreActivities.DropRequest;
import io.drflow.workflows.activities.RestoreActivities.RestoreRequest;
import io.drflow.workflows.activities.RestoreActivities.RestoreResult;
import io.drflow.workflows.activities.RestoreActivities.ValidateRequest;
import io.drflow.workflows.activities.RestoreActivities.ValidationResult;
import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Objective;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.drflow.workflows.runbook.ActivityStubs;
import io.drflow.workflows.runbook.Failures;
import io.drflow.workflows.runbook.PhaseRunner;
import io.drflow.workflows.runbook.RunNotifier;
import io.drflow.workflows.runbook.ScratchNames;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

public class RestoreDrillWorkflowImpl implements RestoreDrillWorkflow {

  private static final Logger log = Workflow.getLogger(RestoreDrillWorkflowImpl.class);
  private static final int HOST_ATTEMPTS = 3;
  /** Since this version the downloaded files are deleted while validation runs. */
  static final String ASYNC_HOST_CLEANUP = "async-host-cleanup";
  /** Since this version a streamed download creates the scratch database while it runs. */
  static final String SCRATCH_WITH_DOWNLOAD = "scratch-created-with-download";

  private final CatalogActivities catalog =
      ActivityStubs.stub(CatalogActivities.class, ActivityStubs.quick(), "Resolve service");
  private final RestoreActivities locator =
      ActivityStubs.stub(RestoreActivities.class, ActivityStubs.quick(), "Locate backup");
  private final RestoreActivities hosts =
      ActivityStubs.stub(RestoreActivities.class, ActivityStubs.quick(), "Pick the restore host");
  private final RestoreActivities validator =
      ActivityStubs.stub(
          RestoreActivities.class, ActivityStubs.longRunning(), "Validate restored database");
  private final RestoreActivities cleaner =
      ActivityStubs.stub(RestoreActivities.class, ActivityStubs.quick(), "Drop scratch database");
  private final ReportActivities reports =
      ActivityStubs.stub(ReportActivities.class, ActivityStubs.quick(), "Store drill report");

  private long startedAt;
  private DrillInput input;
  private ServicePlan plan;
  private PhaseRunner phases;
  private BackupRef backup;
  private String scratchDatabase;
  private boolean scratchMayExist;
  /** The download succeeded: the restore that follows creates the database if nothing did. */
  private boolean scratchMade;
  private boolean scratchDropped;
  private final List<Check> checks = new ArrayList<>();
  private Long validatedAt;
  private Long endedAt;
  private String hostQueue;
  private boolean hostFilesDeleted;
  private Promise<Void> hostFilesDeletion;
  private List<Check> restoreChecks = List.of();
  private String status = "RUNNING";
  private String error;
  private String reportKey;
  private RunNotifier notifier;

  @Override
  public RunReport drill(DrillInput in) {
    startedAt = Workflow.currentTimeMillis();
    input = in;
    if (in != null && in.problem() != null) {
      throw Failures.invalidInput(in.problem());
    }
    Failures.requireService(in == null ? null : in.service());
    notifier = new RunNotifier(Runbook.DRILL);
    plan = Failures.asRunFailure(() -> catalog.plan(in.service(), Runbook.DRILL.id()));
    phases = new PhaseRunner(Runbook.DRILL, plan, startedAt);
    notifier.started(plan, phases);
    WorkflowInfo info = Workflow.getInfo();
    boolean tail =
        Workflow.getVersion(ScratchNames.VERSION_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    scratchDatabase = ScratchNames.scratch(plan.service(), startedAt, info.getRunId(), tail);
    CanceledFailure cancelled = null;
    try {
      restoreAndVerify(info.getRunId());
      status = checks.stream().allMatch(Check::passed) ? "PASSED" : "FAILED";
      if (!"PASSED".equals(status)) {
        error = "verification failed: " + failedCheckNames();
      }
    } catch (CanceledFailure e) {
      cancelled = e;
      status = "CANCELLED";
      error = "cancelled";
    } catch (RuntimeException e) {
      status = "FAILED";
      error = Failures.describe(e);
      log.warn("drill of {} failed: {}", plan.service(), error);
    }
    // Cleanup and the report must run even when the drill was cancelled.
    Workflow.newDetachedCancellationScope(this::cleanupAndReport).run();
    if (cancelled != null) {
      throw cancelled;
    }
    RunReport report = report();
    if (!report.passed()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "drill of " + plan.service() + " failed: " + error, Failures.DRILL_FAILED, report);
    }
    return report;
  }

  private void restoreAndVerify(String runId) {
    backup = phases.run("Locate", () -> Async.function(locator::locate, plan.service(), input.backup()));
    phases.clock().note("Locate", backup.key());
    boolean scratchWithDownload =
        Workflow.getVersion(SCRATCH_WITH_DOWNLOAD, Workflow.DEFAULT_VERSION, 1) == 1;
    if (scratchWithDownload) {
      // From here on the database may exist: a failed download still has it dropped.
      scratchMayExist = true;
    }
    DownloadRequest download =
        scratchWithDownload
            ? new DownloadRequest(plan.service(), backup.manifestKey(), runId, "drill", scratchDatabase)
            : new DownloadRequest(plan.service(), backup.manifestKey(), runId);
    for (int attempt = 1; ; attempt++) {
      hostQueue = hosts.hostTaskQueue();
      RestoreActivities host =
          ActivityStubs.stub(
              RestoreActivities.class,
              ActivityStubs.onHost(hostQueue),
              "Download and restore " + backup.backupId() + " on " + hostQueue);
      try {
        DownloadResult fetched =
            phases.run(
                "Download",
                () -> Async.function(host::download, download));
        phases.clock().note("Download", downloadNote(fetched));
        scratchMayExist = true;
        scratchMade = true;
        RestoreResult restored =
            phases.run(
                "Restore",
                () ->
                    Async.function(
                        host::restore,
                        new RestoreRequest(
                            plan.service(), backup.manifestKey(), runId, "drill", scratchDatabase)));
        restoreChecks = restored.checks() == null ? List.of() : restored.checks();
        phases.clock().note(
            "Restore",
            "pg_restore -j" + restored.jobs() + " into " + scratchDatabase
                + (restoreChecks.isEmpty() ? "" : "; rows counted and keys checked as it loaded"));
        if (Workflow.getVersion(ASYNC_HOST_CLEANUP, Workflow.DEFAULT_VERSION, 1) == 1) {
          // Freeing the disk need not hold up validation: it is awaited before the report.
          hostFilesDeletion = Async.procedure(hostFiles()::deleteWorkFiles, runId);
        } else {
          deleteHostFiles();
        }
        break;
      } catch (RuntimeException e) {
        if (attempt >= HOST_ATTEMPTS || !Failures.hostGone(e)) {
          throw e;
        }
        log.warn("host queue {} has no worker; retrying download and restore elsewhere", hostQueue);
      }
    }
    ValidationResult result =
        phases.run(
            "Validate",
            () ->
                Async.function(
                    validator::validate,
                    new ValidateRequest(
                        plan.service(), backup.manifestKey(), "drill", scratchDatabase, restoreChecks)));
    checks.addAll(result.checks());
    validatedAt = Workflow.currentTimeMillis();
    notifier.stopWatchingRto();
  }

  /** How much crossed the network: after a crash or a fault, a resumed download fetches less. */
  static String downloadNote(DownloadResult r) {
    if (r == null) {
      return null;
    }
    if (r.streamed()) {
      return "archive head fetched (" + Bytes.human(r.bytesFetched()) + " of " + Bytes.human(r.storedBytes())
          + "); the data streams during the Restore";
    }
    String fetched = Bytes.human(r.bytesFetched()) + " of " + Bytes.human(r.storedBytes()) + " fetched";
    return r.resumedFromByte() > 0
        ? fetched + ", resumed at byte " + r.resumedFromByte()
        : fetched;
  }

  /**
   * The decompressed dump is as large as the database: free the disk as soon as it is restored,
   * and after a failure too.
   */
  private void deleteHostFiles() {
    if (hostQueue == null || hostFilesDeleted) {
      return;
    }
    if (hostFilesDeletion != null) {
      try {
        hostFilesDeletion.get();
        hostFilesDeleted = true;
        return;
      } catch (RuntimeException e) {
        // Cancelled along with the run, or failed: one more try from the cleanup scope.
        hostFilesDeletion = null;
      }
    }
    try {
      hostFiles().deleteWorkFiles(Workflow.getInfo().getRunId());
      hostFilesDeleted = true;
    } catch (RuntimeException e) {
      // The worker also sweeps stale work directories on start; a leftover file is not a failure.
      log.warn("could not delete work files on {}: {}", hostQueue, Failures.describe(e));
    }
  }

  private RestoreActivities hostFiles() {
    return Workflow.newActivityStub(
        RestoreActivities.class,
        ActivityOptions.newBuilder(ActivityStubs.quick())
            .setTaskQueue(hostQueue)
            .setScheduleToStartTimeout(Duration.ofMinutes(1))
            .setSummary("Delete downloaded files on " + hostQueue)
            .build());
  }

  private void cleanupAndReport() {
    deleteHostFiles();
    if (input.keep() && scratchMade) {
      phases.skip("Cleanup", "kept " + scratchDatabase + " as asked");
    } else if (!scratchMayExist) {
      phases.skip("Cleanup", "nothing was created");
    } else {
      try {
        Boolean existed =
            phases.run(
                "Cleanup",
                () ->
                    Async.function(
                        cleaner::dropDatabase,
                        new DropRequest(plan.service(), "drill", scratchDatabase)));
        // A failed download may or may not have created the database: say which it was.
        scratchDropped = scratchMade || Boolean.TRUE.equals(existed);
        if (!scratchDropped) {
          phases.clock().note("Cleanup", "nothing to drop: the download created no database");
        }
      } catch (RuntimeException e) {
        if (!"FAILED".equals(status) && !"CANCELLED".equals(status)) {
          status = "FAILED";
          error = "cleanup failed: " + Failures.describe(e);
        }
      }
    }
    endedAt = Workflow.currentTimeMillis();
    try {
      reportKey = phases.run("Report", () -> Async.function(reports::store, storedReport()));
    } catch (RuntimeException e) {
      log.warn("could not store the drill report: {}", Failures.describe(e));
    }
    notifier.finished(report());
  }

  private String failedCheckNames() {
    return String.join(
        ", ", checks.stream().filter(c -> !c.passed()).map(Check::name).toList());
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
    Objective rto =
        plan == null
            ? null
            : validatedAt != null
                ? Objective.ofMillis(plan.rtoSeconds(), validatedAt - startedAt)
                : Objective.pending(plan.rtoSeconds());
    Objective rpo =
        plan == null || backup == null
            ? null
            : Objective.ofMillis(plan.rpoSeconds(), startedAt - backup.createdAtMillis());
    return new RunReport(
        info.getWorkflowId(),
        info.getRunId(),
        RestoreDrillWorkflow.TYPE,
        status,
        input == null ? null : input.service(),
        Instant.ofEpochMilli(startedAt).toString(),
        endedAt == null ? null : Instant.ofEpochMilli(endedAt).toString(),
        backup == null
            ? null
            : new RunReport.BackupSummary(
                backup.key(), backup.createdAt(), backup.sha256(), backup.storedBytes(), backup.dumpBytes()),
        phases == null ? List.of() : phases.clock().table(now),
        rto,
        rpo,
        phases == null ? null : phases.clock().rtoStatus(validatedAt != null ? validatedAt : now),
        List.copyOf(checks),
        plan == null
            ? null
            : new RunReport.Scratch(
                plan.drillServer(), scratchDatabase, input.keep() && scratchMayExist, scratchDropped),
        error,
        reportKey);
  }
}
