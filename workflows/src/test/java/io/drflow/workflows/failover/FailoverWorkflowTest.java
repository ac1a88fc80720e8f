package io.drflow.workflows.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.mockito.Mockito.withSettings;

import io.drflow.workflows.Fixtures;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.DeploymentActivities.ScaleResult;
import io.drflow.workflows.activities.FailoverActivities;
import io.drflow.workflows.activities.FailoverActivities.DnsAlias;
import io.drflow.workflows.activities.FailoverActivities.DnsChange;
import io.drflow.workflows.activities.FailoverActivities.DnsSetRequest;
import io.drflow.workflows.activities.FailoverActivities.DnsState;
import io.drflow.workflows.activities.FailoverActivities.FailoverPlan;
import io.drflow.workflows.activities.HealthActivities.HealthResult;
import io.drflow.workflows.activities.NotifyActivities;
import io.drflow.workflows.activities.NotifyActivities.Delivery;
import io.drflow.workflows.activities.NotifyActivities.Notification;
import io.drflow.workflows.activities.LockActivities;
import io.drflow.workflows.activities.LockActivities.LockHolder;
import io.drflow.workflows.runbook.ServiceLock;
import io.drflow.workflows.runbook.ServiceLockWorkflow;
import io.drflow.workflows.runbook.ServiceLockWorkflowImpl;
import io.drflow.workflows.model.RtoStatus;
import java.time.Duration;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.activities.RestoreActivities.DownloadResult;
import io.drflow.workflows.activities.RestoreActivities.RestoreResult;
import io.drflow.workflows.activities.RestoreActivities.ValidationResult;
import io.drflow.workflows.model.Approval;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.FailoverDetails;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.RecoveryDetails.Replicas;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.recovery.AbortRequest;
import io.drflow.workflows.recovery.ApprovalRequest;
import io.drflow.workflows.runbook.Failures;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FailoverWorkflowTest {

  @RegisterExtension
  static final TestWorkflowExtension ext =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(FailoverWorkflowImpl.class, ServiceLockWorkflowImpl.class)
          .setDoNotStart(true)
          .build();

  private static final String EAST = "lb-east.shop.example.com";
  private static final String WEST = "lb-west.shop.example.com";
  private static final List<Replicas> DR_BEFORE = List.of(new Replicas("api", 0), new Replicas("worker", 0));

  private final CatalogActivities catalog = mock(CatalogActivities.class, withSettings().withoutAnnotations());
  private final FailoverActivities failover = mock(FailoverActivities.class, withSettings().withoutAnnotations());
  private final RestoreActivities restore = mock(RestoreActivities.class, withSettings().withoutAnnotations());
  private final ReportActivities reports = mock(ReportActivities.class, withSettings().withoutAnnotations());
  private final FakeDns route53 = new FakeDns();
  private final CountDownLatch approvalRequested = new CountDownLatch(1);
  private final List<Notification> sent = Collections.synchronizedList(new ArrayList<>());
  /** Who the lock look-up reports; Temporal's answer in a real worker. */
  private volatile LockHolder lockHolder = new LockHolder("failover-shop", "failover");

  private TestWorkflowEnvironment env;
  private Worker worker;
  private WorkflowClient client;

  /** A record with a change counter: what Route53 would hold, and how often it was changed. */
  static final class FakeDns {
    final Map<String, String> records = Collections.synchronizedMap(new java.util.HashMap<>());
    final List<String> changes = Collections.synchronizedList(new ArrayList<>());
    /** Fails the first switch after making it, as a worker dying after its UPSERT would. */
    volatile boolean crashAfterFirstChange;
    volatile boolean failSwitchTo;

    DnsChange set(DnsSetRequest r) {
      String name = r.drill() ? "drill-api.shop.example.com." : "api.shop.example.com.";
      String before = records.get(name);
      if (failSwitchTo && WEST.equals(r.value())) {
        records.put(name, r.value());
        changes.add(name + "=" + r.value());
        throw ApplicationFailure.newNonRetryableFailure("Route53 reports the record as absent after the change", "DnsVerifyFailed");
      }
      if (java.util.Objects.equals(before, r.value())) {
        return new DnsChange(name, null, before, before);
      }
      if (r.value() == null) {
        records.remove(name);
      } else {
        records.put(name, r.value());
      }
      changes.add(name + "=" + r.value());
      if (crashAfterFirstChange) {
        crashAfterFirstChange = false;
        throw ApplicationFailure.newFailure("worker lost after the UPSERT", "WorkerLost");
      }
      return new DnsChange(name, "C" + changes.size(), before, r.value());
    }
  }

  @BeforeEach
  void setUp(TestWorkflowEnvironment env, Worker worker, WorkflowClient client) {
    this.env = env;
    this.worker = worker;
    this.client = client;
    NotifyActivities notifier = n -> {
      sent.add(n);
      if (n.event().equals("approval-requested")) {
        approvalRequested.countDown();
      }
      return new Delivery(false, "no webhook");
    };
    LockActivities locks = lockId -> lockHolder;
    worker.registerActivitiesImplementations(catalog, failover, restore, reports, notifier, locks);
    route53.records.put("api.shop.example.com.", EAST);
    when(catalog.plan("shop", "failover")).thenReturn(Fixtures.plan(Runbook.FAILOVER, Fixtures.HOUR));
    when(failover.plan(any())).thenAnswer(inv -> {
      FailoverActivities.PlanRequest r = inv.getArgument(0);
      String to = r.to() == null ? "primary" : r.to();
      return new FailoverPlan("shop", to, List.of("primary", "dr"), "10.1.0.5:5432", true,
          List.of("primary", "dr"), "http://127.0.0.1:8081/health",
          (r.drill() ? "drill-" : "") + "api.shop.example.com.", "CNAME", Map.of("primary", EAST, "dr", WEST));
    });
    when(failover.checkKubernetes(any())).thenReturn(new Check("k", true, "namespace shop, 2 Deployments"));
    when(failover.checkDatabase(any())).thenReturn(new Check("d", true, "10.1.0.5:5432 answers; shop absent"));
    when(failover.readDns(any())).thenAnswer(inv -> {
      FailoverActivities.PlanRequest r = inv.getArgument(0);
      String name = (r.drill() ? "drill-" : "") + "api.shop.example.com.";
      return new DnsState(true, "shop.example.com.", name, route53.records.get(name));
    });
    when(failover.setDns(any())).thenAnswer(inv -> route53.set(inv.getArgument(0)));
    when(failover.scaleUp(any())).thenReturn(new ScaleResult(DR_BEFORE, List.of("api 0 → 3", "worker 0 → 2")));
    when(failover.scaleBack(any())).thenReturn(new ScaleResult(DR_BEFORE, List.of("api 3 → 0", "worker 2 → 0")));
    when(failover.scaleDown(any())).thenReturn(new ScaleResult(List.of(), List.of("api 3 → 0")));
    when(failover.awaitAvailable(any())).thenReturn(List.of());
    when(failover.checkHealth(any())).thenReturn(new HealthResult("http://127.0.0.1:8081/health", 200, 1, 10));
    when(failover.promote(any())).thenReturn("renamed shop_restore_x to shop");
    when(restore.locateAt(any())).thenAnswer(inv -> Fixtures.backup(env.currentTimeMillis() - 3_600_000L));
    when(restore.hostTaskQueue()).thenReturn(worker.getTaskQueue());
    when(restore.download(any())).thenReturn(new DownloadResult("w", 1000, 4000, "ab".repeat(32), 0, 1000));
    doAnswer(inv -> new RestoreResult("10.1.0.5:5432", ((RestoreActivities.RestoreRequest) inv.getArgument(0)).database(), 2, List.of(), 4000))
        .when(restore).restore(any());
    when(restore.validate(any())).thenReturn(new ValidationResult(List.of(new Check("row counts", true, "42 rows"))));
    when(restore.dropDatabase(any())).thenReturn(true);
    when(reports.store(any())).thenReturn("drflow/shop/reports/f.json");
  }

  /**
   * Until the run waits in its Approval phase: the approval request goes out just before it starts,
   * so an abort sent as soon as the request is seen may land while it is still being delivered.
   */
  private void awaitApproval(FailoverWorkflow wf) throws InterruptedException {
    assertThat(approvalRequested.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 600; i++) {
      var p = wf.progress();
      if (p != null && p.phases().stream().anyMatch(x -> x.name().equals("Approval") && x.status() == PhaseStatus.RUNNING)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the Approval phase did not start within 30 s");
  }

  private FailoverWorkflow newWorkflow(String id) {
    return client.newWorkflowStub(
        FailoverWorkflow.class,
        WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).setWorkflowId(id).build());
  }

  private static FailoverInput input(String to, boolean drill, boolean yes) {
    return new FailoverInput("shop", to, null, drill, yes, null, "oncall");
  }

  private static RunReport failedReport(org.assertj.core.api.ThrowableAssert.ThrowingCallable run, String type) {
    AtomicReference<RunReport> out = new AtomicReference<>();
    assertThatThrownBy(run)
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          ApplicationFailure af = (ApplicationFailure) e.getCause();
          assertThat(af.getType()).isEqualTo(type);
          out.set(af.getDetails().get(RunReport.class));
        });
    return out.get();
  }

  @Test
  void approvedFailoverSwitchesDnsOnceAndReportsEverything() throws Exception {
    env.start();
    FailoverWorkflow wf = newWorkflow("failover-shop");
    WorkflowClient.start(wf::failover, input("dr", false, false));
    awaitApproval(wf);
    assertThat(wf.pendingApproval()).isEqualTo("dns");
    assertThat(route53.changes).isEmpty();
    assertThatThrownBy(() -> wf.approve(new ApprovalRequest("swap", "alice", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("unknown step 'swap': the step that needs approval is 'dns'");
    Approval given = wf.approve(new ApprovalRequest("dns", "alice", "west is healthy"));
    assertThat(given.step()).isEqualTo("dns");

    RunReport r = WorkflowStub.fromTyped(wf).getResult(RunReport.class);
    assertThat(r.status()).isEqualTo("COMPLETED");
    assertThat(r.runbook()).isEqualTo("FailoverWorkflow");
    FailoverDetails f = r.failover();
    assertThat(f.direction()).isEqualTo("failover");
    assertThat(f.drill()).isFalse();
    assertThat(f.from()).isEqualTo("primary");
    assertThat(f.to()).isEqualTo("dr");
    assertThat(f.previousValue()).isEqualTo(EAST);
    assertThat(f.newValue()).isEqualTo(WEST);
    assertThat(f.dnsChangeId()).isEqualTo("C1");
    assertThat(f.readiness()).extracting(Check::name).containsExactly(
        "newest backup within the RPO", "Kubernetes in dr", "database server in dr", "Route53 zone and record");
    assertThat(f.readiness()).allMatch(Check::passed);
    assertThat(f.approvals()).extracting(Approval::by).containsExactly("alice");
    assertThat(f.primaryScaleDown()).isEqualTo("api 3 → 0");
    assertThat(r.rto().achievedSeconds()).isNotNull();
    assertThat(route53.changes).containsExactly("api.shop.example.com.=" + WEST);
    verify(failover).promote(any());
    verify(failover).scaleDown(argThat(s -> s.region().equals("primary")));
    verify(failover, never()).scaleBack(any());
    verify(restore).restore(argThat(q -> q.server().equals("region:dr") && q.database().startsWith("shop_restore_")));
    assertThat(r.phases()).filteredOn(p -> p.name().equals("DnsSwitch")).extracting(p -> p.status())
        .containsExactly(PhaseStatus.COMPLETED);
    assertThat(io.drflow.workflows.model.RunReportMarkdown.render(r))
        .contains("## Failover\n")
        .contains("- Route53 change id: C1")
        .contains("| database server in dr | yes |")
        .contains("| dns | alice |");
  }

  @Test
  void aFailedReadinessCheckStopsBeforeAnyChange() {
    env.start();
    when(failover.checkDatabase(any()))
        .thenReturn(new Check("d", false, "database shop on 10.1.0.5:5432 has 12 tables and was not created by this run"));
    RunReport r = failedReport(() -> newWorkflow("failover-not-ready").failover(input("dr", false, true)),
        Failures.READINESS_FAILED);
    assertThat(r.status()).isEqualTo("FAILED");
    assertThat(r.error()).contains("dr is not ready, nothing was changed")
        .contains("database server in dr: database shop on 10.1.0.5:5432 has 12 tables");
    assertThat(r.failover().readiness()).hasSize(4);
    verify(restore, never()).download(any());
    verify(restore, never()).restore(any());
    verify(failover, never()).scaleUp(any());
    verify(failover, never()).setDns(any());
    verify(failover, never()).scaleBack(any());
    assertThat(route53.changes).isEmpty();
  }

  @Test
  void aFailureInTheDnsSwitchRevertsTheRecordAndScalesDrBack() {
    env.start();
    route53.failSwitchTo = true;
    RunReport r = failedReport(() -> newWorkflow("failover-dns-fails").failover(input("dr", false, true)),
        Failures.FAILOVER_FAILED);
    assertThat(r.status()).isEqualTo("FAILED");
    assertThat(route53.records.get("api.shop.example.com.")).isEqualTo(EAST);
    assertThat(route53.changes).containsExactly("api.shop.example.com.=" + WEST, "api.shop.example.com.=" + EAST);
    verify(failover).scaleBack(argThat(b -> b.region().equals("dr") && b.targets().equals(DR_BEFORE)));
    verify(failover, never()).scaleDown(any());
    assertThat(r.failover().rollback()).extracting(s -> s.step() + " " + s.status())
        .contains("switch DNS back DONE", "scale dr back DONE", "keep DR database SKIPPED");
  }

  @Test
  void abortWhileWaitingForApprovalScalesDrBackAndLeavesDnsAlone() throws Exception {
    env.start();
    FailoverWorkflow wf = newWorkflow("failover-aborted");
    WorkflowClient.start(wf::failover, input("dr", false, false));
    awaitApproval(wf);
    wf.abort(new AbortRequest("primary came back", "bob"));
    RunReport r = failedReport(() -> WorkflowStub.fromTyped(wf).getResult(RunReport.class), Failures.FAILOVER_ABORTED);
    assertThat(r.status()).isEqualTo("ABORTED");
    assertThat(r.failover().abortedBy()).isEqualTo("bob");
    verify(failover).scaleBack(any());
    verify(failover, never()).setDns(any());
    assertThat(route53.changes).isEmpty();
  }

  @Test
  void aWorkerLostAfterTheUpsertDoesNotChangeTheRecordTwiceNorOnReplay() throws Exception {
    env.start();
    route53.crashAfterFirstChange = true;
    FailoverWorkflow wf = newWorkflow("failover-crash");
    RunReport r = wf.failover(input("dr", false, true));
    assertThat(r.status()).isEqualTo("COMPLETED");
    // The retry found the record at its target and sent nothing.
    assertThat(route53.changes).containsExactly("api.shop.example.com.=" + WEST);
    assertThat(r.failover().dnsChangeId()).isNull();
    assertThat(r.phases()).filteredOn(p -> p.name().equals("DnsSwitch")).first()
        .satisfies(p -> assertThat(p.note()).contains("already pointed at " + WEST));

    // A worker replaying the history (after a crash) schedules no new DNS change.
    WorkflowExecutionHistory history = client.fetchHistory("failover-crash");
    WorkflowReplayer.replayWorkflowExecution(history, FailoverWorkflowImpl.class);
    assertThat(route53.changes).hasSize(1);
  }

  @Test
  void aDrillUsesTheDrillRecordAndPutsEverythingBack() {
    env.start();
    RunReport r = newWorkflow("failover-drill").failover(input("dr", true, true));
    assertThat(r.status()).isEqualTo("COMPLETED");
    assertThat(r.failover().drill()).isTrue();
    assertThat(r.failover().record()).isEqualTo("drill-api.shop.example.com.");
    assertThat(io.drflow.workflows.model.RunReportMarkdown.render(r)).contains("## Failover (DRILL");
    assertThat(route53.changes).containsExactly(
        "drill-api.shop.example.com.=" + WEST, "drill-api.shop.example.com.=null");
    assertThat(route53.records).containsOnlyKeys("api.shop.example.com.");
    assertThat(route53.records.get("api.shop.example.com.")).isEqualTo(EAST);
    verify(failover, never()).promote(any());
    verify(failover).scaleBack(any());
    verify(failover, never()).scaleDown(any());
    verify(restore).dropDatabase(argThat(d -> d.database().startsWith("shop_restore_") && d.server().equals("region:dr")));
  }

  @Test
  void failbackGoesToTheFirstRegion() {
    env.start();
    route53.records.put("api.shop.example.com.", WEST);
    RunReport r = newWorkflow("failback-shop").failover(new FailoverInput("shop", null, null, null, true, true, "oncall"));
    assertThat(r.status()).isEqualTo("COMPLETED");
    assertThat(r.failover().direction()).isEqualTo("failback");
    assertThat(r.failover().from()).isEqualTo("dr");
    assertThat(r.failover().to()).isEqualTo("primary");
    assertThat(route53.records.get("api.shop.example.com.")).isEqualTo(EAST);
    verify(failover).scaleDown(argThat(s -> s.region().equals("dr")));
  }

  // ---- one runbook per service ----

  @Test
  void aSecondFailoverOrAFailbackIsRefusedWhileOneRunsAndNamesIt() throws Exception {
    env.start();
    FailoverWorkflow first = newWorkflow("failover-shop");
    WorkflowClient.start(first::failover, input("dr", false, false));
    awaitApproval(first);

    RunReport none = refused(() -> newWorkflow("failover-shop-2").failover(input("dr", false, true)), "failover");
    assertThat(none).isNull();
    refused(() -> newWorkflow("failback-shop").failover(new FailoverInput("shop", null, null, null, true, true, "bob")),
        "failback");
    // Nothing of the refused runs ran: one plan, one readiness, one scale-up (the first run's).
    verify(catalog, times(1)).plan("shop", "failover");
    verify(failover, times(1)).plan(any());
    verify(failover, times(1)).readDns(any());
    verify(failover, times(1)).scaleUp(any());
    assertThat(route53.changes).isEmpty();

    first.abort(new AbortRequest("testing the lock", "t"));
    failedReport(() -> WorkflowStub.fromTyped(first).getResult(RunReport.class), Failures.FAILOVER_ABORTED);
    // Released with the first run: a failback may start now.
    RunReport back = newWorkflow("failback-shop-2").failover(new FailoverInput("shop", null, null, null, true, true, "bob"));
    assertThat(back.status()).isEqualTo("COMPLETED");
  }

  @Test
  void aFailoverIsRefusedWhileARecoveryHoldsTheServiceLock() {
    env.start();
    // What a running recovery holds; started here without one, so the test controls its release.
    ServiceLockWorkflow held = client.newWorkflowStub(ServiceLockWorkflow.class,
        WorkflowOptions.newBuilder().setTaskQueue(worker.getTaskQueue()).setWorkflowId(ServiceLock.id("shop")).build());
    WorkflowClient.start(held::hold, "recover-shop-1");
    lockHolder = new LockHolder("recover-shop-1", "recovery");

    assertThatThrownBy(() -> newWorkflow("failover-shop").failover(input("dr", false, true)))
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          ApplicationFailure af = (ApplicationFailure) e.getCause();
          assertThat(af.getType()).isEqualTo(Failures.SERVICE_LOCKED);
          assertThat(af.getOriginalMessage())
              .startsWith("another recovery of shop is running: recover-shop-1 (it holds service-lock-shop)")
              .contains("drctl abort recover-shop-1");
        });
    verify(catalog, never()).plan(any(), any());
    verify(failover, never()).plan(any());

    held.release();
    WorkflowStub.fromTyped(held).getResult(Void.class);
    assertThat(newWorkflow("failover-shop-2").failover(input("dr", false, true)).status()).isEqualTo("COMPLETED");
  }

  private RunReport refused(org.assertj.core.api.ThrowableAssert.ThrowingCallable run, String what) {
    assertThatThrownBy(run)
        .isInstanceOf(WorkflowFailedException.class)
        .satisfies(e -> {
          ApplicationFailure af = (ApplicationFailure) e.getCause();
          assertThat(af.getType()).isEqualTo(Failures.SERVICE_LOCKED);
          assertThat(af.getOriginalMessage())
              .startsWith("another failover of shop is running: failover-shop (it holds service-lock-shop)")
              .contains("drctl watch failover-shop")
              .contains("before starting this " + what);
          assertThat(af.getDetails().getSize()).isZero();
        });
    return null;
  }

  // ---- RTO announcements ----

  @Test
  void announcesAtRiskAndBreachedAsTheyHappen() throws Exception {
    env.start();
    FailoverWorkflow wf = newWorkflow("failover-shop");
    WorkflowClient.start(wf::failover, input("dr", false, false));
    awaitApproval(wf);

    // The approval phase's budget is 10% of the hour: waiting 10 minutes puts the run at risk.
    env.sleep(Duration.ofMinutes(10));
    RunReport atRisk = wf.report();
    assertThat(atRisk.rtoStatus()).isEqualTo(RtoStatus.AT_RISK);
    env.sleep(Duration.ofHours(1));
    assertThat(wf.report().rtoStatus()).isEqualTo(RtoStatus.BREACHED);
    wf.approve(new ApprovalRequest("dns", "alice", "late, but west is healthy"));
    RunReport r = WorkflowStub.fromTyped(wf).getResult(RunReport.class);

    assertThat(r.status()).isEqualTo("COMPLETED");
    List<Notification> rto;
    synchronized (sent) {
      rto = sent.stream().filter(n -> n.event().equals("at-risk") || n.event().equals("breached")).toList();
    }
    assertThat(rto).extracting(Notification::event).containsExactly("at-risk", "breached");
    assertThat(rto).extracting(Notification::status).containsExactly("AT_RISK", "BREACHED");
    assertThat(rto).extracting(Notification::phase).containsExactly("Approval", "Approval");
    assertThat(rto).allSatisfy(n -> {
      assertThat(n.runbook()).isEqualTo(FailoverWorkflow.TYPE);
      assertThat(n.workflowId()).isEqualTo("failover-shop");
    });
    assertThat(rto.get(0).message()).startsWith("Failover of shop is at risk: Approval has run");
    assertThat(rto.get(1).message()).startsWith("Failover of shop has run out of its RTO of 1h");
    // Each announced once, in order, before the outcome.
    List<String> events;
    synchronized (sent) {
      events = sent.stream().map(Notification::event).toList();
    }
    assertThat(events.indexOf("breached")).isLessThan(events.indexOf("completed"));
  }

  @Test
  void aRunThatStaysOnTrackAnnouncesNoRisk() {
    env.start();
    assertThat(newWorkflow("failover-shop").failover(input("dr", false, true)).status()).isEqualTo("COMPLETED");
    assertThat(sent).extracting(Notification::event).doesNotContain("at-risk", "breached");
  }

  /** Recorded by the runbook as it was before the shared service lock: a run in flight replays. */
  @Test
  void aFailoverStartedBeforeTheLockAndAnnouncementsReplaysWithoutThem() throws Exception {
    String json = new String(
        getClass().getResourceAsStream("/histories/failover-before-service-lock.json").readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    WorkflowReplayer.replayWorkflowExecution(
        io.temporal.common.WorkflowExecutionHistory.fromJson(json), FailoverWorkflowImpl.class);
  }

  // ---- alias records ----

  @Test
  void anAliasRecordIsSwitchedToTheDrAliasAndRevertedToThePreviousAliasOnFailure() {
    DnsAlias eastLb = new DnsAlias("Z35SXDOTRQ7X7K", "lb-east-1234.us-east-1.elb.amazonaws.com.", false);
    DnsAlias westLb = new DnsAlias("Z1H1FL5HABSF5", "lb-west-5678.us-west-2.elb.amazonaws.com.", true);
    String eastText = "ALIAS lb-east-1234.us-east-1.elb.amazonaws.com. (zone Z35SXDOTRQ7X7K)";
    String westText = "ALIAS lb-west-5678.us-west-2.elb.amazonaws.com. (zone Z1H1FL5HABSF5, evaluate target health)";
    doReturn(new FailoverPlan("shop", "dr", List.of("primary", "dr"), "10.1.0.5:5432", true,
        List.of("primary", "dr"), "http://127.0.0.1:8081/health", "api.shop.example.com.", "A",
        Map.of("primary", eastText, "dr", westText), Map.of("primary", eastLb, "dr", westLb)))
        .when(failover).plan(any());
    doReturn(new DnsState(true, "shop.example.com.", "api.shop.example.com.", eastText, eastLb)).when(failover).readDns(any());
    List<DnsSetRequest> sets = Collections.synchronizedList(new ArrayList<>());
    doAnswer(inv -> {
      DnsSetRequest r = inv.getArgument(0);
      sets.add(r);
      if (westLb.equals(r.alias())) {
        throw ApplicationFailure.newNonRetryableFailure("Route53 reports the record as absent after the change", "DnsVerifyFailed");
      }
      return new DnsChange("api.shop.example.com.", "C" + sets.size(), westText, r.value());
    }).when(failover).setDns(any());
    env.start();

    RunReport r = failedReport(() -> newWorkflow("failover-alias").failover(input("dr", false, true)), Failures.FAILOVER_FAILED);

    assertThat(sets).extracting(DnsSetRequest::value, DnsSetRequest::alias).containsExactly(
        org.assertj.core.groups.Tuple.tuple(westText, westLb),
        org.assertj.core.groups.Tuple.tuple(eastText, eastLb));
    assertThat(r.failover().previousValue()).isEqualTo(eastText);
    assertThat(r.failover().newValue()).isEqualTo(westText);
    assertThat(r.failover().rollback()).extracting(st -> st.step() + " " + st.status()).contains("switch DNS back DONE");
  }
}
