package io.drflow.cli;

import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.Runbook;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/** Starting runbooks and reading their results, shared by the commands. */
final class Runs {

  private static final DateTimeFormatter ID_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private Runs() {}

  /** Readable, sortable ids: {@code drill-shop-20261122-031500}. */
  static String workflowId(String runbook, String service) {
    return runbook + "-" + service + "-" + ID_STAMP.format(Instant.now());
  }

  /**
   * Starts a runbook with its static summary and details (runbook, service, RTO) for the UI.
   *
   * @param note appended to the summary, e.g. which backup a drill restores
   */
  static WorkflowStub start(
      TemporalSession s, Runbook runbook, String service, String note, Object input) {
    String workflowId = workflowId(runbook.id(), service);
    Optional<java.time.Duration> rto = s.config.rto(service);
    String type = runbook.workflowType();
    WorkflowStub stub =
        s.client.newUntypedWorkflowStub(
            type,
            WorkflowOptions.newBuilder()
                .setTaskQueue(s.config.taskQueue())
                .setWorkflowId(workflowId)
                .setStaticSummary(RunSummary.summary(runbook, service, rto) + (note == null ? "" : " " + note))
                .setStaticDetails(RunSummary.details(runbook, service, rto, "drctl"))
                .build());
    WorkflowExecution exec = stub.start(input);
    return s.client.newUntypedWorkflowStub(exec.getWorkflowId(), Optional.of(exec.getRunId()), Optional.of(type));
  }

  /** Type, status and parent of a run, straight from the server. */
  static io.temporal.api.workflow.v1.WorkflowExecutionInfo describe(TemporalSession s, String workflowId) {
    try {
      return s.service
          .blockingStub()
          .describeWorkflowExecution(
              io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                  .setNamespace(s.config.namespace())
                  .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                  .build())
          .getWorkflowExecutionInfo();
    } catch (io.grpc.StatusRuntimeException e) {
      if (e.getStatus().getCode() == io.grpc.Status.Code.NOT_FOUND) {
        throw new UserError("no run with id " + workflowId);
      }
      throw e;
    }
  }

  /**
   * A second recovery, failover or failback of a service would fail at its lock anyway; saying so
   * before starting names the run to follow instead.
   */
  static void refuseIfBusy(TemporalSession s, String service) {
    // Recoveries started before the lock was shared hold the old id.
    for (String id : List.of(
        io.drflow.workflows.runbook.ServiceLock.id(service),
        io.drflow.workflows.runbook.ServiceLock.legacyRecoveryId(service))) {
      io.temporal.api.workflow.v1.WorkflowExecutionInfo lock;
      try {
        lock = describe(s, id);
      } catch (UserError notFound) {
        continue;
      }
      if (lock.getStatus()
          == io.temporal.api.enums.v1.WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        String holder = lock.getParentExecution().getWorkflowId();
        String what;
        try {
          what = describe(s, holder).getType().getName().equals("FailoverWorkflow") ? "failover" : "recovery";
        } catch (UserError gone) {
          what = "run";
        }
        throw new UserError(
            "a " + what + " of " + service + " is already running: " + holder + " (drctl watch " + holder
                + ", or drctl abort " + holder + " --reason TEXT)");
      }
    }
  }

  static WorkflowStub existing(TemporalSession s, String workflowId) {
    return s.client.newUntypedWorkflowStub(workflowId);
  }

  /** The run's report, whether it passed (result) or failed (failure details). */
  static RunReport awaitReport(WorkflowStub stub) {
    try {
      return stub.getResult(RunReport.class);
    } catch (WorkflowFailedException e) {
      if (e.getCause() instanceof ApplicationFailure af) {
        try {
          RunReport r = af.getDetails().get(RunReport.class);
          if (r != null) {
            return r;
          }
        } catch (RuntimeException ignored) {
          // No report attached: the run failed before it had one (e.g. unknown service).
        }
      }
      if (e.getCause() instanceof CanceledFailure) {
        return query(stub, "report", RunReport.class)
            .orElseThrow(() -> new UserError("the run was cancelled", 1));
      }
      throw new UserError(Errors.describe(e), 1);
    } catch (WorkflowNotFoundException e) {
      throw new UserError("no run with id " + stub.getExecution().getWorkflowId());
    }
  }

  static Optional<Progress> progress(WorkflowStub stub) {
    return query(stub, "progress", Progress.class);
  }

  static <T> Optional<T> query(WorkflowStub stub, String name, Class<T> type) {
    try {
      return Optional.ofNullable(stub.query(name, type));
    } catch (WorkflowNotFoundException e) {
      throw new UserError("no run with id " + stub.getExecution().getWorkflowId());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
