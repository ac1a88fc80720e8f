package io.drflow.workflows.backup;

import io.drflow.workflows.activities.BackupActivities;
import io.drflow.workflows.activities.BackupActivities.DumpRequest;
import io.drflow.workflows.activities.BackupActivities.DumpResult;
import io.drflow.workflows.activities.BackupActivities.Published;
import io.drflow.workflows.activities.BackupActivities.RetentionResult;
import io.drflow.workflows.activities.BackupActivities.StageTiming;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.drflow.workflows.runbook.ActivityStubs;
import io.drflow.workflows.runbook.Failures;
import io.drflow.workflows.runbook.PhaseRunner;
import io.drflow.workflows.runbook.RunNotifier;
import io.drflow.workflows.runbook.ScratchNames;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

public class BackupWorkflowImpl implements BackupWorkflow {

  private static final Logger log = Workflow.getLogger(BackupWorkflowImpl.class);

  /** Runs started before backups stored their report replay without the extra activity. */
  static final String STORE_REPORT_CHANGE = "store-backup-report";

  static final List<String> STREAM_PHASES =
      List.of("Snapshot", "Dump", "Compress", "Checksum", "Upload");

  private final CatalogActivities catalog =
      ActivityStubs.stub(CatalogActivities.class, ActivityStubs.quick(), "Resolve service");
  private final BackupActivities streamer =
      ActivityStubs.stub(
          BackupActivities.class,
          ActivityStubs.longRunning(),
          "pg_dump --snapshot → zstd → SHA-256 → S3 multipart");
  private final BackupActivities publisher =
      ActivityStubs.stub(BackupActivities.class, ActivityStubs.quick(), "Publish manifest");
  private final BackupActivities retention =
      ActivityStubs.stub(BackupActivities.class, ActivityStubs.quick(), "Apply retention");
  private final ReportActivities reports =
      ActivityStubs.stub(ReportActivities.class, ActivityStubs.quick(), "Store backup report");

  private long startedAt;
  private Long endedAt;
  private BackupInput input;
  private ServicePlan plan;
  private PhaseRunner phases;
  private DumpResult dump;
  private Published published;
  private final List<Check> checks = new ArrayList<>();
  private String status = "RUNNING";
  private String error;
  private RunNotifier notifier;
  private String storedReportKey;

  @Override
  public RunReport backup(BackupInput in) {
    startedAt = Workflow.currentTimeMillis();
    input = in;
    if (in != null && in.problem() != null) {
      throw Failures.invalidInput(in.problem());
    }
    Failures.requireService(in == null ? null : in.service());
    notifier = new RunNotifier(Runbook.BACKUP);
    plan = Failures.asRunFailure(() -> catalog.plan(in.service(), Runbook.BACKUP.id()));
    phases = new PhaseRunner(Runbook.BACKUP, plan, startedAt);
    notifier.started(plan, phases);
    WorkflowInfo info = Workflow.getInfo();
    boolean tail =
        Workflow.getVersion(ScratchNames.VERSION_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1;
    String backupId = ScratchNames.backupId(startedAt, info.getRunId(), tail);
    try {
      dump =
          phases.runPipelined(
              STREAM_PHASES,
              () ->
                  Async.function(
                      streamer::dumpAndUpload, new DumpRequest(plan.service(), backupId)));
      retimeStreamPhases(dump.stages());
      published = phases.run("Manifest", () -> Async.function(publisher::publishManifest, dump));
      checks.add(
          new Check(
              "snapshot row counts recorded",
              true,
              dump.tables() + " tables, " + dump.rows() + " rows at " + dump.snapshotAt()));
      checks.add(
          new Check(
              "stored object verified",
              true,
              Bytes.human(dump.storedBytes()) + " stored for " + Bytes.human(dump.dumpBytes())
                  + " dumped, sha256 " + dump.sha256()));
      RetentionResult kept =
          phases.run(
              "Retention", () -> Async.function(retention::applyRetention, plan.service(), backupId));
      phases.clock().note(
          "Retention", "kept " + kept.kept() + ", deleted " + kept.deletedBackupIds().size());
      status = "COMPLETED";
    } catch (RuntimeException e) {
      status = "FAILED";
      error = Failures.describe(e);
      endedAt = Workflow.currentTimeMillis();
      finish();
      throw ApplicationFailure.newNonRetryableFailure(
          "backup of " + plan.service() + " failed: " + error, Failures.BACKUP_FAILED, report());
    }
    endedAt = Workflow.currentTimeMillis();
    finish();
    return report();
  }

  /** Detached: a cancelled backup still leaves its report and tells people how it ended. */
  private void finish() {
    Workflow.newDetachedCancellationScope(
            () -> {
              storeReport();
              RunReport r = report();
              notifier.finished(storedReportKey == null ? r : r.withReportKey(storedReportKey));
            })
        .run();
  }

  /**
   * Every run leaves its report beside the backups, failed ones too; storing it is also what
   * updates the worker's metrics. Not a phase: the backup is complete (or not) before it.
   */
  private void storeReport() {
    if (Workflow.getVersion(STORE_REPORT_CHANGE, Workflow.DEFAULT_VERSION, 1)
        == Workflow.DEFAULT_VERSION) {
      return;
    }
    try {
      storedReportKey = reports.store(report());
    } catch (RuntimeException e) {
      log.warn("could not store the backup report: {}", Failures.describe(e));
    }
  }

  /**
   * The stream's stages overlap by design; the activity measured each one's window where it ran,
   * which is more truthful than the single window the workflow saw.
   */
  private void retimeStreamPhases(List<StageTiming> stages) {
    if (stages == null) {
      return;
    }
    for (StageTiming s : stages) {
      if (STREAM_PHASES.contains(s.stage())) {
        phases.clock().retime(s.stage(), s.startedAtMillis(), s.endedAtMillis());
      }
    }
    phases.publish();
  }

  @Override
  public Progress progress() {
    return phases == null ? null : phases.progress();
  }

  @Override
  public RunReport report() {
    long now = Workflow.currentTimeMillis();
    WorkflowInfo info = Workflow.getInfo();
    return new RunReport(
        info.getWorkflowId(),
        info.getRunId(),
        BackupWorkflow.TYPE,
        status,
        input == null ? null : input.service(),
        Instant.ofEpochMilli(startedAt).toString(),
        endedAt == null ? null : Instant.ofEpochMilli(endedAt).toString(),
        dump == null || published == null
            ? null
            : new RunReport.BackupSummary(
                dump.dataKey(), dump.snapshotAt(), dump.sha256(), dump.storedBytes(), dump.dumpBytes()),
        phases == null ? List.of() : phases.clock().table(now),
        null,
        null,
        phases == null ? null : phases.clock().rtoStatus(endedAt != null ? endedAt : now),
        List.copyOf(checks),
        null,
        error,
        published == null ? null : published.manifestKey());
  }
}
