package io.drflow.activities.runbook;

import io.drflow.workflows.activities.LockActivities;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;

/** Reads a service lock's holder from Temporal itself: the lock is a child of the run holding it. */
public final class LockActivitiesImpl implements LockActivities {

  @Override
  public LockHolder holder(String lockId) {
    ActivityExecutionContext ctx = Activity.getExecutionContext();
    WorkflowClient client = ctx.getWorkflowClient();
    String namespace = ctx.getInfo().getNamespace();
    WorkflowExecutionInfo lock = describe(client, namespace, lockId);
    if (lock == null
        || lock.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        || !lock.hasParentExecution()) {
      return null;
    }
    String holder = lock.getParentExecution().getWorkflowId();
    WorkflowExecutionInfo parent = describe(client, namespace, holder);
    String type = parent == null ? null : parent.getType().getName();
    return new LockHolder(holder, runbook(type));
  }

  static String runbook(String workflowType) {
    if (workflowType == null) {
      return "run";
    }
    return switch (workflowType) {
      case "RecoveryWorkflow" -> "recovery";
      case "FailoverWorkflow" -> "failover";
      default -> workflowType;
    };
  }

  private static WorkflowExecutionInfo describe(WorkflowClient client, String namespace, String workflowId) {
    try {
      return client
          .getWorkflowServiceStubs()
          .blockingStub()
          .describeWorkflowExecution(
              DescribeWorkflowExecutionRequest.newBuilder()
                  .setNamespace(namespace)
                  .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                  .build())
          .getWorkflowExecutionInfo();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return null;
      }
      throw e;
    }
  }
}
