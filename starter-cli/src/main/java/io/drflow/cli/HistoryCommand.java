package io.drflow.cli;

import io.drflow.workflows.catalog.RunHistoryWorkflow;
import io.drflow.workflows.model.Bytes;
import io.drflow.workflows.model.Durations;
import io.drflow.workflows.model.RunSummary;
import io.drflow.workflows.report.DrillTrend;
import io.drflow.workflows.report.RunHistoryHtml;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "history",
    mixinStandardHelpOptions = true,
    description = "A service's last drills with their achieved RTO and RPO, and where the RTO is heading.")
final class HistoryCommand extends ClientCommand {

  @Parameters(index = "0", paramLabel = "SERVICE")
  String service;

  @Option(names = "--limit", defaultValue = "10", description = "at most this many drills, newest first (default 10, at most 200)")
  int limit;

  @Option(names = "--json", description = "print the drills as JSON")
  boolean json;

  @Option(names = "--html", paramLabel = "FILE", description = "also write a self-contained HTML page with the trend charts")
  Path html;

  @Override
  int run(TemporalSession s) {
    ServiceNames.check(service);
    if (limit < 1 || limit > RunHistoryWorkflow.MAX_LIMIT) {
      throw new UserError("--limit must be between 1 and " + RunHistoryWorkflow.MAX_LIMIT);
    }
    RunHistoryWorkflow wf =
        s.client.newWorkflowStub(
            RunHistoryWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(s.config.taskQueue())
                .setWorkflowId(Runs.workflowId("history", service) + "-" + System.nanoTime() % 100000)
                .build());
    List<RunSummary> drills;
    try {
      drills = wf.history(new RunHistoryWorkflow.Request(service, "drill", limit));
    } catch (WorkflowFailedException e) {
      throw new UserError(Errors.describe(e), 1);
    }
    if (html != null) {
      HtmlFiles.write(html, RunHistoryHtml.render(service, drills));
      err().println("wrote " + html);
    }
    if (json) {
      out().println(Json.write(drills));
    } else {
      print(service, drills, out());
    }
    return 0;
  }

  static void print(String service, List<RunSummary> newestFirst, PrintWriter out) {
    if (newestFirst.isEmpty()) {
      out.println("no stored drill reports of " + service);
      return;
    }
    String row = "%-19s  %-9s %9s %8s %9s %10s %13s %7s  %s";
    out.println(String.format(Locale.ROOT, row, "STARTED (UTC)", "RESULT", "RTO", "Δ RTO", "RPO", "DATA", "RESTORED AT", "CHECKS", "RUN"));
    for (int i = 0; i < newestFirst.size(); i++) {
      RunSummary s = newestFirst.get(i);
      Long rto = s.rto() == null ? null : s.rto().achievedSeconds();
      Long before = null;
      for (int j = i + 1; j < newestFirst.size() && before == null; j++) {
        RunSummary older = newestFirst.get(j);
        before = older.rto() == null ? null : older.rto().achievedSeconds();
      }
      Long rpo = s.rpo() == null ? null : s.rpo().achievedSeconds();
      out.println(
          String.format(
              Locale.ROOT,
              row,
              s.startedAt() == null || s.startedAt().length() < 19 ? String.valueOf(s.startedAt()) : s.startedAt().substring(0, 10) + " " + s.startedAt().substring(11, 19),
              s.status(),
              rto == null ? "-" : Durations.human(rto) + (Boolean.FALSE.equals(s.rto().met()) ? "!" : ""),
              rto != null && before != null ? DrillTrend.change(before, rto) : "",
              rpo == null ? "-" : Durations.human(rpo) + (Boolean.FALSE.equals(s.rpo().met()) ? "!" : ""),
              s.backupDumpBytes() > 0 ? Bytes.human(s.backupDumpBytes()) : "",
              DrillTrend.throughput(s) == null ? "" : Bytes.human(Math.round(DrillTrend.throughput(s))) + "/s",
              s.checks() == 0 ? "" : (s.checks() - s.failedChecks()) + "/" + s.checks(),
              s.workflowId()));
    }
    DrillTrend trend = DrillTrend.of(newestFirst);
    out.println();
    String spark = trend.sparkline();
    out.println((spark.isEmpty() ? "" : spark + "  ") + trend.rtoSentence());
    if (!trend.dataSentence().isEmpty()) {
      out.println(trend.dataSentence());
    }
    if (newestFirst.stream().anyMatch(s -> s.rto() != null && Boolean.FALSE.equals(s.rto().met()))) {
      out.println("! = missed the target");
    }
  }
}
