package io.drflow.workflows.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.drflow.workflows.Fixtures;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.NotifyActivities;
import io.drflow.workflows.activities.NotifyActivities.Notification;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.activities.RestoreActivities.DownloadRequest;
import io.drflow.workflows.activities.RestoreActivities.DownloadResult;
import io.drflow.workflows.activities.RestoreActivities.DropRequest;
import io.drflow.workflows.activities.RestoreActivities.RestoreResult;
import io.drflow.workflows.activities.RestoreActivities.ValidationResult;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RtoStatus;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionClient;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

class RestoreDrillWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension ext =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(RestoreDrillWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private final CatalogActivities catalog =
      mock(CatalogActivities.class, withSettings().withoutAnnotations());
  private final RestoreActivities restore =
      mock(RestoreActivities.class, withSettings().withoutAnnotations());
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
    worker.registerActivitiesImplementations(catalog, restore, reports, notify);
    when(notify.notify(any())).thenReturn(new NotifyActivities.Delivery(true, "HTTP 200"));
    when(catalog.plan("shop", "drill")).thenReturn(Fixtures.plan(Runbook.DRILL, Fixtures.HOUR));
    when(restore.hostTaskQueue()).thenReturn(worker.getTaskQueue());
    when(reports.store(any())).thenReturn("drflow/shop/reports/r.json");
  }

  private void happyActivities() {
    when(restore.locate(eq("shop"), isNull()))
        .thenAnswer(inv -> Fixtures.backup(env.currentTimeMillis() - 2 * 3600_000L));
    when(restore.download(any())).thenReturn(new DownloadResult("w", 1000, 4000, "ab".repeat(32), 0, 1000));
    doAnswer(
            inv ->
                new RestoreResult(
                    "127.0.0.1:5433",
                    ((RestoreActivities.RestoreRequest) inv.getArgument(0)).database(),
                    2,
                    List.of(),
                    4000))
        .when(restore)
        .restore(any());
    when(restore.validate(any()))
        .thenReturn(new ValidationResult(List.of(new Check("row counts", true, "3 tables, 42 rows"))));
    when(restore.dropDatabase(any())).thenReturn(true);
  }

  private RestoreDrillWorkflow newWorkflow(WorkflowClient client) {
    return client.newWorkflowStub(
        RestoreDrillWorkflow.class,
        WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).build());
  }

  @Test
  void passedDrillRunsPhasesInOrderAndMeasuresObjectives(WorkflowClient client) {
    happyActivities();
    env.start();

    RunReport report = newWorkflow(client).drill(DrillInput.of("shop"));

    assertThat(report.status()).isEqualTo("PASSED");
    assertThat(report.phases())
        .extracting(Phase::name)
        .containsExactly("Locate", "Download", "Restore", "Validate", "Cleanup", "Report");
    assertThat(report.phases().subList(0, 5))
        .allSatisfy(p -> assertThat(p.status()).isEqualTo(PhaseStatus.COMPLETED));
    assertThat(report.rto().met()).isTrue();
    assertThat(report.rpo().achievedSeconds()).isBetween(7100L, 7300L);
    assertThat(report.rpo().met()).isTrue();
    String runTail = report.runId().replace("-", "");
    assertThat(report.scratch().database())
        .startsWith("drill_shop_")
        .endsWith("_" + runTail.substring(runTail.length() - 8))
        .hasSizeLessThanOrEqualTo(63);
    assertThat(report.scratch().dropped()).isTrue();
    assertThat(report.checks()).extracting(Check::name).containsExactly("row counts");
    assertThat(phase(report.phases(), "Download").note()).isEqualTo("1000 B of 1000 B fetched");

    InOrder order = inOrder(restore, reports);
    order.verify(restore).locate("shop", null);
    // The download is told which database the restore will fill, so it can create it meanwhile.
    ArgumentCaptor<DownloadRequest> download = ArgumentCaptor.forClass(DownloadRequest.class);
    order.verify(restore).download(download.capture());
    assertThat(download.getValue().scratchServer()).isEqualTo("drill");
    assertThat(download.getValue().scratchDatabase()).isEqualTo(report.scratch().database());
    assertThat(download.getValue().workId()).isEqualTo(report.runId());
    order.verify(restore).restore(any());
    order.verify(restore).validate(any());
    order.verify(restore).dropDatabase(new DropRequest("shop", "drill", report.scratch().database()));
    ArgumentCaptor<RunReport> stored = ArgumentCaptor.forClass(RunReport.class);
    order.verify(reports).store(stored.capture());
    // The stored copy is read only if the write succeeded: it must not show its own phase running.
    assertThat(stored.getValue().phases())
        .allSatisfy(p -> assertThat(p.status()).isEqualTo(PhaseStatus.COMPLETED));
    assertThat(phase(stored.getValue().phases(), "Report").endedAt()).isNotNull();

    List<Notification> sent = notifications();
    assertThat(sent).extracting(Notification::event).containsExactly("started", "completed");
    assertThat(sent.get(0).message()).isEqualTo("Restore drill of shop started (RTO 1h 00m)");
    Notification done = sent.get(1);
    assertThat(done.severity()).isEqualTo("info");
    assertThat(done.status()).isEqualTo("PASSED");
    assertThat(done.runbook()).isEqualTo("RestoreDrillWorkflow");
    assertThat(done.reportKey()).isEqualTo("drflow/shop/reports/r.json");
    assertThat(done.message()).startsWith("Restore drill of shop passed: RTO ").contains("(met)").contains("1/1 checks passed");
    assertThat(done.workflowId()).isEqualTo(report.workflowId());
  }

  private List<Notification> notifications() {
    ArgumentCaptor<Notification> sent = ArgumentCaptor.forClass(Notification.class);
    verify(notify, atLeastOnce()).notify(sent.capture());
    return sent.getAllValues();
  }

  @Test
  void aNotifierThatFailsDoesNotChangeTheRun(WorkflowClient client) {
    happyActivities();
    doThrow(new IllegalStateException("webhook exploded")).when(notify).notify(any());
    env.start();

    RunReport report = newWorkflow(client).drill(DrillInput.of("shop"));

    assertThat(report.status()).isEqualTo("PASSED");
    verify(reports).store(any());
  }

  @Test
  void phaseOverrunMarksRunAtRiskWhileRunningAndRtoBreachLater(WorkflowClient client)
      throws Exception {
    happyActivities();
    // RTO of 4 s: Restore's budget is 2 s. The test server does not skip time while an activity
    // is outstanding, so these few seconds pass for real; the restore completes asynchronously
    // and the test watches the run go AT_RISK, then BREACHED, while Restore is still running.
    when(catalog.plan("shop", "drill")).thenReturn(Fixtures.plan(Runbook.DRILL, 4));
    CompletableFuture<byte[]> restoreToken = new CompletableFuture<>();
    doAnswer(
            inv -> {
              ActivityExecutionContext ctx = Activity.getExecutionContext();
              restoreToken.complete(ctx.getTaskToken());
              ctx.doNotCompleteOnReturn();
              return null;
            })
        .when(restore)
        .restore(any());
    env.start();
    RestoreDrillWorkflow wf = newWorkflow(client);
    WorkflowClient.start(wf::drill, DrillInput.of("shop"));
    byte[] token = restoreToken.get(10, TimeUnit.SECONDS);
    ActivityCompletionClient completions = client.newActivityCompletionClient();

    env.sleep(Duration.ofMillis(2600));
    Progress atRisk = wf.progress();
    assertThat(atRisk.rtoStatus()).isEqualTo(RtoStatus.AT_RISK);
    assertThat(phase(atRisk, "Restore").status()).isEqualTo(PhaseStatus.RUNNING);
    assertThat(phase(atRisk, "Restore").overBudget()).isTrue();
    assertThat(phase(atRisk, "Download").overBudget()).isFalse();

    completions.heartbeat(token, "still restoring");
    env.sleep(Duration.ofMillis(2000));
    Progress breached = wf.progress();
    assertThat(breached.rtoStatus()).isEqualTo(RtoStatus.BREACHED);
    assertThat(breached.rtoRemainingSeconds()).isNotPositive();
    assertThat(phase(breached, "Restore").status()).isEqualTo(PhaseStatus.RUNNING);

    completions.complete(token, new RestoreResult("s", "d", 2, List.of(), 1));
    RunReport report = WorkflowStub.fromTyped(wf).getResult(RunReport.class);
    assertThat(report.status()).isEqualTo("PASSED");
    assertThat(report.rto().met()).isFalse();
    List<Notification> sent = notifications();
    assertThat(sent).extracting(Notification::event).containsExactly("started", "at-risk", "breached", "completed");
    Notification atRiskEvent = sent.get(1);
    assertThat(atRiskEvent.severity()).isEqualTo("warning");
    assertThat(atRiskEvent.phase()).isEqualTo("Restore");
    assertThat(atRiskEvent.status()).isEqualTo("AT_RISK");
    assertThat(atRiskEvent.message()).startsWith("Restore drill of shop is at risk: Restore has run ").contains("of its 2s budget");
    assertThat(sent.get(2).severity()).isEqualTo("critical");
    assertThat(sent.get(2).message()).isEqualTo("Restore drill of shop has run out of its RTO of 4s during Restore");
    assertThat(sent.get(3).message()).contains("(MISSED)");
    assertThat(report.rtoStatus()).isEqualTo(RtoStatus.BREACHED);
    assertThat(phase(report.phases(), "Restore").seconds()).isGreaterThan(4);
  }

  @Test
  void checksumMismatchFailsOnceWithoutRetryAndDropsWhatTheDownloadMayHaveCreated(WorkflowClient client) {
    happyActivities();
    when(restore.download(any()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "sha256 of drflow/shop/backups/x/dump.zst is 00.. but the manifest says ab..",
                "ChecksumMismatch"));
    env.start();

    assertThatThrownBy(() -> newWorkflow(client).drill(DrillInput.of("shop")))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("ChecksumMismatch");

    verify(restore, times(1)).download(any());
    verify(restore, never()).restore(any());
    // A streamed download creates the scratch database while it fetches: it is dropped all the same.
    ArgumentCaptor<DownloadRequest> asked = ArgumentCaptor.forClass(DownloadRequest.class);
    verify(restore).download(asked.capture());
    verify(restore, times(1)).dropDatabase(new DropRequest("shop", "drill", asked.getValue().scratchDatabase()));
    ArgumentCaptor<RunReport> stored = ArgumentCaptor.forClass(RunReport.class);
    verify(reports).store(stored.capture());
    // happyActivities' drop answers true: the download had created it, and the report says so.
    assertThat(stored.getValue().scratch().dropped()).isTrue();
  }

  @Test
  void aFailedDownloadThatCreatedNothingIsNotReportedAsDroppingADatabase(WorkflowClient client) {
    happyActivities();
    when(restore.download(any()))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("sha256 mismatch", "ChecksumMismatch"));
    when(restore.dropDatabase(any())).thenReturn(false);
    env.start();

    WorkflowFailedException failed =
        org.junit.jupiter.api.Assertions.assertThrows(
            WorkflowFailedException.class, () -> newWorkflow(client).drill(DrillInput.of("shop")));
    RunReport report = failed.getCause() instanceof ApplicationFailure af
        ? af.getDetails().get(RunReport.class)
        : null;
    assertThat(report).isNotNull();
    assertThat(report.scratch().dropped()).isFalse();
    assertThat(phase(report.phases(), "Cleanup").note()).isEqualTo("nothing to drop: the download created no database");
  }

  @Test
  void failedValidationStillCleansUpAndReportsFailure(WorkflowClient client) {
    happyActivities();
    when(restore.validate(any()))
        .thenReturn(
            new ValidationResult(
                List.of(
                    new Check("row counts", true, "ok"),
                    new Check("assertion: customers exist", false, "returned false"))));
    env.start();

    AtomicReference<RunReport> failedReport = new AtomicReference<>();
    assertThatThrownBy(() -> newWorkflow(client).drill(DrillInput.of("shop")))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(
            e -> {
              ApplicationFailure af = (ApplicationFailure) e.getCause();
              assertThat(af.getType()).isEqualTo("DrillFailed");
              failedReport.set(af.getDetails().get(RunReport.class));
            });
    verify(restore).dropDatabase(any());
    RunReport report = failedReport.get();
    assertThat(report.status()).isEqualTo("FAILED");
    assertThat(report.error()).contains("assertion: customers exist");
    assertThat(report.scratch().dropped()).isTrue();
    Notification failed = notifications().getLast();
    assertThat(failed.event()).isEqualTo("failed");
    assertThat(failed.severity()).isEqualTo("critical");
    assertThat(failed.message()).contains("FAILED").contains("verification failed: assertion: customers exist");
  }

  @Test
  void restoreFailureDropsTheHalfRestoredScratchDatabase(WorkflowClient client) {
    happyActivities();
    doThrow(ApplicationFailure.newNonRetryableFailure("pg_restore: out of disk", "RestoreFailed"))
        .when(restore)
        .restore(any());
    env.start();

    assertThatThrownBy(() -> newWorkflow(client).drill(DrillInput.of("shop")))
        .isInstanceOf(WorkflowFailedException.class);
    verify(restore).dropDatabase(any());
    verify(restore, never()).validate(any());
  }

  @Test
  void cancellationRunsCleanupInDetachedScope(WorkflowClient client) throws Exception {
    happyActivities();
    CountDownLatch restoring = new CountDownLatch(1);
    doAnswer(
            inv -> {
              restoring.countDown();
              // Heartbeat until cancelled, as the real activity does while pg_restore runs.
              for (int i = 0; i < 200; i++) {
                io.temporal.activity.Activity.getExecutionContext().heartbeat(i);
                Thread.sleep(100);
              }
              return new RestoreResult("s", "d", 2, List.of(), 1);
            })
        .when(restore)
        .restore(any());
    env.start();
    RestoreDrillWorkflow wf = newWorkflow(client);
    WorkflowClient.start(wf::drill, DrillInput.of("shop"));
    assertThat(restoring.await(10, TimeUnit.SECONDS)).isTrue();

    WorkflowStub stub = WorkflowStub.fromTyped(wf);
    stub.cancel();

    assertThatThrownBy(() -> stub.getResult(RunReport.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    verify(restore).dropDatabase(any());
    verify(reports).store(any());
    assertThat(notifications()).extracting(Notification::event).containsExactly("started", "cancelled");
  }

  @Test
  void checksMadeDuringTheRestoreGoToValidationSoItDoesNotRepeatThem(WorkflowClient client) {
    happyActivities();
    List<Check> made = List.of(
        new Check("row counts", true, "3 tables, 42 rows"), new Check("foreign keys", true, "1"));
    doAnswer(inv -> new RestoreResult("127.0.0.1:5433",
            ((RestoreActivities.RestoreRequest) inv.getArgument(0)).database(), 2, List.of(), 4000,
            made))
        .when(restore).restore(any());
    env.start();

    RunReport report = newWorkflow(client).drill(DrillInput.of("shop"));

    assertThat(report.status()).isEqualTo("PASSED");
    org.mockito.ArgumentCaptor<RestoreActivities.ValidateRequest> request =
        org.mockito.ArgumentCaptor.forClass(RestoreActivities.ValidateRequest.class);
    verify(restore).validate(request.capture());
    assertThat(request.getValue().restoreChecks()).isEqualTo(made);
    assertThat(report.phases().get(2).note()).contains("rows counted and keys checked as it loaded");
  }

  @Test
  void downloadedFilesAreDeletedWhileValidationRuns(WorkflowClient client) throws Exception {
    happyActivities();
    CountDownLatch validating = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean overlapped = new java.util.concurrent.atomic.AtomicBoolean();
    doAnswer(
            inv -> {
              // Returns at once if validation is running meanwhile; if deletion held it up,
              // this waits in vain.
              overlapped.set(validating.await(10, TimeUnit.SECONDS));
              return null;
            })
        .when(restore)
        .deleteWorkFiles(anyString());
    when(restore.validate(any()))
        .thenAnswer(
            inv -> {
              validating.countDown();
              return new ValidationResult(List.of(new Check("row counts", true, "ok")));
            });
    env.start();

    RunReport report = newWorkflow(client).drill(DrillInput.of("shop"));

    assertThat(report.status()).isEqualTo("PASSED");
    assertThat(overlapped).isTrue();
    verify(restore, times(1)).deleteWorkFiles(anyString());
  }

  @Test
  void downloadedFilesAreStillDeletedWhenTheRunIsCancelledDuringValidation(WorkflowClient client)
      throws Exception {
    happyActivities();
    java.util.concurrent.atomic.AtomicInteger deletions = new java.util.concurrent.atomic.AtomicInteger();
    CountDownLatch validating = new CountDownLatch(1);
    CountDownLatch cancelled = new CountDownLatch(1);
    doAnswer(
            inv -> {
              if (deletions.incrementAndGet() == 1) {
                // The first deletion is still running when the run is cancelled.
                cancelled.await(30, TimeUnit.SECONDS);
                Thread.sleep(3000);
              }
              return null;
            })
        .when(restore)
        .deleteWorkFiles(anyString());
    doAnswer(
            inv -> {
              validating.countDown();
              for (int i = 0; i < 200; i++) {
                io.temporal.activity.Activity.getExecutionContext().heartbeat(i);
                Thread.sleep(100);
              }
              return new ValidationResult(List.of());
            })
        .when(restore)
        .validate(any());
    env.start();
    RestoreDrillWorkflow wf = newWorkflow(client);
    WorkflowClient.start(wf::drill, DrillInput.of("shop"));
    assertThat(validating.await(10, TimeUnit.SECONDS)).isTrue();

    WorkflowStub stub = WorkflowStub.fromTyped(wf);
    stub.cancel();
    cancelled.countDown();

    assertThatThrownBy(() -> stub.getResult(RunReport.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    verify(restore, times(2)).deleteWorkFiles(anyString());
    verify(restore).dropDatabase(any());
    verify(reports).store(any());
  }

  @Test
  void keepScratchSkipsCleanupAndNamesTheDatabase(WorkflowClient client) {
    happyActivities();
    env.start();

    RunReport report = newWorkflow(client).drill(new DrillInput("shop", null, true));

    verify(restore, never()).dropDatabase(any());
    assertThat(report.scratch().kept()).isTrue();
    assertThat(report.scratch().database()).startsWith("drill_shop_");
    assertThat(phase(report.phases(), "Cleanup").status()).isEqualTo(PhaseStatus.SKIPPED);
  }

  @Test
  void explicitBackupKeyIsPassedThrough(WorkflowClient client) {
    happyActivities();
    when(restore.locate("shop", "20261101T000000Z-abcdef12"))
        .thenAnswer(inv -> Fixtures.backup(env.currentTimeMillis() - 3600_000L));
    env.start();

    RunReport report =
        newWorkflow(client).drill(new DrillInput("shop", "20261101T000000Z-abcdef12", false));

    assertThat(report.backup().key()).endsWith("/dump.zst");
    verify(restore).locate("shop", "20261101T000000Z-abcdef12");
  }

  @Test
  void missingServiceFailsFastWithoutActivities(WorkflowClient client) {
    env.start();
    assertThatThrownBy(() -> newWorkflow(client).drill(new DrillInput(" ", null, null)))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("needs a service name");
    verifyNoInteractions(catalog, restore, reports);
  }

  @Test
  void unknownServiceFailsBeforeAnySideEffect(WorkflowClient client) {
    when(catalog.plan(anyString(), anyString()))
        .thenThrow(
            ApplicationFailure.newNonRetryableFailure(
                "unknown service 'nope'; configured: shop", "UnknownService"));
    env.start();
    assertThatThrownBy(() -> newWorkflow(client).drill(DrillInput.of("nope")))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("unknown service 'nope'");
    verify(catalog, times(1)).plan("nope", "drill");
    verifyNoInteractions(restore, reports);
  }

  @Test
  void aResumedDownloadSaysHowMuchItFetched() {
    assertThat(
            RestoreDrillWorkflowImpl.downloadNote(
                new DownloadResult("w", 10L << 20, 40L << 20, "ab".repeat(32), 6L << 20, 4L << 20)))
        .isEqualTo("4.0 MiB of 10.0 MiB fetched, resumed at byte 6291456");
  }

  @Test
  void aStreamedDownloadSaysItFetchedOnlyTheHead() {
    assertThat(
            RestoreDrillWorkflowImpl.downloadNote(
                new DownloadResult("w", 10L << 20, 40L << 20, null, 0, 1L << 20, true)))
        .isEqualTo("archive head fetched (1.0 MiB of 10.0 MiB); the data streams during the Restore");
  }

  private static Phase phase(Progress p, String name) {
    return phase(p.phases(), name);
  }

  private static Phase phase(List<Phase> phases, String name) {
    return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  @SuppressWarnings("unused")
  private static ServicePlan withBudgets(ServicePlan p, Map<String, Long> budgets) {
    return new ServicePlan(
        p.service(), p.runbook(), p.database(), p.sourceServer(), p.drillServer(), p.rtoSeconds(),
        p.rpoSeconds(), budgets, p.assertionCount(), p.storage());
  }
}
