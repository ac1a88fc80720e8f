package io.drflow.bench;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Temporal's own cost: per activity on the dev server, and a time-skipped one-hour runbook. */
final class OrchestrationBench {

  private static final String QUEUE = "drflow-bench-noop";

  private OrchestrationBench() {}

  record Overhead(double msPerActivity, List<Double> samples, double emptyWorkflowMs) {}

  /**
   * Runs a workflow of {@code activities} no-op activities and an empty one, {@code repeats}
   * times each after a warm-up; the difference per activity is what orchestration costs.
   */
  static Overhead perActivity(String target, int activities, int repeats) {
    WorkflowServiceStubs service =
        WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
    try {
      WorkflowClient client =
          WorkflowClient.newInstance(service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
      WorkerFactory factory = WorkerFactory.newInstance(client);
      Worker worker = factory.newWorker(QUEUE);
      worker.registerWorkflowImplementationTypes(NoopRunbook.SequenceImpl.class);
      worker.registerActivitiesImplementations(new NoopRunbook.NoopActivitiesImpl());
      factory.start();
      try {
        time(client, activities); // warm-up: JIT, connections, caches
        time(client, 0);
        List<Double> perActivity = new ArrayList<>();
        List<Double> empties = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
          double empty = time(client, 0);
          double full = time(client, activities);
          empties.add(empty);
          perActivity.add((full - empty) / activities);
        }
        return new Overhead(Stats.median(perActivity), perActivity, Stats.median(empties));
      } finally {
        // Pollers must stop before the channel closes under them, or each logs a failure.
        factory.shutdownNow();
        factory.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    } finally {
      service.shutdownNow();
    }
  }

  private static double time(WorkflowClient client, int activities) {
    NoopRunbook.Sequence wf =
        client.newWorkflowStub(
            NoopRunbook.Sequence.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(QUEUE)
                .setWorkflowId("noop-" + UUID.randomUUID())
                .build());
    long t0 = System.nanoTime();
    wf.run(activities);
    return (System.nanoTime() - t0) / 1e6;
  }

  record Simulation(double wallMs, long simulatedMs) {}

  /** The one-hour runbook under TestWorkflowEnvironment's time skipping (in-memory server). */
  static Simulation oneHourRunbook() {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      Worker w = env.newWorker("sim");
      w.registerWorkflowImplementationTypes(NoopRunbook.SimulatedHourImpl.class);
      env.start();
      // The first run pays class loading; the second is what a test suite sees per runbook.
      run(env);
      long t0 = System.nanoTime();
      long simulated = run(env);
      return new Simulation((System.nanoTime() - t0) / 1e6, simulated);
    } finally {
      env.close();
    }
  }

  private static long run(TestWorkflowEnvironment env) {
    NoopRunbook.SimulatedHour wf =
        env.getWorkflowClient()
            .newWorkflowStub(
                NoopRunbook.SimulatedHour.class,
                WorkflowOptions.newBuilder().setTaskQueue("sim").setWorkflowId("sim-" + UUID.randomUUID()).build());
    return wf.run(3600);
  }
}
