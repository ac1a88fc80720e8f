package io.drflow.cli;

import io.drflow.workflows.model.Progress;
import io.drflow.workflows.model.RunReport;
import io.temporal.client.WorkflowStub;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Follows a run until it ends, redrawing the phase bars in place on a terminal and printing only
 * changes otherwise (logs, CI).
 */
final class Watcher {

  private final PrintWriter out;
  private final boolean terminal;
  private List<String> last = List.of();
  private long lastElapsed;
  private long lastRto;

  Watcher(PrintWriter out) {
    this.out = out;
    this.terminal = System.console() != null && System.getenv("TERM") != null
        && !"dumb".equals(System.getenv("TERM"));
  }

  RunReport follow(WorkflowStub stub) throws InterruptedException {
    CompletableFuture<RunReport> done = Background.call("drctl-result", () -> Runs.awaitReport(stub));
    while (!done.isDone()) {
      Runs.progress(stub).ifPresent(this::draw);
      Thread.sleep(terminal ? 500 : 1000);
    }
    RunReport report = done.join();
    draw(
        new Progress(
            report.runbook(),
            report.service(),
            report.startedAt(),
            lastRto,
            lastElapsed,
            0,
            report.rtoStatus(),
            report.phases()));
    return report;
  }

  void draw(Progress p) {
    lastElapsed = p.elapsedSeconds();
    lastRto = p.rtoSeconds();
    List<String> lines = ProgressView.lines(p);
    if (terminal) {
      if (!last.isEmpty()) {
        out.print("\u001b[" + last.size() + "A");
      }
      for (String l : lines) {
        out.print("\u001b[2K" + l + "\n");
      }
    } else if (!stable(lines).equals(stable(last))) {
      lines.forEach(out::println);
    }
    out.flush();
    last = lines;
  }

  /** Lines without the moving seconds, so non-terminal output prints only real changes. */
  private static List<String> stable(List<String> lines) {
    return lines.stream().skip(1).map(l -> l.replaceAll("[0-9]+\\.[0-9]s", "")).toList();
  }
}
