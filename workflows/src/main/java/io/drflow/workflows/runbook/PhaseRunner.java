package io.drflow.workflows.runbook;

import io.drflow.workflows.model.PhaseClock;
import io.drflow.workflows.model.PhaseStatus;
import io.drflow.workflows.model.PhaseTableMarkdown;
import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RtoStatus;
import io.drflow.workflows.model.Runbook;
import io.drflow.workflows.model.ServicePlan;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a workflow's phases against their budgets. While a phase's promise is pending the workflow
 * wakes exactly when the phase crosses its budget or the RTO runs out, so the {@code progress}
 * query and the UI's current details turn AT_RISK/BREACHED while the work is still running.
 */
public final class PhaseRunner {

  private final PhaseClock clock;
  private final String runbook;
  private final String service;
  private RtoStatus lastStatus = RtoStatus.ON_TRACK;
  private Consumer<Progress> statusListener;

  public PhaseRunner(Runbook runbook, ServicePlan plan, long rtoStartMillis) {
    this.clock = new PhaseClock(runbook.phases(), plan.budgets(), rtoStartMillis, plan.rtoSeconds());
    this.runbook = runbook.workflowType();
    this.service = plan.service();
    publish();
  }

  public PhaseClock clock() {
    return clock;
  }

  public <T> T run(String phase, Functions.Func<Promise<T>> step) {
    return run(List.of(phase), false, step);
  }

  /** Runs phases that the step performs concurrently, as one stream, in one shared window. */
  public <T> T runPipelined(List<String> phases, Functions.Func<Promise<T>> step) {
    return run(phases, true, step);
  }

  private <T> T run(List<String> phases, boolean pipelined, Functions.Func<Promise<T>> step) {
    long now = Workflow.currentTimeMillis();
    if (pipelined) {
      clock.startPipelined(phases, now);
    } else {
      clock.start(phases.get(0), now);
    }
    publish();
    try {
      Promise<T> promise = step.apply();
      awaitWithDeadlines(promise);
      T value = promise.get();
      long end = Workflow.currentTimeMillis();
      for (String p : phases) {
        if (clock.status(p) == PhaseStatus.RUNNING) {
          clock.complete(p, end);
        }
      }
      return value;
    } catch (CanceledFailure e) {
      finishAll(phases, PhaseStatus.CANCELLED, "cancelled");
      throw e;
    } catch (RuntimeException e) {
      finishAll(phases, PhaseStatus.FAILED, Failures.describe(e));
      throw e;
    } finally {
      publish();
    }
  }

  private void finishAll(List<String> phases, PhaseStatus as, String note) {
    long end = Workflow.currentTimeMillis();
    for (String p : phases) {
      if (clock.status(p) == PhaseStatus.RUNNING) {
        if (as == PhaseStatus.CANCELLED) {
          clock.cancel(p, end, note);
        } else {
          clock.fail(p, end, note);
        }
      }
    }
  }

  private void awaitWithDeadlines(Promise<?> promise) {
    while (!promise.isCompleted()) {
      long now = Workflow.currentTimeMillis();
      Long next = clock.nextDeadline(now);
      if (next == null) {
        Workflow.await(promise::isCompleted);
      } else {
        Workflow.await(Duration.ofMillis(Math.max(1, next - now)), promise::isCompleted);
      }
      publish();
    }
  }

  public void skip(String phase, String why) {
    clock.skip(phase, why);
    publish();
  }

  public Progress progress() {
    return clock.progress(Workflow.currentTimeMillis(), runbook, service);
  }

  /**
   * Called from the workflow whenever the run's RTO status changes (to AT_RISK or BREACHED while
   * a phase runs), so people can be told at that moment rather than when the phase ends.
   */
  public void onRtoStatusChange(Consumer<Progress> listener) {
    this.statusListener = listener;
  }

  /** Shows the phase table as the run's current details in the Temporal UI. */
  public void publish() {
    Progress p = progress();
    Workflow.setCurrentDetails(PhaseTableMarkdown.render(p));
    if (p.rtoStatus() != lastStatus) {
      lastStatus = p.rtoStatus();
      if (statusListener != null) {
        statusListener.accept(p);
      }
    }
  }
}
