package io.drflow.workflows.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.drflow.workflows.Fixtures;
import io.drflow.workflows.activities.BackupActivities;
import io.drflow.workflows.activities.BackupActivities.DumpRequest;
import io.drflow.workflows.activities.BackupActivities.DumpResult;
import io.drflow.workflows.activities.BackupActivities.Published;
import io.drflow.workflows.activities.BackupActivities.RetentionResult;
import io.drflow.workflows.activities.BackupActivities.StageTiming;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.NotifyActivities;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

class BackupWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension ext =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(BackupWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final CatalogActivities catalog =
      mock(CatalogActivities.class, withSettings().withoutAnnotations());
  private final BackupActivities backups =
      mock(BackupActivities.class, withSettings().withoutAnnotations());
  private final ReportActivities reports =
      mock(ReportActivities.class, withSettings().withoutAnnotations());
  private final NotifyActivities notify =
      mock(NotifyActivities.class, withSettings().withoutAnnotations());
  private TestWorkflowEnvironment env;
  private Worker worker;

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker) {
    this.env = env;
    this.worker = worker;
    worker.registerActivitiesImplementations(catalog, backups, reports, notify);
    when(notify.notify(any())).thenReturn(new NotifyActivities.Delivery(false, "no webhook configured"));
    when(reports.store(any())).thenAnswer(inv -> "drflow/shop/reports/" + ((RunReport) inv.getArgument(0)).workflowId() + ".json");
    when(catalog.plan("shop", "backup")).thenReturn(Fixtures.plan(Runbook.BACKUP, Fixtures.HOUR));
  }

  private BackupWorkflow newWorkflow(WorkflowClient client) {
    return client.newWorkflowStub(
        BackupWorkflow.class, WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).build());
  }

  private static DumpResult dump(DumpRequest req) {
    long t0 = 1_700_000_000_000L;
    String dir = "drflow/shop/backups/" + req.backupId() + "/";
    return new DumpResult(
        "shop", req.backupId(), dir + "dump.zst", dir + "staging.json", dir + "roles.json",
        dir + "globals.sql", Instant.ofEpochMilli(t0 + 100).toString(), t0 + 100, "15.18", 3, 42,
        4000, 1000, "ab".repeat(32),
        List.of(
            new StageTiming("Snapshot", t0, t0 + 100),
            new StageTiming("Dump", t0 + 100, t0 + 5_000),
            new StageTiming("Compress", t0 + 150, t0 + 5_050),
            new StageTiming("Checksum", t0 + 150, t0 + 5_050),
            new StageTiming("Upload", t0 + 200, t0 + 5_300)));
  }

  @Test
  void streamsThenPublishesThenAppliesRetention(WorkflowClient client) {
    when(backups.dumpAndUpload(any())).thenAnswer(inv -> dump(inv.getArgument(0)));
    when(backups.publishManifest(any()))
        .thenAnswer(
            inv -> {
              DumpResult d = inv.getArgument(0);
              return new Published(
                  d.dataKey().replace("dump.zst", "manifest.json"), d.dataKey(), d.sha256(), 1000);
            });
    when(backups.applyRetention(eq("shop"), anyString()))
        .thenReturn(new RetentionResult(3, List.of("old-1"), List.of("daily")));
    env.start();

    RunReport report = newWorkflow(client).backup(new BackupInput("shop"));

    assertThat(report.status()).isEqualTo("COMPLETED");
    assertThat(report.phases())
        .extracting(Phase::name)
        .containsExactly(
            "Snapshot", "Dump", "Compress", "Checksum", "Upload", "Manifest", "Retention");
    assertThat(report.phases()).allSatisfy(p -> assertThat(p.status()).isEqualTo(PhaseStatus.COMPLETED));
    Phase dumpPhase = report.phases().get(1);
    assertThat(dumpPhase.seconds()).isEqualTo(4.9);
    assertThat(dumpPhase.pipelined()).isTrue();
    assertThat(report.backup().key()).matches("drflow/shop/backups/\\d{8}T\\d{6}Z-[0-9a-z]{8}/dump.zst");
    assertThat(report.reportKey()).endsWith("manifest.json");

    InOrder order = inOrder(backups, reports);
    order.verify(backups).dumpAndUpload(any());
    order.verify(backups).publishManifest(any());
    order.verify(backups).applyRetention(eq("shop"), anyString());
    order.verify(reports).store(any());
  }

  @Test
  void storesTheFinalReportItReturns(WorkflowClient client) {
    when(backups.dumpAndUpload(any())).thenAnswer(inv -> dump(inv.getArgument(0)));
    when(backups.publishManifest(any())).thenReturn(new Published("m", "d", "s", 1));
    when(backups.applyRetention(eq("shop"), anyString()))
        .thenReturn(new RetentionResult(1, List.of(), List.of()));
    env.start();

    RunReport returned = newWorkflow(client).backup(new BackupInput("shop"));

    ArgumentCaptor<RunReport> stored = ArgumentCaptor.forClass(RunReport.class);
    verify(reports).store(stored.capture());
    assertThat(stored.getValue().status()).isEqualTo("COMPLETED");
    assertThat(stored.getValue().endedAt()).isEqualTo(returned.endedAt()).isNotNull();
    assertThat(stored.getValue().phases()).isEqualTo(returned.phases());
    ArgumentCaptor<NotifyActivities.Notification> sent = ArgumentCaptor.forClass(NotifyActivities.Notification.class);
    verify(notify, times(2)).notify(sent.capture());
    assertThat(sent.getAllValues()).extracting(NotifyActivities.Notification::event).containsExactly("started", "completed");
    assertThat(sent.getValue().reportKey())
        .as("the stored report, not the manifest")
        .isEqualTo("drflow/shop/reports/" + returned.workflowId() + ".json");
    assertThat(sent.getValue().message()).isEqualTo("Backup of shop completed: 3.9 KiB dumped, 1000 B stored, 2/2 checks passed");
  }

  @Test
  void aReportThatCannotBeStoredDoesNotFailTheBackup(WorkflowClient client) {
    when(backups.dumpAndUpload(any())).thenAnswer(inv -> dump(inv.getArgument(0)));
    when(backups.publishManifest(any())).thenReturn(new Published("m", "d", "s", 1));
    when(backups.applyRetention(eq("shop"), anyString()))
        .thenReturn(new RetentionResult(1, List.of(), List.of()));
    doThrow(ApplicationFailure.newNonRetryableFailure("bucket gone", "BackupNotFound"))
        .when(reports)
        .store(any());
    env.start();

    assertThat(newWorkflow(client).backup(new BackupInput("shop")).status()).isEqualTo("COMPLETED");
  }

  @Test
  void retentionProtectsTheBackupJustTaken(WorkflowClient client) {
    AtomicReference<String> id = new AtomicReference<>();
    when(backups.dumpAndUpload(any()))
        .thenAnswer(
            inv -> {
              DumpRequest r = inv.getArgument(0);
              id.set(r.backupId());
              return dump(r);
            });
    when(backups.publishManifest(any())).thenReturn(new Published("m", "d", "s", 1));
    when(backups.applyRetention(eq("shop"), anyString()))
        .thenReturn(new RetentionResult(1, List.of(), List.of()));
    env.start();

    newWorkflow(client).backup(new BackupInput("shop"));

    verify(backups).applyRetention("shop", id.get());
  }

  @Test
  void failedUploadFailsTheRunWithoutPublishing(WorkflowClient client) {
    when(backups.dumpAndUpload(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "pg_dump: error: connection to server failed", "ServerUnreachable"));
    env.start();

    assertThatThrownBy(() -> newWorkflow(client).backup(new BackupInput("shop")))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(
            e -> {
              ApplicationFailure af = (ApplicationFailure) e.getCause();
              assertThat(af.getType()).isEqualTo("BackupFailed");
              RunReport r = af.getDetails().get(RunReport.class);
              assertThat(r.status()).isEqualTo("FAILED");
              assertThat(r.phases().get(1).status()).isEqualTo(PhaseStatus.FAILED);
              assertThat(r.phases().get(5).status()).isEqualTo(PhaseStatus.PENDING);
            });
    verify(backups, never()).publishManifest(any());
    verify(backups, never()).applyRetention(anyString(), anyString());
    ArgumentCaptor<RunReport> stored = ArgumentCaptor.forClass(RunReport.class);
    verify(reports).store(stored.capture());
    assertThat(stored.getValue().status()).isEqualTo("FAILED");
    assertThat(stored.getValue().error()).contains("connection to server failed");
  }
}
