package io.drflow.cli;

import io.drflow.workflows.model.RunReport;
import io.drflow.workflows.model.RunReportMarkdown;
import java.io.PrintWriter;

/** Prints a finished run's report and turns its status into drctl's exit code. */
final class RunOutput {

  private RunOutput() {}

  /**
   * After a run is started: print its id and return (detached), follow it with progress bars and
   * print the Markdown report ({@code --wait}), or print only the JSON report ({@code --json}).
   */
  static int finish(io.temporal.client.WorkflowStub stub, boolean await, boolean json, PrintWriter out)
      throws InterruptedException {
    String id = stub.getExecution().getWorkflowId();
    if (json) {
      return print(Runs.awaitReport(stub), true, out);
    }
    if (!await) {
      out.println("started " + id + "  (drctl watch " + id + ")");
      return 0;
    }
    out.println("started " + id);
    return print(new Watcher(out).follow(stub), false, out);
  }

  static int print(RunReport report, boolean json, PrintWriter out) {
    out.println(json ? Json.write(report) : RunReportMarkdown.render(report));
    out.flush();
    return report.passed() ? 0 : 1;
  }
}
