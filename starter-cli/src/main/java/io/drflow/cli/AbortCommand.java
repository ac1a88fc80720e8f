package io.drflow.cli;

import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.recovery.AbortRequest;
import io.drflow.workflows.failover.FailoverWorkflow;
import io.drflow.workflows.recovery.RecoveryWorkflow;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowStub;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "abort",
    mixinStandardHelpOptions = true,
    description =
        "Abort a recovery and roll back what it did: before the swap, drop the restored database"
            + " and restart the writers; after it, stop the writers, swap the databases back and"
            + " restart them. The reason is kept in the report. Other runs are cancelled.")
final class AbortCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "RUN-ID", description = "the workflow id drctl printed")
  String runId;

  @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "why, for the report")
  String reason;

  @Option(names = "--by", paramLabel = "NAME", description = "who aborts (default: $USER)")
  String by;

  @Option(names = "--wait", description = "follow the rollback and print the report")
  boolean await;

  @Override
  public Integer call() throws Exception {
    if (reason == null || reason.isBlank()) {
      throw new UserError("--reason must say why the run is aborted");
    }
    return super.call();
  }

  @Override
  int run(TemporalSession s) throws Exception {
    WorkflowExecutionInfo info = Runs.describe(s, runId);
    if (info.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      throw new UserError(
          runId + " has already ended (" + info.getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "")
              + "): nothing to abort");
    }
    WorkflowStub stub = Runs.existing(s, runId);
    String type = info.getType().getName();
    if (RecoveryWorkflow.TYPE.equals(type) || FailoverWorkflow.TYPE.equals(type)) {
      stub.signal(RecoveryWorkflow.ABORT_SIGNAL, new AbortRequest(reason.strip(), Users.name(by)));
      out().println("abort of " + runId + " requested by " + Users.name(by) + ": " + reason.strip());
      out().println("the run rolls back now (drctl watch " + runId + ")");
    } else {
      stub.cancel(reason.strip());
      out().println("cancellation of " + type + " " + runId + " requested; it cleans up after itself");
    }
    if (!await) {
      return 0;
    }
    out().flush();
    RunReport report = new Watcher(out()).follow(stub);
    RunOutput.print(report, false, out());
    // A rollback that went through is what abort asked for.
    return "ABORTED".equals(report.status()) || "CANCELLED".equals(report.status()) ? 0 : 1;
  }
}
