package io.drflow.bench;

import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.drflow.workflows.runbook.ActivityStubs;
import io.drflow.workflows.runbook.PhaseRunner;
import io.temporal.activity.ActivityInterface;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Benchmark-only runbooks, never registered by a drflow worker: one measures what Temporal adds
 * per activity, the other how fast a one-hour runbook replays under time skipping.
 */
final class NoopRunbook {

  private NoopRunbook() {}

  @ActivityInterface
  public interface NoopActivities {
    int step(int i);
  }

  public static final class NoopActivitiesImpl implements NoopActivities {
    @Override
    public int step(int i) {
      return i;
    }
  }

  /** N activities one after another, with drflow's activity options. */
  @WorkflowInterface
  public interface Sequence {
    @WorkflowMethod
    int run(int activities);
  }

  public static final class SequenceImpl implements Sequence {
    private final NoopActivities steps =
        ActivityStubs.stub(NoopActivities.class, ActivityStubs.quick(), "no-op step");

    @Override
    public int run(int activities) {
      int sum = 0;
      for (int i = 0; i < activities; i++) {
        sum += steps.step(i);
      }
      return sum;
    }
  }

  /**
   * The drill runbook's phases driven by PhaseRunner against a one-hour RTO, each phase taking
   * (as a timer) its whole budget and a bit more, so every AT_RISK and BREACHED wake-up fires.
   * Returns the simulated duration in milliseconds.
   */
  @WorkflowInterface
  public interface SimulatedHour {
    @WorkflowMethod
    long run(long rtoSeconds);
  }

  public static final class SimulatedHourImpl implements SimulatedHour {
    @Override
    public long run(long rtoSeconds) {
      long start = Workflow.currentTimeMillis();
      Map<String, Long> budgets = Runbook.DRILL.defaultBudgets(rtoSeconds);
      long total = budgets.values().stream().mapToLong(Long::longValue).sum();
      ServicePlan plan =
          new ServicePlan("sim", "drill", "sim", "a:5432", "b:5432", rtoSeconds, 86_400,
              new LinkedHashMap<>(budgets), 0, "sim");
      PhaseRunner phases = new PhaseRunner(Runbook.DRILL, plan, start);
      for (Map.Entry<String, Long> e : budgets.entrySet()) {
        // Stretched so the phases add up to the whole RTO: each overruns its budget.
        long millis = e.getValue() * 1000 * rtoSeconds / total;
        phases.run(e.getKey(), () -> Async.procedure(Workflow::sleep, Duration.ofMillis(millis)));
      }
      return Workflow.currentTimeMillis() - start;
    }
  }
}
