package io.drflow.workflows.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.drflow.workflows.Fixtures;
import io.drflow.workflows.activities.BackupActivities;
import io.drflow.workflows.activities.BackupActivities.DumpResult;
import io.drflow.workflows.activities.BackupActivities.Published;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.DeploymentActivities;
import io.drflow.workflows.activities.DeploymentActivities.ScaleBackRequest;
import io.drflow.workflows.activities.DeploymentActivities.ScaleResult;
import io.drflow.workflows.activities.HealthActivities;
import io.drflow.workflows.activities.HealthActivities.HealthResult;
import io.drflow.workflows.activities.NotifyActivities;
import io.drflow.workflows.activities.NotifyActivities.Delivery;
import io.drflow.workflows.activities.NotifyActivities.Notification;
import io.drflow.workflows.activities.RecoveryActivities;
import io.drflow.workflows.activities.RecoveryActivities.Assessment;
import io.drflow.workflows.activities.RecoveryActivities.RecoveryPlan;
import io.drflow.workflows.activities.RecoveryActivities.SwapResult;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.activities.RestoreActivities.DownloadResult;
import io.drflow.workflows.activities.RestoreActivities.DropRequest;
import io.drflow.workflows.activities.RestoreActivities.LocateAtRequest;
import io.drflow.workflows.activities.RestoreActivities.RestoreResult;
import io.drflow.workflows.activities.RestoreActivities.ValidationResult;
import io.drflow.workflows.model.Approval;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.Phase;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.model.RecoveryDetails.RollbackStep;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.temporal.activity.Activity;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.drflow.workflows.activities.LockActivities;
import io.drflow.workflows.runbook.ServiceLockWorkflowImpl;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;

class RecoveryWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension ext =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(
              RecoveryWorkflowImpl.class, ServiceLockWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private static final List<Replicas> BEFORE = List.of(new Replicas("api", 3), new Replicas("worker", 1));
  private static final long REMINDER_SECONDS = 600;

  private final CatalogActivities catalog = mock(CatalogActivities.class, withSettings().withoutAnnotations());
  private final RecoveryActivities recovery = mock(RecoveryActivities.class, withSettings().withoutAnnotations());
  private final RestoreActivities restore = mock(RestoreActivities.class, withSettings().withoutAnnotations());
  private final BackupActivities backups = mock(BackupActivities.class, withSettings().withoutAnnotations());
  private final DeploymentActivities deployments = mock(DeploymentActivities.class, withSettings().withoutAnnotations());
  private final HealthActivities health = mock(HealthActivities.class, withSettings().withoutAnnotations());
  private final ReportActivities reports = mock(ReportActivities.class, withSettings().withoutAnnotations());
  /** A hand-written fake, so the test can wait for events and count them. */
  private final RecordingNotifier notifier = new RecordingNotifier();

  private TestWorkflowEnvironment env;
  private Worker worker;
  private WorkflowClient client;

  static final class RecordingNotifier implements NotifyActivities {
    final List<Notification> sent = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch approvalRequested = new CountDownLatch(1);

    /** Runs inside the delivery, before it returns. */
    volatile java.util.function.Consumer<Notification> during = n -> {};

    @Override
    public Delivery notify(Notification n) {
      during.accept(n);
      sent.add(n);
      if (n.event().equals("approval-requested")) {
        approvalRequested.countDown();
      }
      return new Delivery(false, "no webhook");
    }

    long count(String event) {
      synchronized (sent) {
        return sent.stream().filter(n -> n.event().equals(event)).count();
      }
    }

    void awaitApprovalRequest() throws InterruptedException {
      assertThat(approvalRequested.await(30, TimeUnit.SECONDS)).as("approval requested").isTrue();
    }
  }

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.env = env;
    this.worker = worker;
    this.client = client;
    // Temporal's own answer is read by the worker's implementation; here the first run holds it.
    LockActivities locks = lockId -> new LockActivities.LockHolder("recover-shop-test", "recovery");
    worker.registerActivitiesImplementations(
        catalog, recovery, restore, backups, deployments, health, reports, notifier, locks);
    when(catalog.plan("shop", "recovery")).thenReturn(Fixtures.plan(Runbook.RECOVERY, Fixtures.HOUR));
    when(recovery.prepare("shop"))
        .thenReturn(
            new RecoveryPlan(
                "shop", "shop", "127.0.0.1:5432", true, "shop", List.of("api", "worker"),
                "http://127.0.0.1:8080/healthz", 300, REMINDER_SECONDS, true, List.of()));
    when(recovery.assess("shop"))
        .thenReturn(new Assessment(true, true, true, 123_456L, "2026-11-22T02:09:00Z", null));
    when(deployments.describe("shop")).thenReturn(BEFORE);
    when(deployments.scaleDown(any())).thenReturn(new ScaleResult(BEFORE, List.of("api 3 → 0", "worker 1 → 0")));
    when(deployments.awaitNoPods("shop")).thenReturn(0);
    when(deployments.scaleBack(any())).thenReturn(new ScaleResult(BEFORE, List.of("api 0 → 3", "worker 0 → 1")));
    when(deployments.awaitAvailable("shop")).thenReturn(BEFORE);
    when(restore.locateAt(any())).thenAnswer(inv -> Fixtures.backup(env.currentTimeMillis() - 3_600_000L));
    when(restore.locate(eq("shop"), anyString())).thenAnswer(inv -> Fixtures.backup(env.currentTimeMillis() - 3_600_000L));
    when(restore.hostTaskQueue()).thenReturn(worker.getTaskQueue());
    when(restore.download(any())).thenReturn(new DownloadResult("w", 1000, 4000, "ab".repeat(32), 0, 1000));
    doAnswer(inv -> new RestoreResult("127.0.0.1:5432", ((RestoreActivities.RestoreRequest) inv.getArgument(0)).database(), 2, List.of(), 4000))
        .when(restore).restore(any());
    when(restore.validate(any())).thenReturn(new ValidationResult(List.of(new Check("row counts", true, "3 tables, 42 rows"))));
    when(restore.dropDatabase(any())).thenReturn(true);
    when(backups.dumpAndUpload(any())).thenAnswer(inv -> dump(((BackupActivities.DumpRequest) inv.getArgument(0)).backupId()));
    when(backups.publishManifest(any())).thenAnswer(inv -> {
      DumpResult d = inv.getArgument(0);
      return new Published(d.stagingKey().replace("staging", "manifest"), d.dataKey(), d.sha256(), d.storedBytes());
    });
    when(recovery.swap(any())).thenReturn(new SwapResult("SWAPPED", List.of("renamed shop to shop_pre_recovery_x", "renamed shop_restore_x to shop")));
    when(recovery.swapBack(any())).thenReturn(new SwapResult("SWAPPED_BACK", List.of("renamed shop to shop_restore_x", "renamed shop_pre_recovery_x to shop")));
    when(health.check("shop")).thenReturn(new HealthResult("http://127.0.0.1:8080/healthz", 200, 2, 1500));
    when(reports.store(any())).thenReturn("drflow/shop/reports/r.json");
  }

  private static DumpResult dump(String backupId) {
    String dir = "drflow/shop/backups/" + backupId + "/";
    return new DumpResult("shop", backupId, dir + "dump.zst", dir + "staging.json", null, null,
        "2026-11-22T03:00:00Z", 0, "15.18", 3, 42, 4000, 1000, "cd".repeat(32), List.of());
  }

  private RecoveryWorkflow newWorkflow(String id) {
    return client.newWorkflowStub(
        RecoveryWorkflow.class,
        WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).setWorkflowId(id).build());
  }

  private RecoveryWorkflow startAndAwaitApproval(RecoveryInput input) throws InterruptedException {
    RecoveryWorkflow wf = newWorkflow("recover-shop-test");
    WorkflowClient.start(wf::recover, input);
    notifier.awaitApprovalRequest();
    awaitPhaseRunning(wf, "Approval");
    return wf;
  }

  /**
   * The approval request goes out before the Approval phase starts (the gate opens first): an
   * abort sent as soon as the request is seen may land while it is still being delivered.
   */
  private static void awaitPhaseRunning(RecoveryWorkflow wf, String name) throws InterruptedException {
    for (int i = 0; i < 600; i++) {
      var p = wf.progress();
      if (p != null && p.phases().stream().anyMatch(x -> x.name().equals(name) && x.status() == PhaseStatus.RUNNING)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("phase " + name + " did not start within 30 s");
  }

  private static RunReport result(RecoveryWorkflow wf) {
    return WorkflowStub.fromTyped(wf).getResult(RunReport.class);
  }

  /** The report a failed or aborted recovery carries, with the failure's type. */
  private static RunReport failedReport(RecoveryWorkflow wf, String expectedType) {
    return failedReport(() -> result(wf), expectedType);
  }

  private RunReport failedRun(String id, RecoveryInput in, String expectedType) {
    return failedReport(() -> newWorkflow(id).recover(in), expectedType);
  }

  private static RunReport failedReport(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable run, String expectedType) {
    AtomicReference<RunReport> out = new AtomicReference<>();
    assertThatThrownBy(run)
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          ApplicationFailure af = (ApplicationFailure) e.getCause();
          assertThat(af.getType()).isEqualTo(expectedType);
          out.set(af.getDetails().get(RunReport.class));
        });
    return out.get();
  }

  private static RecoveryInput input(String at, Boolean latest, String incidentStart, Boolean yes) {
    return new RecoveryInput("shop", null, at, latest, incidentStart, yes, null, "oncall");
  }

  @Test
  void approvedViaUpdateSwapsAndReportsEverything() throws Exception {
    env.start();
    String incident = Instant.ofEpochMilli(env.currentTimeMillis()).minus(Duration.ofMinutes(20)).toString();
    RecoveryWorkflow wf = startAndAwaitApproval(input(null, null, incident, null));

    assertThat(wf.pendingApproval()).isEqualTo("swap");
    verify(recovery, never()).swap(any());
    Approval given = wf.approve(new ApprovalRequest("swap", "alice", "row counts match"));
    assertThat(given.by()).isEqualTo("alice");
    assertThat(given.via()).isEqualTo(Approval.VIA_UPDATE);

    RunReport report = result(wf);
    assertThat(report.status()).isEqualTo("COMPLETED");
    assertThat(report.phases()).extracting(Phase::name).containsExactlyElementsOf(Runbook.RECOVERY.phases());
    assertThat(report.phases())
        .filteredOn(p -> !p.name().equals("Rollback") && !p.name().equals("Report"))
        .allSatisfy(p -> assertThat(p.status()).as(p.name()).isEqualTo(PhaseStatus.COMPLETED));
    assertThat(phase(report, "Rollback").status()).isEqualTo(PhaseStatus.PENDING);
    assertThat(report.recovery().approvals())
        .singleElement()
        .satisfies(a -> {
          assertThat(a.step()).isEqualTo("swap");
          assertThat(a.by()).isEqualTo("alice");
          assertThat(a.comment()).isEqualTo("row counts match");
          assertThat(a.at()).isNotBlank();
        });
    assertThat(report.recovery().incidentStart()).isEqualTo(incident);
    assertThat(report.recovery().restoredDatabase()).startsWith("shop_restore_");
    assertThat(report.recovery().preRecoveryDatabase()).startsWith("shop_pre_recovery_");
    assertThat(report.recovery().deployments()).isEqualTo(BEFORE);
    assertThat(report.recovery().safetyCopy()).endsWith("-safety-copy/dump.zst");
    assertThat(report.recovery().rollback()).isEmpty();
    assertThat(report.checks()).extracting(Check::name).containsExactly("row counts", "service health");
    // The RTO clock started 20 minutes before the run did.
    assertThat(report.rto().achievedSeconds()).isGreaterThanOrEqualTo(1200);
    assertThat(report.rto().met()).isTrue();
    assertThat(report.rpo().achievedSeconds()).isBetween(2300L, 2500L);

    InOrder order = inOrder(recovery, restore, backups, deployments, health, reports);
    order.verify(recovery).assess("shop");
    order.verify(restore).locateAt(argThat(r -> r.notAfterMillis() == Instant.parse(incident).toEpochMilli()));
    order.verify(backups).dumpAndUpload(argThat(r -> r.backupId().endsWith("-safety-copy")));
    order.verify(deployments).scaleDown(any());
    order.verify(deployments).awaitNoPods("shop");
    order.verify(restore).download(any());
    order.verify(restore).restore(argThat(r -> r.server().equals("source") && r.database().startsWith("shop_restore_")));
    order.verify(restore).validate(any());
    order.verify(recovery).swap(argThat(r -> r.production().equals("shop") && r.preRecovery().startsWith("shop_pre_recovery_")));
    order.verify(deployments).scaleBack(new ScaleBackRequest("shop", WorkflowStub.fromTyped(wf).getExecution().getRunId(), BEFORE));
    order.verify(deployments).awaitAvailable("shop");
    order.verify(health).check("shop");
    order.verify(reports).store(any());
    verify(restore, never()).dropDatabase(any());
    verify(recovery, never()).swapBack(any());
    assertThat(notifier.count("completed")).isEqualTo(1);
  }

  @Test
  void approvalViaSignalFromTheUiWorksToo() throws Exception {
    env.start();
    RecoveryWorkflow wf = startAndAwaitApproval(RecoveryInput.of("shop"));

    WorkflowStub.fromTyped(wf).signal("approveSignal", new ApprovalRequest("swap", "bob", null));

    RunReport report = result(wf);
    assertThat(report.status()).isEqualTo("COMPLETED");
    assertThat(report.recovery().approvals()).singleElement()
        .satisfies(a -> {
          assertThat(a.by()).isEqualTo("bob");
          assertThat(a.via()).isEqualTo(Approval.VIA_SIGNAL);
        });
    verify(recovery).swap(any());
  }

  @Test
  void invalidSignalIsIgnoredAndListedAsWarning() throws Exception {
    env.start();
    RecoveryWorkflow wf = startAndAwaitApproval(RecoveryInput.of("shop"));
    WorkflowStub stub = WorkflowStub.fromTyped(wf);

    stub.signal("approveSignal", new ApprovalRequest("drop-everything", "mallory", null));
    stub.signal("approveSignal", new ApprovalRequest("swap", " ", null));
    assertThat(wf.pendingApproval()).isEqualTo("swap");
    verify(recovery, never()).swap(any());
    wf.approve(new ApprovalRequest("swap", "alice", null));

    RunReport report = result(wf);
    assertThat(report.recovery().approvals()).extracting(Approval::by).containsExactly("alice");
    assertThat(report.recovery().warnings())
        .anySatisfy(w -> assertThat(w).contains("mallory").contains("unknown step 'drop-everything'"))
        .anySatisfy(w -> assertThat(w).contains("approver must not be empty"));
  }

  @Test
  void waitingForApprovalRemindsEveryIntervalAndNeverProceedsByItself() throws Exception {
    env.start();
    RecoveryWorkflow wf = startAndAwaitApproval(RecoveryInput.of("shop"));

    env.sleep(Duration.ofSeconds(3 * REMINDER_SECONDS + REMINDER_SECONDS / 2));
    assertThat(notifier.count("approval-requested")).isEqualTo(1);
    assertThat(notifier.count("approval-reminder")).isEqualTo(3);

    // Hours later, with the RTO long gone, it is still waiting: a timeout is not a decision.
    env.sleep(Duration.ofHours(5));
    assertThat(wf.pendingApproval()).isEqualTo("swap");
    assertThat(notifier.count("approval-reminder")).isEqualTo(5 * 3600 / REMINDER_SECONDS + 3);
    verify(recovery, never()).swap(any());
    Phase gate = phase(wf.progress().phases(), "Approval");
    assertThat(gate.status()).isEqualTo(PhaseStatus.RUNNING);
    assertThat(gate.overBudget()).isTrue();
    assertThat(gate.note()).contains("drctl approve recover-shop-test swap --by NAME");

    wf.approve(new ApprovalRequest("swap", "alice", "late but fine"));
    assertThat(result(wf).status()).isEqualTo("COMPLETED");
    long reminders = notifier.count("approval-reminder");
    env.sleep(Duration.ofHours(1));
    assertThat(notifier.count("approval-reminder")).isEqualTo(reminders);
  }

  @Test
  void announcesAtRiskAndBreachedWhileWaitingForApproval() throws Exception {
    env.start();
    RecoveryWorkflow wf = startAndAwaitApproval(RecoveryInput.of("shop"));
    assertThat(notifier.count("at-risk")).isZero();

    env.sleep(Duration.ofHours(5));
    assertThat(wf.report().rtoStatus()).isEqualTo(io.drflow.workflows.model.RtoStatus.BREACHED);
    wf.approve(new ApprovalRequest("swap", "alice", "late but fine"));
    assertThat(result(wf).status()).isEqualTo("COMPLETED");

    List<Notification> rto;
    List<String> events;
    synchronized (notifier.sent) {
      rto = notifier.sent.stream().filter(n -> n.event().equals("at-risk") || n.event().equals("breached")).toList();
      events = notifier.sent.stream().map(Notification::event).toList();
    }
    assertThat(rto).extracting(Notification::event).containsExactly("at-risk", "breached");
    assertThat(rto).extracting(Notification::phase).containsExactly("Approval", "Approval");
    assertThat(rto).allSatisfy(n -> assertThat(n.runbook()).isEqualTo(RecoveryWorkflow.TYPE));
    assertThat(rto.get(1).message()).startsWith("Recovery of shop has run out of its RTO");
    assertThat(events.indexOf("breached")).isLessThan(events.indexOf("completed"));
  }

  @Test
  void aRecoveryThatStaysOnTrackAnnouncesNoRisk() {
    env.start();
    RunReport r = newWorkflow("recover-shop-test").recover(input(null, null, null, true));
    assertThat(r.status()).isEqualTo("COMPLETED");
    assertThat(notifier.count("at-risk") + notifier.count("breached")).isZero();
  }

  @Test
  void validatorRejectsBadApprovalsWithoutRecordingThem() throws Exception {
    CountDownLatch restoring = new CountDownLatch(1);
    CountDownLatch releaseRestore = new CountDownLatch(1);
    doAnswer(inv -> {
          restoring.countDown();
          assertThat(releaseRestore.await(30, TimeUnit.SECONDS)).isTrue();
          return new RestoreResult("s", ((RestoreActivities.RestoreRequest) inv.getArgument(0)).database(), 2, List.of(), 1);
        })
        .when(restore).restore(any());
    env.start();
    RecoveryWorkflow wf = newWorkflow("recover-shop-test");
    WorkflowClient.start(wf::recover, RecoveryInput.of("shop"));
    assertThat(restoring.await(30, TimeUnit.SECONDS)).isTrue();

    assertThatThrownBy(() -> wf.approve(new ApprovalRequest("swap", "alice", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("not waiting for approval of 'swap'")
        .hasMessageContaining("in phase Restore");
    assertThatThrownBy(() -> wf.approve(new ApprovalRequest("rename", "alice", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("unknown step 'rename'");
    assertThatThrownBy(() -> wf.approve(new ApprovalRequest("swap", "  ", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("approver must not be empty");

    releaseRestore.countDown();
    notifier.awaitApprovalRequest();
    wf.approve(new ApprovalRequest("SWAP", "alice", null));
    assertThatThrownBy(() -> wf.approve(new ApprovalRequest("swap", "bob", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("already approved by alice");

    RunReport report = result(wf);
    assertThat(report.status()).isEqualTo("COMPLETED");
    assertThat(report.recovery().approvals()).extracting(Approval::by).containsExactly("alice");
    verify(recovery, times(1)).swap(any());
    WorkflowExecutionHistory history = client.fetchHistory("recover-shop-test");
    // A rejected update leaves no trace in the history: only alice's was accepted.
    assertThat(history.getEvents().stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED)
            .count())
        .isEqualTo(1);
  }

  @Test
  void preApprovedRunDoesNotWaitAndSaysSoInTheReport() {
    env.start();
    RecoveryWorkflow wf = newWorkflow("recover-shop-test");

    RunReport report = wf.recover(input(null, null, null, true));

    assertThat(report.status()).isEqualTo("COMPLETED");
    assertThat(report.recovery().approvals()).singleElement()
        .satisfies(a -> {
          assertThat(a.via()).isEqualTo(Approval.VIA_PRE_APPROVED);
          assertThat(a.by()).isEqualTo("oncall");
          assertThat(a.comment()).contains("--yes");
        });
    assertThat(phase(report, "Approval").note()).contains("pre-approved (--yes) by oncall");
    assertThat(notifier.count("approval-requested")).isZero();
    assertThat(notifier.count("approval-reminder")).isZero();
    verify(recovery).swap(any());
  }

  @Test
  void abortWhileWaitingForApprovalDropsTheRestoreAndRestartsTheWriters() throws Exception {
    env.start();
    RecoveryWorkflow wf = startAndAwaitApproval(RecoveryInput.of("shop"));

    WorkflowStub.fromTyped(wf).signal("abort", new AbortRequest("wrong backup chosen", "alice"));

    RunReport report = failedReport(wf, "RecoveryAborted");
    assertThat(report.status()).isEqualTo("ABORTED");
    assertThat(report.error()).isEqualTo("aborted by alice: wrong backup chosen");
    assertThat(report.recovery().abortReason()).isEqualTo("wrong backup chosen");
    assertThat(report.recovery().abortedBy()).isEqualTo("alice");
    assertThat(phase(report, "Approval").status()).isEqualTo(PhaseStatus.CANCELLED);
    assertThat(phase(report, "Rollback").status()).isEqualTo(PhaseStatus.COMPLETED);
    assertThat(report.recovery().rollback())
        .extracting(RollbackStep::step)
        .containsExactly("drop restored database", "restore replica counts", "await writers available");
    String restored = report.recovery().restoredDatabase();
    String runId = WorkflowStub.fromTyped(wf).getExecution().getRunId();
    InOrder order = inOrder(restore, deployments);
    order.verify(restore).dropDatabase(new DropRequest("shop", "source", restored));
    order.verify(deployments).scaleBack(new ScaleBackRequest("shop", runId, BEFORE));
    verify(recovery, never()).swap(any());
    verify(recovery, never()).swapBack(any());
    assertThat(notifier.count("aborted")).isEqualTo(1);
  }

  @Test
  void abortAfterTheSwapStopsWritersSwapsBackAndKeepsTheRestoredDatabase() throws Exception {
    CountDownLatch checking = new CountDownLatch(1);
    when(health.check("shop"))
        .thenAnswer(inv -> {
          checking.countDown();
          for (int i = 0; i < 600; i++) {
            Activity.getExecutionContext().heartbeat(i);
            Thread.sleep(50);
          }
          throw new IllegalStateException("not cancelled in time");
        });
    env.start();
    RecoveryWorkflow wf = newWorkflow("recover-shop-test");
    WorkflowClient.start(wf::recover, input(null, null, null, true));
    assertThat(checking.await(30, TimeUnit.SECONDS)).isTrue();

    wf.abort(new AbortRequest("app crash-loops on the restored schema", "alice"));

    RunReport report = failedReport(wf, "RecoveryAborted");
    assertThat(report.status()).isEqualTo("ABORTED");
    assertThat(report.recovery().rollback())
        .extracting(RollbackStep::step, RollbackStep::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("stop writers again", "DONE"),
            org.assertj.core.groups.Tuple.tuple("swap back", "DONE"),
            org.assertj.core.groups.Tuple.tuple("keep restored database", "SKIPPED"),
            org.assertj.core.groups.Tuple.tuple("restore replica counts", "DONE"),
            org.assertj.core.groups.Tuple.tuple("await writers available", "DONE"));
    InOrder order = inOrder(recovery, deployments);
    order.verify(recovery).swap(any());
    order.verify(deployments).scaleDown(any());
    order.verify(recovery).swapBack(any());
    order.verify(deployments).scaleBack(argThat(r -> r.targets().equals(BEFORE)));
    verify(deployments, times(2)).scaleDown(any());
    verify(restore, never()).dropDatabase(any());
  }

  /** Where a run fails, and what the rollback must then do. */
  enum FailAt {
    ASSESS(false, false, false, false),
    LOCATE(false, false, false, false),
    STOP_WRITERS(true, false, false, false),
    DOWNLOAD(true, false, false, false),
    RESTORE(true, true, false, false),
    VALIDATE(true, true, false, false),
    SWAP(true, false, true, false),
    START_WRITERS(true, false, true, true),
    HEALTH_CHECK(true, false, true, true);

    final boolean scaleBack;
    final boolean drop;
    final boolean swapBack;
    final boolean stopAgain;

    FailAt(boolean scaleBack, boolean drop, boolean swapBack, boolean stopAgain) {
      this.scaleBack = scaleBack;
      this.drop = drop;
      this.swapBack = swapBack;
      this.stopAgain = stopAgain;
    }
  }

  private static ApplicationFailure boom(String what) {
    return ApplicationFailure.newNonRetryableFailure(what + " broke", "TestFailure");
  }

  @ParameterizedTest
  @EnumSource(FailAt.class)
  void failureAtEachPhaseRollsBackWhatWasDone(FailAt at) {
    switch (at) {
      case ASSESS -> when(recovery.assess("shop")).thenThrow(boom("assess"));
      case LOCATE -> when(restore.locateAt(any())).thenThrow(boom("locate"));
      case STOP_WRITERS -> when(deployments.awaitNoPods("shop")).thenThrow(boom("pods"));
      case DOWNLOAD -> when(restore.download(any())).thenThrow(boom("download"));
      case RESTORE -> doAnswer(inv -> { throw boom("pg_restore"); }).when(restore).restore(any());
      case VALIDATE -> when(restore.validate(any()))
          .thenReturn(new ValidationResult(List.of(new Check("row counts", false, "41 of 42 rows"))));
      case SWAP -> when(recovery.swap(any())).thenThrow(boom("rename"));
      case START_WRITERS -> when(deployments.awaitAvailable("shop")).thenThrow(boom("rollout")).thenReturn(BEFORE);
      case HEALTH_CHECK -> when(health.check("shop")).thenThrow(
          ApplicationFailure.newNonRetryableFailure("503 for 5m", "HealthCheckFailed"));
    }
    env.start();

    RunReport report = failedRun("recover-shop-" + at, input(null, null, null, true), "RecoveryFailed");

    assertThat(report.status()).isEqualTo("FAILED");
    assertThat(report.error()).isNotBlank();
    verify(restore, times(at.drop ? 1 : 0)).dropDatabase(any());
    verify(recovery, times(at.swapBack ? 1 : 0)).swapBack(any());
    int startedWriters = at == FailAt.START_WRITERS || at == FailAt.HEALTH_CHECK ? 1 : 0;
    verify(deployments, times((at.scaleBack ? 1 : 0) + (at.stopAgain ? 1 : 0)))
        .scaleDown(any());
    verify(deployments, times((at.scaleBack ? 1 : 0) + startedWriters)).scaleBack(any());
    if (at.ordinal() < FailAt.SWAP.ordinal()) {
      verify(recovery, never()).swap(any());
    }
    if (at == FailAt.STOP_WRITERS) {
      // The scale-down reported its counts before the wait failed; the rollback restores them.
      verify(deployments).scaleBack(argThat(r -> r.targets().equals(BEFORE)));
    }
    assertThat(phase(report, "Rollback").status())
        .isEqualTo(at.scaleBack ? PhaseStatus.COMPLETED : PhaseStatus.SKIPPED);
    assertThat(notifier.count("failed")).isEqualTo(1);
    verify(reports).store(any());
  }

  @Test
  void aFailedSafetyCopyIsAWarningNotAStop() {
    org.mockito.Mockito.doThrow(ApplicationFailure.newNonRetryableFailure("invalid page in block 7", "PostgresError"))
        .when(backups).dumpAndUpload(any());
    env.start();

    RunReport report = newWorkflow("recover-shop-test").recover(input(null, null, null, true));

    assertThat(report.status()).isEqualTo("COMPLETED");
    assertThat(phase(report, "SafetyCopy").status()).isEqualTo(PhaseStatus.FAILED);
    assertThat(report.recovery().safetyCopy()).isNull();
    assertThat(report.recovery().warnings())
        .anySatisfy(w -> assertThat(w).contains("safety copy failed").contains("invalid page in block 7"));
    verify(recovery).swap(any());
  }

  @Test
  void lostDatabaseSkipsTheSafetyCopy() {
    when(recovery.assess("shop")).thenReturn(new Assessment(true, false, false, null, null, "database \"shop\" does not exist"));
    env.start();

    RunReport report = newWorkflow("recover-shop-test").recover(input(null, null, null, true));

    assertThat(report.status()).isEqualTo("COMPLETED");
    assertThat(phase(report, "SafetyCopy").status()).isEqualTo(PhaseStatus.SKIPPED);
    assertThat(report.recovery().assessment()).contains("does not exist");
    verifyNoInteractions(backups);
  }

  @Test
  void unreachableServerFailsBeforeAnySideEffect() {
    when(recovery.assess("shop")).thenReturn(new Assessment(false, false, false, null, null, "connection refused"));
    env.start();

    RunReport report = failedRun("recover-shop-test", input(null, null, null, true), "RecoveryFailed");

    assertThat(report.error()).contains("ServerUnreachable").contains("connection refused");
    verify(deployments, never()).scaleDown(any());
    verifyNoInteractions(backups);
  }

  @Test
  void rollbackThatCannotSwapBackSaysSoLoudly() {
    when(health.check("shop")).thenThrow(ApplicationFailure.newNonRetryableFailure("503", "HealthCheckFailed"));
    when(recovery.swapBack(any()))
        .thenThrow(ApplicationFailure.newNonRetryableFailure("both names exist", "UnexpectedDatabaseState"));
    env.start();

    RunReport report = failedRun("recover-shop-test", input(null, null, null, true), "RecoveryFailed");

    assertThat(report.status()).isEqualTo("ROLLBACK_FAILED");
    assertThat(report.error()).contains("ROLLBACK FAILED").contains("both names exist");
    assertThat(phase(report, "Rollback").status()).isEqualTo(PhaseStatus.FAILED);
    assertThat(notifier.count("rollback-failed")).isEqualTo(1);
    // The saga stops at a failed swap-back rather than restart writers on an unknown database.
    verify(deployments, times(1)).scaleBack(any());
  }

  @Test
  void externalCancellationRollsBackToo() throws Exception {
    env.start();
    RecoveryWorkflow wf = startAndAwaitApproval(RecoveryInput.of("shop"));
    WorkflowStub stub = WorkflowStub.fromTyped(wf);

    stub.cancel("cancelled from the UI");

    assertThatThrownBy(() -> stub.getResult(RunReport.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    verify(restore).dropDatabase(any());
    verify(deployments).scaleBack(argThat(r -> r.targets().equals(BEFORE)));
    RunReport report = stub.query("report", RunReport.class);
    assertThat(report.status()).isEqualTo("CANCELLED");
  }

  @Test
  void atPicksTheNewestBackupBeforeThatTime() {
    env.start();
    Instant at = Instant.ofEpochMilli(env.currentTimeMillis()).minus(Duration.ofDays(2));

    RunReport report = newWorkflow("recover-shop-test").recover(input(at.toString(), null, null, true));

    verify(restore).locateAt(new LocateAtRequest("shop", at.toEpochMilli(), "--at"));
    assertThat(report.recovery().backupSelection()).startsWith("newest verified backup taken at or before --at");
  }

  @Test
  void latestIgnoresTheIncidentStartButWarns() {
    env.start();
    long now = env.currentTimeMillis();
    String incident = Instant.ofEpochMilli(now - 7_200_000L).toString();

    RunReport report = newWorkflow("recover-shop-test").recover(input(null, true, incident, true));

    verify(restore).locateAt(argThat(r -> r.notAfterMillis() >= now));
    assertThat(report.recovery().warnings())
        .anySatisfy(w -> assertThat(w).contains("after the incident start").contains("may contain the damage"));
  }

  @Test
  void bothBackupAndAtAreRefusedBeforeAnything() {
    env.start();
    RecoveryInput bad = new RecoveryInput("shop", "20261101T000000Z-abcdef12", "2026-11-01T00:00:00Z", null, null, null, null, null);

    assertThatThrownBy(() -> newWorkflow("recover-shop-test").recover(bad))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("--backup and --at exclude each other");
    verifyNoInteractions(catalog, recovery, restore, deployments, backups, health, reports);
  }

  @Test
  void timesInTheFutureAreRefused() {
    env.start();
    String future = Instant.ofEpochMilli(env.currentTimeMillis()).plus(Duration.ofDays(1)).toString();

    assertThatThrownBy(() -> newWorkflow("recover-shop-test").recover(input(null, null, future, null)))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("--incident-start " + future + " is in the future");
    verifyNoInteractions(catalog, recovery, deployments);
  }

  @Test
  void aSecondRecoveryOfTheSameServiceIsRefusedWhileOneRuns() throws Exception {
    env.start();
    RecoveryWorkflow first = startAndAwaitApproval(RecoveryInput.of("shop"));

    assertThatThrownBy(() -> newWorkflow("recover-shop-second").recover(RecoveryInput.of("shop")))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining("another recovery of shop is running: recover-shop-test (it holds service-lock-shop)");
    verify(catalog, times(1)).plan("shop", "recovery");

    first.abort(new AbortRequest("testing the lock", "t"));
    failedReport(first, "RecoveryAborted");
    // Released with the first run: a new recovery may start.
    RunReport third = newWorkflow("recover-shop-third").recover(input(null, null, null, true));
    assertThat(third.status()).isEqualTo("COMPLETED");
  }

  @Test
  void historyReplaysDeterministically() throws Exception {
    env.start();
    RecoveryWorkflow wf = startAndAwaitApproval(RecoveryInput.of("shop"));
    env.sleep(Duration.ofSeconds(REMINDER_SECONDS + 1));
    wf.approve(new ApprovalRequest("swap", "alice", null));
    assertThat(result(wf).status()).isEqualTo("COMPLETED");

    WorkflowReplayer.replayWorkflowExecution(
        client.fetchHistory("recover-shop-test"), RecoveryWorkflowImpl.class);
  }

  private static Phase phase(RunReport r, String name) {
    return phase(r.phases(), name);
  }

  private static Phase phase(List<Phase> phases, String name) {
    return phases.stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  /** Recorded by the runbook as it was before the shared service lock: a run in flight replays. */
  @Test
  void aRecoveryStartedBeforeTheSharedLockReplaysWithItsOldLock() throws Exception {
    String json = new String(
        getClass().getResourceAsStream("/histories/recovery-before-service-lock.json").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    WorkflowReplayer.replayWorkflowExecution(
        io.temporal.common.WorkflowExecutionHistory.fromJson(json), RecoveryWorkflowImpl.class);
  }

  /**
   * An abort that arrives while a notification is being delivered must not cancel it on the
   * server: when the delivery's completion is already on its way, the cancel request makes the
   * server refuse the whole workflow task, and Temporal's test server then leaves the run stuck
   * (this hung the abort tests under load). Here the delivery waits until the run has handled the
   * abort, so a cancel request, if the run sent one, always lands while the delivery is still open.
   */
  @Test
  void anAbortNeverCancelsANotificationOnItsWay() throws Exception {
    notifier.during = n -> {
      if (!n.event().equals("approval-requested")) {
        return;
      }
      WorkflowStub run = client.newUntypedWorkflowStub(n.workflowId());
      run.signal("abort", new AbortRequest("wrong backup chosen", "alice"));
      awaitTaskAfterSignal(n.workflowId());
    };
    env.start();
    RecoveryWorkflow wf = newWorkflow("recover-shop-test");
    WorkflowClient.start(wf::recover, RecoveryInput.of("shop"));

    RunReport report = failedReport(wf, "RecoveryAborted");

    assertThat(report.status()).isEqualTo("ABORTED");
    verify(restore).dropDatabase(any());
    List<io.temporal.api.history.v1.HistoryEvent> events = client.fetchHistory("recover-shop-test").getEvents();
    java.util.Set<Long> notifications = new java.util.HashSet<>();
    for (var e : events) {
      if (e.hasActivityTaskScheduledEventAttributes()
          && e.getActivityTaskScheduledEventAttributes().getActivityType().getName().equals("Notify")) {
        notifications.add(e.getEventId());
      }
    }
    assertThat(notifications).isNotEmpty();
    assertThat(events)
        .filteredOn(io.temporal.api.history.v1.HistoryEvent::hasActivityTaskCancelRequestedEventAttributes)
        .extracting(e -> e.getActivityTaskCancelRequestedEventAttributes().getScheduledEventId())
        .doesNotContainAnyElementsOf(notifications);
  }

  /** Waits until a workflow task has completed after the run's last signal. */
  private void awaitTaskAfterSignal(String workflowId) {
    for (int i = 0; i < 600; i++) {
      long signaled = -1;
      for (var e : client.fetchHistory(workflowId).getEvents()) {
        if (e.hasWorkflowExecutionSignaledEventAttributes()) {
          signaled = e.getEventId();
        } else if (signaled > 0 && e.hasWorkflowTaskCompletedEventAttributes()) {
          return;
        }
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new IllegalStateException("the run did not handle the abort within 30 s");
  }
}
