package io.drflow.cli;

import io.drflow.workflows.model.Progress;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.client.WorkflowStub;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "status", mixinStandardHelpOptions = true, description = "Show a run's state and phases once.")
final class StatusCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "RUN-ID", description = "the workflow id drctl printed")
  String runId;

  @Override
  int run(TemporalSession s) {
    DescribeWorkflowExecutionResponse d =
        s.service
            .blockingStub()
            .describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(s.config.namespace())
                    .setExecution(
                        io.temporal.api.common.v1.WorkflowExecution.newBuilder().setWorkflowId(runId))
                    .build());
    String state = d.getWorkflowExecutionInfo().getStatus().name().replace("WORKFLOW_EXECUTION_STATUS_", "");
    out().println(runId + "  " + d.getWorkflowExecutionInfo().getType().getName() + "  " + state);
    WorkflowStub stub = Runs.existing(s, runId);
    Progress p = Runs.progress(stub).orElse(null);
    if (p != null) {
      ProgressView.lines(p).forEach(out()::println);
    }
    return 0;
  }
}
