package io.drflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.drflow.workflows.Workflows;
import io.drflow.workflows.activities.CatalogActivities;
import io.drflow.workflows.activities.NotifyActivities;
import io.drflow.workflows.activities.RecoveryActivities;
import io.drflow.workflows.activities.ReportActivities;
import io.drflow.workflows.activities.RestoreActivities;
import io.drflow.workflows.model.BackupRef;
import io.drflow.workflows.model.Check;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.drflow.workflows.recovery.RecoveryWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * drctl recover, approve and abort against Temporal's test server on a free port, with a worker
 * whose activities are fakes: what the responder sees, including rejected approvals.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class RecoveryCliTest {

  private static final String QUEUE = "drflow";

  @TempDir static Path dir;
  static TestServer.PortBoundTestServer server;
  static WorkflowServiceStubs service;
  static WorkflowClient client;
  static WorkerFactory factory;
  static String config;
  static volatile CountDownLatch releaseRestore = new CountDownLatch(1);
  static final CountDownLatch restoring = new CountDownLatch(1);

  @BeforeAll
  static void start() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    server = TestServer.createPortBoundServer(port);
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    client = WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    factory = WorkerFactory.newInstance(client);
    Worker worker = factory.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(Workflows.IMPLEMENTATIONS);
    worker.registerActivitiesImplementations(
        new FakeCatalog(), new FakeRecovery(), new FakeRestore(), new FakeNotify(), new FakeReports());
    factory.start();
    Path file = dir.resolve("drflow.yaml");
    Files.writeString(file, "temporal:\n  target: 127.0.0.1:" + port + "\n  taskQueue: " + QUEUE + "\n");
    config = file.toString();
  }

  @AfterAll
  static void stop() {
    releaseRestore.countDown();
    factory.shutdownNow();
    service.shutdownNow();
    server.close();
  }

  private static DrctlRunner.Result drctl(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--config";
    all[1] = config;
    System.arraycopy(args, 0, all, 2, args.length);
    return DrctlRunner.run(all);
  }

  private static String startedId(DrctlRunner.Result r) {
    Matcher m = Pattern.compile("started (recovery-shop-[0-9-]+)").matcher(r.out());
    assertThat(m.find()).as(r.out() + r.err()).isTrue();
    return m.group(1);
  }

  private static void awaitGate(String id) throws InterruptedException {
    WorkflowStub stub = client.newUntypedWorkflowStub(id);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!RecoveryWorkflow.SWAP_STEP.equals(stub.query("pendingApproval", String.class))) {
      assertThat(System.nanoTime()).as("approval gate reached").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  @org.junit.jupiter.api.Order(1)
  void responderFlowWithRejectedApprovalsThenAbort() throws Exception {
    DrctlRunner.Result started = drctl("recover", "shop", "--by", "oncall");
    assertThat(started.exitCode()).as(started.err()).isZero();
    String id = startedId(started);
    assertThat(started.out()).contains("drctl approve " + id + " swap --by NAME");
    assertThat(restoring.await(60, TimeUnit.SECONDS)).isTrue();

    DrctlRunner.Result early = drctl("approve", id, "swap", "--by", "alice");
    assertThat(early.exitCode()).isEqualTo(2);
    assertThat(early.err())
        .contains("approval rejected: the run is not waiting for approval of 'swap': it is in phase Restore");
    DrctlRunner.Result unknown = drctl("approve", id, "rename", "--by", "alice");
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("approval rejected: unknown step 'rename'");

    DrctlRunner.Result second = drctl("recover", "shop");
    assertThat(second.exitCode()).isEqualTo(2);
    assertThat(second.err()).contains("a recovery of shop is already running: " + id);
    // One runbook per service: a failover or failback is refused before it starts, naming the run.
    DrctlRunner.Result failover = drctl("failover", "shop", "--to", "dr");
    assertThat(failover.exitCode()).isEqualTo(2);
    assertThat(failover.err()).contains("a recovery of shop is already running: " + id);
    DrctlRunner.Result failback = drctl("failback", "shop", "--yes");
    assertThat(failback.exitCode()).isEqualTo(2);
    assertThat(failback.err()).contains("a recovery of shop is already running: " + id);

    releaseRestore.countDown();
    awaitGate(id);
    DrctlRunner.Result aborted = drctl("abort", id, "--reason", "wrong backup", "--by", "alice", "--wait");
    assertThat(aborted.exitCode()).as(aborted.err()).isZero();
    assertThat(aborted.out()).contains("abort of " + id + " requested by alice: wrong backup").contains("ABORTED");

    RunReport report = drctlReport(id);
    assertThat(report.status()).isEqualTo("ABORTED");
    assertThat(report.recovery().abortReason()).isEqualTo("wrong backup");
    assertThat(report.recovery().approvals()).isEmpty();

    DrctlRunner.Result again = drctl("abort", id, "--reason", "again");
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("has already ended");
  }

  @Test
  @org.junit.jupiter.api.Order(2)
  void approvedRecoveryCompletesAndReportShowsTheApprover() throws Exception {
    releaseRestore.countDown();
    DrctlRunner.Result started =
        drctl("recover", "shop", "--incident-start", java.time.Instant.now().minusSeconds(600).toString());
    assertThat(started.exitCode()).as(started.err()).isZero();
    String id = startedId(started);
    awaitGate(id);

    DrctlRunner.Result ok = drctl("approve", id, "swap", "--by", "alice", "--comment", "counts match");
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(ok.out()).contains("approved swap of " + id + " by alice");

    client.newUntypedWorkflowStub(id).getResult(RunReport.class);
    DrctlRunner.Result report = drctl("report", id);
    assertThat(report.exitCode()).isZero();
    assertThat(report.out())
        .contains("RecoveryWorkflow of `shop`: COMPLETED")
        .contains("## Recovery")
        .contains("| swap | alice |")
        .contains("counts match");
  }

  private static RunReport drctlReport(String id) {
    return client.newUntypedWorkflowStub(id).query("report", RunReport.class);
  }

  // ---- fakes: just enough of the activities for the workflow to reach and pass its gate ----

  static final class FakeCatalog implements CatalogActivities {
    @Override
    public ServicePlan plan(String service, String runbook) {
      return new ServicePlan(service, runbook, service, "127.0.0.1:5432", null, 3600, 86400,
          Runbook.RECOVERY.defaultBudgets(3600), 0, "s3://test");
    }

    @Override
    public List<BackupRef> listBackups(String service, int limit) {
      return List.of();
    }
  }

  static final class FakeRecovery implements RecoveryActivities {
    @Override
    public RecoveryPlan prepare(String service) {
      return new RecoveryPlan(service, service, "127.0.0.1:5432", false, null, List.of(), null, 0, 600, false, List.of());
    }

    @Override
    public Assessment assess(String service) {
      return new Assessment(true, true, false, null, null, "invalid page in block 7");
    }

    @Override
    public SwapResult swap(SwapRequest request) {
      return new SwapResult("SWAPPED", List.of("renamed"));
    }

    @Override
    public SwapResult swapBack(SwapRequest request) {
      return new SwapResult("NOTHING_TO_UNDO", List.of());
    }
  }

  static final class FakeRestore implements RestoreActivities {
    private static BackupRef backup() {
      long at = System.currentTimeMillis() - 3_600_000L;
      return new BackupRef("shop", "b1", "drflow/shop/backups/b1/dump.zst", "drflow/shop/backups/b1/manifest.json",
          java.time.Instant.ofEpochMilli(at).toString(), at, "ab", 1, 1, 1, 1, "custom", "zstd", "15");
    }

    @Override
    public BackupRef locate(String service, String backupKeyOrId) {
      return backup();
    }

    @Override
    public BackupRef locateAt(LocateAtRequest request) {
      return backup();
    }

    @Override
    public String hostTaskQueue() {
      return QUEUE;
    }

    @Override
    public DownloadResult download(DownloadRequest request) {
      return new DownloadResult(request.workId(), 1, 1, "ab", 0, 1);
    }

    @Override
    public RestoreResult restore(RestoreRequest request) {
      restoring.countDown();
      try {
        releaseRestore.await(120, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new RestoreResult(request.server(), request.database(), 1, List.of(), 1);
    }

    @Override
    public ValidationResult validate(ValidateRequest request) {
      return new ValidationResult(List.of(new Check("row counts", true, "1 table")));
    }

    @Override
    public boolean dropDatabase(DropRequest request) {
      return true;
    }

    @Override
    public void deleteWorkFiles(String workId) {}
  }

  static final class FakeNotify implements NotifyActivities {
    @Override
    public Delivery notify(Notification notification) {
      return new Delivery(false, "test");
    }
  }

  static final class FakeReports implements ReportActivities {
    @Override
    public String store(RunReport report) {
      return "drflow/shop/reports/" + report.workflowId() + ".json";
    }

    @Override
    public java.util.List<io.drflow.workflows.model.RunSummary> listRuns(
        String service, String runbook, int limit) {
      return java.util.List.of();
    }
  }
}
