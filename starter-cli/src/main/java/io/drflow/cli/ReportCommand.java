package io.drflow.cli;

import io.drflow.workflows.model.RunReport;
import io.temporal.client.WorkflowStub;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Print a run's report.")
final class ReportCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "RUN-ID", description = "the workflow id drctl printed")
  String runId;

  @Option(names = "--json", description = "print JSON instead of Markdown")
  boolean json;

  @Override
  int run(TemporalSession s) {
    WorkflowStub stub = Runs.existing(s, runId);
    RunReport report =
        Runs.query(stub, "report", RunReport.class).orElseGet(() -> Runs.awaitReport(stub));
    return RunOutput.print(report, json, out());
  }
}
