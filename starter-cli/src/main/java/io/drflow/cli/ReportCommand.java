package io.drflow.cli;

import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.report.RunReportHtml;
import io.temporal.client.WorkflowStub;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Print a run's report.")
final class ReportCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "RUN-ID", description = "the workflow id drctl printed")
  String runId;

  @Option(names = "--json", description = "print JSON instead of Markdown")
  boolean json;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "also write the report as a self-contained HTML page (timeline chart, checks, backup, approvals)")
  Path html;

  @Override
  int run(TemporalSession s) {
    WorkflowStub stub = Runs.existing(s, runId);
    RunReport report =
        Runs.query(stub, "report", RunReport.class).orElseGet(() -> Runs.awaitReport(stub));
    if (html != null) {
      HtmlFiles.write(html, RunReportHtml.render(report));
      err().println("wrote " + html);
    }
    return RunOutput.print(report, json, out());
  }
}
