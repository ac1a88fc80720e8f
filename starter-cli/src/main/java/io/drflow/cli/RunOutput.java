package io.drflow.cli;

import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunReportMarkdown;
import java.io.PrintWriter;

/** Prints a finished run's report and turns its status into drctl's exit code. */
final class RunOutput {

  private RunOutput() {}

  static int print(RunReport report, boolean json, PrintWriter out) {
    out.println(json ? Json.write(report) : RunReportMarkdown.render(report));
    out.flush();
    return report.passed() ? 0 : 1;
  }
}
