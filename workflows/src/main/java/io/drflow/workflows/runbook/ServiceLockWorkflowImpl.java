package io.drflow.workflows.runbook;

import io.temporal.workflow.Workflow;
import java.time.Duration;

public class ServiceLockWorkflowImpl implements ServiceLockWorkflow {

  private boolean released;

  @Override
  public void hold(String holderWorkflowId) {
    // A daily timer rather than a bare await: Temporal's test server does not skip time while a
    // workflow waits without one.
    while (!released) {
      Workflow.await(Duration.ofDays(1), () -> released);
    }
  }

  @Override
  public void release() {
    released = true;
  }
}
